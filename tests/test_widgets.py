"""The severity classifier widget, used as a student would: type counts, tick context, read the result."""

from __future__ import annotations

from isotretinoin_course.widgets.severity import SeverityClassifier, severity_scheme_html


def test_initial_counts_are_graded_at_once():
    widget = SeverityClassifier(comedones=25, inflammatory=18, nodules=0)
    assert "Grade: moderate" in widget.result.value
    assert "43 lesions in total" in widget.result.value


def test_typing_new_counts_updates_the_grade():
    widget = SeverityClassifier()
    assert "Grade: clear" in widget.result.value
    widget.set_counts(12, 8, 6)
    assert "Grade: severe" in widget.result.value
    assert "6 nodules (more than 5)" in widget.result.value


def test_impossible_counts_get_a_message_not_a_grade():
    widget = SeverityClassifier()
    for typed, message in (("-2", "Nodules cannot be negative"), ("2.5", "is not a whole number"), ("lots", "is not a number"), ("", "enter a number"),
                           ("1,000", "is ambiguous")):
        widget.count_inputs["nodules"].value = typed
        assert "Check the counts" in widget.result.value
        assert message in widget.result.value
        assert "Grade:" not in widget.result.value


def test_context_changes_the_guideline_line_not_the_grade():
    widget = SeverityClassifier(comedones=30, inflammatory=20, nodules=1)
    assert "does not point to isotretinoin" in widget.result.value
    widget.context_inputs["scarring"].value = True
    assert "Grade: moderate" in widget.result.value
    assert "AAD 2024 guideline:</strong> recommends isotretinoin — acne causing scarring" in widget.result.value
    assert "does not meet the indication" in widget.result.value


def test_label_line_turns_when_nodular_acne_failed_antibiotics():
    widget = SeverityClassifier(comedones=10, inflammatory=30, nodules=7)
    widget.context_inputs["failed_systemic_antibiotics"].value = True
    assert "this presentation meets the indication" in widget.result.value


def test_static_fallback_is_the_scheme_table():
    bundle = SeverityClassifier()._repr_mimebundle_()
    assert bundle["text/plain"] == "Severity classifier (interactive: run the notebook to use it)"
    assert bundle["text/html"] == severity_scheme_html()
    assert "<td>Comedones</td><td>&lt; 20</td><td>20–100</td><td>&gt; 100</td>" in bundle["text/html"]

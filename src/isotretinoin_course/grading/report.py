"""One reason per submission, from what the driver and the executor recorded; and the grade-id checks.

Reasons, most serious first (the first that applies is the submission's reason;
everything found is kept as details):

    not a notebook · tampering detected · blocked by the sandbox · grading failed · not graded yet ·
    kernel died in cell X ·
    memory limit in cell X · process limit in cell X · time limit in cell X ·
    syntax error in cell X · locked cell edited or deleted · output truncated ·
    file renamed · graded

Everything but "graded" needs a look; ``python3 course.py nbgrader-report ASSIGNMENT``
exits 1 when any submission does. The reasons come from the grader's side (the
driver's staging and the executor's events), never from what a notebook printed.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Control characters (ANSI escapes, new lines, carriage returns) in anything a submission chose - an error message,
# a file or class name, a path it tried - would let it rewrite the instructor's terminal or fake report lines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str, limit: int = 500) -> str:
    """``text`` on one line, control characters shown as escapes (\\x1b), at most ``limit`` characters."""
    text = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def grade_cells(notebook: dict) -> dict[str, dict]:
    """nbgrader metadata of every cell that has a grade_id, by grade_id."""
    cells = {}
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta and meta.get("grade_id"):
            cells[meta["grade_id"]] = meta
    return cells


def course_grade_ids(source: Path) -> dict[str, list[str]]:
    """Every grade_id in every source notebook, with the notebooks it appears in (to find duplicates)."""
    seen: dict[str, list[str]] = {}
    for path in sorted(source.glob("*/*.ipynb")):
        for grade_id in grade_cells(json.loads(path.read_text(encoding="utf-8"))):
            seen.setdefault(grade_id, []).append(path.name)
    return seen


ORDER = ["not a notebook", "tampering detected", "blocked by the sandbox", "grading failed", "not graded yet", "kernel died", "memory limit", "process limit",
         "time limit", "syntax error", "locked cell edited or deleted", "output truncated", "file renamed", "graded"]

EVENT_REASON = {
    "tampering": "tampering detected",
    "blocked": "blocked by the sandbox",
    "kernel_died": "kernel died",
    "gave_up": "kernel died",
    "memory_limit": "memory limit",
    "process_limit": "process limit",
    "time_limit": "time limit",
    "notebook_time_limit": "time limit",
    "syntax_error": "syntax error",
    "output_truncated": "output truncated",
    "output_lost": "output truncated",
}


@dataclass
class Finding:
    reason: str
    where: str = ""  # "cell a1_q3_answer" (a grade id, else the cell's number)
    detail: str = ""

    def __post_init__(self) -> None:
        self.reason, self.where, self.detail = printable(self.reason), printable(self.where), printable(self.detail)

    def text(self) -> str:
        head = f"{self.reason} in {self.where}" if self.where else self.reason
        return f"{head}: {self.detail}" if self.detail else head


@dataclass
class Entry:
    student: str
    findings: list[Finding] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        self.student = printable(self.student, 100)

    @property
    def primary(self) -> Finding:
        if not self.findings:
            return Finding("graded")
        return min(self.findings, key=lambda f: ORDER.index(f.reason))

    @property
    def needs_look(self) -> bool:
        return self.primary.reason != "graded"

    def line(self) -> str:
        score = "" if self.score is None else f"  [{self.score:g}/{self.max_score:g}]"
        first = self.primary.text()
        others = [f.text() for f in self.findings if f is not self.primary]
        more = f"  (also: {'; '.join(dict.fromkeys(others))[:300]})" if others else ""
        return f"{self.student}: {first}{score}{more}"


def where(event: dict) -> str:
    if event.get("grade_id"):
        return f"cell {event['grade_id']}"
    if event.get("cell") is not None:
        return f"cell {event['cell'] + 1}"
    return ""


def findings_from_events(events: list[dict]) -> list[Finding]:
    found = []
    for event in events:
        reason = EVENT_REASON.get(event.get("kind"))
        if reason:
            found.append(Finding(reason, where(event), event.get("detail", "")))
    return found


def write(path: Path, assignment: str, entries: list[Entry], header: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**header, "assignment": assignment,
            "submissions": [{**asdict(entry), "reason": entry.primary.text(), "needs_look": entry.needs_look}
                            for entry in entries]}
    path.write_text(json.dumps(data, indent=1))


def read(path: Path) -> tuple[dict, list[Entry]]:
    data = json.loads(path.read_text())
    entries = [Entry(student=item["student"], findings=[Finding(**f) for f in item["findings"]], score=item["score"],
                     max_score=item["max_score"], seconds=item.get("seconds")) for item in data["submissions"]]
    return data, entries


def render(assignment: str, entries: list[Entry], header: dict) -> str:
    lines = [f"{assignment}: {len(entries)} submission(s), {sum(e.needs_look for e in entries)} need a look"
             f" ({header.get('sandbox', '')})"]
    lines += [entry.line() for entry in sorted(entries, key=lambda e: (not e.needs_look, e.student))]
    return "\n".join(lines)

"""Feedback that stays private: no hidden-test source, no mark scheme, no hidden line in any output.

nbgrader 0.9.6 renders the autograded notebook as feedback, and the autograded
notebook carries the hidden tests (nbgrader puts them back to run them) and the
mark schemes; nbgrader has no setting to leave them out (jupyter/nbgrader#917,
#1156: "by design"). ``GenerateFeedback.preprocessors`` can be changed, and
``PrivateFeedback`` is the step to add, before ``CSSHTMLHeaderPreprocessor``:

* removes ``BEGIN/END HIDDEN TESTS`` and ``BEGIN/END MARK SCHEME`` regions from
  every cell (the same delimiters as nbgrader's ClearHiddenTests/ClearMarkScheme);
* in test cells, replaces each error's traceback - which quotes the failing
  line and the lines around it, hidden ones included - by one line with the
  error's name and message, and says "a hidden test failed" when the message
  itself comes from a hidden line;
* in every other output (a submission may print what ran in its own kernel),
  replaces any line containing a hidden-test or mark-scheme line verbatim.

``reveal_hidden_tests = True`` (for example after the deadline) keeps nbgrader's
behaviour. What it cannot stop: a submission that *encodes* the hidden tests of
its own assignment (which ran in its kernel) before printing them; see README.
"""

from __future__ import annotations

import ast
import re

from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Any, Bool, Integer, List, Unicode

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class PrivateFeedback(NbGraderPreprocessor):
    reveal_hidden_tests = Bool(False, help="show hidden tests and tracebacks in feedback (nbgrader's default)").tag(config=True)
    begin_tests = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_tests = Unicode("END HIDDEN TESTS").tag(config=True)
    begin_scheme = Unicode("BEGIN MARK SCHEME").tag(config=True)
    end_scheme = Unicode("END MARK SCHEME").tag(config=True)
    min_secret_length = Integer(6, help="shorter hidden lines (e.g. 'pass') are not searched for in outputs").tag(config=True)

    def _split(self, source: str) -> tuple[str, list[str]]:
        """The source without secret regions, and the secret lines it held."""
        kept, secret, inside = [], [], None
        for line in source.split("\n"):
            if self.begin_tests in line or self.begin_scheme in line:
                inside = True
                continue
            if self.end_tests in line or self.end_scheme in line:
                inside = None
                continue
            (secret if inside else kept).append(line)
        return "\n".join(kept), secret

    def preprocess(self, nb, resources):
        if self.reveal_hidden_tests:
            return nb, resources
        secrets = [self.begin_tests, self.end_tests, self.begin_scheme, self.end_scheme]
        for cell in nb.cells:
            source, secret = self._split(cell.source)
            if secret:
                cell.source = source
                secrets += [line.strip() for line in secret if len(line.strip()) >= self.min_secret_length]
                secrets += self._expressions("\n".join(secret))
        self._secrets = sorted(set(secrets), key=len, reverse=True)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            is_test = utils.is_grade(cell) and not utils.is_solution(cell)
            cell.outputs = [self._clean(output, is_test) for output in cell.get("outputs", [])]
        if "celltoolbar" in nb.metadata:
            del nb.metadata["celltoolbar"]
        return nb, resources

    def _expressions(self, code: str) -> list[str]:
        """The conditions of hidden asserts as Python prints them back (the grader's control test, a
        traceback, or ``ast.unparse`` may show them reformatted or negated)."""
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return []
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                found += [ast.unparse(node.test)] + ([ast.unparse(node.msg)] if node.msg else [])
        return [text for text in found if len(text) >= self.min_secret_length]

    def _leaks(self, text: str) -> bool:
        plain = ANSI.sub("", text)
        return any(secret in plain for secret in self._secrets)

    def _scrub(self, text: str) -> str:
        if not self._secrets or not self._leaks(text):
            return text
        return "\n".join("[removed by the grader: hidden test text]" if self._leaks(line) else line
                         for line in text.split("\n"))

    def _clean(self, output, is_test: bool):
        kind = output.get("output_type")
        if kind == "error":
            evalue = str(output.get("evalue", ""))
            if is_test:
                if self._leaks(evalue) or (not evalue and self._leaks("\n".join(output.get("traceback", [])))):
                    evalue = "a hidden test failed"
                output["evalue"] = self._scrub(evalue)
                output["traceback"] = [f"\x1b[0;31m{output.get('ename', 'Error')}\x1b[0m: {output['evalue']}"]
            else:
                output["evalue"] = self._scrub(evalue)
                output["traceback"] = [self._scrub(line) for line in output.get("traceback", [])]
        elif kind == "stream":
            output["text"] = self._scrub(output.get("text", ""))
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            for mime, value in list(data.items()):
                if isinstance(value, str):
                    data[mime] = self._scrub(value)
                elif isinstance(value, list):
                    data[mime] = [self._scrub(part) if isinstance(part, str) else part for part in value]
        return output


class SafeHTML(SanitizeHTML):
    """Autograde step after SandboxExecute: a submission's HTML cannot run in the instructor's or the student's browser.

    What a notebook displays (``HTML(...)``, ``Javascript(...)``, SVG) and the markdown its author wrote are the
    author's HTML. nbgrader's formgrader and feedback templates render markdown cells without sanitising them, so a
    ``<script>`` there would run in the formgrader, with the instructor's rights over every grade. This step cleans
    the autograded notebook itself, so that every view of it is safe: outputs keep plain text, PNG, JPEG, LaTeX and
    JSON as they are and HTML/markdown cleaned by bleach (tables, headings, images and links stay); everything else
    (JavaScript, SVG, widget views) is dropped. Markdown and raw cells the student could edit are cleaned too;
    locked cells are the instructor's (nbgrader restores them from the gradebook) and stay as written.
    """

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled; nbgrader registers it as is
    tags = List(Unicode(), default_value=[
        "a", "abbr", "acronym", "b", "blockquote", "code", "em", "i", "li", "ol", "strong", "ul", "p", "div", "span",
        "br", "hr", "pre", "sub", "sup", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr",
        "th", "td", "caption", "img", "dl", "dt", "dd", "del", "ins", "s", "u", "small", "kbd", "samp", "var",
        "details", "summary"]).tag(config=True)
    attributes = Any({"*": ["class", "title"], "a": ["href", "title"], "img": ["src", "alt", "width", "height"],
                      "th": ["colspan", "rowspan", "align"], "td": ["colspan", "rowspan", "align"]}).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type in ("markdown", "raw") and cell.metadata.get("nbgrader", {}).get("locked"):
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)

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

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

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

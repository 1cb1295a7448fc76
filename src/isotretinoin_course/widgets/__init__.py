"""Every interactive view of the course, built with ipywidgets.

What belongs here: the shared base (``base``: the static text/plain and text/html fallback every
widget gives, and the one guard every observer and button handler runs through) and the widgets:
quizzes (``quiz``), the acne severity classifier (``severity``), the PK simulator (``pk_simulator``),
the dosing calculator (``dosing``), the patient explorer (``patient_explorer``), the dispensing
simulator (``dispensing``), the counselling checklist (``counselling``), the article scorecard
(``article_scorecard``), the capstone's step views (``capstone``) and the saved-progress table with the calls a
widget's own question makes to save its result (``progress``). A widget lays out controls and
shows what models compute and figures draw; it decides nothing itself.

May import: core, content, models, data, figures, widgets.
"""

from .article_scorecard import ArticleScorecard
from .capstone import CaseDebrief, CaseStepView
from .counselling import CounsellingChecklist
from .dispensing import DispensingSimulator
from .dosing import DosingCalculator
from .patient_explorer import PatientExplorer
from .pk_simulator import PKSimulator
from .progress import ProgressPanel, progress_panel
from .quiz import Quiz, quiz_for
from .severity import SeverityClassifier

__all__ = [
    "ArticleScorecard", "CaseDebrief", "CaseStepView", "CounsellingChecklist", "DispensingSimulator", "DosingCalculator", "PKSimulator",
    "PatientExplorer", "ProgressPanel", "Quiz", "SeverityClassifier", "progress_panel", "quiz_for",
]

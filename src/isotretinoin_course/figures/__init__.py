"""Every static figure of the course, and the course's figure style.

What belongs here: the style and display helpers (``style``: the Okabe–Ito palette, ``show_figure``
with its text description, the synthetic-data stamp, ``show_table``) and one module of figures per
topic: acne (``acne``), the course map (``course_map``), the demonstration data (``demo``), dosing
(``dosing``), pharmacokinetics (``pharmacokinetics``), laboratory monitoring (``monitoring``), risk
management (``risk_management``) and adverse effects (``adverse_effects``). Each figure function
returns the figure and its text description. matplotlib lives here (and in widgets); no ipywidgets.

May import: core, content, models, data, figures.
"""

from .acne import drug_effects_figure, lesion_progression_figure, pathogenic_factors_figure
from .adverse_effects import risk_ratio_figure
from .course_map import learning_path_figure
from .demo import demo_weight_figure, response_time_course_figure
from .dosing import cumulative_dose_figure
from .monitoring import cohort_threshold_figure, patient_timeline_figure
from .pharmacokinetics import formulation_table, label_comparison_table, power_of_ten, show_model_table, single_dose_figure, washout_figure, washout_frame
from .risk_management import timeline_figure
from .style import OKABE_ITO, mark_synthetic, show_figure, show_table, use_course_style

__all__ = [
    "OKABE_ITO", "cohort_threshold_figure", "cumulative_dose_figure", "demo_weight_figure", "drug_effects_figure", "formulation_table",
    "label_comparison_table",
    "learning_path_figure", "lesion_progression_figure", "mark_synthetic", "pathogenic_factors_figure", "patient_timeline_figure", "power_of_ten",
    "response_time_course_figure", "risk_ratio_figure", "show_figure", "show_model_table", "show_table", "single_dose_figure", "timeline_figure",
    "use_course_style", "washout_figure", "washout_frame",
]

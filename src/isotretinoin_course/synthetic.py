"""Synthetic (invented) patient data and how the course marks it.

Every table and figure of patient data in the course is synthetic: generated
here by seeded code, so it is the same on every run and on every machine, and
labelled so that nobody mistakes it for real patients. No real patient data
is used anywhere in the course.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure

from .plots import OKABE_ITO, SYNTHETIC_LABEL, mark_synthetic, use_course_style

DEFAULT_SEED = 2026


def generator(seed: int = DEFAULT_SEED) -> np.random.Generator:
    """The course's random number generator: always seeded, so results reproduce."""
    return np.random.default_rng(seed)


def demo_patients(n: int = 200, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """A small invented roster (age and body weight) used only to show how synthetic data is marked.

    The distributions are chosen for illustration and are not shaped after any
    study; the course's clinical cohort (in ``datasets/``) documents its sources.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1 patient, got {n}")
    rng = generator(seed)
    ages = rng.integers(14, 36, size=n)
    weights = np.clip(rng.normal(68, 12, size=n), 40, 130).round(1)
    frame = pd.DataFrame(
        {"patient_id": [f"SYN-{number:04d}" for number in range(1, n + 1)], "age_years": ages, "weight_kg": weights}
    )
    frame.attrs["synthetic"] = True
    return frame


def show_table(frame: pd.DataFrame, title: str, rows: int = 10) -> None:
    """Display the first ``rows`` of a table with a caption that marks it synthetic.

    A fixed table id keeps the HTML identical from run to run (pandas would
    otherwise add a random one), so stored outputs can be checked.
    """
    styled = frame.head(rows).style.set_uuid("synthetic").set_caption(f"{title} — {SYNTHETIC_LABEL}").hide(axis="index")
    styled = styled.format(precision=1)
    display(HTML(styled.to_html()))


def demo_weight_figure(frame: pd.DataFrame) -> tuple[Figure, str]:
    """Histogram of the demo roster's body weights, stamped as synthetic."""
    use_course_style()
    figure, ax = plt.subplots(figsize=(7, 3.8))
    ax.hist(frame["weight_kg"], bins=range(40, 135, 5), color=OKABE_ITO["blue"], edgecolor="white")
    ax.set_xlabel("Body weight (kg)")
    ax.set_ylabel("Number of synthetic patients")
    ax.set_title(f"Body weight of {len(frame)} synthetic patients (SYNTHETIC DATA)")
    mark_synthetic(figure)
    figure.tight_layout()
    low, high = frame["weight_kg"].min(), frame["weight_kg"].max()
    peak_bin = int(frame["weight_kg"].floordiv(5).mul(5).mode().iloc[0])
    description = (
        f"A histogram of body weight in 5 kg bins for {len(frame)} synthetic patients. Weights run from "
        f"{low:.1f} to {high:.1f} kg and the tallest bar is the {peak_bin}–{peak_bin + 5} kg bin. The title and a "
        "stamp in the lower right corner say that the data are synthetic."
    )
    return figure, description

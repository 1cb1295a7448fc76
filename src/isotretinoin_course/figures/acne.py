"""Schematic figures for the acne pathophysiology and mechanism notebooks (01 and 02), drawn in code.

They are diagrams, not anatomy to scale: each returns the figure and the text
description that :func:`isotretinoin_course.figures.show_figure` prints under it.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle

from .style import OKABE_ITO, use_course_style

SKIN = "#F3E3D3"
DERMIS = "#FBF3EA"
KERATIN = OKABE_ITO["orange"]
SEBUM = OKABE_ITO["yellow"]
BACTERIA = OKABE_ITO["blue"]
INFLAMMATION = OKABE_ITO["vermillion"]
PUS = "#FFFFFF"

STAGES = (
    ("Normal follicle", "open canal; sebum flows out"),
    ("Microcomedone", "keratin starts to plug the canal (too small to see)"),
    ("Closed comedone", "'whitehead': plug under a closed pore"),
    ("Open comedone", "'blackhead': plug in a widened, open pore"),
    ("Papule / pustule", "wall breaks; inflammation (pus in a pustule)"),
    ("Nodule", "deep, larger inflamed lesion (the US label counts ≥ 5 mm)"),
)


def _follicle(ax, stage: int) -> None:
    """One cross-section: epidermis on top, a follicle canal, sebaceous lobes at its sides."""
    ax.add_patch(Rectangle((0, 0), 10, 10, color=DERMIS, zorder=0))
    ax.add_patch(Rectangle((0, 8.6), 10, 1.4, color=SKIN, zorder=1))
    dilation = {0: 0.0, 1: 0.2, 2: 0.9, 3: 1.1, 4: 1.0, 5: 1.3}[stage]
    opening = {0: 0.55, 1: 0.5, 2: 0.15, 3: 1.3, 4: 0.3, 5: 0.2}[stage]
    half_width = 0.7 + dilation
    canal = Polygon(
        [(5 - opening, 10), (5 - half_width, 7.5), (5 - 0.45, 2.2), (5 + 0.45, 2.2), (5 + half_width, 7.5), (5 + opening, 10)],
        closed=True, facecolor="#FFFFFF", edgecolor="#555555", linewidth=1.4, zorder=2,
    )
    ax.add_patch(canal)
    for side in (-1, 1):
        for dy in (0, 1.0):
            ax.add_patch(Ellipse((5 + side * (1.55 + dilation * 0.6), 5.0 + dy), 1.5, 1.1, facecolor=SEBUM, edgecolor="#8a7a00", linewidth=1, zorder=2))
    ax.plot([5, 5], [1.0, 10.6 if stage == 0 else 7.0], color="#333333", linewidth=1.6, zorder=3)  # hair shaft
    if stage >= 1:
        plug_top = 9.6 if stage in (2, 3) else 8.2
        plug_width = 0.35 + dilation * 0.85
        ax.add_patch(Polygon([(5 - plug_width, plug_top), (5 - 0.5, 5.2), (5 + 0.5, 5.2), (5 + plug_width, plug_top)], closed=True,
                             facecolor=KERATIN, edgecolor="#7a5200", hatch="//", linewidth=1, zorder=4))
    if stage == 3:
        ax.add_patch(Ellipse((5, 9.7), 2.4, 0.6, facecolor="#333333", zorder=5))
    if stage >= 2:
        for x, y in ((4.6, 6.2), (5.3, 6.8), (4.9, 7.4), (5.4, 5.8)):
            ax.add_patch(Circle((x, y), 0.13, color=BACTERIA, zorder=6))
    if stage >= 4:
        radius = 2.2 if stage == 4 else 3.8
        centre_y = 6.6 if stage == 4 else 4.8
        ax.add_patch(Circle((5, centre_y), radius, facecolor=INFLAMMATION, alpha=0.35, edgecolor=INFLAMMATION, linewidth=1.5, linestyle="--", zorder=1.5))
        if stage == 4:
            ax.add_patch(Circle((5, 8.9), 0.55, facecolor=PUS, edgecolor=INFLAMMATION, zorder=7))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 11)
    ax.set_aspect("equal")
    ax.axis("off")


def lesion_progression_figure() -> tuple[Figure, str]:
    """Six schematic follicles from normal to nodule, with a legend of what each colour stands for."""
    use_course_style()
    figure, axes = plt.subplots(1, 6, figsize=(13, 4.6))
    for stage, (ax, (title, caption)) in enumerate(zip(axes, STAGES)):
        _follicle(ax, stage)
        ax.set_title(f"{stage + 1}. {title}", fontsize=11)
        ax.text(5, -0.6, textwrap.fill(caption, 24), ha="center", va="top", fontsize=10)
    handles = [
        Rectangle((0, 0), 1, 1, facecolor=SEBUM, edgecolor="#8a7a00", label="sebaceous gland lobes (sebum)"),
        Rectangle((0, 0), 1, 1, facecolor=KERATIN, edgecolor="#7a5200", hatch="//", label="keratin plug (comedone)"),
        Circle((0, 0), 1, color=BACTERIA, label="C. acnes (dots)"),
        Rectangle((0, 0), 1, 1, facecolor=INFLAMMATION, alpha=0.35, edgecolor=INFLAMMATION, linestyle="--", label="inflammation (dashed zone)"),
    ]
    figure.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=10)
    figure.suptitle("From a normal pilosebaceous follicle to inflammatory acne lesions (schematic, not to scale)", fontsize=12)
    figure.subplots_adjust(left=0.01, right=0.99, top=0.84, bottom=0.24, wspace=0.08)
    description = (
        "Six side-by-side schematic cross-sections of a hair follicle under the skin surface, each with sebaceous "
        "gland lobes on both sides of the canal. 1: the canal is open and the hair exits. 2: a small hatched keratin "
        "plug forms in the canal (microcomedone, too small to see on the skin). 3: the plug fills a widened canal under a nearly closed pore "
        "(closed comedone, whitehead). 4: the plug sits in a wide open pore with a dark top (open comedone, blackhead). "
        "5: the wall has broken, a dashed inflamed zone surrounds the upper follicle and a pus-filled dome sits at the "
        "surface (papule or pustule). 6: a larger, deeper dashed inflamed zone surrounds the whole follicle (nodule, "
        "the US label counts nodules of 5 mm or more). Blue dots for C. acnes appear inside the plugged canals from stage 3 onwards."
    )
    return figure, description


FACTORS = (
    ("Sebum and androgens", "Androgens drive sebaceous glands to make more sebum", SEBUM, (0.2, 0.78)),
    ("Follicular hyperkeratinisation", "Keratinocytes proliferate and differentiate abnormally: the microcomedone", KERATIN, (0.8, 0.78)),
    ("Cutibacterium acnes", "Skin commensal that favours the lipid-rich, low-oxygen plugged follicle", OKABE_ITO["sky_blue"], (0.2, 0.22)),
    ("Inflammation", "Innate immunity (e.g. TLR2), cytokines; may start before the comedone", INFLAMMATION, (0.8, 0.22)),
)


def pathogenic_factors_figure() -> tuple[Figure, str]:
    """The four pathogenic factors around the lesion they produce, with the links between them."""
    figure = _factor_diagram("The four pathogenic factors of acne and how they feed each other (schematic)")
    description = (
        "A diagram with a central box, 'Acne lesion (comedone to papule, pustule, nodule)', and four coloured boxes at the "
        "corners, each with an arrow to the centre. Top left: sebum and androgens (androgens drive sebaceous glands to make "
        "more sebum). Top right: follicular hyperkeratinisation (keratinocytes proliferate and differentiate abnormally, "
        "forming the microcomedone). Bottom left: Cutibacterium acnes (a skin commensal that favours the lipid-rich, low-oxygen "
        "plugged follicle). Bottom right: inflammation (innate immunity such as TLR2 and cytokines, which may begin before the "
        "comedone). Dashed arrows link the factors: between the two top boxes, 'plugged canal traps sebum'; from sebum down "
        "to C. acnes, 'sebum-rich niche for C. acnes'; from C. acnes across to inflammation, 'C. acnes activates immunity'."
    )
    return figure, description


# What isotretinoin does to each factor, in the order of FACTORS (sources in notebook 02).
ISOTRETINOIN_EFFECTS = (
    "Sebum falls by about 90%; glands shrink (sebocyte apoptosis)",
    "Keratinisation inhibited: fewer comedones form",
    "Counts fall within a month, secondary to less sebum: not an antibiotic effect",
    "Monocyte TLR2 and cytokine response fall within a week",
)


def drug_effects_figure() -> tuple[Figure, str]:
    """The four-factor diagram with isotretinoin's effect on each factor written into its box."""
    figure = _factor_diagram("Where isotretinoin acts: its effect on each pathogenic factor (schematic)", ISOTRETINOIN_EFFECTS)
    effects = "; ".join(f"{title}: {effect}" for (title, *_rest), effect in zip(FACTORS, ISOTRETINOIN_EFFECTS))
    description = (
        "The four-factor diagram from notebook 01 (sebum and androgens, follicular hyperkeratinisation, Cutibacterium acnes, "
        "inflammation, each with an arrow to a central 'Acne lesion' box), with a line in bold added to each factor's box "
        f"giving isotretinoin's effect on it. {effects}. The dashed links between the factors are unchanged. (Sources: Goldstein "
        "1982; Cunliffe 1987; Nelson 2008; Leyden 1986; King 1982; Dispenza 2012.)"
    )
    return figure, description


def _factor_diagram(title_text: str, effects: tuple[str, ...] | None = None) -> Figure:
    use_course_style()
    figure, ax = plt.subplots(figsize=(10.5, 7.4 if effects else 6.2))
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.1 if effects else 0, 1.1 if effects else 1)
    ax.axis("off")
    centre = FancyBboxPatch((0.37, 0.41), 0.26, 0.18, boxstyle="round,pad=0.02", facecolor="#EEEEEE", edgecolor="#333333")
    ax.add_patch(centre)
    ax.text(0.5, 0.5, "Acne lesion\n(comedone → papule,\npustule, nodule)", ha="center", va="center", fontsize=11)
    half_height = 0.16 if effects else 0.1
    for index, (title, text, colour, (x, y)) in enumerate(FACTORS):
        y_box = y + (0.06 if y > 0.5 else -0.06) if effects else y
        ax.add_patch(FancyBboxPatch((x - 0.17, y_box - half_height), 0.34, 2 * half_height, boxstyle="round,pad=0.02",
                                    facecolor=colour, alpha=0.45, edgecolor="#333333"))
        top = y_box + (0.115 if effects else 0.045)
        ax.text(x, top, title, ha="center", va="center", fontsize=11, fontweight="bold", style="italic" if "acnes" in title else "normal")
        ax.text(x, top - 0.075, textwrap.fill(text, 36), ha="center", va="center", fontsize=10)
        if effects:
            ax.text(x, y_box - 0.095, textwrap.fill(f"Isotretinoin: {effects[index]}", 40), ha="center", va="center",
                    fontsize=10, fontweight="bold", color="#000000")
        start = (x + (0.1 if x < 0.5 else -0.1), y_box + (-half_height - 0.01 if y > 0.5 else half_height + 0.01))
        end = (0.5 + (-0.1 if x < 0.5 else 0.1), 0.5 + (0.08 if y > 0.5 else -0.08))
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16, color="#333333", linewidth=1.5))
    links = (
        ((0.38, 0.8), (0.62, 0.8), "plugged canal traps sebum"),
        ((0.2, 0.66), (0.2, 0.34), "sebum-rich niche for C. acnes"),
        ((0.38, 0.2), (0.62, 0.2), "C. acnes activates immunity"),
    )
    for start, end, label in links:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="<|-|>" if start[1] == end[1] == 0.8 else "-|>", mutation_scale=14,
                                     color="#666666", linewidth=1.2, linestyle="--"))
        vertical = start[0] == end[0]
        ax.text((start[0] + end[0]) / 2 - (0.015 if vertical else 0), (start[1] + end[1]) / 2 + (0 if vertical else 0.015),
                textwrap.fill(label, 14) if vertical else label, ha="right" if vertical else "center",
                va="center" if vertical else "bottom", fontsize=10, color="#333333")
    ax.set_title(title_text, fontsize=12)
    return figure

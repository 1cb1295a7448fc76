"""Constants that the notebook lint (authoring) and the figures both need, so neither imports the other.

The lint checks that every figure in a notebook is followed by its text description, which
``figures.style.show_figure`` writes starting with :data:`FIGURE_DESCRIPTION_PREFIX`; the synthetic-data
stamp is written on figures and table captions and shown in widget headings.
"""

FIGURE_DESCRIPTION_PREFIX = "*Figure description"
SYNTHETIC_LABEL = "SYNTHETIC DATA — teaching illustration, not real patients"

"""Clinical models and other pure computation: the course's answers, with no widgets, files or pictures.

What belongs here: acne severity (``acne``), the pharmacokinetic model (``pharmacokinetics``) and
isotretinoin's parameters with their sources (``isotretinoin_pk``), a PK simulator scenario and its
exposure figures (``pk_scenario``), dosing arithmetic (``dosing``), laboratory flags (``monitoring``),
the risk-management rules engine (``risk_management``), article scoring (``article_scoring``), the
counselling checklist's logic (``counselling``), quiz checking and scoring (``quiz``) and the capstone
case (``capstone``). Functions take plain values or pandas tables and return results; they never draw,
display or generate data.

May import: core, content, models.
"""

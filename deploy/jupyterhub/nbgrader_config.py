"""nbgrader settings shared by every user of the hub (installed as ENV/etc/jupyter/nbgrader_config.py).

The exchange root and course id come from the variables the hub gives every server; the exchange
classes keep each student's submissions and feedback private (isotretinoin_hub/exchange.py).
An instructor's course folder adds its own nbgrader_config.py (gradebook, time limits) on top.
"""

from isotretinoin_hub.exchange import configure
from isotretinoin_hub.settings import Settings

c = get_config()  # noqa: F821 (provided by nbgrader)
settings = Settings.from_env()
c.Exchange.root = str(settings.exchange)
c.CourseDirectory.course_id = settings.course_id
configure(c)

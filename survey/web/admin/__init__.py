"""Pages for administrators: a förbund's page, its rounds, links and response rate
(förbund administrators, for their own förbund; system administrators, for all), and the
questionnaires, users and audit log (system administrators). One module per concept; each
view parses the form, calls one service and renders."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The route modules register their views on `bp` when imported.
from survey.web.admin import (  # noqa: E402, F401
    actions,
    audit,
    forbund,
    imports,
    mail,
    questionnaires,
    rounds,
    users,
    workshop,
)

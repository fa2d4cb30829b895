"""Board pages: the list of förbund and a förbund's dashboard."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from .. import charts, models, reports
from . import db, lang

bp = Blueprint("board", __name__)


@bp.get("/")
def index():
    associations = db().scalars(select(models.Association).order_by(models.Association.name))
    return render_template("board/index.html", associations=list(associations))


@bp.get("/f/<slug>")
def dashboard(slug: str):
    session = db()
    association = reports.find_association(session, slug)
    rnd = reports.find_round(session, association, request.args.get("round"))
    overview = reports.round_overview(session, rnd, current_app.config["MIN_GROUP_SIZE"], lang())
    fig = charts.radar(
        [row.name for row in overview.rows],
        [
            charts.Series(association.name, [r.mean for r in overview.rows]),
            charts.Series(
                _("National reference"), [r.national_mean for r in overview.rows], dashed=True
            ),
        ],
        title=_("%(name)s, round %(label)s", name=association.name, label=rnd.label),
    )
    return render_template(
        "board/dashboard.html",
        association=association,
        round=rnd,
        rounds=reports.rounds_of(session, association),
        overview=overview,
        chart=charts.to_html(fig, "radar"),
    )

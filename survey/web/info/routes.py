"""The privacy notice (per förbund, and for the installation) and the accessibility
statement: open to anyone, reached from the footer of every page."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template

from survey.rounds.privacy import privacy_notice
from survey.web.info import help as guide_pages
from survey.web.shell import db, settings

bp = Blueprint("info", __name__)

#: When the accessibility of these pages was last assessed (the browser tests with axe-core
#: and the manual checks listed in the statement), and the statement last revised. Change
#: both when the statement is reviewed again.
ACCESSIBILITY_ASSESSED = dt.date(2026, 11, 25)
STATEMENT_UPDATED = dt.date(2026, 11, 25)


@bp.get("/privacy")
def privacy():
    return render_template("info/privacy.html", notice=privacy_notice(db(), settings()))


@bp.get("/privacy/<slug>")
def privacy_forbund(slug: str):
    return render_template("info/privacy.html", notice=privacy_notice(db(), settings(), slug))


@bp.get("/accessibility")
def accessibility():
    return render_template(
        "info/accessibility.html",
        publisher=settings().privacy_operator,
        contact=settings().accessibility_contact,
        assessed=ACCESSIBILITY_ASSESSED,
        updated=STATEMENT_UPDATED,
    )


@bp.get("/help")
@bp.get("/help/<section>")
def help(section: str | None = None):  # noqa: A001 - the page's name
    """The Swedish guide for förbund and boards: its contents, or one section of it."""
    guide = guide_pages.guide()
    if guide is None:
        abort(404)
    shown = guide.section(section) if section else None
    if section and shown is None:
        abort(404)
    return render_template("info/help.html", guide=guide, shown=shown)

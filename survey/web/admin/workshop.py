"""The consensus workshop (issue 21): a förbund administrator opens it for a published
round, the projector page walks the dimensions from most split to most agreed, and the
group's agreed current level, target level and rationale are recorded per dimension until
the workshop is marked done. Each view parses the form, calls one service, renders."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from survey.db.audit import utcnow
from survey.i18n import translate
from survey.maturity import workshops
from survey.web.admin import bp, forms
from survey.web.shell import db, lang, settings


def _view(slug: str, label: str) -> workshops.WorkshopView:
    return workshops.workshop_view(db(), slug, label, settings().min_group_size, lang())


@bp.get("/f/<slug>/rounds/<label>/workshop")
def workshop(slug: str, label: str):
    view = _view(slug, label)
    return render_template("admin/workshop.html", view=view, picture=view.picture)


@bp.post("/f/<slug>/rounds/<label>/workshop/open")
def workshop_open(slug: str, label: str):
    workshops.open_workshop(db(), slug, label, utcnow(), actor=forms.actor())
    flash(translate(lang(), "The workshop is open."), "info")
    return redirect(url_for("admin.workshop", slug=slug, label=label), 303)


@bp.post("/f/<slug>/rounds/<label>/workshop/done")
def workshop_done(slug: str, label: str):
    workshops.finish_workshop(db(), slug, label, utcnow(), actor=forms.actor())
    flash(translate(lang(), "The workshop is marked done: its levels are final."), "info")
    return redirect(url_for("admin.workshop", slug=slug, label=label), 303)


def _render_dimension(slug: str, label: str, code: str, status: int = 200, errors=(), form=None):
    view = _view(slug, label)
    row = next((r for r in view.picture.rows if r.code == code), None)
    if row is None:
        abort(404)
    page = render_template(
        "admin/workshop_dimension.html",
        view=view,
        picture=view.picture,
        row=row,
        dimension=view.questionnaire.dimension(code),
        agreed=view.agreed.get(code),
        neighbours=view.neighbours(code),
        statements=view.statements.get(code, []),
        errors=list(errors),
        form=form or {},
        k=view.picture.k,
    )
    return page, status


@bp.get("/f/<slug>/rounds/<label>/workshop/<code>")
def workshop_dimension(slug: str, label: str, code: str):
    return _render_dimension(slug, label, code)


@bp.post("/f/<slug>/rounds/<label>/workshop/<code>")
def workshop_record(slug: str, label: str, code: str):
    values = {name: forms.field(name) for name in ("current", "target", "rationale")}
    try:
        workshops.record_agreement(db(), slug, label, code, values, utcnow(), actor=forms.actor())
    except workshops.WorkshopRefused as exc:
        return _render_dimension(slug, label, code, 400, forms.worded(exc), values)
    flash(translate(lang(), "Saved."), "info")
    following = _view(slug, label).neighbours(code)[1]
    target = (
        url_for("admin.workshop_dimension", slug=slug, label=label, code=following)
        if following
        else url_for("admin.workshop", slug=slug, label=label)
    )
    return redirect(target, 303)

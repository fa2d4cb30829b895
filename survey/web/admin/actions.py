"""The action plan (issue 21): a förbund administrator adds actions for chosen dimensions
of a published round and moves their status; the board reads them on its pages."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, url_for

from survey.db.audit import utcnow
from survey.i18n import translate
from survey.maturity import actions
from survey.maturity.picture import maturity_picture
from survey.web.admin import bp, forms
from survey.web.shell import db, lang, settings

FIELDS = ("dimension", "title", "description", "owner", "due", "status")


def _render(slug: str, label: str, status: int = 200, errors=(), form=None):
    picture = maturity_picture(
        db(),
        slug,
        label,
        settings().min_group_size,
        lang(),
        reference_minimum=settings().min_reference_associations,
    )
    page = render_template(
        "admin/actions.html",
        picture=picture,
        actions=actions.actions_of(db(), picture.association.id),
        today=dt.date.today(),
        statuses=actions.STATUS_WORDS,
        is_overdue=actions.is_overdue,
        errors=list(errors),
        form=form or {},
    )
    return page, status


@bp.get("/f/<slug>/rounds/<label>/actions")
def action_plan(slug: str, label: str):
    return _render(slug, label)


@bp.post("/f/<slug>/rounds/<label>/actions")
def action_add(slug: str, label: str):
    values = {name: forms.field(name) for name in FIELDS}
    try:
        actions.add_action(db(), slug, label, values, utcnow(), actor=forms.actor())
    except actions.ActionRefused as exc:
        return _render(slug, label, 400, forms.worded(exc), values)
    flash(translate(lang(), "The action was added."), "info")
    return redirect(url_for("admin.action_plan", slug=slug, label=label), 303)


@bp.post("/f/<slug>/rounds/<label>/actions/<int:action_id>")
def action_status(slug: str, label: str, action_id: int):
    try:
        actions.set_status(
            db(), slug, action_id, forms.field("status"), utcnow(), actor=forms.actor()
        )
    except actions.ActionRefused as exc:
        return _render(slug, label, 400, forms.worded(exc))
    flash(translate(lang(), "The status was changed."), "info")
    return redirect(url_for("admin.action_plan", slug=slug, label=label), 303)

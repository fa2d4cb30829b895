"""A förbund's own page (name, member agencies, whether others see its name, privacy
contact, its rounds) and, for system administrators, the list of all förbund and adding one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from survey.db import models
from survey.db.models import Role
from survey.errors import RoundSetupError
from survey.rounds import associations, status
from survey.services import round_actions as rounds
from survey.web.admin import bp, forms
from survey.web.session import current_principal
from survey.web.shell import db


@bp.get("/")
def index():
    """The förbund this administrator runs (every one for a system administrator)."""
    return _render_index()


def _render_index(status_code: int = 200, errors=(), **shown: str):
    user = current_principal()
    everyone = db().scalars(select(models.Association).order_by(models.Association.name))
    mine = user.associations(Role.FORBUND_ADMIN) if user else frozenset()
    shown_forbund = [a for a in everyone if user and (user.is_system_admin or a.id in mine)]
    page = render_template(
        "admin/index.html",
        associations=shown_forbund,
        system_admin=bool(user and user.is_system_admin),
        errors=list(errors),
        shown=shown,
    )
    return page, status_code


@bp.post("/forbund")
def forbund_add():
    slug, name = forms.field("slug"), forms.field("name")
    try:
        rounds.add_association(db(), slug, name, actor=forms.actor())
    except RoundSetupError as exc:
        return _render_index(400, forms.worded(exc), slug=slug, name=name)
    flash(_("The coordination association %(name)s was added.", name=name), "info")
    return redirect(url_for("admin.forbund", slug=slug), 303)


def _render_forbund(slug: str, status_code: int = 200, errors=(), form=None):
    assoc = associations.find_association(db(), slug)
    page = render_template(
        "admin/forbund.html",
        association=assoc,
        rounds=status.round_statuses(db(), assoc.id),
        errors=list(errors),
        form=form
        or {
            "name": assoc.name,
            "members": assoc.members,
            "named_to_others": assoc.named_to_others,
            "privacy_contact": assoc.privacy_contact,
        },
    )
    return page, status_code


@bp.route("/f/<slug>", methods=["GET", "POST"])
def forbund(slug: str):
    if request.method == "GET":
        return _render_forbund(slug)
    form = {
        "name": forms.field("name"),
        "members": forms.field("members"),
        "named_to_others": forms.checked("named_to_others"),
        "privacy_contact": forms.field("privacy_contact"),
    }
    try:
        rounds.update_association(db(), slug, **form, actor=forms.actor())
    except RoundSetupError as exc:
        return _render_forbund(slug, 400, forms.worded(exc), form)
    flash(_("Saved."), "info")
    return redirect(url_for("admin.forbund", slug=slug), 303)

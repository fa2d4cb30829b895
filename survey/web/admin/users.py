"""Users and roles for system administrators: the list with roles, adding a user with a
role (the set-password link is shown once, as `survey user add` prints it), adding and
removing a role, removing a user. Every change goes through `accounts.services`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from survey.accounts import services as accounts
from survey.accounts.users import SET_PASSWORD_PATH
from survey.db import audit, models
from survey.db.models import Role
from survey.errors import AccountSetupError, NotFound
from survey.i18n import N_
from survey.web.admin import bp, forms
from survey.web.shell import db, settings


def _now() -> dt.datetime:
    return audit.utcnow()


def _render(status_code: int = 200, errors=(), form=None, link: str | None = None):
    page = render_template(
        "admin/users.html",
        users=accounts.list_users(db()),
        associations=db().scalars(select(models.Association).order_by(models.Association.name)),
        roles=list(Role),
        role_names=forms.role_names(),
        errors=list(errors),
        form=form or {},
        link=link,
    )
    return page, status_code


def _role_form() -> dict[str, str]:
    return {name: forms.field(name) for name in ("email", "role", "forbund")}


def _refused(exc: Exception, form: dict[str, str], field: str = "email"):
    if isinstance(exc, NotFound):
        problems = forms.error(
            "forbund", _("There is no coordination association '%(name)s'.", name=exc.name)
        )
    else:
        problems = forms.worded(exc, field)  # type: ignore[arg-type]
    # The page has two e-mail fields: the summary links to the form that was sent.
    prefix = "new-" if request.endpoint == "admin.user_add" else "more-"
    problems = [replace(p, anchor=prefix + p.field) for p in problems]
    return _render(400, problems, form)


def _on_account(service: Callable[..., Any], form: dict[str, str]) -> Any:
    """One of the account services on the form's e-mail, role and förbund."""
    return service(
        db(),
        form["email"],
        form["role"],
        form["forbund"] or None,
        actor=forms.actor(),
        now=_now(),
    )


@bp.get("/users")
def users():
    return _render()


def _no_role(form: dict[str, str]):
    """A role is a required choice (nothing is preset): say so on the form sent."""
    return _refused(AccountSetupError(N_("Choose a role.")), form, field="role")


def _confirm(text: str, button: str, action: str, fields: dict[str, str]):
    """A removal asks first, on a page of its own that says what will happen."""
    return render_template(
        "admin/confirm_account.html",
        text=text,
        button=button,
        action=action,
        fields=fields,
        back=url_for("admin.users"),
    )


@bp.post("/users")
def user_add():
    form = _role_form()
    if not form["role"]:
        return _no_role(form)
    try:
        user, token = _on_account(accounts.add_user, form)
    except (AccountSetupError, NotFound) as exc:
        return _refused(exc, form)
    # Shown on this page only, never put in a flashed message (that would travel in the
    # session cookie): the administrator passes it on to the person.
    link = settings().link(SET_PASSWORD_PATH + token)
    return _render(link=link, form={"added": user.email})


@bp.post("/users/role")
def user_role():
    form = _role_form()
    remove = forms.field("change") == "remove"
    if not form["role"]:
        return _no_role(form)
    if remove and not forms.checked("confirmed"):
        role = forms.role_names().get(form["role"], form["role"])
        return _confirm(
            _(
                "Remove the role %(role)s from %(email)s? They can no longer do what "
                "the role allows; a system administrator can give it back.",
                role=role,
                email=form["email"],
            ),
            _("Yes, remove the role"),
            url_for("admin.user_role"),
            {**form, "change": "remove"},
        )
    change = accounts.remove_role if remove else accounts.add_role
    try:
        _on_account(change, form)
    except (AccountSetupError, NotFound) as exc:
        return _refused(exc, form)
    flash(_("The roles of %(email)s were changed.", email=form["email"]), "info")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/remove")
def user_remove():
    email = forms.field("email")
    if not forms.checked("confirmed"):
        return _confirm(
            _(
                "Remove the user %(email)s? They can no longer log in, and all their "
                "roles go with the account. This cannot be undone: to let them back in, "
                "add them again.",
                email=email,
            ),
            _("Yes, remove the user"),
            url_for("admin.user_remove"),
            {"email": email},
        )
    try:
        accounts.remove_user(db(), email, actor=forms.actor(), now=_now())
    except AccountSetupError as exc:
        return _refused(exc, {"email": email})
    flash(_("The user %(email)s was removed.", email=email), "info")
    return redirect(url_for("admin.users"), 303)

"""A förbund's rounds: create one from a questionnaire version with its dates; open,
close, publish, delete a draft; personal links as a CSV download, one shared link, revoking
unused links; and the response rate, live (counts only, never who answered what)."""

from __future__ import annotations

import builtins  # `round` here is the round page's view
import csv
import datetime as dt
import io

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from survey.db.models import InvitationKind, RoundState
from survey.errors import RoundSetupError
from survey.exports.worksheets import csv_row
from survey.instruments import services as instruments
from survey.instruments.catalog import definition_of
from survey.instruments.questionnaire import Questionnaire
from survey.rounds import associations, lifecycle, rate, status
from survey.services import round_actions as rounds
from survey.services import scheduling
from survey.web.admin import bp, figures, forms
from survey.web.security import draws_charts
from survey.web.shell import db, lang, localized, settings

ACTIONS = ("open", "close", "publish", "delete")
#: The steps asked about first, on a page of their own (round_confirm).
CONFIRMED = ("close", "publish", "delete")


def _today() -> dt.date:
    return dt.date.today()


# --- a new round ------------------------------------------------------------------------


def _render_new(slug: str, status_code: int = 200, errors=(), form=None):
    assoc = associations.find_association(db(), slug)
    versions = instruments.versions(db())
    page = render_template(
        "admin/round_new.html",
        association=assoc,
        versions=versions,
        errors=list(errors),
        form=form
        or {"questionnaire": f"{versions[-1].key}:{versions[-1].version}" if versions else ""},
    )
    return page, status_code


@bp.route("/f/<slug>/rounds/new", methods=["GET", "POST"])
def round_new(slug: str):
    if request.method == "GET":
        return _render_new(slug)
    form = {name: forms.field(name) for name in ("label", "questionnaire", "opens", "closes")}
    opens, problems = forms.date_field("opens", _("Opens"))
    closes, more = forms.date_field("closes", _("Closes"))
    problems += more
    if not form["label"]:
        problems += forms.error("label", _("Give the round a label, e.g. 2026."))
    if not form["questionnaire"]:
        problems += forms.error("questionnaire", _("Choose a questionnaire version."))
    if not problems:
        try:
            rounds.create_round(
                db(),
                slug,
                form["label"],
                form["questionnaire"],
                opens_on=opens,
                closes_on=closes,
                actor=forms.actor(),
            )
        except RoundSetupError as exc:
            problems = forms.worded(exc)
    if problems:
        return _render_new(slug, 400, problems, form)
    flash(_("Round %(label)s was created as a draft.", label=form["label"]), "info")
    return redirect(url_for("admin.round", slug=slug, label=form["label"]), 303)


# --- a round's page ---------------------------------------------------------------------


def _render_round(slug: str, label: str, status_code: int = 200, errors=(), **extra):
    assoc = associations.find_association(db(), slug)  # held: the page shows it
    rnd = lifecycle.find_round(db(), assoc, label)
    rates = rate.response_rate(db(), rnd.id, settings().min_group_size)
    chart = figures.per_day(rates, lang()) if rates.per_day else None
    q = definition_of(rnd.questionnaire)
    page = render_template(
        "admin/round.html",
        association=assoc,
        round=rnd,
        labels={code: _choice_labels(q, code) for code in ("role", "agency")},
        effective=lifecycle.effective_state(rnd, _today()),
        rate=rates,
        chart=chart,
        errors=list(errors),
        max_links=forms.MAX_LINKS,
        **extra,
    )
    return page, status_code


def _choice_labels(q: Questionnaire, code: str) -> dict[str, str]:
    question = q.background_question(code)
    return {c.code: localized(c.label) for c in question.choices} if question else {}


@bp.get("/f/<slug>/rounds/<label>")
@draws_charts
def round(slug: str, label: str):  # noqa: A001 - the endpoint's name in the URL scheme
    return _render_round(slug, label)


@bp.get("/f/<slug>/rounds/<label>/rate.json")
def rate_json(slug: str, label: str):
    """The counts of the page's table, for static/admin.js to keep them live (counts only,
    as on the page; never by role or agency here)."""
    assoc = associations.find_association(db(), slug)
    counts = status.round_status(db(), lifecycle.find_round(db(), assoc, label).id)
    rate_ = counts.response_rate
    response = jsonify(
        invited=counts.personal_links,
        started=counts.in_progress,
        submitted=counts.submitted,
        rate=None if rate_ is None else builtins.round(rate_ * 100),  # as the page's
        state=counts.state,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/f/<slug>/rounds/<label>/<action>")
def round_confirm(slug: str, label: str, action: str):
    """The page that asks before a step that cannot be undone: what happens, and how many
    have answered; its button posts the step with `confirmed=1`."""
    if action not in CONFIRMED:
        abort(404)
    assoc = associations.find_association(db(), slug)
    rnd = lifecycle.find_round(db(), assoc, label)
    return render_template(
        "admin/round_confirm.html",
        association=assoc,
        round=rnd,
        action=action,
        counts=status.round_status(db(), rnd.id),
        errors=[],
    )


@bp.post("/f/<slug>/rounds/<label>/<action>")
@draws_charts
def round_action(slug: str, label: str, action: str):
    if action not in ACTIONS:
        abort(404)
    if action in CONFIRMED and request.form.get("confirmed") != "1":
        # One click never closes, publishes or deletes: the confirmation page asks first.
        return redirect(url_for("admin.round_confirm", slug=slug, label=label, action=action), 303)
    closes, problems = forms.date_field("closes", _("New last day"))
    if problems:
        return _render_round(slug, label, 400, problems)
    try:
        _act(action, slug, label, closes)
    except RoundSetupError as exc:
        return _render_round(slug, label, 400, forms.worded(exc))
    if action == "delete":
        flash(_("Round %(label)s was deleted.", label=label), "info")
        return redirect(url_for("admin.forbund", slug=slug), 303)
    done = {
        "open": _("Round %(label)s is open."),
        "close": _("Round %(label)s is closed: no more answers are accepted."),
        "publish": _("Round %(label)s is published: its results are on the board pages."),
    }
    flash(done[action] % {"label": label}, "info")
    return redirect(url_for("admin.round", slug=slug, label=label), 303)


def _act(action: str, slug: str, label: str, closes: dt.date | None) -> None:
    who, today = forms.actor(), _today()
    if action == "open":
        rounds.open_round(db(), slug, label, today, closes, actor=who)
    elif action == "close":
        rounds.close_round(db(), slug, label, today, actor=who)  # its addresses go too
    elif action == "publish":
        rounds.publish_round(db(), slug, label, today, actor=who, k=settings().min_group_size)
    else:
        rounds.delete_round(db(), slug, label, actor=who)


@bp.post("/f/<slug>/rounds/<label>/schedule")
@draws_charts
def round_schedule(slug: str, label: str):
    """A reminder N days before the last day and closing after it, done by the mail worker."""
    days = forms.field("remind_days_before")
    if days and not (days.isdecimal() and len(days) <= 3):
        problem = _("Days before the last day: give a whole number (”%(value)s” was sent).")
        return _render_round(
            slug, label, 400, forms.error("remind_days_before", problem % {"value": days[:40]})
        )
    try:
        scheduling.set_schedule(
            db(),
            slug,
            label,
            int(days) if days else None,
            forms.field("close_after_last_day") == "1",
            actor=forms.actor(),
        )
    except RoundSetupError as exc:
        return _render_round(slug, label, 400, forms.worded(exc, "remind_days_before"))
    flash(_("The schedule is saved; the mail worker carries it out."), "info")
    return redirect(url_for("admin.round", slug=slug, label=label), 303)


# --- links ------------------------------------------------------------------------------


@bp.post("/f/<slug>/rounds/<label>/links.csv")
@draws_charts
def links_personal(slug: str, label: str):
    """N personal links, answered as the CSV file itself: the tokens exist only in this
    one download and are never stored or shown on a page (as `survey invite --out`)."""
    count, problems = forms.count_field("count")
    if problems or (problems := _no_new_links(slug, label)):
        return _render_round(slug, label, 400, problems)
    rnd, tokens = rounds.invite(db(), slug, label, count or 0, actor=forms.actor())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["nr", "link"])
    base = settings()
    writer.writerows(
        csv_row(row)
        for row in enumerate((base.link(url_for("respond.start", token=t)) for t in tokens), 1)
    )
    name = f"samverkansmataren-links-{rnd.association.slug}-{rnd.label}.csv"
    return Response(
        "\ufeff" + buffer.getvalue(),  # a BOM, so Excel's mail merge reads å, ä, ö
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _no_new_links(slug: str, label: str, *, shared: bool = False):
    """Why no new link can be made: the round is closed or published, or (for a shared
    link) it has one already, which was shown once and is never shown again."""
    counts = status.round_status(db(), lifecycle.round_by_name(db(), slug, label).id)
    if counts.state in (RoundState.CLOSED, RoundState.PUBLISHED):
        return forms.error(
            "count", _("Round %(label)s is closed: new links would lead nowhere.", label=label)
        )
    if shared and counts.shared_links:
        message = _(
            "The round already has a shared link. It is shown only once; to get a new one, "
            "revoke the old one first."
        )
        return forms.error("shared", message)
    return []


@bp.post("/f/<slug>/rounds/<label>/links/shared")
@draws_charts
def links_shared(slug: str, label: str):
    """One shared link, shown on this page only (its hash is stored, never the link)."""
    if problems := _no_new_links(slug, label, shared=True):
        return _render_round(slug, label, 400, problems)
    _rnd, token = rounds.share(db(), slug, label, actor=forms.actor())
    link = settings().link(url_for("respond.start", token=token))
    response = _render_round(slug, label, 200, shared_link=link)
    return response


@bp.post("/f/<slug>/rounds/<label>/links/revoke")
@draws_charts
def links_revoke(slug: str, label: str):
    kind = forms.field("kind")
    if kind not in set(InvitationKind):
        return _render_round(
            slug, label, 400, forms.error("kind", _("Choose which links to revoke."))
        )
    try:
        count = rounds.revoke_links(db(), slug, label, kind, actor=forms.actor())
    except RoundSetupError as exc:  # a closed round: its N, and so its figures, are fixed
        return _render_round(slug, label, 400, forms.worded(exc))
    if kind == InvitationKind.SHARED:
        message = (
            _("The shared link was revoked.") if count else _("There was no shared link to revoke.")
        )
    else:
        message = _("Unused personal links revoked: %(n)s.", n=count)
    flash(message, "info")
    return redirect(url_for("admin.round", slug=slug, label=label), 303)

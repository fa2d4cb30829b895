"""Respondent pages: /r/<token> → background → one page per dimension → summary → submit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .. import invitations, models, responses
from ..catalog import definition_of
from ..errors import InvalidToken
from ..questionnaire import Questionnaire
from . import db, lang

bp = Blueprint("respond", __name__, url_prefix="/r")


@dataclass
class Context:
    invitation: models.Invitation
    round: models.Round
    questionnaire: Questionnaire


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _open(token: str) -> Context:
    """The invitation behind the link, checked for a round that accepts answers."""
    try:
        inv = invitations.find_invitation(db(), token)
    except InvalidToken:
        if invitations.hash_token(token) in session.get("submitted", []):
            abort(_thanks_page(token))
        raise
    invitations.ensure_accepting(inv.round, dt.date.today())
    return Context(inv, inv.round, definition_of(inv.round.questionnaire))


def _thanks_page(token: str):
    return make_response(render_template("respond/thanks.html"))


def _response(ctx: Context) -> models.Response:
    return responses.start_or_resume(db(), ctx.invitation, lang(), _now())


@bp.after_request
def no_referrer(resp):
    # The token is in the URL: never leak it to another site, never cache answers.
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/<token>", methods=["GET", "POST"])
def start(token: str):
    ctx = _open(token)
    if ctx.invitation.kind == "shared":
        personal = invitations.personal_link_from_shared(db(), ctx.invitation)
        db().commit()
        return redirect(url_for("respond.start", token=personal))
    response = ctx.invitation.response
    if request.method == "POST":
        response = _response(ctx)
        form = {q.code: request.form.get(q.code, "") for q in ctx.questionnaire.background}
        responses.save_background(response, ctx.questionnaire, form, _now())
        db().commit()
        return redirect(url_for("respond.page", token=token, number=1))
    return render_template(
        "respond/start.html",
        token=token,
        q=ctx.questionnaire,
        response=response,
        pages=len(ctx.questionnaire.dimensions),
    )


@bp.route("/<token>/p/<int:number>", methods=["GET", "POST"])
def page(token: str, number: int):
    ctx = _open(token)
    q = ctx.questionnaire
    if not 1 <= number <= len(q.dimensions):
        abort(404)
    dimension = q.dimensions[number - 1]
    response = _response(ctx)
    if request.method == "POST":
        ratings = {
            key.removeprefix("item-"): value
            for key, value in request.form.items()
            if key.startswith("item-")
        }
        responses.save_dimension(
            db(), response, q, dimension, ratings, request.form.get("comment"), _now()
        )
        db().commit()
        if request.form.get("nav") == "back":
            if number == 1:
                return redirect(url_for("respond.start", token=token))
            return redirect(url_for("respond.page", token=token, number=number - 1))
        if number == len(q.dimensions):
            return redirect(url_for("respond.summary", token=token))
        return redirect(url_for("respond.page", token=token, number=number + 1))
    db().commit()
    return render_template(
        "respond/page.html",
        token=token,
        q=q,
        dimension=dimension,
        number=number,
        pages=len(q.dimensions),
        answers=responses.answers_of(db(), response),
        comment=responses.comments_of(db(), response).get(dimension.code, ""),
    )


@bp.get("/<token>/summary")
def summary(token: str):
    ctx = _open(token)
    response = _response(ctx)
    db().commit()
    q = ctx.questionnaire
    answers = responses.answers_of(db(), response)
    missing = responses.unanswered(q, answers)
    return render_template(
        "respond/summary.html",
        token=token,
        q=q,
        missing=missing,
        answered=len(answers),
        total=len(q.items()),
        page_of={d.code: i + 1 for i, d in enumerate(q.dimensions)},
    )


@bp.post("/<token>/submit")
def submit(token: str):
    ctx = _open(token)
    response = _response(ctx)
    responses.submit(ctx.invitation, response, dt.date.today())
    db().commit()
    # Remembered in this browser only, so a double click or the back button shows the
    # thank-you page again, while the link itself now answers like any unknown link.
    session["submitted"] = (session.get("submitted", []) + [invitations.hash_token(token)])[-5:]
    return _thanks_page(token)

"""Respondent pages: /r/<token> → background → one page per dimension → summary → submit.

Every form post saves its page to the database before moving anywhere (next, back, save and
continue later, switch language), so nothing depends on the browser session surviving. A
page with a fault is shown again with the answers as sent and an error summary, and nothing
of it is written.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.answering import drafts, links, services
from survey.answering.links import DraftRow, Link, RoundView
from survey.answering.validation import DONT_KNOW, AnswersRejected, Problem, check_size
from survey.db import models
from survey.errors import InvalidToken, NotFound, RoundNotOpen
from survey.instruments.questionnaire import REQUIRED_BACKGROUND, Questionnaire
from survey.rounds import invitations, lifecycle
from survey.web import form_text
from survey.web.form_text import ControlCharacters
from survey.web.respond import forms, remembered
from survey.web.respond.messages import problem_messages
from survey.web.shell import LANGUAGES, db, lang, settings

bp = Blueprint("respond", __name__, url_prefix="/r")

#: Form fields that steer the page rather than answer it.
CONTROL_FIELDS = ("csrf_token", "nav", "receipt")
#: "enter" is the page's default button, which Enter in a field presses: it moves on only
#: when every statement of the part has an answer (else the part comes back, saying so).
NAVIGATION = {"next", "enter", "back", "later", "autosave"} | {f"lang-{code}" for code in LANGUAGES}


@dataclass
class Context:
    """A request's link: looked up once (survey.answering.links), passed down."""

    token: str
    invitation: Link

    @property
    def round(self) -> RoundView:
        return self.invitation.round

    @property
    def questionnaire(self) -> Questionnaire:
        return self.invitation.questionnaire

    @property
    def draft(self) -> DraftRow | None:
        return self.invitation.draft

    @property
    def content(self) -> drafts.Content:
        """The draft's answers, opened with the link (sealed with it in the database)."""
        return drafts.read(db(), self.draft, self.token)

    @property
    def pages(self) -> int:
        return len(self.questionnaire.dimensions)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _today() -> dt.date:
    return dt.date.today()


def _open(token: str, *, personal: bool = True) -> Context:
    """The invitation behind the link, checked for a round that accepts answers. A shared
    link only leads to its start page, where each visitor gets a personal link."""
    try:
        inv = links.find_link(db(), token)
    except InvalidToken:
        if remembered.submitted_here(token):
            abort(_thanks(token))
        raise
    try:
        lifecycle.ensure_accepting(inv.round, _today())
    except RoundNotOpen as exc:
        abort(_unavailable(inv, exc))
    if personal and inv.kind == "shared":
        abort(redirect(url_for("respond.start", token=token), 303))
    return Context(token, inv)


def _unavailable(inv: Link, exc: RoundNotOpen):
    rnd = inv.round
    page = render_template(
        "respond/unavailable.html",
        state=exc.state,
        round=rnd,
        association=rnd.association,
        today=_today(),
        kept=inv.draft is not None,
    )
    return make_response(page, 403 if exc.state == "draft" else 409)


def _thanks(token: str):
    inv = invitations.find_used_invitation(db(), token)
    return _thanks_page(inv.round if inv else None)


def _thanks_page(rnd: models.Round | RoundView | None):
    return make_response(render_template("respond/thanks.html", round=rnd))


def _form() -> dict[str, list[str]]:
    """The fields sent, less the control fields. An uploaded file counts as a field: no page
    has one, so it is named as unknown rather than silently dropped."""
    form = {
        form_text.shown(k, k): [form_text.shown(k, v) for v in values]
        for k, values in request.form.lists()
        if k not in CONTROL_FIELDS
    }
    form.update({name: [""] for name in request.files if name not in form})
    return form


def _check_size(form: dict[str, list[str]], own_fields: int) -> None:
    """A form with more fields than its page has is refused whole (validation.check_size)."""
    check_size(len(form), own_fields)


def _refused(token: str, exc: Exception) -> NoReturn:
    """A save refused the link (unknown, used, shared, its round not open): it is looked up
    again for the page that says which, as a GET shows it (the rare path: a save that goes
    through looks its link up once, inside its unit of work). Should the link work again
    by now, the refusal stands."""
    _open(token)
    raise exc


def _navigation() -> str:
    sent = request.form.getlist("nav")
    nav = sent[0] if sent else "next"
    if len(sent) > 1 or nav not in NAVIGATION:
        raise AnswersRejected([Problem("nav", "unknown_field", nav)])
    return nav


def _after_save(nav: str, here: str, back: str, forward: str) -> ResponseReturnValue:
    if nav == "autosave":
        return "", 204
    if nav.startswith("lang-"):
        joiner = "&" if "?" in here else "?"
        return redirect(f"{here}{joiner}lang={nav.removeprefix('lang-')}")
    if nav == "later":
        return redirect(url_for("respond.saved", token=request.view_args["token"]))
    return redirect(back if nav == "back" else forward)


def _posted_answers(
    q: Questionnaire, saved: dict[str, str], form: dict[str, list[str]]
) -> dict[str, str]:
    """Saved answers overlaid with the values just sent that are on the scale."""
    allowed = {str(point) for point in q.scale.points} | {DONT_KNOW}
    shown = dict(saved)
    for name, values in form.items():
        if name.startswith(forms.ITEM_FIELD) and values:
            code = name.removeprefix(forms.ITEM_FIELD)
            if values[0] in allowed:
                shown[code] = values[0]
            elif values[0] == "":
                shown.pop(code, None)
    return shown


@bp.after_request
def protect_the_link(resp):
    # Never cache answers (the token stays on this site through the app-wide
    # Referrer-Policy: same-origin, survey.web.security).
    resp.headers["Cache-Control"] = "no-store"
    return resp


# --- pages --------------------------------------------------------------------------------


def _render_start(ctx: Context, *, values=None, problems: Iterable[Problem] = (), status=200):
    response = ctx.draft
    if values is None:
        saved = ctx.content.background
        values = {b.code: saved.get(b.code) for b in ctx.questionnaire.background}
    return (
        render_template(
            "respond/start.html",
            ctx=ctx,
            q=ctx.questionnaire,
            values=values,
            resumed=response is not None,
            # Just handed out by a shared link: shown so the respondent can keep it.
            own_link=settings().link(url_for("respond.start", token=ctx.token))
            if request.args.get("own")
            else None,
            required=REQUIRED_BACKGROUND,
            errors=problem_messages(ctx.questionnaire, problems),
        ),
        status,
    )


@bp.get("/<token>")
def start(token: str):
    ctx = _open(token, personal=False)
    if ctx.invitation.kind == "shared":
        # On a shared computer the next person opens the same link: they choose between
        # the answers remembered here and a fresh start, and see none of them before.
        personal = remembered.personal_link_for(token)
        usable = personal if personal and _still_usable(personal) else None
        return render_template(
            "respond/shared.html", ctx=ctx, q=ctx.questionnaire, remembered=usable
        )
    if "start" not in request.args:
        content = ctx.content
        number = drafts.resume_page(ctx.questionnaire, content, drafts.answers_of(content))
        if number > ctx.pages:
            return redirect(url_for("respond.summary", token=token), 303)
        if number:
            return redirect(url_for("respond.page", token=token, number=number), 303)
    return _render_start(ctx)


def _still_usable(token: str) -> bool:
    try:
        links.find_link(db(), token)
    except InvalidToken:
        return False
    return True


@bp.post("/<token>")
def save_start(token: str):
    form = _form()
    try:
        nav = _navigation()
        values, problems = forms.background_data(form)
        if problems:
            raise AnswersRejected(problems)
        services.save_background(
            db(), token, values, complete=nav == "next", language=lang(), now=_now(), today=_today()
        )
    except (InvalidToken, RoundNotOpen) as exc:
        ctx = _open(token, personal=False)
        if ctx.invitation.kind == "shared":
            return _personal_from_shared(ctx)
        raise exc from None
    except AnswersRejected as exc:
        # The page again, with the answers as sent: its link looked up for it.
        ctx = _open(token, personal=False)
        if ctx.invitation.kind == "shared":
            return _personal_from_shared(ctx)
        problems = exc.problems
        try:
            _check_size(form, len(ctx.questionnaire.background))
            _navigation()
        except AnswersRejected as first:
            problems = first.problems
        shown = {code: (vals or [None])[0] for code, vals in form.items()}
        return _render_start(ctx, values=shown, problems=problems, status=400)
    here = url_for("respond.start", token=token, start=1)
    return _after_save(nav, here, here, url_for("respond.page", token=token, number=1))


def _personal_from_shared(ctx: Context):
    personal = services.personal_link_from_shared(db(), ctx.token, _today())
    # Remembered in this browser so coming back through the shared link resumes; the
    # respondent is also shown their own link to keep for another device.
    remembered.remember_personal_link(ctx.token, personal)
    return redirect(url_for("respond.start", token=personal, own=1))


def _page_number(ctx: Context, number: int) -> int:
    if not 1 <= number <= ctx.pages:
        abort(404)
    return number


def _render_page(ctx: Context, number: int, *, form=None, problems=(), status=200):
    dimension = ctx.questionnaire.dimensions[number - 1]
    content = ctx.content
    answers = drafts.answers_of(content)
    comment = drafts.comments_of(content).get(dimension.code, "")
    if form is not None:
        answers = _posted_answers(ctx.questionnaire, answers, form)
        comment = (form.get(forms.COMMENT_FIELD) or [comment])[0]
    return (
        render_template(
            "respond/page.html",
            ctx=ctx,
            q=ctx.questionnaire,
            dimension=dimension,
            number=number,
            answers=answers,
            comment=comment,
            errors=problem_messages(ctx.questionnaire, problems),
        ),
        status,
    )


@bp.get("/<token>/p/<int:number>")
def page(token: str, number: int):
    ctx = _open(token)
    return _render_page(ctx, _page_number(ctx, number))


@bp.post("/<token>/p/<int:number>")
def save_page(token: str, number: int):
    form = _form()
    try:
        nav = _navigation()
        ratings, comment, problems = forms.dimension_data(form)
        if problems:
            raise AnswersRejected(problems)
        saved = services.save_part(
            db(), token, number, ratings, comment, language=lang(), now=_now(), today=_today()
        )
    except NotFound:
        abort(404)
    except (InvalidToken, RoundNotOpen) as exc:
        _refused(token, exc)
    except AnswersRejected as exc:
        return _refused_page(token, number, form, exc.problems)
    q = saved.questionnaire
    dimension = q.dimensions[number - 1]
    if nav == "enter" and (blank := _blank_statements(saved.content, dimension)):
        # Saved, but Enter does not skip blank statements silently: the part comes back.
        ctx = _open(token)
        return _render_page(ctx, number, problems=blank)
    back = (
        url_for("respond.page", token=token, number=number - 1)
        if number > 1
        else url_for("respond.start", token=token, start=1)
    )
    forward = (
        url_for("respond.page", token=token, number=number + 1)
        if number < len(q.dimensions)
        else url_for("respond.summary", token=token)
    )
    return _after_save(nav, url_for("respond.page", token=token, number=number), back, forward)


def _refused_page(token: str, number: int, form, problems: list[Problem]):
    """A page refused with `problems` (the core's), shown again with the answers as sent and
    the faults in the order a page names them: too many fields alone, an unknown button,
    the form's faults with the values' faults, else the core's. Its link looked up for it."""
    ctx = _open(token)
    number = _page_number(ctx, number)
    dimension = ctx.questionnaire.dimensions[number - 1]
    try:
        _check_size(form, len(dimension.answerable()) + 1)  # its questions and the comment
        _navigation()
        ratings, comment, form_problems = forms.dimension_data(form)
        if form_problems:  # a form fault: nothing is saved, and the value faults are named too
            raise AnswersRejected(
                form_problems + forms.page_problems(ctx.questionnaire, dimension, ratings, comment)
            )
        raise AnswersRejected(forms.item_fields(problems))
    except AnswersRejected as exc:
        return _render_page(ctx, number, form=form, problems=exc.problems, status=400)


def _blank_statements(content: drafts.Content, dimension) -> list[Problem]:
    """The part's statements without an answer (after its save), as the page names them."""
    answers = drafts.answers_of(content)
    blank = [item.code for item in dimension.items if item.code not in answers]
    if not blank:
        return []
    return [Problem("", "enter_with_blanks", "")] + [
        Problem(forms.ITEM_FIELD + code, "blank", "") for code in blank
    ]


def _render_summary(ctx: Context, *, problems=(), status=200):
    q = ctx.questionnaire
    content = ctx.content
    answers = drafts.answers_of(content)
    return (
        render_template(
            "respond/summary.html",
            ctx=ctx,
            q=q,
            missing=drafts.unanswered(q, answers),
            answers=answers,
            missing_background=drafts.missing_background(q, content),
            answered=sum(1 for item in q.items() if item.code in answers),
            total=len(q.items()),
            receipt=invitations.submit_receipt(current_app.secret_key, ctx.token),
            errors=problem_messages(q, problems),
        ),
        status,
    )


@bp.get("/<token>/summary")
def summary(token: str):
    return _render_summary(_open(token))


@bp.get("/<token>/saved")
def saved(token: str):
    ctx = _open(token)
    link = settings().link(url_for("respond.start", token=token))
    return render_template("respond/saved.html", ctx=ctx, link=link)


def _receipt_matches(token: str) -> bool:
    sent = request.form.getlist("receipt")
    expected = invitations.submit_receipt(current_app.secret_key, token)
    return len(sent) == 1 and hmac.compare_digest(sent[0], expected)


@bp.get("/<token>/submit")
def submit_page(token: str):
    """The address of the thank-you page (after a post), e.g. reloaded or with ?lang=."""
    asked = request.args.get("lang")
    chosen = {"lang": asked} if asked in LANGUAGES else {}
    return redirect(url_for("respond.summary", token=token, **chosen))


@bp.post("/<token>/submit")
def submit(token: str):
    try:
        if not _receipt_matches(token):
            ctx = _open(token)
            return _render_summary(ctx, problems=[Problem("receipt", "tampered")], status=400)
        rnd = services.submit(db(), token, language=lang(), now=_now(), today=_today())
    except InvalidToken as exc:
        # A second submit (double click, replay) from a page made for this link, whether
        # it arrived after the first or while the first held the link: the receipt proves
        # it, so the respondent sees the thank-you page, not a dead link.
        used = invitations.find_used_invitation(db(), token) if _receipt_matches(token) else None
        if used is None:
            _refused(token, exc)
        rnd = used.round
    except RoundNotOpen as exc:
        _refused(token, exc)
    except AnswersRejected as exc:
        return _render_summary(_open(token), problems=exc.problems, status=400)
    # This browser remembers it, so the back button shows the thank-you page again while
    # the link itself now answers like any unknown link.
    # Nothing in this browser leads to the answers any more: the personal link a shared
    # link handed out is forgotten (the mark kept opens only the thank-you page).
    remembered.remember_submitted(token)
    return _thanks_page(rnd)


@bp.errorhandler(CSRFError)
def expired_form(_exc: CSRFError):
    """A stale or missing form token: nothing is saved, but the page comes back with the
    answers as sent (and a fresh token) so a respondent loses nothing by it."""
    return _refused_form(Problem("csrf_token", "expired"))


@bp.errorhandler(ControlCharacters)
def control_characters(exc: ControlCharacters):
    """A control character in a field (survey/web/form_text.py): the same, the message at
    the field and the character marked where it was."""
    return _refused_form(Problem(exc.field, "control_characters"))


def _refused_form(problem: Problem):
    problems = [problem]
    args = request.view_args or {}
    try:
        ctx = _open(args.get("token", ""), personal=False)
    except InvalidToken:
        ctx = None  # the same plain page for a wrong and a used link
    except HTTPException as exc:
        return exc.get_response()  # the thank-you or round-not-open page
    form = _form()
    if (
        ctx is None
        or ctx.invitation.kind != "personal"
        or not 1 <= args.get("number", 1) <= ctx.pages
    ):
        return render_template("respond/expired.html"), 400
    if request.endpoint == "respond.save_page":
        return _render_page(ctx, args["number"], form=form, problems=problems, status=400)
    if request.endpoint == "respond.save_start":
        shown = {code: (vals or [None])[0] for code, vals in form.items()}
        return _render_start(ctx, values=shown, problems=problems, status=400)
    if request.endpoint == "respond.submit":
        return _render_summary(ctx, problems=problems, status=400)
    return render_template("respond/expired.html"), 400

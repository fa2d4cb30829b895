"""Every domain error and HTTP error as a page, in one place: the core raises structured
errors (survey/errors.py), and here each becomes a status code and a message in the page's
language. Also the page for a database that is not at this code's revision."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import Babel
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    ClientDisconnected,
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
)
from werkzeug.wsgi import LimitedStream

from survey.db import migrations
from survey.db.engine import storage_fault
from survey.db.migrations import SchemaState
from survey.errors import (
    AccountSetupError,
    ExportRefused,
    FederatedLoginRefused,
    InvalidAnswer,
    InvalidPasswordLink,
    InvalidToken,
    NotFound,
    PdfUnavailable,
    RoundNotOpen,
    StorageUnavailable,
)
from survey.i18n import translate
from survey.maturity.workshops import WorkshopRefused
from survey.results.publication import NotPublished
from survey.web import params
from survey.web.form_text import ControlCharacters, control_characters_text, label
from survey.web.shell import lang

LANGUAGES = ("sv", "en")

csrf = CSRFProtect()
babel = Babel()


def page(status: int, title: str, message: str):
    """A message page (message.html) with its status code."""
    return render_template("message.html", title=title, message=message), status


def control_characters_page(e: ControlCharacters):
    """A form with a control character in a field (survey/web/form_text.py), for the forms
    that do not show it at the field themselves."""
    return page(400, _("The form could not be saved"), control_characters_text(label(e.field)))


#: Served whatever the database: the message page itself needs them, and the health check
#: reports the state rather than being refused by it.
SCHEMA_FREE_ENDPOINTS = {"static", "plotly_js", "healthz"}


def refuse_a_database_behind_the_code(app: Flask) -> None:
    """Every page answers 503 with what to run while the database is not at this code's
    revision, rather than a 500 on the first query that meets a missing column.

    Checked once per process: once current it stays current (an upgrade only moves
    forward), so the state is asked again only while it is not, which lets an upgrade
    done while the server runs take effect without a restart.
    """
    current = False

    @app.before_request
    def check_schema():
        nonlocal current
        if current or request.endpoint in SCHEMA_FREE_ENDPOINTS:
            return None
        found = migrations.state(current_app.extensions["survey_engine"])
        if found is SchemaState.CURRENT:
            current = True
            return None
        return _schema_page(found)


def _schema_page(found: SchemaState):
    if found is SchemaState.EMPTY:
        title = _("The database is not set up yet")
        message = _(
            "Samverkansmätaren has no tables in its database yet. The administrator "
            "creates them by running %(command)s on the server.",
            command="survey init",
        )
    elif found is SchemaState.UNKNOWN:
        title = _("The database is newer than this version")
        message = _(
            "The database was upgraded by a newer version of Samverkansmätaren than the one "
            "running. The administrator installs that version again."
        )
    else:
        title = _("The database needs an upgrade")
        message = _(
            "This version of Samverkansmätaren needs a newer structure of its database. "
            "The administrator upgrades it by running %(command)s on the server; "
            "nothing that was saved is lost.",
            command="survey db upgrade",
        )
    return page(503, title, message)


def export_refused_message(e: ExportRefused) -> str:
    """A refused export in the page's language (also shown on the researcher's page)."""
    if e.reason == "no_match":
        return _("No published survey round matches the chosen rounds, förbund and version.")
    if e.reason == "mixed_versions":
        return _(
            "The selected rounds use questionnaire versions whose statements differ "
            "(%(versions)s; statements that differ: %(statements)s). One sheet cannot hold "
            "them: export one version at a time (filter on the questionnaire version).",
            **e.details,
        )
    return str(e)


def _register_respondent_error_pages(app: Flask) -> None:
    @app.errorhandler(InvalidToken)
    def invalid_token(_e: InvalidToken):
        return page(
            404,
            _("Link not found"),
            _(
                "This link does not work. It may be mistyped, or the questionnaire has "
                "already been submitted with it. Ask the person who sent it for a new link."
            ),
        )

    @app.errorhandler(RoundNotOpen)
    def round_not_open(e: RoundNotOpen):
        if e.state == "draft":
            msg = _("This survey round has not opened yet.")
            if e.opens_on:
                msg += " " + _("It opens on %(date)s.", date=e.opens_on.isoformat())
        else:
            msg = _("This survey round is closed, so no more answers can be given.")
            if e.closes_on:
                msg += " " + _("It closed on %(date)s.", date=e.closes_on.isoformat())
        return page(409 if e.state == "closed" else 403, _("The survey is not open"), msg)

    @app.errorhandler(InvalidAnswer)
    def invalid_answer(e: InvalidAnswer):
        return page(
            400,
            _("The answers could not be saved"),
            _(
                "The form contained a value the questionnaire does not allow (%(detail)s). "
                "Nothing on this page was saved; go back and try again.",
                detail=params.clean(str(e)),  # printable and short, whatever was sent
            ),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(_e: CSRFError):
        return page(
            400,
            _("The page had expired"),
            _(
                "For your security the form is only valid for a while. Nothing on this "
                "page was saved, but your earlier pages are. Open your link again to "
                "continue."
            ),
        )


def _register_board_error_pages(app: Flask) -> None:
    @app.errorhandler(NotPublished)
    def not_published(_e: NotPublished):  # the board's pages answer with their own page
        return page(
            409,
            _("The round is not published yet"),
            _("A consensus workshop works on a published round's figures: publish it first."),
        )

    @app.errorhandler(WorkshopRefused)
    def workshop_refused(e: WorkshopRefused):
        return page(
            409,
            _("The workshop could not be changed"),
            translate(lang(), e.template, **e.values),
        )

    @app.errorhandler(PdfUnavailable)
    def pdf_unavailable(e: PdfUnavailable):
        why = (
            _("Another PDF is being made right now.")
            if e.reason == "busy"
            else _("The server could not print the report.")
        )
        return page(
            503,
            _("The PDF could not be made"),
            why + " " + _("Open the board report and use your browser's print instead (Ctrl+P)."),
        )

    @app.errorhandler(ExportRefused)
    def export_refused(e: ExportRefused):
        return page(400, _("The export could not be made"), export_refused_message(e))

    @app.errorhandler(NotFound)
    def not_found(e: NotFound):
        messages = {
            "association": _("There is no coordination association '%(name)s'.", name=e.name),
            "dimension": _("There is no dimension '%(name)s' in this questionnaire.", name=e.name),
            "no_rounds": _("%(within)s has no survey rounds yet.", within=e.within),
            "round": _("%(within)s has no survey round '%(name)s'.", within=e.within, name=e.name)
            if e.within
            else _("There is no survey round '%(name)s'.", name=e.name),
        }
        return page(404, _("Not found"), messages[e.what])

    @app.errorhandler(404)
    def http_404(_e: Exception):
        return page(404, _("Not found"), _("There is no page at this address."))


def _register_account_error_pages(app: Flask) -> None:
    @app.errorhandler(InvalidPasswordLink)
    def invalid_password_link(_e: InvalidPasswordLink):
        return page(
            404,
            _("Link not found"),
            _(
                "This link to set a password does not work: it may be mistyped, already "
                "used, replaced by a newer link or older than 72 hours. Ask an administrator "
                "for a new one."
            ),
        )

    @app.errorhandler(AccountSetupError)
    def account_setup(e: AccountSetupError):
        return page(400, _("The account could not be changed"), str(e))

    app.errorhandler(FederatedLoginRefused)(federated_login_refused)

    @app.errorhandler(403)
    def forbidden(_e: Exception):
        return page(403, _("No access"), _("Your account does not give access to this page."))

    @app.errorhandler(429)
    def too_many(_e: Exception):
        return page(
            429,
            _("Too many attempts"),
            _(
                "Too many requests came from your address in a short time. Wait a minute "
                "and try again."
            ),
        )


#: How much of a refused body is read before the page goes out (nginx lets 2 MB through).
DRAIN_LIMIT = 8 * 2**20


def _drain_refused_body(max_length: int) -> None:
    """Read and drop a body refused for its size before answering: a proxy still sending it
    would otherwise meet a closed socket and answer its own 502 instead of our page (a race
    seen under load). Only a body Werkzeug refused unread (its length over the limit, as
    declared), and at most DRAIN_LIMIT of it."""
    length = request.content_length or 0
    if not max_length < length <= DRAIN_LIMIT:
        return
    stream = LimitedStream(request.environ["wsgi.input"], length)
    try:
        while stream.read(2**16):
            pass
    except (OSError, ClientDisconnected):
        pass  # the client went away: nothing to answer anyway


def _register_refusals(app: Flask) -> None:
    """The app's own page, in the page's language, for what Werkzeug would otherwise answer
    with its bare English page (or, for a fault, a 500 that must show no traceback)."""

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_e: RequestEntityTooLarge):
        _drain_refused_body(app.config["MAX_CONTENT_LENGTH"])
        return page(
            413,
            _("The form was too large"),
            _(
                "The form sent more data or more fields than any page here has (at most "
                "%(size)s MB and %(fields)s fields), so nothing of it was saved. Go back and "
                "send the page again.",
                size=app.config["MAX_CONTENT_LENGTH"] // 2**20,
                fields=app.config["MAX_FORM_PARTS"],
            ),
        )

    app.errorhandler(ControlCharacters)(control_characters_page)

    @app.errorhandler(InternalServerError)
    def server_error(_e: InternalServerError):
        # Flask has logged the exception with its traceback before calling this.
        return page(
            500,
            _("Something went wrong"),
            _(
                "An error on our side stopped this page. It has been logged for the "
                "administrator. Try again in a while; answers saved earlier are kept."
            ),
        )

    @app.errorhandler(HTTPException)
    def other_refusal(e: HTTPException):  # 400, 405 and the like; 404 and 413 above
        body, status = page(
            e.code or 400,
            _("The request could not be handled"),
            _("The address or the form was not what this page expects. Go back and try again."),
        )
        return body, status, [(k, v) for k, v in e.get_headers() if k == "Allow"]


def _register_storage_pages(app: Flask) -> None:
    """A database that cannot take a write (busy past the retries, full, read-only) is a
    503 saying nothing of this page was saved, never a 500; pages that only read still
    work where reading does."""

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(e: StorageUnavailable):
        return _storage_page(e.reason, e)

    @app.errorhandler(OperationalError)
    def database_error(e: OperationalError):
        reason = storage_fault(e)
        if reason is None:
            raise e  # a fault of ours: the 500 page, with the traceback in the log
        return _storage_page(reason, e)


def _storage_page(reason: str, error: Exception):
    current_app.logger.error(
        "database cannot take a write (%s): %s", reason, error.__cause__ or error
    )
    if reason == "busy":
        title = _("Many are answering right now")
        message = _(
            "The survey is busy saving other answers. Nothing on this page was saved yet: "
            "try again in a moment. Answers saved earlier are kept."
        )
    elif reason == "full":
        title = _("The survey cannot save right now")
        message = _(
            "The server's storage is full, so nothing on this page was saved. The "
            "administrator has been told. Try again later; answers saved earlier are kept."
        )
    else:
        title = _("The survey can only be read right now")
        message = _(
            "The server can read its database but not write to it at the moment, so "
            "nothing on this page was saved. Results can still be viewed. Try again "
            "later; answers saved earlier are kept."
        )
    body, status = page(503, title, message)
    return body, status, {"Retry-After": "5" if reason == "busy" else "300"}


def federated_login_refused(e: FederatedLoginRefused):
    """A log-in through an identity provider refused: what the person can do about it.
    The protocol's detail is in the audit log, not on the page."""
    ask = _(
        "Ask an administrator of this service to invite you with the e-mail address your "
        "organisation has for you."
    )
    again = _("Try again from the log-in page.")
    texts = {
        "unknown_user": (403, _("Your organisation knows you, but this service does not.")),
        "no_roles": (403, _("Your organisation gives you no role in this service.")),
        "email_unverified": (
            403,
            _("Your organisation has not confirmed your e-mail address, so it is not linked."),
        ),
        "linked_elsewhere": (
            403,
            _("This account is already linked to another identity at your organisation."),
        ),
        "locked": (403, _("Too many failed attempts: the account is locked for a while.")),
        "passwords_off": (403, _("Log-in with a password is switched off here.")),
        "unknown_provider": (404, _("There is no such way to log in here.")),
        "cancelled": (400, _("The log-in was broken off at your organisation.")),
        "protocol": (
            400,
            _("The answer from your organisation's log-in could not be accepted."),
        ),
        "unavailable": (503, _("Your organisation's log-in does not answer just now.")),
    }
    status, text = texts[e.reason]
    advice = ask if status == 403 and e.reason != "locked" else again
    return page(status, _("You are not logged in"), f"{text} {advice}")


def register(app: Flask) -> None:
    _register_respondent_error_pages(app)
    _register_board_error_pages(app)
    _register_account_error_pages(app)
    _register_refusals(app)
    _register_storage_pages(app)

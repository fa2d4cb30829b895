"""E-mail invitations and reminders of a round, and a förbund's texts for them, for its
administrators (rule FORBUND_ADMIN). Each view parses the form, calls one service of
`survey.mail.services` and renders; nothing is sent here: the worker (`survey mail send`)
works the queue off."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from survey.db.audit import utcnow
from survey.db.models import MailLanguage, MessageKind
from survey.errors import AddressesRejected, MailRefused, MailTextRejected
from survey.mail import addresses, heartbeat, services, status, texts
from survey.rounds import associations, lifecycle
from survey.services import scheduling
from survey.web import params
from survey.web.admin import bp
from survey.web.session import current_principal
from survey.web.shell import ErrorMessage, db, settings

ROUND = "/f/<slug>/rounds/<label>/mail"


def _actor() -> str | None:
    principal = current_principal()
    return principal.email if principal else None


def _page(slug: str, label: str, code: int = 200, errors=(), **form):
    rnd = lifecycle.round_by_name(db(), slug, label)
    found = status.mail_status(db(), rnd.id)
    context = {
        "round": rnd,
        "state_name": _state(lifecycle.effective_state(rnd, dt.date.today())),
        "round_url": _round_url(slug, label),
        **_names(),
        "mail": found,
        "configured": bool(settings().mail_host and settings().mail_sender),
        "errors": list(errors),
        "pasted": form.get("pasted", ""),
        "language": form.get("language", "sv"),
        "max_kb": addresses.MAX_FILE_BYTES // 1024,
        "preview": form.get("preview"),
        "beat": heartbeat.last(db()),
        "now": utcnow(),
        "from_file": form.get("from_file", False),
    }
    return render_template("admin/mail.html", **context), code


def _round_url(slug: str, label: str) -> str | None:
    """The round's own admin page, where the app has it (the admin pages' module)."""
    try:
        return url_for("admin.round", slug=slug, label=label)
    except BuildError:
        return None


def _names() -> dict[str, object]:
    kinds = {"invitation": _("Invitations"), "reminder": _("Reminders")}
    statuses = {
        "queued": _("Queued"),
        "retry": _("Waiting to retry"),
        "sending": _("Being sent"),
        "sent": _("Sent"),
        "failed": _("Failed"),
        "interrupted": _("Interrupted"),
        "cancelled": _("Not needed"),
    }
    return {
        "kinds": list(kinds.items()),
        "kind_names": kinds,
        "statuses": list(statuses.items()),
        "status_names": statuses,
    }


@bp.get(ROUND)
def mail(slug: str, label: str):
    return _page(slug, label)


def _uploaded() -> str | None:
    """The uploaded file's text, None when no file was chosen."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read(addresses.MAX_FILE_BYTES + 1)
    if len(data) > addresses.MAX_FILE_BYTES:
        raise MailRefused("file_too_large", limit=addresses.MAX_FILE_BYTES // 1024)
    return addresses.decode(data)


@bp.post(ROUND + "/addresses")
def mail_addresses(slug: str, label: str):
    pasted = request.form.get("addresses", "")
    language = request.form.get("language", "")
    shown = {"pasted": pasted, "language": language}
    try:
        uploaded = _uploaded()
        if language not in set(MailLanguage):
            return _page(
                slug,
                label,
                400,
                [_field("language", _("Choose the language of the messages."))],
                **shown,
            )
        if uploaded is not None and pasted.strip():
            raise MailRefused("both")
        text = uploaded if uploaded is not None else pasted
        from_file = uploaded is not None or request.form.get("from_file") == "1"
        listed = addresses.parse(text, language, uploaded=from_file)
        if request.form.get("confirmed") != "1":
            # First what was understood, line by line; nothing is stored until it is saved.
            services.check_list(listed)
            return _page(
                slug,
                label,
                200,
                preview=listed,
                pasted=text,
                language=language,
                from_file=from_file,
            )
        added, known = services.add_addresses(
            db(), slug, label, listed, settings().secret_key, dt.date.today(), actor=_actor()
        )
    except AddressesRejected as exc:
        return _page(slug, label, 400, _problems(exc.problems), **shown)
    except MailRefused as exc:
        return _page(slug, label, _status(exc), [_refusal(exc)], **shown)
    flash(_added(len(added), known, listed), "info")
    return redirect(url_for("admin.mail", slug=slug, label=label))


def _added(count: int, known: list[addresses.Entry], listed: addresses.AddressList) -> str:
    parts = [_("%(n)s new address(es) added, each with a link of its own.", n=count)]
    if known:
        parts.append(
            _(
                "%(n)s were already on the list and were left as they were: %(which)s.",
                n=len(known),
                which=", ".join(e.address for e in known[:10]),
            )
        )
    if listed.repeated:
        parts.append(
            _(
                "%(n)s address(es) appeared twice in the list and were taken once.",
                n=len(listed.repeated),
            )
        )
    if listed.heading_skipped:
        parts.append(_("Line 1 of the file has no e-mail address and was read as a heading."))
    return " ".join(parts)


@bp.post(ROUND + "/invitations")
def mail_invitations(slug: str, label: str):
    return _queue(slug, label, MessageKind.INVITATION)


@bp.post(ROUND + "/reminders")
def mail_reminders(slug: str, label: str):
    return _queue(slug, label, MessageKind.REMINDER)


def _queue(slug: str, label: str, kind: str):
    try:
        count = services.queue_messages(
            db(), slug, label, kind, settings().secret_key, utcnow(), actor=_actor()
        )
    except MailRefused as exc:
        return _page(slug, label, _status(exc), [_refusal(exc)])
    beat = heartbeat.last(db())
    if kind == MessageKind.INVITATION and beat and beat.alive(utcnow()):
        flash(_("%(n)s invitation(s) queued; they go out within minutes.", n=count), "info")
    elif kind == MessageKind.INVITATION:
        flash(
            _(
                "%(n)s invitation(s) queued. No mail worker is running, so they wait: press "
                "“Send now”.",
                n=count,
            ),
            "info",
        )
    else:
        flash(_("%(n)s reminder(s) queued, to those who have not submitted.", n=count), "info")
    return redirect(url_for("admin.mail", slug=slug, label=label))


#: "Send now" works the queue off in the request for at most this long (the rest waits for
#: the next press or the worker): a small installation needs no separate service.
SEND_NOW_SECONDS = 20


@bp.post(ROUND + "/send")
def mail_send_now(slug: str, label: str):
    """One pass of the mail worker in this request (docs/operations.md: "Send now")."""
    lifecycle.round_by_name(db(), slug, label)  # or 404
    deadline = utcnow() + dt.timedelta(seconds=SEND_NOW_SECONDS)
    try:
        done = scheduling.mail_pass(db(), settings(), stop=lambda: utcnow() > deadline)
    except MailRefused as exc:
        return _page(slug, label, 409, [_field("send", _not_sent(exc))])
    flash(_("Sending done: %(result)s.", result=str(done)), "info")
    return redirect(url_for("admin.mail", slug=slug, label=label))


def _not_sent(exc: MailRefused) -> str:
    return _(
        "Nothing was sent: %(missing)s is not set on the server. The messages wait in the "
        "queue; the server's administrator sets it (docs/operations.md, E-mail).",
        missing=exc.details.get("missing", "MAIL_HOST"),
    )


@bp.route("/f/<slug>/mail-texts", methods=["GET", "POST"])
def mail_texts(slug: str):
    assoc = associations.find_association(db(), slug)
    errors: list[ErrorMessage] = []
    edited: dict[tuple[str, str], tuple[str, str]] = {}
    code = 200
    if request.method == "POST":
        kind, language = request.form.get("kind", ""), request.form.get("language", "")
        if kind not in set(MessageKind) or language not in set(MailLanguage):
            return render_template(
                "message.html",
                title=_("The request could not be handled"),
                message=_("The form named no known text."),
            ), 400
        subject, body = request.form.get("subject", ""), request.form.get("body", "")
        try:
            if request.form.get("reset"):
                services.reset_text(db(), slug, kind, language, actor=_actor())
            else:
                services.save_text(db(), slug, kind, language, subject, body, actor=_actor())
        except MailTextRejected as exc:
            errors = [_text_problem(kind, language, *p) for p in exc.problems]
            edited[(kind, language)] = (subject, body)
            code = 400
        else:
            flash(_("The text is saved."), "info")
            return redirect(url_for("admin.mail_texts", slug=slug, round=params.arg("round")))
    in_use = texts.texts_of(db(), assoc.id)
    return render_template(
        "admin/mail_texts.html",
        kinds=_names()["kinds"],
        association=assoc,
        texts=in_use,
        edited=edited,
        errors=errors,
        placeholders=texts.PLACEHOLDERS,
        back_round=_back_round(assoc),
    ), code


def _back_round(assoc) -> str | None:
    """The round whose mail page led here (`?round=`), for the way back; None if unknown."""
    label = params.arg("round")
    if label and any(r.label == label for r in assoc.rounds):
        return label
    return None


def _field(name: str, text: str) -> ErrorMessage:
    return ErrorMessage(name, name, text)


#: Faulty lines named on the page; the rest are counted.
SHOWN_PROBLEMS = 20


def _problems(problems: list[addresses.Problem]) -> list[ErrorMessage]:
    shown = [_problem(p) for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        rest = len(problems) - SHOWN_PROBLEMS
        shown.append(
            _field("addresses", _("…and %(n)s more lines that are not addresses.", n=rest))
        )
    return shown


def _problem(problem: addresses.Problem) -> ErrorMessage:
    texts_ = {
        "not_ascii": _(
            "Line %(line)s: “%(text)s” has å, ä, ö or other letters an e-mail "
            "address can seldom hold.",
            line=problem.line,
            text=problem.text,
        ),
        "too_long": _(
            "Line %(line)s: “%(text)s” is longer than an e-mail address can be.",
            line=problem.line,
            text=problem.text,
        ),
    }
    default = _(
        "Line %(line)s: “%(text)s” is not an e-mail address.", line=problem.line, text=problem.text
    )
    return _field("addresses", texts_.get(problem.reason, default))


def _status(exc: MailRefused) -> int:
    return 409 if exc.reason == "round_state" else 400


def _refusal(exc: MailRefused) -> ErrorMessage:
    d = exc.details
    if exc.reason == "round_state":
        return _field(
            "addresses",
            _(
                "The round is %(state)s: addresses can be added while it "
                "is a draft or open, and messages sent while it is open.",
                state=_state(str(d.get("state"))),
            ),
        )
    if exc.reason == "nobody":
        text = (
            _("Everyone on the list already has an invitation (sent or on its way).")
            if d.get("kind") == "invitation"
            else _(
                "Nobody to remind: everyone with a sent invitation has submitted, or "
                "already has a reminder on its way."
            )
        )
        return _field("addresses", text)
    messages = {
        "no_recipients": _(
            "The round has no e-mail addresses yet, so there is nobody to send to. Add them "
            "under “Add addresses” first."
        ),
        "no_addresses": _(
            "The list has no e-mail address. Paste addresses, one per line, or choose a file."
        ),
        "too_many": _(
            "The list has %(count)s addresses; at most %(limit)s can be added at once.",
            count=d.get("count"),
            limit=d.get("limit"),
        ),
        "file_too_large": _(
            "The file is larger than %(limit)s kB. Send a list of addresses only.",
            limit=d.get("limit"),
        ),
        "both": _("Paste addresses or choose a file, not both."),
    }
    anchor = "file" if exc.reason == "file_too_large" else "addresses"
    return _field(anchor, messages.get(exc.reason, str(exc)))


def _state(state: str) -> str:
    names = {
        "draft": _("a draft"),
        "open": _("open"),
        "closed": _("closed"),
        "published": _("published"),
    }
    return names.get(state, state)


def _text_problem(kind: str, language: str, field: str, reason: str, detail: str) -> ErrorMessage:
    where = _("Subject") if field == "subject" else _("Text")
    messages = {
        "empty": _("%(where)s: write something.", where=where),
        "too_long": _("%(where)s: at most %(n)s characters.", where=where, n=detail),
        "line_break": _("%(where)s: the subject must be one line.", where=where),
        "braces": _(
            "%(where)s: braces are only for placeholders such as {link}; write {{ or }} "
            "for a brace of its own.",
            where=where,
        ),
        "unknown_placeholder": _(
            "%(where)s: there is no placeholder {%(name)s}; use {link}, "
            "{forbund}, {closes}, {round} or {minutes}.",
            where=where,
            name=detail,
        ),
        "no_link": _("%(where)s: the text must hold {link}, the person's own link.", where=where),
    }
    return ErrorMessage(field, f"{kind}-{language}-{field}", messages[reason])

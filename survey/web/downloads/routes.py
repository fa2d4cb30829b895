"""Downloads of exports: the researcher's dataset (Excel, CSV, or the research package: a
zip of every form with SPSS, Stata, R and Parquet files) and the board's workbook.

The researcher chooses on the page `/export/` (survey/web/downloads/chooser.py): it counts
what a choice holds and links to its download; a download refused (no round matches,
versions whose statements differ) shows that page again with the message and the choice.

Filters come as query parameters: `round` and `forbund` (each may repeat), `questionnaire`
(key), `version`; `comments=1` adds the free-text sheet to the researcher's workbook, `sep`
(`comma` or `semicolon`) picks the CSV dialect. There is no log-in yet (the admin issue).

The researcher's dataset is always recoded here (every combination of round, förbund, role
and agency holds at least k respondents): an unrecoded file is for a user allowed it, and
until log-in exists only the command line (`survey export --unrecoded`) can write one.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable
from typing import IO

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _

from survey.errors import ExportRefused
from survey.exports import choices, package, research
from survey.exports.board_workbook import write_board_workbook
from survey.exports.selection import ExportFilter, Selection, record_export, select_rounds
from survey.rounds import associations, lifecycle
from survey.web import params
from survey.web.downloads.chooser import read_choice
from survey.web.error_pages import export_refused_message
from survey.web.session import current_principal
from survey.web.shell import db, lang, settings

bp = Blueprint("research", __name__, url_prefix="/export")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
#: A response header that says what the file does not hold and where it is instead (the
#: long form, when it does not fit an Excel sheet); the file's Metadata says it too.
NOTICE_HEADER = "X-Export-Notice"
SPOOL_BYTES = 8 * 1024 * 1024  # small workbooks stay in memory, large ones go to disk


#: A questionnaire version as typed: ASCII digits only (str.isdigit() also takes "²", which
#: int() refuses), and few enough that any database's integer column can compare it.
VERSION_RE = re.compile(r"[0-9]{1,9}")


def _filter() -> ExportFilter:
    version = request.args.get("version", "").strip()
    if version and not VERSION_RE.fullmatch(version):
        raise ExportRefused(
            _(
                "The questionnaire version must be a whole number, not '%(version)s'.",
                version=params.clean(version),
            )
        )
    return ExportFilter(
        rounds=tuple(params.args("round")),
        associations=tuple(params.args("forbund")),
        questionnaire=params.arg("questionnaire"),
        version=int(version) if version else None,
    )


def _comments() -> bool:
    return request.args.get("comments", "") in ("1", "true", "yes", "ja")


def _file_name(kind: str, selection: Selection, extension: str) -> str:
    """An ASCII file name (it travels in an HTTP header): "samverkansmataren-forskning-2026"."""
    parts = ["samverkansmataren", kind, *selection.labels[-3:]]
    if len(selection.associations) == 1:
        parts.append(next(iter(selection.associations)))
    ascii_name = unicodedata.normalize("NFKD", "-".join(parts)).encode("ascii", "ignore")
    return re.sub(r"[^A-Za-z0-9.-]+", "-", ascii_name.decode()) + extension


def _send_workbook(write: Callable[[IO[bytes]], object], name: str, mimetype: str = XLSX):
    """openpyxl and zipfile need a seekable file to zip into; the finished file is streamed
    from it. A result with a `notice` (the long form is elsewhere) puts it in a header."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    result = write(spool)
    spool.seek(0)
    response = send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name)
    notice = result.notice("en") if hasattr(result, "notice") else None
    if notice:
        # Header values are Latin-1: the notice is English and ASCII (numbers with commas).
        response.headers[NOTICE_HEADER] = notice.encode("ascii", "replace").decode()
    return response


def _recode() -> bool:
    """The unrecoded file (`?unrecoded=1`) only for a researcher the system administrator
    has marked as having an approved agreement; anyone else asking is refused (403)."""
    if request.args.get("unrecoded") != "1":
        return True
    principal = current_principal()
    if principal is None or not principal.may_read_unrecoded:
        abort(403)
    return False


def _research(kind: str, write: Callable[..., object], extension: str, mimetype: str, **extra):
    """The researcher's workbook or package: the same selection, recoding choice, audit
    entry and options; `write(session, selection, out, …)` makes the file."""
    session = db()
    recode = _recode()
    selection = select_rounds(session, _filter())
    # Refuse mixed questionnaire versions before the audit entry and before any byte.
    research.research_questionnaire(session, selection)
    comments = _comments()
    record_export(session, _actor(), kind, selection, recoded=recode, comments=comments)
    return _send_workbook(
        lambda out: write(
            session,
            selection,
            out,
            k=settings().min_group_size,
            recode=recode,
            include_comments=comments,
            **extra,
        ),
        _file_name("forskning", selection, extension),
        mimetype,
    )


@bp.get("/research.xlsx")
def research_workbook():
    return _research("research.xlsx", research.write_research_workbook, ".xlsx", XLSX)


@bp.get("/research.zip")
def research_package():
    """Every form of one export (workbook, CSV, Parquet, SPSS, Stata, R, codebook, README);
    `lang=en` gives English labels in the SPSS, Stata and R files."""
    label_lang = "en" if request.args.get("lang") == "en" else "sv"
    return _research("research.zip", package.write_package, ".zip", ZIP, lang=label_lang)


@bp.get("/research.csv")
def research_csv():
    sep = request.args.get("sep", "comma")
    if sep not in research.SEPARATORS:
        raise ExportRefused(
            _(
                "The separator must be 'comma' or 'semicolon', not '%(sep)s'.",
                sep=params.clean(sep),
            )
        )
    _check_format("csv", _comments())
    session = db()
    selection = select_rounds(session, _filter())
    # Refuse mixed questionnaire versions now, while an error page can still be sent.
    research.research_questionnaire(session, selection)
    record_export(session, _actor(), "research.csv", selection)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    k = settings().min_group_size  # read now: the stream runs after the view has returned

    def generate():
        # The request's session closes when the view returns; the stream has its own.
        with app.extensions["survey_sessions"]() as own:
            yield from research.research_csv(own, selection, research.SEPARATORS[sep], k=k)

    return Response(
        generate(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename="
            + _file_name("forskning", selection, ".csv")
        },
    )


@bp.get("/")
def choose():
    """The researcher's page: choose, see what the choice holds, download."""
    offer = choices.offer(db())
    choice = read_choice(offer)
    if "show" not in request.args or choice.version is None:
        return _chooser(offer, choice)
    try:
        _check_format(choice.form, choice.comments)
        summary = choices.summarise(
            db(), choice.filter(), settings().min_group_size, recode=_recode()
        )
    except ExportRefused as e:
        return _chooser(offer, choice, error=export_refused_message(e))
    return _chooser(offer, choice, summary=summary)


def _chooser(offer, choice, summary=None, error: str | None = None):
    principal = current_principal()
    return render_template(
        "research/choose.html",
        offer=offer,
        choice=choice,
        summary=summary,
        errors=[{"text": error, "anchor": "q"}] if error else [],
        may_unrecoded=bool(principal and principal.may_read_unrecoded),
        k=settings().min_group_size,
        download=summary and choice.download_url(lang()),
    ), (400 if error else 200)


@bp.errorhandler(ExportRefused)
def refused(e: ExportRefused):
    """A refused download: the researcher's page again, with the message and the choice."""
    offer = choices.offer(db())
    return _chooser(offer, read_choice(offer), error=export_refused_message(e))


def _check_format(form: str, comments: bool) -> None:
    if form == "csv" and comments:
        raise ExportRefused(_("Comments come only in the researcher's workbook (.xlsx)."))


def _actor() -> str | None:
    principal = current_principal()
    return principal.email if principal else None


def _board(selection: Selection):
    record_export(db(), _actor(), "board.xlsx", selection)
    session = db()
    return _send_workbook(
        lambda out: write_board_workbook(
            session,
            selection,
            out,
            k=settings().min_group_size,
            lang=lang(),
            reference_minimum=settings().min_reference_associations,
        ),
        _file_name("styrelse", selection, ".xlsx"),
    )


@bp.get("/board.xlsx")
def board_workbook():
    return _board(select_rounds(db(), _filter()))


@bp.get("/<slug>/<label>.xlsx")
def round_workbook(slug: str, label: str):
    """The dashboard's "Download as Excel": the board workbook of one förbund and round."""
    session = db()
    lifecycle.find_round(session, associations.find_association(session, slug), label)  # or 404
    flt = ExportFilter(rounds=(label,), associations=(slug,))
    return _board(select_rounds(session, flt))

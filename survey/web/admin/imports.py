"""Importing earlier survey data, for system administrators: a form (file, förbund, round,
questionnaire, optionally a LimeSurvey mapping), always a dry run first that lists every
fault with its row and column and what would be written, then "Import" on that report.

The report page carries the checked file back (base64 in a hidden field) so the import is
exactly the file that was checked, checked once more by the same service. The request
body's limit (MAX_CONTENT_LENGTH) bounds the file here; `survey import` takes larger ones
with a progress bar. The import runs in the request: within these limits it takes seconds,
during which the page says it is working (survey/static/admin.js).
"""

from __future__ import annotations

import base64
import binascii

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from survey.db import models
from survey.errors import SurveyError, WordedError
from survey.imports.layout import template_csv
from survey.imports.services import ImportReport, ImportRequest, import_round
from survey.instruments import services as instruments
from survey.instruments.catalog import definition_of
from survey.web.admin import bp, forms
from survey.web.shell import db, lang


def _page(status: int = 200, errors=(), report: ImportReport | None = None, carried=None):
    associations = db().scalars(select(models.Association).order_by(models.Association.name))
    page = render_template(
        "admin/import.html",
        associations=list(associations),
        versions=instruments.versions(db()),
        errors=list(errors),
        report=report,
        faults=[(f.row, f.column, f.message(lang())) for f in report.faults] if report else [],
        carried=carried or {},
        form=request.form,
    )
    return page, status


@bp.get("/import")
def imports():
    return _page()


@bp.get("/import/template/<key>/<int:version>.csv")
def import_template(key: str, version: int):
    """The import layout for one questionnaire version: headings and an example row."""
    row = db().scalar(select(models.Questionnaire).filter_by(key=key, version=version))
    if row is None:
        abort(404)
    return Response(
        template_csv(definition_of(row)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{key}-v{version}.csv"'},
    )


def _file(name: str) -> tuple[bytes | None, str]:
    """An uploaded file, or the one the report page carried back (base64)."""
    upload = request.files.get(name)
    if upload is not None and upload.filename:
        return upload.read(), upload.filename
    carried = forms.field(f"{name}_data")
    if not carried:
        return None, ""
    try:
        return base64.b64decode(carried, validate=True), forms.field(f"{name}_name")
    except (binascii.Error, ValueError):
        return None, ""


def _page_limit() -> int:
    """The largest file this page takes: the report sends it back base64-encoded (4/3 of
    its size) within the request limit, with room for the form's other fields."""
    return int(current_app.config["MAX_CONTENT_LENGTH"] * 0.7)


def _invited() -> tuple[int | None, list]:
    text = forms.field("invited")
    if not text:
        return None, []
    if text.isdecimal() and 0 < int(text) <= 1_000_000:
        return int(text), []
    return None, forms.error("invited", _("Invited: give a whole number of people, e.g. 40."))


@bp.post("/import")
def import_check():
    data, filename = _file("file")
    if data is None:
        return _page(400, forms.error("file", _("Choose a file to import (CSV or Excel).")))
    limit = _page_limit()
    if len(data) > limit:
        message = _(
            "The file is %(size)s kB; this page takes at most %(limit)s kB (it sends the file "
            "back with Import). Import larger files with `survey import` on the server.",
            size=-(-len(data) // 1024),
            limit=limit // 1024,
        )
        return _page(413, forms.error("file", message))
    mapping, mapping_name = _file("mapping")
    opens, errors = forms.date_field("opens", _("Opened"))
    closes, more = forms.date_field("closes", _("Closed"))
    invited, wrong = _invited()
    if errors or more or wrong:
        return _page(400, [*errors, *more, *wrong])
    # Only the file a report carried back is written: a fresh upload is always checked first.
    uploaded = request.files.get("file") is not None and bool(request.files["file"].filename)
    write = forms.field("action") == "write" and not uploaded
    req = ImportRequest(
        data=data,
        filename=filename,
        association=forms.field("forbund"),
        label=forms.field("label"),
        questionnaire=forms.field("questionnaire"),
        mapping=mapping,
        opens_on=opens,
        closes_on=closes,
        invited=invited,
    )
    try:
        report = import_round(
            db(), req, write=write, skip_invalid=forms.checked("skip_invalid"), actor=forms.actor()
        )
    except WordedError as exc:
        return _page(400, forms.worded(exc))
    except SurveyError as exc:
        return _page(400, forms.error("forbund", str(exc)))
    if report.written:
        flash(
            _(
                "Round %(label)s was imported with %(n)s responses as a closed round: publish "
                "it here when it is to be shown.",
                label=report.label,
                n=report.responses,
            ),
            "info",
        )
        return redirect(url_for("admin.round", slug=req.association, label=req.label), 303)
    carried = {
        "file_data": base64.b64encode(data).decode("ascii"),
        "file_name": filename,
        "mapping_data": base64.b64encode(mapping).decode("ascii") if mapping else "",
        "mapping_name": mapping_name,
    }
    return _page(200 if report.valid else 400, report=report, carried=carried)

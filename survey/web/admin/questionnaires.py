"""Questionnaires for system administrators: the stored versions and where each is used,
uploading a YAML file (every fault shown with its place; nothing stored unless all is
valid; a stored version never changes), and a preview exactly as a respondent sees it."""

from __future__ import annotations

import yaml
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from survey.db import models
from survey.i18n import translate
from survey.instruments import services as instruments
from survey.instruments.catalog import definition_of
from survey.instruments.questionnaire import REQUIRED_BACKGROUND, QuestionnaireError
from survey.web.admin import bp, forms
from survey.web.shell import db, lang


def _render_list(status_code: int = 200, errors=(), faults=None, filename: str = ""):
    page = render_template(
        "admin/questionnaires.html",
        versions=instruments.versions(db()),
        errors=list(errors),
        faults=faults,
        filename=filename,
    )
    return page, status_code


@bp.get("/questionnaires")
def questionnaires():
    return _render_list()


@bp.post("/questionnaires/upload")
def questionnaire_upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_list(400, forms.error("file", _("Choose a questionnaire file (YAML).")))
    filename = upload.filename
    try:
        row, created, _definition = instruments.upload(
            db(), upload.read(), filename, actor=forms.actor()
        )
    except QuestionnaireError as exc:
        message = _(
            "The file %(file)s was not stored: %(n)s fault(s), listed below.",
            file=exc.source,
            n=len(exc.problems),
        )
        faults = [(p.path, translate(lang(), p.template, **p.values)) for p in exc.problems]
        return _render_list(400, forms.error("file", message), faults, exc.source)
    if created:
        flash(
            _("%(key)s version %(version)s was stored.", key=row.key, version=row.version), "info"
        )
    else:
        flash(
            _(
                "%(key)s version %(version)s was already stored with exactly this content: "
                "nothing changed.",
                key=row.key,
                version=row.version,
            ),
            "info",
        )
    return redirect(url_for("admin.questionnaires"), 303)


@bp.get("/questionnaires/<key>/<int:version>.yaml")
def questionnaire_file(key: str, version: int):
    """A stored version as a YAML file: the template for a new version (raise its
    version number, change what is to change, upload it)."""
    row = db().scalar(select(models.Questionnaire).filter_by(key=key, version=version))
    if row is None:
        abort(404)
    text = yaml.safe_dump(row.definition, allow_unicode=True, sort_keys=False, width=100)
    name = f"{key}-v{version}.yaml"
    return Response(
        text,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/questionnaires/<key>/<int:version>/preview", defaults={"part": 0})
@bp.get("/questionnaires/<key>/<int:version>/preview/<int:part>")
def questionnaire_preview(key: str, version: int, part: int):
    """The respondent's pages, read only: the same templates for the questions, no link,
    no form that saves anything. Part 0 is the questions about the respondent."""
    row = db().scalar(select(models.Questionnaire).filter_by(key=key, version=version))
    if row is None:
        abort(404)
    q = definition_of(row)
    if not 0 <= part <= len(q.dimensions):
        abort(404)
    return render_template(
        "admin/preview.html",
        q=q,
        key=key,
        version=version,
        part=part,
        pages=len(q.dimensions),
        dimension=q.dimensions[part - 1] if part else None,
        number=part,
        values={},
        answers={},
        errors=[],
        required=REQUIRED_BACKGROUND,
    )

"""Downloads of exports."""

from __future__ import annotations

import io

from flask import Blueprint, current_app, send_file

from .. import exports, reports
from . import db, lang

bp = Blueprint("research", __name__, url_prefix="/export")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/<slug>/<label>.xlsx")
def round_workbook(slug: str, label: str):
    session = db()
    rnd = reports.find_round(session, reports.find_association(session, slug), label)
    buffer = io.BytesIO()
    exports.write_round_workbook(session, rnd, current_app.config["MIN_GROUP_SIZE"], lang(), buffer)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"samverkansmataren-{slug}-{label}.xlsx",
    )

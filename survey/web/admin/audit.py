"""The audit log: who logged in, changed users, rounds and questionnaires, and exported what
(never respondent data or tokens), for system administrators, on a page and as CSV."""

from __future__ import annotations

import csv
import io
from itertools import islice

from flask import Response, render_template, stream_with_context

from survey.db import audit
from survey.exports.worksheets import csv_row
from survey.web.admin import bp
from survey.web.shell import db

#: The page shows the newest events; the CSV has them all.
SHOWN = 500


@bp.get("/audit")
def audit_log():
    newest = list(islice(audit.rows(db(), newest_first=True), SHOWN))
    return render_template("admin/audit.html", rows=newest, shown=SHOWN)


@bp.get("/audit.csv")
def audit_csv():
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(audit.COLUMNS)
        for row in audit.rows(db()):
            writer.writerow(csv_row(row))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="samverkansmataren-audit.csv"'}
    return Response(
        stream_with_context(generate()), mimetype="text/csv; charset=utf-8", headers=headers
    )

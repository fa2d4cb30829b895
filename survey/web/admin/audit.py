"""The audit log: who logged in, changed users, rounds and questionnaires, and exported what
(never respondent data or tokens), for system administrators: sentences in the page's
language, filtered by who, what and when, on a page and as CSV (the same filter)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from itertools import islice

from flask import Response, render_template, request, stream_with_context

from survey.db import audit
from survey.exports.worksheets import csv_row
from survey.i18n import translate
from survey.web.admin import audit_words, bp, forms
from survey.web.admin.audit_words import KINDS
from survey.web.shell import db, lang

#: The page shows the newest events; the CSV has every event the filter lets through.
SHOWN = 500


def _filter() -> tuple[dict, list]:
    """The filter from the query string and what is wrong with it (a bad date)."""
    errors = []
    dates = {}
    for name, label in (("from", translate(lang(), "From")), ("to", translate(lang(), "To"))):
        value = request.args.get(name, "").strip()
        if value:
            try:
                dates[name] = dt.date.fromisoformat(value)
            except ValueError:
                errors += forms.error(
                    name,
                    translate(
                        lang(),
                        "%(label)s: ”%(value)s” is not a date. Write it as YYYY-MM-DD, "
                        "e.g. 2026-03-01.",
                        label=label,
                        value=value[:40],
                    ),
                )
    kind = request.args.get("what", "")
    chosen = {
        "since": dt.datetime.combine(dates["from"], dt.time()) if "from" in dates else None,
        "until": dt.datetime.combine(dates["to"] + dt.timedelta(days=1), dt.time())
        if "to" in dates
        else None,
        "actor": request.args.get("who", "").strip()[:254] or None,
        "actions": KINDS[kind][1] if kind in KINDS else None,
    }
    return chosen, errors


@bp.get("/audit")
def audit_log():
    chosen, errors = _filter()
    events = [] if errors else islice(audit.selected(db(), newest_first=True, **chosen), SHOWN)
    rows = [(e, audit_words.sentence(e, lang())) for e in events]
    kinds = [(key, translate(lang(), label)) for key, (label, _actions) in KINDS.items()]
    page = render_template(
        "admin/audit.html", rows=rows, shown=SHOWN, kinds=kinds, args=request.args, errors=errors
    )
    return page, 400 if errors else 200


@bp.get("/audit.csv")
def audit_csv():
    chosen, errors = _filter()
    if errors:
        return audit_log()
    language = lang()

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([*audit.COLUMNS, "description"])
        for event in audit.selected(db(), **chosen):
            writer.writerow(csv_row([*audit.as_row(event), audit_words.sentence(event, language)]))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="samverkansmataren-audit.csv"'}
    return Response(
        stream_with_context(generate()), mimetype="text/csv; charset=utf-8", headers=headers
    )

"""The audit log records round changes, publication, questionnaire loads and exports (who,
what, recoded or not), never respondent data or links; system administrators read it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from builders import add_response, all_items, csrf_token, make_round
from conftest import QUESTIONNAIRES, signed_in
from sqlalchemy import select

from survey.db import models


def events(db) -> list[tuple[str, str | None, str | None, dict]]:
    db.expire_all()
    rows = db.execute(
        select(
            models.AuditEvent.action,
            models.AuditEvent.actor,
            models.AuditEvent.target,
            models.AuditEvent.details,
        ).order_by(models.AuditEvent.id)
    )
    return [tuple(row) for row in rows]


def test_a_rounds_life_and_its_export_are_in_the_log(runner, db, tmp_path):
    def run(*args):
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result

    run("forbund", "add", "norrsund", "Norrsund")
    run("round", "create", "--forbund", "norrsund", "--label", "2026")
    run("round", "open", "norrsund/2026")
    token = run("invite", "--round", "norrsund/2026", "--count", "3").output.split()[-1]
    run("round", "close", "norrsund/2026")
    run("round", "publish", "norrsund/2026")
    run("export", "--kind", "research", "--out", str(tmp_path / "data.csv"))
    source = tmp_path / "q.yaml"
    text = (QUESTIONNAIRES / "integrerad-samverkan-v1.yaml").read_text(encoding="utf-8")
    source.write_text(text.replace("version: 1", "version: 3", 1), encoding="utf-8")
    run("load-questionnaire", str(source))

    logged = [(action, actor, target) for action, actor, target, _ in events(db)]
    assert logged == [
        ("forbund_added", "cli", "norrsund"),
        ("round_created", "cli", "norrsund/2026"),
        ("round_opened", "cli", "norrsund/2026"),
        ("links_created", "cli", "norrsund/2026"),
        ("round_closed", "cli", "norrsund/2026"),
        ("round_published", "cli", "norrsund/2026"),
        ("export", "cli", "research.csv"),
        ("questionnaire_loaded", "cli", "integrerad-samverkan:3"),
    ]
    export = events(db)[6][3]
    assert export == {"rounds": ["norrsund/2026"], "recoded": True, "comments": False}
    # No link, token or hash of one anywhere in the log.
    assert token.rsplit("/", 1)[-1] not in json.dumps(events(db))


def test_web_exports_are_logged_with_who_asked(app, db):
    rnd = make_round(db, state="published")
    for _ in range(5):
        add_response(db, rnd, all_items(db, rnd, lambda _item: 4))
    client = signed_in(app, app.test_client(), "researcher", email="eva@uni.test")
    assert client.get("/export/research.xlsx").status_code == 200
    action, actor, target, details = events(db)[-1]
    assert (action, actor, target) == ("export", "eva@uni.test", "research.xlsx")
    assert details["recoded"] is True and details["rounds"] == ["norrsund/2026"]


def test_system_administrators_read_the_log_on_a_page_and_as_csv(app, db, runner):
    runner.invoke(args=["forbund", "add", "sydkust", "Sydkust"])
    admin = signed_in(app, app.test_client())
    page = admin.get("/admin/audit")
    assert page.status_code == 200 and "Granskningslogg" in page.text
    # Sentences in the page's language, not codes and JSON.
    assert "lade till förbundet sydkust (Sydkust)" in page.text
    assert "forbund_added" not in page.text.split('id="audit"', 1)[1]
    assert "{" not in page.text.split('id="audit"', 1)[1].split("</table>")[0]
    english = admin.get("/admin/audit?lang=en")
    assert "added the coordination association sydkust (Sydkust)" in english.text
    rows = list(csv.reader(io.StringIO(admin.get("/admin/audit.csv?lang=sv").text)))
    assert rows[0] == ["at", "actor", "action", "target", "details", "description"]
    assert ["cli", "forbund_added", "sydkust"] == rows[-1][1:4]
    assert rows[-1][5] == "lade till förbundet sydkust (Sydkust)"


def test_the_log_is_filtered_by_who_what_and_when_on_the_page_and_in_the_csv(app, db, runner):
    runner.invoke(args=["forbund", "add", "sydkust", "Sydkust"])
    admin = signed_in(app, app.test_client())
    added = {"email": "anna@sydkust.se", "role": "board", "forbund": "sydkust"}
    admin.post(
        "/admin/users", data={"csrf_token": csrf_token(admin.get("/admin/users").text), **added}
    )
    only_users = admin.get("/admin/audit?what=users&who=ADMIN@test")
    assert "lade till användaren anna@sydkust.se som styrelse – sydkust" in only_users.text
    assert "lade till förbundet sydkust" not in only_users.text  # another kind
    nobody = admin.get("/admin/audit?who=cli&what=users")
    assert "Inga händelser passar." in nobody.text
    future = admin.get("/admin/audit?from=2999-01-01")
    assert "Inga händelser passar." in future.text
    today = admin.get(f"/admin/audit?to={dt.date.today().isoformat()}&what=rounds")
    assert "lade till förbundet sydkust (Sydkust)" in today.text
    assert re.search(r'href="/admin/audit.csv\?[^"]*what=users', only_users.text)
    rows = list(csv.reader(io.StringIO(admin.get("/admin/audit.csv?what=users").text)))
    assert [r[2] for r in rows[1:]] == ["user_added"]
    bad = admin.get("/admin/audit?from=igår")
    assert bad.status_code == 400
    assert "Från: ”igår” är inte ett datum" in bad.text
    assert admin.get("/admin/audit.csv?to=31/12").status_code == 400


def test_the_log_as_csv_never_starts_a_cell_with_a_formula(app, db):
    admin = signed_in(app, app.test_client(), email="=cmd|' /C calc'!A0@evil.test")
    token = csrf_token(admin.get("/admin/users").text)  # signing in is not logged: act
    added = {"email": "x@n.se", "role": "researcher", "forbund": ""}
    assert admin.post("/admin/users", data={"csrf_token": token, **added}).status_code == 200
    rows = list(csv.reader(io.StringIO(admin.get("/admin/audit.csv").text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("cmd|" in cell for cell in cells), rows
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells)

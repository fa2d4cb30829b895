"""A förbund administrator runs a consensus workshop on a published round: the dimensions
from most split to most agreed on a projector page with the published distribution, the
level descriptions and the statements' means; the group's agreed level, target and
rationale are recorded and corrected (each in the audit log) until the workshop is done."""

from __future__ import annotations

import pytest
from board_html import figure_data, tables
from builders import csrf_token, make_round, rate_levels
from conftest import signed_in
from sqlalchemy import select

from survey.db import models

URL = "/admin/f/norrsund/rounds/2027/workshop"


@pytest.fixture
def admin(app, client, db):
    rnd = make_round(db, slug="norrsund", label="2027", state="published", version=3)
    people = [("handlaggare", {"STRAT.NOW": v, "STYR.NOW": 3}) for v in (1, 1, 3, 3, 3, 5, 5)]
    people += [("chef", {"STRAT.NOW": 2, "STYR.NOW": 3})]
    rate_levels(db, rnd, people)
    return signed_in(app, client, role="forbund_admin", forbund="norrsund", email="a@n.invalid")


def test_an_administrator_opens_a_workshop_and_records_agreed_levels(admin, db):
    first = admin.get(URL)
    assert "Öppna workshoppen" in first.text
    csrf = csrf_token(first.text)
    assert admin.post(f"{URL}/open", data={"csrf_token": csrf}).status_code == 303
    overview = tables(admin.get(URL).text)["workshop-dimensions"]
    # STRAT is split (1,1,2 / 3,3,3 / 5,5), so it comes first; STYR agrees.
    assert overview[1][:2] == ["Strategi och långsiktighet", "splittrad bild"]

    projector = admin.get(f"{URL}/STRAT")
    assert projector.status_code == 200
    distribution = tables(projector.text)["distribution"]
    assert [row[0] for row in distribution[1:]] == ["1", "2", "3", "4", "5"]
    assert [row[2] for row in distribution[1:]] == ["2", "1", "3", "0", "2"]
    assert "Samverkan är en rad tidsbegränsade projekt" in projector.text
    assert tables(projector.text)["statements"][1][1].startswith("3,00")

    sent = admin.post(
        f"{URL}/STRAT",
        data={"csrf_token": csrf, "current": "2", "target": "4", "rationale": "Mest projekt."},
    )
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/workshop/STYR")
    corrected = admin.post(
        f"{URL}/STRAT",
        data={"csrf_token": csrf, "current": "3", "target": "4", "rationale": "Strategin finns."},
    )
    assert corrected.status_code == 303
    row = db.scalar(select(models.AgreedLevel).filter_by(dimension="STRAT"))
    db.refresh(row)
    assert (row.current_level, row.target_level, row.rationale) == (3, 4, "Strategin finns.")
    actions = [
        (e.actor, e.action, e.target)
        for e in db.scalars(select(models.AuditEvent).order_by(models.AuditEvent.id))
        if e.action.startswith("workshop")
    ]
    assert actions == [
        ("a@n.invalid", "workshop_opened", "norrsund/2027"),
        ("a@n.invalid", "workshop_level_recorded", "norrsund/2027/STRAT"),
        ("a@n.invalid", "workshop_level_corrected", "norrsund/2027/STRAT"),
    ]
    # The respondents' ratings are untouched.
    assert db.scalar(select(models.Answer.value).join(models.Item).filter(
        models.Item.code == "STRAT.NOW").order_by(models.Answer.value)) == 1  # fmt: skip


def test_a_bad_level_is_refused_with_a_message_and_done_is_final(admin, db):
    csrf = csrf_token(admin.get(URL).text)
    admin.post(f"{URL}/open", data={"csrf_token": csrf})
    bad = admin.post(f"{URL}/STRAT", data={"csrf_token": csrf, "current": "7", "target": "4"})
    assert bad.status_code == 400
    assert "Den överenskomna nivån ska vara 1–5, inte ”7”." in bad.text
    assert db.scalar(select(models.AgreedLevel)) is None

    assert admin.post(f"{URL}/done", data={"csrf_token": csrf}).status_code == 303
    assert "Klar: de överenskomna nivåerna gäller." in admin.get(URL).text
    late = admin.post(f"{URL}/STRAT", data={"csrf_token": csrf, "current": "3"})
    assert late.status_code == 400
    assert db.scalar(select(models.AgreedLevel)) is None


def test_no_workshop_before_publication(app, client, db):
    make_round(db, slug="norrsund", label="2027", state="closed", version=3)
    admin = signed_in(app, client, role="forbund_admin", forbund="norrsund")
    page = admin.get(URL)
    assert page.status_code == 409
    assert "publicera" in page.text.lower()


def test_the_board_reads_the_agreed_levels_on_its_page_and_in_its_workbook(admin, app, db):
    import io

    from openpyxl import load_workbook

    csrf = csrf_token(admin.get(URL).text)
    admin.post(f"{URL}/open", data={"csrf_token": csrf})
    admin.post(
        f"{URL}/STRAT",
        data={"csrf_token": csrf, "current": "2", "target": "4", "rationale": "=SUM(A1)"},
    )
    board = signed_in(app, app.test_client(), role="board", forbund="norrsund", email="b@n.invalid")
    page = board.get("/f/norrsund/maturity?round=2027")
    table = tables(page.text)["by-gap"]
    header = table[0]
    strat = next(row for row in table if row[0] == "Strategi och långsiktighet")
    cells = dict(zip(header, strat, strict=True))
    assert cells["Överenskommen nivå i dag"] == "2" and cells["Överenskommen målnivå"] == "4"
    radar = figure_data(page.text, "levels")
    assert radar["data"][-1]["name"] == "Överenskommen nivå (workshop)"
    assert radar["data"][-1]["r"][0] == 2

    book = load_workbook(io.BytesIO(board.get("/export/norrsund/2027.xlsx").data))
    sheet = book["Överenskomna nivåer"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:6] == ("Norrsund samordningsförbund", "2027", "Strategi och långsiktighet",
                           "STRAT", 2, 4)  # fmt: skip
    assert rows[1][6] == "'=SUM(A1)" or not str(rows[1][6]).startswith("=")
    # The board may read, never write: tests/test_access.py walks every workshop route.
    assert board.get(URL).status_code == 403

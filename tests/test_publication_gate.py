"""Every figure comes from published rounds only: one gate (survey/results/gate.py) that
every page, JSON, workbook and export goes through.

The attack (issue 19, item 1): the board workbook built its trend sheet from every round
with a label up to the chosen one, published or not. Downloading it, waiting for one
more person to submit in the open round and downloading it again gave that person's
score in every dimension by subtraction; a closed round never published was there too.
Here a board member (a system administrator, who may open every output) reads every
output that shows a figure, someone submits in the open rounds, the administrator closes
one without publishing, and every output must read exactly as before.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from builders import add_response, all_items, answer_all, invite, make_round, make_user
from openpyxl import load_workbook

from survey.accounts import api_tokens
from survey.db.audit import utcnow
from survey.results import scoring
from survey.rounds import lifecycle

#: Norrsund's rounds: 2023 and 2026 published, 2024 closed but never published, 2025
#: open. The other förbund published 2026 (so there is a national reference), and Österby
#: has 2026 open.
UNSEEN = ("2024", "2025")


def _responses(db, rnd, count, level):
    for i in range(count):
        value = 1 + (level + i) % 5
        add_response(db, rnd, all_items(db, rnd, lambda item, v=value: v))


@pytest.fixture
def world(db):
    rounds = {
        "2023": make_round(db, "norrsund", "2023", state="published"),
        "2024": make_round(db, "norrsund", "2024", state="closed"),
        "2025": make_round(db, "norrsund", "2025", state="open"),
        "2026": make_round(db, "norrsund", "2026", state="published"),
        "sydkust": make_round(db, "sydkust", "2026", state="published"),
        "vastra": make_round(db, "vastra", "2026", state="published"),
        "osterby": make_round(db, "osterby", "2026", state="open"),
    }
    for level, key in enumerate(rounds):
        _responses(db, rounds[key], 7, level)
    return rounds


def _page(client, url: str) -> str:
    """The page as a reader sees it, without what differs on every request anyway (the
    CSP nonce, the form token)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = response.get_data(as_text=True)
    text = re.sub(r'nonce="[^"]*"', "", text)
    return re.sub(r'name="csrf_token" value="[^"]*"', "", text)


def _sheets(client, url: str) -> dict[str, list[tuple]]:
    """Every cell of every sheet, but the export time."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    wb = load_workbook(io.BytesIO(response.data), read_only=True)
    return {
        ws.title: [
            row
            for row in ws.iter_rows(values_only=True)
            if not any(isinstance(c, str) and re.match(r"\d{4}-\d\d-\d\dT", c) for c in row)
        ]
        for ws in wb.worksheets
    }


def _csv_rows(text: str) -> list[tuple]:
    """A research file's rows without its export-local ids (a fresh key per export)."""
    text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:200] else ","))
    head, body = rows[0], rows[1:]
    keep = [i for i, name in enumerate(head) if "id" not in name.lower()]
    return sorted(tuple(row[i] for i in keep) for row in body)


def _research_rows(client, url: str) -> list[tuple]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return _csv_rows(response.get_data(as_text=True))


def _package_rows(client, url: str) -> dict[str, list[tuple]]:
    """The research package's wide and long CSV files (the SPSS, Stata, R and Parquet
    files beside them are written from the same rows in the same pass)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:
        return {
            name: _csv_rows(package.read(name).decode("utf-8"))
            for name in ("svar.csv", "svar_lang.csv")
        }


def _command_line_workbook(app, tmp_path) -> dict[str, list[tuple]]:
    """`survey export --kind board`, as an operator runs it."""
    out = tmp_path / "styrelse.xlsx"
    out.unlink(missing_ok=True)
    args = ["export", "--kind", "board", "--forbund", "norrsund", "--round", "2026"]
    result = app.test_cli_runner().invoke(args=[*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out, read_only=True)
    return {
        ws.title: [
            row
            for row in ws.iter_rows(values_only=True)
            if not any(isinstance(c, str) and re.match(r"\d{4}-\d\d-\d\dT", c) for c in row)
        ]
        for ws in wb.worksheets
    }


def _research_sheet(client, url: str) -> list[tuple]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    ws = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    keep = [i for i, name in enumerate(rows[0]) if "id" not in str(name).lower()]
    return sorted((tuple(str(r[i]) for i in keep) for r in rows[1:]), key=str)


HTML = [
    "/f/norrsund?round=2026",
    "/f/norrsund/report?round=2026",  # the PDF is this page printed by Chromium
    "/f/norrsund/items?round=2026",
    "/compare?round=2026&f=norrsund",
    "/f/sydkust?round=2026",
]
JSON = ["/f/norrsund/data.json?round=2026", "/f/vastra/data.json?round=2026"]
WORKBOOKS = ["/export/norrsund/2026.xlsx", "/export/board.xlsx?forbund=norrsund&round=2026"]
WORKBOOKS += ["/export/board.xlsx"]
RESEARCH_CSV = ["/export/research.csv?version=1"]
RESEARCH_XLSX = ["/export/research.xlsx?version=1"]
RESEARCH_ZIP = ["/export/research.zip?version=1"]
#: The read-only API (one research token: its rows keep their ids from call to call).
API = [
    "/api/v1/forbund/norrsund/rounds/2026/aggregates",
    "/api/v1/forbund/vastra/rounds/2026/aggregates",
    "/api/v1/research/rows?version=1&per_page=500",
]


def _api(app, url: str) -> object:
    if not hasattr(app, "api_headers"):
        with app.extensions["survey_sessions"]() as db:
            researcher = make_user(db, "api@test.invalid", "researcher")
            token = api_tokens.issue(db, researcher, "gate", "research", None, 30, utcnow())
        app.api_headers = {"Authorization": f"Bearer {token.secret}"}
    response = app.test_client().get(url, headers=app.api_headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_json()


def everything(client, app=None, tmp_path=None) -> dict[str, object]:
    """What every output that shows a figure says."""
    seen: dict[str, object] = {url: _page(client, url) for url in HTML}
    seen.update({url: _package_rows(client, url) for url in RESEARCH_ZIP})
    if app is not None:
        seen["survey export --kind board"] = _command_line_workbook(app, tmp_path)
        seen.update({url: _api(app, url) for url in API})
    seen.update({url: client.get(url).get_json() for url in JSON})
    seen.update({url: _sheets(client, url) for url in WORKBOOKS})
    seen.update({url: _research_rows(client, url) for url in RESEARCH_CSV})
    seen.update({url: _research_sheet(client, url) for url in RESEARCH_XLSX})
    return seen


def test_a_submit_and_an_unpublished_close_change_nothing_anyone_can_read(
    app, db, admin_client, world, tmp_path
):
    before = everything(admin_client, app, tmp_path)
    # One more person answers in Norrsund's open round, and one in Österby's, through
    # the respondent's pages.
    respondent = app.test_client()
    for key in ("2025", "osterby"):
        (token,) = invite(db, world[key])
        answer_all(respondent, token, value=lambda code: "5")
    after_submit = everything(admin_client, app, tmp_path)
    # The administrator closes Norrsund 2025 and does not publish it.
    lifecycle.close_round(world["2025"], world["2025"].closes_on)
    db.commit()
    after_close = everything(admin_client, app, tmp_path)
    for url in before:
        assert after_submit[url] == before[url], f"{url} changed after one submit"
        assert after_close[url] == before[url], f"{url} changed when a round closed"


def test_no_workbook_sheet_names_or_counts_an_unpublished_round(app, db, admin_client, world):
    for url in WORKBOOKS:
        for title, rows in _sheets(admin_client, url).items():
            cells = [c for row in rows for c in row if c is not None]
            for label in UNSEEN:
                assert label not in cells, f"{url}, sheet {title}: round {label}"
    trend = _sheets(admin_client, WORKBOOKS[0])["Norrsund samordningsförbund"]
    header = next(row for row in trend if row and row[0] == "Dimension")
    assert [c for c in header[1:] if c and c != "n"][:2] == ["2023", "2026"]


def test_research_files_hold_no_row_of_an_unpublished_round(app, db, admin_client, world):
    rows = _research_rows(admin_client, RESEARCH_CSV[0])
    assert len(rows) == 4 * 7  # Norrsund 2023, 2026, Sydkust and Västra 2026
    assert {r[0] for r in rows} == {"2023", "2026"}  # the round label comes first
    response = admin_client.get("/export/research.csv?version=1&round=2025")
    assert response.status_code in (400, 404)  # no published round 2025: nothing to export


def test_every_statement_behind_the_figures_ignores_unpublished_rounds(app, db, world):
    """The gate is in the core statements themselves, so an output that forgets to ask
    whether a round is published still shows nothing of it."""
    unseen = [world["2024"].id, world["2025"].id, world["osterby"].id]
    assert scoring.dimension_stats(db, unseen, 5) == []
    assert scoring.dimension_stats(db, unseen, 5, "role") == []
    assert scoring.item_stats(db, unseen, 5) == []
    counted = scoring.national_reference(db, "2026", "integrerad-samverkan", 5, demo=False)
    assert {ref.n_associations for ref in counted.values()} == {3}

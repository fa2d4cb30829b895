"""The board's workbook: aggregates only, suppressed as on the pages, a trend per förbund
and a native Excel radar chart against the national reference."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from exportdata import build, expected_rows, sheet_rows, workbook
from openpyxl.chart import RadarChart

from survey.db import models


@pytest.fixture
def client(admin_client):
    """These tests are about the board's pages and downloads, which need a signed-in user:
    a system administrator's browser (who may use which route: tests/test_access.py)."""
    return admin_client


def as_shown(value: float) -> float:
    """Two decimals, half away from zero, as the pages show it (the workbook's cells hold
    exactly that figure)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def strat_mean(db, round_id: int) -> float:
    q_dims = [d.code for d in db.get(models.Round, round_id).questionnaire.dimensions]
    scores = [r[6 + 40 + q_dims.index("STRAT")] for r in expected_rows(db, [round_id])]
    return sum(scores) / len(scores)


def test_dashboard_download_gives_the_board_workbook_with_trend_and_radar(client, db):
    rounds = build(db)
    page = client.get("/f/norrsund?round=2026")
    assert 'href="/export/norrsund/2026.xlsx"' in page.text
    resp = client.get("/export/norrsund/2026.xlsx")
    assert resp.status_code == 200
    assert "samverkansmataren-styrelse-2026-norrsund.xlsx" in resp.headers["Content-Disposition"]
    wb = workbook(resp.data)
    assert wb.sheetnames == ["Översikt", "Norrsund samordningsförbund", "Om exporten"]

    overview = sheet_rows(wb, "Översikt")
    header, rows = overview[0], {r[3]: r for r in overview[1:]}
    assert header[:6] == ("Förbund", "Omgång", "Dimension", "Kod", "Antal svar (n)", "Medelvärde")
    assert len(rows) == 10
    strat = rows["STRAT"]
    assert strat[:5] == (
        "Norrsund samordningsförbund",
        "2026",
        "Strategi och långsiktighet",
        "STRAT",
        6,
    )
    assert strat[5] == as_shown(strat_mean(db, rounds["n26"].id))
    # Sydkust (n = 2) is suppressed, so only Norrsund counts: no national reference (one
    # förbund's reference would be its own mean), and the cell says so.
    reference = strat[header.index("Riksreferens")]
    assert reference == "ingen riksreferens ännu (färre än 3 förbund)"
    assert strat[header.index("Förbund i referensen")] == 0
    # pandas reads the overview as numbers and text, no cleaning needed.
    df = pd.read_excel(io.BytesIO(resp.data), sheet_name="Översikt", dtype={"Omgång": str})
    assert df["Antal svar (n)"].tolist() == [r[4] for r in overview[1:]]
    assert df["Medelvärde"].tolist() == [r[5] for r in overview[1:]]
    # TILL: three of the six answered too few of its statements, so n = 3 < k.
    assert rows["TILL"][4:7] == (3, "för få svar (n < 5)", None)
    # No respondent rows in a board file.
    assert not any(name.startswith("Svar") for name in wb.sheetnames)

    sheet = sheet_rows(wb, "Norrsund samordningsförbund")
    trend_header = next(r for r in sheet if r[0] == "Dimension")
    assert trend_header[:5] == ("Dimension", "2025", "n", "2026", "n")
    strat_trend = next(r for r in sheet if r[0] == "Strategi och långsiktighet")
    assert strat_trend[1] == as_shown(strat_mean(db, rounds["n25"].id))
    assert strat_trend[2] == 5 and strat_trend[4] == 6

    charts = wb["Norrsund samordningsförbund"]._charts
    assert len(charts) == 1 and isinstance(charts[0], RadarChart)
    with zipfile.ZipFile(io.BytesIO(resp.data)) as xlsx:
        chart_xml = xlsx.read("xl/charts/chart1.xml").decode()
    assert re.search(r"<(\w+:)?radarChart>", chart_xml)
    assert "'Norrsund samordningsförbund'!$B$18:$B$27" in chart_xml  # the förbund's series
    assert "'Norrsund samordningsförbund'!$C$18:$C$27" in chart_xml  # the national reference


def test_suppressed_groups_never_appear_in_board_exports(client, db):
    rounds = build(db)
    resp = client.get("/export/board.xlsx?round=2026")
    assert resp.status_code == 200
    wb = workbook(resp.data)
    assert wb.sheetnames == [
        "Översikt",
        "Norrsund samordningsförbund",
        "Sydkust samordningsförbund",
        "Om exporten",
    ]
    overview = sheet_rows(wb, "Översikt")
    sydkust = [r for r in overview[1:] if r[0] == "Sydkust samordningsförbund"]
    assert len(sydkust) == 10
    for row in sydkust:
        assert row[5] == "för få svar (n < 5)" and row[6] is None
    # Sydkust's two respondents all gave STRAT 1, 1, 2 (reverse → 4), 1: a mean of 1.75 that
    # must not be readable anywhere in the file, neither as a figure nor as chart data.
    hidden = strat_mean(db, rounds["s26"].id)
    assert hidden == 1.75
    numbers = [
        v
        for name in wb.sheetnames
        for row in sheet_rows(wb, name)
        for v in row
        if isinstance(v, float)
    ]
    assert all(abs(v - as_shown(hidden)) > 1e-9 for v in numbers)
    sheet = sheet_rows(wb, "Sydkust samordningsförbund")
    data_start = next(i for i, r in enumerate(sheet) if r[0] and "Diagramdata" in r[0]) + 2
    assert [r[1] for r in sheet[data_start : data_start + 10]] == [None] * 10
    assert isinstance(wb["Sydkust samordningsförbund"]._charts[0], RadarChart)


def test_board_workbook_speaks_english_when_asked(client, db):
    build(db)
    wb = workbook(client.get("/export/board.xlsx?round=2026&forbund=sydkust&lang=en").data)
    assert wb.sheetnames == ["Overview", "Sydkust samordningsförbund", "About"]
    row = sheet_rows(wb, "Overview")[1]
    assert row[2] == "Strategy and long-term approach" and row[5] == "too few answers (n < 5)"


def test_long_forbund_names_become_sheet_names_cut_between_words_and_unique(client, db):
    rounds = build(db)
    rounds["n26"].association.name = "Norrsunds samordningsförbund (demo)"
    rounds["s26"].association.name = "Norrsunds samordningsförbund (dalarna)"
    db.commit()
    wb = workbook(client.get("/export/board.xlsx?round=2026").data)
    assert wb.sheetnames == [
        "Översikt",
        "Norrsunds samordningsförbund",  # (dalarna), not "Norrsunds samordningsförbund (d"
        "Norrsunds (demo)",  # the middle word gives way to the one that tells them apart
        "Om exporten",
    ]
    header = sheet_rows(wb, "Översikt")[0]
    assert "Riksreferens" in header and "Nationell referens" not in header

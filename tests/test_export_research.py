"""The researcher's workbook, downloaded as a researcher would, read back with openpyxl and
pandas and checked against the database."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from builders import default_questionnaire, make_round
from exportdata import COMMENT, all_other, build, expected_rows, same, sheet_rows, workbook
from sqlalchemy import func, select

from survey.db import models


@pytest.fixture
def client(admin_client):
    """These tests are about the board's pages and downloads, which need a signed-in user:
    a system administrator's browser (who may use which route: tests/test_access.py)."""
    return admin_client


def test_research_workbook_holds_every_submitted_response_exactly(client, db):
    rounds = build(db)
    resp = client.get("/export/research.xlsx?round=2026")
    assert resp.status_code == 200
    assert "samverkansmataren-forskning-2026.xlsx" in resp.headers["Content-Disposition"]
    wb = workbook(resp.data)
    assert wb.sheetnames == [
        "Svar",
        "Svar_lång",
        "Kodbok",
        "Metadata",
        "Reliabilitet",
        "Overensstammelse",
    ]

    svar = sheet_rows(wb, "Svar")
    header, rows = svar[0], svar[1:]
    asked = {"questionnaire_id": default_questionnaire(db).id}  # version 1
    items = [i.code for i in db.scalars(select(models.Item).filter_by(**asked).order_by("id"))]
    dims = [d.code for d in db.scalars(select(models.Dimension).filter_by(**asked).order_by("id"))]
    head = ["svar_id", "omgang", "forbund", "forbund_namn", "roll", "part", "demo"]
    assert list(header) == [*head, *items, *(d + "_medel" for d in dims)]
    # Recoded (k = 5): Norrsund's six have role and agency "ovrig"; Sydkust's two, alone
    # in the round with fewer than k, are left out (test_export_recoding has the rules).
    expected = all_other(expected_rows(db, [rounds["n26"].id]))
    assert len(rows) == 6 and same([r[1:] for r in rows], expected)

    # Types as a researcher's tools will see them: integers 1–5, empty for "vet ej".
    styr2, strat_score = header.index("STYR2"), header.index("STRAT_medel")
    assert all(type(r[0]) is int for r in rows)
    assert {type(v) for r in rows for v in r[7 : 7 + len(items)]} <= {int, type(None)}
    # Excel has one number type: a score of 4.0 reads back as 4, 3.25 as 3.25.
    assert all(type(r[strat_score]) in (int, float) for r in rows)
    assert any(type(r[strat_score]) is float for r in rows)
    assert {r[styr2] for r in rows if r[2] == "norrsund"} == {None}
    # Export-local ids: unique, and not the database's.
    ids = {r[0] for r in rows}
    db_ids = set(db.scalars(select(models.Response.id)))
    assert len(ids) == 6 and ids != db_ids

    # Long: one row per stored answer ("vet ej" with an empty value), none for skipped items.
    long = sheet_rows(wb, "Svar_lång")
    assert long[0] == ("svar_id", "pastaende", "varde", "demo")
    stored = db.scalar(
        select(func.count())
        .select_from(models.Answer)
        .join(models.Response)
        .where(models.Response.round_id == rounds["n26"].id)
    )
    assert len(long) - 1 == stored
    wide_by_id = {r[0]: r for r in rows}
    for response_id, code, value, demo in long[1:]:
        assert demo == 0
        assert wide_by_id[response_id][header.index(code)] == value
    assert any(code == "STYR2" and value is None for _, code, value, _d in long[1:])
    assert not any(code == "RES3" for _, code, _v, _d in long[1:])

    # pandas reads the same values without any cleaning (round labels are text; pandas would
    # otherwise read "2026" as the number 2026).
    frames = pd.read_excel(io.BytesIO(resp.data), sheet_name=None, dtype={"omgang": str})
    df = frames["Svar"]
    assert list(df.columns) == list(header) and len(df) == 6
    for row in rows:
        got = df[df.svar_id == row[0]].iloc[0]
        for name, value in zip(header, row, strict=True):
            assert (pd.isna(got[name]) and value is None) or got[name] == value
    assert len(frames["Svar_lång"]) == stored

    # Comments are left out unless asked for.
    for name in wb.sheetnames:
        assert not any("Åsa" in str(v) for row in sheet_rows(wb, name) for v in row)


def test_codebook_labels_every_variable_and_metadata_describes_the_export(client, db):
    build(db)
    wb = workbook(client.get("/export/research.xlsx?round=2026&forbund=norrsund").data)
    book = sheet_rows(wb, "Kodbok")
    columns = book[0]
    entries = {(r[0], r[1]): dict(zip(columns, r, strict=True)) for r in book[1:]}
    svar_header = sheet_rows(wb, "Svar")[0]
    assert [name for sheet, name in entries if sheet == "Svar"] == list(svar_header)
    assert {name for sheet, name in entries if sheet == "Svar_lång"} == {
        "svar_id",
        "pastaende",
        "varde",
        "demo",
    }

    strat3 = entries[("Svar", "STRAT3")]
    item = db.scalar(select(models.Item).filter_by(code="STRAT3"))
    assert (strat3["etikett_sv"], strat3["etikett_en"]) == (item.text_sv, item.text_en)
    assert strat3["dimension"] == "STRAT" and strat3["omvand"] is True
    assert entries[("Svar", "STRAT1")]["omvand"] is False
    assert strat3["vardeetiketter_sv"].startswith("1 = Instämmer inte alls; 2 = ")
    assert "5 = Strongly agree" in strat3["vardeetiketter_en"]
    assert "vet ej" in strat3["tom_cell_sv"] and "don't know" in strat3["tom_cell_en"]
    assert "fk = Försäkringskassan" in entries[("Svar", "part")]["vardeetiketter_sv"]
    assert "chef = First-line manager" in entries[("Svar", "roll")]["vardeetiketter_en"]
    assert (
        "norrsund = Norrsund samordningsförbund"
        in entries[("Svar", "forbund")]["vardeetiketter_sv"]
    )
    score = entries[("Svar", "STRAT_medel")]
    assert score["typ"] == "decimaltal" and "hälften" in score["tom_cell_sv"]

    meta = {r[0]: r[1] for r in sheet_rows(wb, "Metadata")[1:] if r[0]}
    assert meta["enkät"] == "integrerad-samverkan"
    assert meta["enkätversioner"] == "integrerad-samverkan v1"
    assert meta["omgångar"] == "2026" and meta["förbund"] == "norrsund"
    assert meta["antal svar"] == 6 and meta["minsta gruppstorlek k"] == 5
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["exporttid (UTC)"])
    assert "6 − x" in meta["poängregler"] and meta["kommentarer"] == "ingår inte"
    rows = sheet_rows(wb, "Metadata")
    start = rows.index(
        ("omgång", "förbund", "förbundets namn", "enkät", "version", "status", "antal svar")
    )
    assert rows[start + 1 : start + 3] == [
        (
            "2026",
            "norrsund",
            "Norrsund samordningsförbund",
            "integrerad-samverkan",
            1,
            "published",
            6,
        ),
        (None,) * 7,
    ]


def test_comments_come_only_on_request_in_their_own_sheet_as_plain_text(client, db):
    build(db)
    wb = workbook(client.get("/export/research.xlsx?round=2026&comments=1").data)
    assert wb.sheetnames == [
        "Svar",
        "Svar_lång",
        "Kommentarer",
        "Kodbok",
        "Metadata",
        "Reliabilitet",
        "Overensstammelse",
    ]
    comments = sheet_rows(wb, "Kommentarer")
    assert comments[0] == ("svar_id", "dimension", "kommentar")
    by_dimension = {r[1]: r for r in comments[1:]}
    assert set(by_dimension) == {"SYN", "STRAT"}
    # A comment that looks like a formula stays text, shown after a single quote; a control
    # character Excel cannot store is dropped rather than breaking the file.
    assert by_dimension["SYN"][2] == "'" + COMMENT.replace("\x07", "")
    assert wb["Kommentarer"]["C2"].data_type == "s"
    # The comment's id is the id of its response in Svar.
    svar = {r[0]: r for r in sheet_rows(wb, "Svar")[1:]}
    assert by_dimension["SYN"][0] == by_dimension["STRAT"][0] and by_dimension["SYN"][0] in svar
    assert svar[by_dimension["SYN"][0]][2] == "norrsund"
    meta = {r[0]: r[1] for r in sheet_rows(wb, "Metadata")[1:] if r[0]}
    assert meta["kommentarer"] == "ingår (bladet Kommentarer)"


def test_ids_are_new_in_every_export(client, db):
    build(db)
    first = {
        r[0] for r in sheet_rows(workbook(client.get("/export/research.xlsx").data), "Svar")[1:]
    }
    again = {
        r[0] for r in sheet_rows(workbook(client.get("/export/research.xlsx").data), "Svar")[1:]
    }
    assert len(first) == len(again) == 11  # Sydkust's two are left out (fewer than k)
    assert len(first & again) <= 1  # independent random permutations


def test_unknown_filters_and_bad_parameters_are_named(client, db):
    build(db)
    before = db.scalar(select(func.count()).select_from(models.Response))
    cases = [
        ("/export/research.xlsx?round=1999", 404, "Det finns ingen mätomgång ”1999”"),
        (
            "/export/research.xlsx?forbund=nowhere",
            404,
            "Det finns inget samordningsförbund ”nowhere”",
        ),
        ("/export/research.xlsx?version=two", 400, "måste vara ett heltal, inte ”two”"),
        (
            "/export/research.xlsx?round=2025&forbund=sydkust",
            400,
            "Ingen publicerad mätomgång matchar",
        ),
        ("/export/research.csv?sep=tab", 400, "inte ”tab”"),
        ("/export/research.csv?comments=1", 400, "Kommentarer finns bara i forskarnas"),
        ("/export/board.xlsx?version=3", 400, "Ingen publicerad mätomgång matchar"),
    ]
    for url, status, message in cases:
        resp = client.get(url)
        assert resp.status_code == status, url
        assert resp.mimetype == "text/html" and message in resp.text, (url, resp.text)
    assert db.scalar(select(func.count()).select_from(models.Response)) == before


def test_a_round_without_answers_exports_headers_and_too_few_answers(client, db):
    make_round(db, label="2027", state="published")
    wb = workbook(client.get("/export/research.xlsx?round=2027").data)
    assert len(sheet_rows(wb, "Svar")) == 1 and len(sheet_rows(wb, "Svar_lång")) == 1
    meta = {r[0]: r[1] for r in sheet_rows(wb, "Metadata")[1:] if r[0]}
    assert meta["antal svar"] == 0
    csv_lines = client.get("/export/research.csv?round=2027").data.decode("utf-8-sig").splitlines()
    assert len(csv_lines) == 1 and csv_lines[0].startswith("svar_id,omgang,")
    board = workbook(client.get("/export/norrsund/2027.xlsx").data)
    assert {r[5] for r in sheet_rows(board, "Översikt")[1:]} == {"för få svar (n < 5)"}


def test_reliability_sheet_gives_cronbachs_alpha_per_round_and_dimension(client, db):
    build(db)
    wb = workbook(client.get("/export/research.xlsx").data)
    wide = sheet_rows(wb, "Svar")
    answers = pd.DataFrame(wide[1:], columns=wide[0])
    rows = sheet_rows(wb, "Reliabilitet")
    assert rows[0] == (
        "omgang",
        "forbund",
        "dimension",
        "n_kompletta",
        "antal_pastaenden",
        "cronbachs_alfa",
    )
    reverse = {"STRAT3", "PROC3", "TILL4", "INDV4"}
    shown = 0
    for label, slug, dimension, n, items, alpha in rows[1:]:
        group = answers[
            (answers["omgang"].astype(str) == str(label)) & (answers["forbund"] == slug)
        ]
        codes = [f"{dimension}{i}" for i in range(1, items + 1)]
        if group.empty:  # Sydkust: its rows are left out of the file (fewer than k)
            assert n < 5 and alpha is None, (label, slug, dimension)
            continue
        ratings = group[codes].apply(pd.to_numeric).dropna()
        for code in reverse & set(codes):
            ratings[code] = 6 - ratings[code]
        assert len(ratings) == n, (label, slug, dimension)
        if n < 5:
            assert alpha is None, (label, slug, dimension)
            continue
        by_hand = items / (items - 1) * (1 - ratings.var().sum() / ratings.sum(axis=1).var())
        assert alpha == pytest.approx(by_hand), (label, slug, dimension)
        shown += 1
    assert shown >= 10  # Norrsund's rounds have enough complete respondents in most dimensions
    codebook_sheets = {row[0] for row in sheet_rows(wb, "Kodbok")[1:]}
    assert "Reliabilitet" in codebook_sheets

"""The researcher's CSV: UTF-8 with a BOM, comma or semicolon (with decimal comma), the same
columns as the workbook's `Svar`, read back with the csv module and pandas."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from builders import add_response, make_round
from exportdata import all_other, build, expected_rows, same, sheet_rows, varied, workbook

from survey.db import models


@pytest.fixture
def client(admin_client):
    """These tests are about the board's pages and downloads, which need a signed-in user:
    a system administrator's browser (who may use which route: tests/test_access.py)."""
    return admin_client


@pytest.mark.parametrize(
    ("sep", "delimiter", "decimal"), [("comma", ",", "."), ("semicolon", ";", ",")]
)
def test_csv_has_the_columns_of_svar_and_reads_back_exactly(client, db, sep, delimiter, decimal):
    rounds = build(db)
    resp = client.get(f"/export/research.csv?round=2026&sep={sep}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "samverkansmataren-forskning-2026.csv" in resp.headers["Content-Disposition"]
    assert resp.data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    svar_header = sheet_rows(workbook(client.get("/export/research.xlsx?round=2026").data), "Svar")[
        0
    ]

    text = resp.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert tuple(rows[0]) == svar_header and len(rows) == 1 + 6  # recoded as Svar is
    score = rows[0].index("STRAT_medel")
    assert all(decimal in r[score] for r in rows[1:] if r[score] and not r[score].isdigit())
    other = "," if decimal == "." else "."
    assert not any(other in r[score] for r in rows[1:])

    df = pd.read_csv(
        io.BytesIO(resp.data),
        sep=delimiter,
        decimal=decimal,
        encoding="utf-8-sig",
        dtype={"omgang": str},
    )
    assert list(df.columns) == list(svar_header)
    assert df.svar_id.is_unique and str(df.svar_id.dtype) == "int64"
    got = [
        tuple(None if pd.isna(v) else (int(v) if 6 <= i < 46 else v) for i, v in enumerate(r))
        for r in df.itertuples(index=False)
    ]
    assert same([r[1:] for r in got], all_other(expected_rows(db, [rounds["n26"].id])))


@pytest.mark.parametrize(("sep", "delimiter"), [("comma", ","), ("semicolon", ";")])
def test_swedish_characters_survive_both_separators(client, db, sep, delimiter):
    name = "Älvsjö–Hägersten; Åre, Övik samordningsförbund"  # and the separators, quoted
    db.add(models.Association(slug="alvsjo", name=name))
    rnd = make_round(db, slug="alvsjo", label="2026", state="published")
    for seed in range(5):  # k responses: fewer would be left out of the file
        add_response(db, rnd, varied(seed))
    resp = client.get(f"/export/research.csv?sep={sep}")
    assert resp.status_code == 200
    assert name.encode("utf-8") in resp.data  # UTF-8, neither Latin-1 nor mangled
    df = pd.read_csv(io.BytesIO(resp.data), sep=delimiter, encoding="utf-8-sig")
    assert df.forbund_namn.tolist() == [name] * 5 and df.forbund.tolist() == ["alvsjo"] * 5
    # Excel opens a CSV as UTF-8 only with the byte order mark in front.
    assert resp.data.startswith("\ufeff".encode()) and not resp.data[3:].startswith(b"\xef")

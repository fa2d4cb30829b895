"""A researcher's research package carries the level question of questionnaire v3 (now and
desired per dimension) as columns beside the statements, with codebook rows, and rwg(j)
per round, förbund and dimension with its n: from published rounds only, empty below k."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow.parquet as pq
import pyreadstat
import pytest
from builders import add_response, close_and_publish, make_round

from survey.exports.package import write_package
from survey.exports.selection import ExportFilter, select_rounds
from survey.instruments.loading import load_questionnaire
from survey.services import round_actions

V3 = Path(__file__).parent.parent / "questionnaires" / "integrerad-samverkan-v3.yaml"

STRAT = ("STRAT1", "STRAT2", "STRAT3", "STRAT5", "STRAT6")
# Norrsund: eight people, their STRAT statements and where they see the förbund now and
# where they want it (one "vet ej" on the desired level).
NORRSUND = [
    ((4, 4, 3, 4, 5), 3, 4),
    ((4, 3, 3, 4, 4), 3, 5),
    ((5, 4, 4, 4, 5), 4, 5),
    ((2, 3, 3, 2, 3), 2, 4),
    ((4, 4, 4, 4, 4), 3, 4),
    ((3, 3, 2, 4, 4), 3, None),
    ((5, 5, 4, 5, 5), 4, 5),
    ((4, 4, 3, 3, 4), 3, 4),
]


def answers(statements, now, want) -> dict:
    return {**dict(zip(STRAT, statements, strict=True)), "STRAT.NOW": now, "STRAT.WANT": want}


@pytest.fixture
def package(db, tmp_path):
    """Norrsund (8, published), Västby (3, published: under k) and Söderby (6, closed but
    not published); the package as a researcher allowed unrecoded rows downloads it."""
    norrsund = make_round(db, "norrsund", version=3)
    for row in NORRSUND:
        add_response(db, norrsund, answers(*row))
    vastby = make_round(db, "vastby", version=3)
    for row in NORRSUND[:3]:
        add_response(db, vastby, answers(*row))
    soderby = make_round(db, "soderby", version=3)
    for row in NORRSUND[:6]:
        add_response(db, soderby, answers(*row))
    db.commit()
    close_and_publish(db, norrsund)
    close_and_publish(db, vastby)
    round_actions.close_round(db, "soderby", "2026", dt.date.today())  # never published
    out = io.BytesIO()
    write_package(db, select_rounds(db, ExportFilter()), out, k=5, recode=False, lang="sv")
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    archive.extractall(tmp_path)
    return archive, tmp_path


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_level_columns_are_in_every_form_with_codebook_rows(package):
    archive, folder = package
    rows = read_csv(archive, "svar.csv")
    assert {r["forbund"] for r in rows} == {"norrsund", "vastby"}  # Söderby: unpublished
    norrsund = [r for r in rows if r["forbund"] == "norrsund"]
    assert sorted(r["STRAT_niva_nu"] for r in norrsund) == sorted(str(n) for _, n, _ in NORRSUND)
    assert sorted(r["STRAT_niva_mal"] for r in norrsund) == sorted(
        "" if w is None else str(w) for *_, w in NORRSUND
    )
    # The statements' score is untouched by the level question (mean of STRAT1–6 only).
    first = next(r for r in norrsund if r["STRAT1"] == "2")
    assert float(first["STRAT_medel"]) == pytest.approx(13 / 5)

    names = {r["variabel"]: r for r in read_csv(archive, "kodbok.csv")}
    now = " ".join(names["STRAT_niva_nu"].values())
    assert "[STRAT, now]" in now and "Vilken nivå beskriver bäst samverkan" in now
    assert "1 = " in now and "5 = " in now  # value labels: the level descriptions
    assert "Vilken nivå borde samverkan ha nått om två år?" in " ".join(
        names["STRAT_niva_mal"].values()
    )

    wb = openpyxl.load_workbook(folder / "svar.xlsx", read_only=True)
    header = next(wb["Svar"].iter_rows(values_only=True))
    assert "STRAT_niva_nu" in header and "STRAT_niva_mal" in header
    kodbok = [r[1] for r in wb["Kodbok"].iter_rows(values_only=True)]
    assert "STRAT_niva_nu" in kodbok and "STRAT_niva_mal" in kodbok

    table = pq.read_table(folder / "svar.parquet")
    assert "STRAT_niva_nu" in table.column_names
    sav, meta = pyreadstat.read_sav(str(folder / "svar.sav"), user_missing=True)
    assert set(sav["STRAT_niva_mal"].dropna().astype(int)) <= {4, 5, 8, 9}
    assert 8 in set(sav["STRAT_niva_mal"].astype(int))  # "vet ej", as for statements
    level_one = load_questionnaire(V3).dimension("STRAT").levels[0].text["sv"]
    assert level_one.startswith(meta.variable_value_labels["STRAT_niva_nu"][1].rstrip("…"))
    assert "[STRAT, now]" in meta.column_names_to_labels["STRAT_niva_nu"]
    dta, _ = pyreadstat.read_dta(str(folder / "svar.dta"), user_missing=True)
    assert "STRAT_niva_nu" in dta.columns
    # Cronbach's α of STRAT is over its five statements, not the level question.
    alpha = [r for r in wb["Reliabilitet"].iter_rows(values_only=True) if r[2] == "STRAT"]
    assert alpha and all(r[4] == len(STRAT) for r in alpha)


def independent_rwg(rows) -> float:
    """James, Demaree & Wolf (1984): rwg(j) = J(1 − s̄²/σ²) / (J(1 − s̄²/σ²) + s̄²/σ²)."""
    data = np.array([statements for statements, _, _ in rows], dtype=float)
    mean_variance = data.var(axis=0, ddof=1).mean()
    ratio = mean_variance / 2.0  # σ²_E of the uniform null on five points: (5² − 1)/12
    j = data.shape[1]
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


def test_rwg_per_round_and_forbund_equals_an_independent_computation(package):
    archive, folder = package
    rows = {(r["forbund"], r["dimension"]): r for r in read_csv(archive, "overensstammelse.csv")}
    strat = rows["norrsund", "STRAT"]
    assert int(strat["n"]) == 8
    assert float(strat["rwg_j"]) == pytest.approx(independent_rwg(NORRSUND))
    # Västby: three people, under k: its n is there, its rwg is not.
    assert rows["vastby", "STRAT"]["n"] == "3" and rows["vastby", "STRAT"]["rwg_j"] == ""
    # Söderby's round is closed but not published: it contributes nothing.
    assert not any(forbund == "soderby" for forbund, _ in rows)
    wb = openpyxl.load_workbook(folder / "svar.xlsx", read_only=True)
    sheet = list(wb["Overensstammelse"].iter_rows(values_only=True))
    assert sheet[0] == ("omgang", "forbund", "dimension", "n", "rwg_j")
    in_book = {(r[1], r[2]): r for r in sheet[1:]}
    assert in_book["norrsund", "STRAT"][4] == pytest.approx(independent_rwg(NORRSUND))
    assert in_book["vastby", "STRAT"][4] is None
    codebook = archive.read("kodbok.csv").decode("utf-8-sig")
    assert "Overensstammelse" in codebook and "rwg_j" in codebook

"""The research package as a researcher opens it: every file read back with the tool a
researcher would use (pyreadstat for SPSS and Stata, pyarrow for Parquet, csv, openpyxl)
and compared with the database, value by value, label by label, missing code by code."""

from __future__ import annotations

import ast
import csv
import io
import zipfile

import pyarrow.parquet as pq
import pyreadstat
import pytest
from exportdata import ITEM_CODES, build, build_small_groups, sheet_rows, workbook
from sqlalchemy import select

from survey.db import models
from survey.exports import package
from survey.exports.package import write_package
from survey.exports.selection import ExportFilter, select_rounds
from survey.exports.statistics import DONT_KNOW, NOT_ANSWERED


@pytest.fixture
def client(admin_client):
    """The downloads need a signed-in user allowed row-level data (tests/test_access.py)."""
    return admin_client


def stored(db) -> dict[tuple, dict]:
    """Each submitted response as the statistics files must hold it, keyed by its answers
    (distinct per response in build_small_groups): 1–5, 8 for "vet ej", 9 for not answered."""
    result = {}
    for response in db.scalars(select(models.Response)):
        given = {a.item.code: a.value for a in response.answers}
        codes = tuple(
            NOT_ANSWERED if c not in given else DONT_KNOW if given[c] is None else given[c]
            for c in ITEM_CODES
        )
        result[codes] = {
            "omgang": response.round.label,
            "forbund": response.round.association.slug,
            "roll": response.role,
            "part": response.agency,
            "demo": int(response.round.association.is_demo),
        }
    return result


def unpack(data: bytes, tmp_path) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    archive.extractall(tmp_path)
    return archive


def test_spss_and_stata_files_hold_every_value_label_and_missing_code(db, tmp_path, monkeypatch):
    # Written by the second process a large export uses (the download test below: in-process).
    monkeypatch.setattr(package, "PARALLEL_FROM", 0)
    rounds = build_small_groups(db)
    rounds["vastby", "2026"].association.is_demo = True
    db.commit()
    selection = select_rounds(db, ExportFilter())
    out = io.BytesIO()
    result = write_package(db, selection, out, k=5, recode=False, lang="en")
    assert result.notice() is None and result.responses == 39
    unpack(out.getvalue(), tmp_path)
    expected = stored(db)
    q = db.scalar(select(models.Questionnaire))
    strat3 = db.scalar(select(models.Item).filter_by(code="STRAT3"))

    sav, meta = pyreadstat.read_sav(str(tmp_path / "svar.sav"), user_missing=True)
    dta, dmeta = pyreadstat.read_dta(str(tmp_path / "svar.dta"), user_missing=True)
    assert len(sav) == len(dta) == len(expected) == 39
    assert list(sav.svar_id) == list(dta.svar_id)  # one export: the same ids, same order
    seen = set()
    for i in range(len(sav)):
        codes = tuple(int(sav.at[i, c]) for c in ITEM_CODES)
        want = expected[codes]
        seen.add(codes)
        stata = tuple(dta.at[i, c] for c in ITEM_CODES)
        assert stata == tuple({8: "a", 9: "b"}.get(c, c) for c in codes)
        assert sav.at[i, "omgang"] == dta.at[i, "omgang"] == want["omgang"]
        assert int(sav.at[i, "demo"]) == want["demo"]
        for name in ("forbund", "roll", "part"):
            code = sav.at[i, name]
            if want[name] is None:
                assert code != code  # NaN: system missing
                continue
            label = meta.variable_value_labels[name][code]
            assert label == dmeta.variable_value_labels[name][int(dta.at[i, name])]
            if name == "forbund":
                assert label == rounds[want["forbund"], want["omgang"]].association.name
            else:
                choice = next(
                    c
                    for b in q.definition["background"]
                    if b["code"] == {"roll": "role", "part": "agency"}[name]
                    for c in b["choices"]
                    if c["code"] == want[name]
                )
                assert label == choice["label"]["en"]
    assert seen == set(expected)
    assert any(DONT_KNOW in c for c in seen) and any(NOT_ANSWERED in c for c in seen)

    # Labels, missing codes and measurement levels as the packages will show them.
    assert meta.column_names_to_labels["STRAT3"] == f"[STRAT, reversed] {strat3.text_en}"
    assert meta.column_names_to_labels["STRAT1"].startswith("[STRAT] ")
    assert meta.missing_ranges["STRAT1"] == [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    assert meta.variable_value_labels["STRAT1"] == {
        1.0: "Strongly disagree",
        2.0: meta.variable_value_labels["STRAT1"][2.0],
        3.0: meta.variable_value_labels["STRAT1"][3.0],
        4.0: meta.variable_value_labels["STRAT1"][4.0],
        5.0: "Strongly agree",
        8.0: "don't know",
        9.0: "not answered",
    }
    assert meta.variable_measure["STRAT1"] == "ordinal"
    assert meta.variable_measure["roll"] == "nominal"
    assert meta.variable_measure["STRAT_medel"] == "scale"
    # Stata reports the extended missing values a column holds.
    assert set().union(*dmeta.missing_user_values.values()) == {"a", "b"}
    assert dmeta.variable_value_labels["STRAT1"]["a"] == "don't know"
    assert dmeta.variable_value_labels["STRAT1"]["b"] == "not answered"
    assert all(len(label) <= 80 for label in dmeta.column_names_to_labels.values() if label)

    # Without user_missing, 8 and 9 are missing to SPSS: they never enter a mean.
    plain, _ = pyreadstat.read_sav(str(tmp_path / "svar.sav"))
    assert plain[ITEM_CODES].max().max() == 5
    # The scores equal those of the CSV (the same export).
    with (tmp_path / "svar.csv").open(encoding="utf-8-sig") as fh:
        rows = {int(r["svar_id"]): r for r in csv.DictReader(fh)}
    for i in range(len(sav)):
        row = rows[int(sav.at[i, "svar_id"])]
        score = sav.at[i, "STRAT_medel"]
        assert (row["STRAT_medel"] == "" and score != score) or float(row["STRAT_medel"]) == score

    script = (tmp_path / "svar.R").read_text(encoding="utf-8")
    assert 'read.csv("svar_koder.csv"' in script and "na_reason" in script
    assert all(f'attr(d${name}, "label")' in script for name in sav.columns)


def test_a_failure_in_the_second_process_fails_the_export(db, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "PARALLEL_FROM", 0)
    failing = tmp_path / "failing.py"
    failing.write_text("import sys\nsys.exit('OSError: no space left on device')\n")
    monkeypatch.setattr(package, "WRITER", failing)
    build_small_groups(db)
    with pytest.raises(RuntimeError, match="SPSS and Stata files failed.*no space left"):
        write_package(db, select_rounds(db, ExportFilter()), io.BytesIO(), k=5)


def test_the_statistics_writer_imports_nothing_of_the_app():
    """It runs as a process of its own (package.WRITER): importing the package `survey`
    would import the app (Flask, SQLAlchemy) into it for nothing."""
    tree = ast.parse(package.WRITER.read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported and not {name for name in imported if name.split(".")[0] == "survey"}


def test_package_download_every_form_from_one_export(client, db):
    rounds = build(db)
    resp = client.get("/export/research.zip?round=2026")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert "samverkansmataren-forskning-2026.zip" in resp.headers["Content-Disposition"]
    assert "X-Export-Notice" not in resp.headers
    archive = zipfile.ZipFile(io.BytesIO(resp.data))
    names = set(archive.namelist())
    assert names == {
        "README.txt",
        "svar.xlsx",
        "svar.csv",
        "svar_lang.csv",
        "svar.parquet",
        "svar_lang.parquet",
        "svar.sav",
        "svar.dta",
        "svar_koder.csv",
        "svar.R",
        "kodbok.csv",
        "overensstammelse.csv",
    }
    wb = workbook(archive.read("svar.xlsx"))
    svar = sheet_rows(wb, "Svar")
    ids = [r[0] for r in svar[1:]]
    assert len(ids) == 6  # Norrsund 2026; Sydkust's two are left out (fewer than k)
    wide = pq.read_table(io.BytesIO(archive.read("svar.parquet")))
    assert wide.column("svar_id").to_pylist() == ids
    assert str(wide.schema.field("STRAT1").type) == "int8"
    assert str(wide.schema.field("STRAT_medel").type) == "double"
    assert wide.column("demo").to_pylist() == [0] * 6
    # The Metadata facts are the file's key-value metadata (pq.read_metadata shows them).
    kv = pq.read_metadata(io.BytesIO(archive.read("svar.parquet"))).metadata
    facts = {k.decode(): v.decode() for k, v in kv.items()}
    assert facts["antal svar"] == "6" and facts["minsta gruppstorlek k"] == "5"
    # The package's workbook holds the wide form; the long form is in CSV and Parquet.
    assert "svar_lang.parquet" in sheet_rows(wb, "Svar_lång")[1][0]
    long = pq.read_table(io.BytesIO(archive.read("svar_lang.parquet")))
    long_csv = archive.read("svar_lang.csv").decode("utf-8-sig").splitlines()
    assert long.num_rows == len(long_csv) - 1 == 6 * 39  # every stored answer of the six
    assert set(long.column("svar_id").to_pylist()) == set(ids)
    text = archive.read("svar.csv").decode("utf-8-sig")
    csv_ids = [int(r[0]) for r in list(csv.reader(io.StringIO(text)))[1:]]
    assert csv_ids == ids
    assert "svar_id" in archive.read("README.txt").decode()
    audit = db.scalars(select(models.AuditEvent).order_by(models.AuditEvent.id.desc())).first()
    assert (audit.action, audit.target) == ("export", "research.zip")
    assert rounds  # the builder's rounds: Norrsund 2025 is not in a 2026 export

"""Importing earlier survey data (issue 24): the dry run lists every fault with its row and
column and writes nothing; the import writes one closed round marked as imported, in one
unit of work, through the command line and the admin page, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from builders import csrf_token, make_round, stored_state
from conftest import signed_in
from sqlalchemy import func, select, text

from survey.db import audit, models
from survey.imports import sources
from survey.imports.services import ImportRequest, import_round

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "import-example.csv"
LIMESURVEY = DATA / "limesurvey-example.csv"
MAPPING = DATA / "limesurvey-mapping.yaml"
Q1 = "integrerad-samverkan:1"


def _forbund(db, slug="norrsund"):
    make_round(db, slug=slug, label="2026")  # the förbund, with a round of its own


def _import(runner, path, *extra, label="2019"):
    args = ["import", str(path), "--forbund", "norrsund", "--round", label]
    return runner.invoke(args=[*args, "--questionnaire", Q1, *extra])


def _responses(db, label="2019"):
    rnd = db.scalar(select(models.Round).filter_by(label=label))
    if rnd is None:
        return None
    return db.scalar(select(func.count()).where(models.Response.round_id == rnd.id))


def test_dry_run_then_write_our_layout(runner, db):
    _forbund(db)
    before = stored_state(db)
    dry = _import(runner, EXAMPLE)
    assert dry.exit_code == 0, dry.output
    assert "would be written: 12 responses" in dry.output and "nothing written" in dry.output
    db.expire_all()
    assert stored_state(db) == before
    done = _import(runner, EXAMPLE, "--write", "--opens", "2019-03-01", "--closes", "2019-03-31")
    assert done.exit_code == 0, done.output
    db.expire_all()
    rnd = db.scalar(select(models.Round).filter_by(label="2019"))
    assert rnd.state == "closed" and rnd.imported_from == "import-example.csv"
    assert rnd.imported_by == audit.COMMAND_LINE and rnd.imported_at is not None
    assert rnd.sequence == 1  # it opened before the 2026 round, so it comes first
    assert _responses(db) == 12
    assert db.scalar(select(func.count()).select_from(models.Draft)) == 0
    event = audit.events(db, "round_imported")[0]
    assert event.target == "norrsund/2019" and event.details["count"] == 12
    dont_know = select(func.count()).where(models.Answer.value.is_(None))
    assert db.scalar(dont_know) > 0  # "vet ej" kept apart from a skipped statement
    published = runner.invoke(args=["round", "publish", "norrsund/2019"])
    assert published.exit_code == 0, published.output


def test_limesurvey_export_through_a_mapping(runner, db):
    _forbund(db)
    done = _import(runner, LIMESURVEY, "--mapping", str(MAPPING), "--write")
    assert done.exit_code == 0, done.output
    assert _responses(db) == 12
    roles = set(db.scalars(select(models.Response.role)))
    assert roles == {"handlaggare", "chef", "beredningsgrupp", "styrelse"}


BAD = "role;agency;STRAT1;FOO\nhandlaggare;kommun;7;\nchefx;;3;\nchef;fk;4;\nchef;fk;4;\n"


def test_every_fault_is_listed_with_row_and_column_and_nothing_is_written(runner, db, tmp_path):
    _forbund(db)
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    before = stored_state(db)
    result = _import(runner, bad, "--write")
    assert result.exit_code == 1
    out = result.output
    assert "row 1, column FOO: unknown column 'FOO'" in out
    assert "row 2, column STRAT1: '7' is outside the scale: expected 1–5" in out
    assert "row 3, column role: unknown role 'chefx'" in out
    assert "row 3, column agency: agency is missing" in out
    assert "row 5: a duplicate row: the same as row 4" in out
    assert "nothing written" in out
    db.expire_all()
    assert stored_state(db) == before


def test_skip_invalid_rows_is_an_explicit_choice_and_listed(runner, db, tmp_path):
    _forbund(db)
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD.replace(";FOO", "").replace(";\n", "\n"), encoding="utf-8")
    result = _import(runner, bad, "--write", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "rows left out (--skip-invalid): 2, 3, 5" in result.output
    assert _responses(db) == 1


def _report(db, data: bytes, filename="f.csv"):
    request = ImportRequest(data, filename, "norrsund", "2019", Q1)
    return import_round(db, request, write=True)


def _messages(report) -> list[str]:
    return [f"{f.where()}: {f.message()}" for f in report.faults]


HEAD = "role,agency,STRAT1\n"


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "f.csv", "file: the file is empty"),
        (b"\xef\xbb\xbf\n\n", "f.csv", "file: the file is empty"),
        (HEAD.encode(), "f.csv", "row 1: the file has a heading row but no respondents"),
        (
            (HEAD + "handläggare,kommun,3\n").encode("cp1252"),
            "f.csv",
            "row 2: the file is not UTF-8: the byte 0xE4 (ä in Windows-1252)",
        ),
        (
            (HEAD + "annan,kommun,3\nx,Ã¥,3\n").encode(),
            "f.csv",
            "row 3, column agency: the text 'Ã¥' is å, ä or ö broken",
        ),
        (b"PK\x03\x04rest", "f.csv", "file: the file is called .csv but is a zip archive"),
        (b"role,agency\n", "f.xlsx", "file: the file is called .xlsx but is not an Excel"),
        (b"\xd0\xcf\x11\xe0....", "f.xls", "neither CSV (.csv) nor Excel"),
        (b"\xd0\xcf\x11\xe0....", "f.csv", "the old Excel format (.xls)"),
        (b"%PDF-1.7", "f.csv", "the file is a PDF"),
        ((HEAD + "a\x01,kommun,3\n").encode(), "f.csv", "row 2, column role: a control"),
        ((HEAD + "annan,kommun,3\n").encode("utf-16"), "f.csv", "the file is UTF-16"),
    ],
)
def test_files_that_are_not_what_they_should_be(db, data, filename, expected):
    _forbund(db)
    before = stored_state(db)
    report = _report(db, data, filename)
    assert not report.written
    assert any(expected in m for m in _messages(report)), _messages(report)
    db.expire_all()
    assert stored_state(db) == before


def test_size_and_row_limits(db, monkeypatch):
    _forbund(db)
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 100)
    report = _report(db, (HEAD + "annan,kommun,3\n" * 20).encode())
    assert _messages(report) == ["file: the file is too large: 1 kB, at most 0 kB"]
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 10**6)
    monkeypatch.setattr(sources, "MAX_ROWS", 3)
    report = _report(db, (HEAD + "annan,kommun,3\n" * 4).encode())
    assert _messages(report) == ["row 5: too many rows: more than 3 respondents in one file"]
    assert _responses(db) is None


def _xlsx(rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_imports(db):
    _forbund(db)
    report = _report(db, _xlsx([["role", "agency", "STRAT1"], ["chef", "fk", 4.0]]), "f.xlsx")
    assert report.written and report.responses == 1 and report.answers == 1


def test_a_zip_bomb_and_a_doctype_are_refused_before_openpyxl_reads(db):
    _forbund(db)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    report = _report(db, bomb.getvalue(), "f.xlsx")
    assert "as a possible zip bomb" in _messages(report)[0]
    entities = io.BytesIO()
    with zipfile.ZipFile(entities, "w") as archive:
        archive.writestr("xl/workbook.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>')
    report = _report(db, entities.getvalue(), "f.xlsx")
    assert "declares a DOCTYPE" in _messages(report)[0]


def test_a_bad_mapping_file_is_a_fault(db):
    _forbund(db)
    for mapping, expected in [
        (b"columns: &a {x: y}\nanswers: *a\n", "anchor"),
        (b"colums: {}\n", "unknown keys: colums"),
        (b"columns: [1, 2]\n", "must be a mapping"),
    ]:
        request = ImportRequest(EXAMPLE.read_bytes(), "f.csv", "norrsund", "2019", Q1, mapping)
        report = import_round(db, request, write=True)
        assert not report.written and expected in _messages(report)[0], _messages(report)


def test_a_taken_label_is_a_fault(db):
    _forbund(db)
    report = import_round(db, ImportRequest(EXAMPLE.read_bytes(), "f.csv", "norrsund", "2026", Q1))
    assert _messages(report) == ["file: Norrsund samordningsförbund already has a round '2026'"]


# --- the admin page ---------------------------------------------------------------------


def test_admin_page_dry_run_then_confirm(app, db):
    _forbund(db)
    browser = signed_in(app, app.test_client())
    page = browser.get("/admin/import")
    assert (
        page.status_code == 200 and "/admin/import/template/integrerad-samverkan/1.csv" in page.text
    )
    template = browser.get("/admin/import/template/integrerad-samverkan/1.csv")
    assert template.status_code == 200 and template.data.startswith(b"\xef\xbb\xbfrole,agency")
    form = {
        "csrf_token": csrf_token(page.text),
        "action": "check",
        "forbund": "norrsund",
        "label": "2019",
        "questionnaire": Q1,
        "closes": "2019-03-31",
        "invited": "40",
    }
    files = {
        "file": (io.BytesIO(LIMESURVEY.read_bytes()), "limesurvey-example.csv"),
        "mapping": (io.BytesIO(MAPPING.read_bytes()), "limesurvey-mapping.yaml"),
    }
    before = stored_state(db)
    checked = browser.post("/admin/import", data={**form, **files})
    assert checked.status_code == 200, checked.text
    assert 'id="responses">12<' in checked.text and 'id="confirm"' in checked.text
    db.expire_all()
    assert stored_state(db) == before  # the dry run wrote nothing
    confirm = {name: value for name, value in _hidden_fields(checked.text, "confirm").items()}
    done = browser.post("/admin/import", data=confirm)
    assert done.status_code == 303, done.text
    assert done.headers["Location"].endswith("/admin/f/norrsund/rounds/2019")
    assert _responses(db) == 12
    rnd = db.scalar(select(models.Round).filter_by(label="2019"))
    assert rnd.imported_by == "admin@test.invalid"
    assert rnd.imported_from == "limesurvey-example.csv"
    assert rnd.invited == 40 and rnd.closes_on.isoformat() == "2019-03-31"


def test_admin_page_bad_file_lists_faults_writes_nothing_and_offers_no_import(app, db):
    _forbund(db)
    browser = signed_in(app, app.test_client())
    page = browser.get("/admin/import")
    before = stored_state(db)
    form = {
        "csrf_token": csrf_token(page.text),
        "action": "check",
        "forbund": "norrsund",
        "label": "2019",
        "questionnaire": Q1,
        "file": (
            io.BytesIO("role,agency,STRAT1\nhandläggare,kommun,3\n".encode("cp1252")),
            "x.csv",
        ),
    }
    checked = browser.post("/admin/import", data=form)
    assert checked.status_code == 400
    assert "Windows-1252" in checked.text and 'id="confirm"' not in checked.text
    empty = browser.post("/admin/import", data={**form, "file": (io.BytesIO(b""), "x.csv")})
    assert empty.status_code == 400 and 'id="faults"' in empty.text
    none = browser.post("/admin/import", data={k: v for k, v in form.items() if k != "file"})
    assert none.status_code == 400
    forged = browser.post(
        "/admin/import",
        data={
            **{k: v for k, v in form.items() if k != "file"},
            "action": "write",
            "file_data": "@@not base64",
            "file_name": "x.csv",
        },
    )
    assert forged.status_code == 400
    db.expire_all()
    assert stored_state(db) == before


def _hidden_fields(html: str, form_id: str) -> dict[str, str]:
    import re

    form = html.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_the_research_file_says_which_rounds_were_imported(runner, db, tmp_path):
    import openpyxl

    _forbund(db)
    assert _import(runner, LIMESURVEY, "--mapping", str(MAPPING), "--write").exit_code == 0
    assert runner.invoke(args=["round", "publish", "norrsund/2019"]).exit_code == 0
    out = tmp_path / "research.xlsx"
    done = runner.invoke(
        args=["export", "--kind", "research", "--round", "2019", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(out, read_only=True)
    cells = {
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    }
    assert "limesurvey-example.csv" in cells and audit.COMMAND_LINE in cells


def test_fewer_invited_than_respondents_is_a_fault(db):
    _forbund(db)
    request = ImportRequest(EXAMPLE.read_bytes(), "f.csv", "norrsund", "2019", Q1, invited=3)
    report = import_round(db, request, write=True)
    assert _messages(report) == ["file: 3 invited is fewer than the 12 respondents in the file"]
    assert not report.written


def test_a_limesurvey_id_given_twice_is_a_duplicate(runner, db, tmp_path):
    _forbund(db)
    lines = LIMESURVEY.read_text(encoding="utf-8").splitlines()
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([*lines, "1" + lines[2][1:]]) + "\n", encoding="utf-8")
    result = _import(runner, twice, "--mapping", str(MAPPING), "--write")
    assert result.exit_code == 1
    assert "row 14, column id: a duplicate row: the same as row 2" in result.output


def test_export_rows_is_only_for_a_published_round(runner, db, tmp_path):
    _forbund(db)
    assert _import(runner, EXAMPLE, "--write").exit_code == 0
    out = tmp_path / "rows.csv"
    refused = runner.invoke(args=["export-rows", "norrsund/2019", "--out", str(out)])
    assert refused.exit_code == 1 and "is not published" in refused.output
    assert not out.exists()
    assert runner.invoke(args=["round", "publish", "norrsund/2019"]).exit_code == 0
    done = runner.invoke(args=["export-rows", "norrsund/2019", "--out", str(out)])
    assert done.exit_code == 0 and "12 responses" in done.output
    assert audit.events(db, "rows_exported")[0].details["count"] == 12


def test_the_page_refuses_a_file_too_large_to_send_back_and_points_to_the_command(app, db):
    _forbund(db)
    browser = signed_in(app, app.test_client())
    page = browser.get("/admin/import")
    big = (HEAD + "annan,kommun,3\n" * 60_000).encode()  # 900 kB, under the request limit
    form = {
        "csrf_token": csrf_token(page.text),
        "action": "check",
        "forbund": "norrsund",
        "label": "2019",
        "questionnaire": Q1,
        "file": (io.BytesIO(big), "big.csv"),
    }
    refused = browser.post("/admin/import", data=form)
    assert refused.status_code == 413 and "survey import" in refused.text
    assert _responses(db) is None


def test_a_fresh_upload_is_checked_first_even_when_the_form_says_import(app, db):
    _forbund(db)
    browser = signed_in(app, app.test_client())
    page = browser.get("/admin/import")
    form = {
        "csrf_token": csrf_token(page.text),
        "action": "write",
        "forbund": "norrsund",
        "label": "2019",
        "questionnaire": Q1,
        "file": (io.BytesIO(EXAMPLE.read_bytes()), "import-example.csv"),
    }
    checked = browser.post("/admin/import", data=form)
    assert checked.status_code == 200 and 'id="confirm"' in checked.text
    assert _responses(db) is None


def test_the_file_order_is_not_kept_in_the_stored_rows(runner, db, tmp_path):
    """Row n of the file is recognisable by its answers to three statements; read back in
    the order the table lists them (PostgreSQL's heap) or by key, the rows
    come in no relation to the file's order (Kendall's tau near 0, not 1)."""
    _forbund(db)
    heading = EXAMPLE.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    statements = heading[4:]
    rows = []
    for n in range(50):
        marks = {"STRAT1": 1 + n // 25, "STRAT2": 1 + n // 5 % 5, "STRAT3": 1 + n % 5}
        rows.append(
            ["handlaggare", "kommun", "1to3", "sv"] + [str(marks.get(c, 3)) for c in statements]
        )
    path = tmp_path / "ordered.csv"
    path.write_text("\n".join(",".join(r) for r in [heading, *rows]) + "\n", encoding="utf-8")
    result = _import(runner, path, "--write")
    assert result.exit_code == 0, result.output
    # SQLite keeps the table in key order (no rowid); PostgreSQL's heap in its own.
    heap = ["r.ctid"] if db.get_bind().dialect.name == "postgresql" else []
    for order_by in [*heap, "r.id"]:
        listed = db.execute(
            text(
                "SELECT r.id, i.code, a.value FROM response r "
                "JOIN answer a ON a.response_id = r.id JOIN item i ON i.id = a.item_id "
                f"WHERE i.code IN ('STRAT1', 'STRAT2', 'STRAT3') ORDER BY {order_by}, i.code"
            )
        ).all()
        seen: dict[int, int] = {}
        for rid, code, value in listed:
            weight = {"STRAT1": 25, "STRAT2": 5, "STRAT3": 1}[code]
            seen[rid] = seen.get(rid, 0) + (value - 1) * weight
        order = list(seen.values())
        assert sorted(order) == list(range(50))
        pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1 :]]
        tau = sum(1 if a < b else -1 for a, b in pairs) / len(pairs)
        assert tau < 0.6, (order_by, order)

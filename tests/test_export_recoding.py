"""Disclosure control in the researcher's row-level file: a group the board pages hide must
not reappear row by row. The file is recoded until every combination of round, förbund,
role and agency holds at least k respondents, while every statement value stays exactly
as answered; an unrecoded file only from the command line, with a warning."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter

import pytest
from builders import add_response
from conftest import signed_in
from exportdata import (
    ITEM_CODES,
    build_small_groups,
    distinct,
    expected_rows,
    sheet_rows,
    workbook,
)

from survey.db import models
from survey.exports import recoding
from survey.exports.dataset import Anonymiser, research_questionnaire, stream_responses
from survey.exports.recoding import OTHER, recode_cell
from survey.exports.selection import ExportFilter, select_rounds
from survey.instruments.catalog import definition_of


@pytest.fixture
def client(admin_client):
    """These tests are about the board's pages and downloads, which need a signed-in user:
    a system administrator's browser (who may use which route: tests/test_access.py)."""
    return admin_client


K = 5  # the app's MIN_GROUP_SIZE in the tests
QUASI = ("omgang", "forbund", "roll", "part")


def combinations(header, rows) -> Counter:
    positions = [list(header).index(name) for name in QUASI]
    return Counter(tuple(row[p] for p in positions) for row in rows)


def assert_statements_unchanged(db, rounds, header, rows, left_out=()):
    """Each exported row is one database response (matched by its distinct answers) with
    every statement value and score as stored; only förbund, role and agency may read
    OTHER instead of the answer. Every response not left out is there exactly once."""
    expected = {
        tuple(e[6 : 6 + len(ITEM_CODES)]): e
        for e in expected_rows(db, [r.id for r in rounds.values()])
        if (e[1], e[0]) not in left_out
    }
    first = list(header).index(ITEM_CODES[0])
    seen = []
    for row in rows:
        values = tuple(row[first : first + len(ITEM_CODES)])
        assert values in expected, values
        e = expected[values]
        assert row[first + len(ITEM_CODES) :] == pytest.approx(e[6 + len(ITEM_CODES) :])
        assert row[1] == e[0]
        for published, answered in zip((row[2], row[4], row[5]), (e[1], e[3], e[4]), strict=True):
            assert published in (answered, OTHER), (published, answered)
        seen.append(values)
    assert sorted(seen, key=str) == sorted(expected, key=str)


def metadata(wb) -> tuple[dict, list[tuple]]:
    rows = sheet_rows(wb, "Metadata")
    facts = {r[0]: r[1] for r in rows[1:] if r[0] and len([v for v in r if v is not None]) == 2}
    start = next(i for i, r in enumerate(rows) if r[:3] == ("omgång", "förbund", "variabel"))
    return facts, [r[:6] for r in rows[start + 1 :] if r[0]]


def test_the_board_group_of_four_is_not_in_the_file_and_every_value_is(client, db):
    rounds = build_small_groups(db)
    wb = workbook(client.get("/export/research.xlsx").data)
    svar = sheet_rows(wb, "Svar")
    header, rows = svar[0], svar[1:]
    groups = combinations(header, rows)
    assert min(groups.values()) >= K, [g for g, n in groups.items() if n < K]
    assert not any(row[4] == "styrelse" for row in rows)
    # Östby 2025 (2 responses, alone in its round) is left out; the rest is all there.
    assert len(rows) == 37
    assert_statements_unchanged(db, rounds, header, rows, left_out={("ostby", "2025")})
    # Kept where they were common enough: the case workers and managers of Norrsund 2026.
    assert groups[("2026", "norrsund", "handlaggare", "kommun")] == 10
    assert groups[("2026", "norrsund", "chef", "region")] == 5
    assert groups[("2026", "norrsund", OTHER, OTHER)] == 5  # the board of 4 and one blank
    assert groups[("2026", OTHER, OTHER, OTHER)] == 6  # Sydkust 3 + Västby 3, pooled
    pooled_names = {row[3] for row in rows if row[2] == OTHER}
    assert pooled_names == {"Övriga samordningsförbund (vart och ett med färre än k svar)"}

    # Svar_lång follows the same ids and holds the same values.
    wide = {row[0]: row for row in rows}
    long = sheet_rows(wb, "Svar_lång")[1:]
    assert {r[0] for r in long} == set(wide)
    assert all(wide[i][header.index(code)] == value for i, code, value, _demo in long)


def test_the_csv_is_recoded_like_the_workbook(client, db):
    rounds = build_small_groups(db)
    text = client.get("/export/research.csv?sep=semicolon").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = table[0]
    first, last = header.index(ITEM_CODES[0]), header.index(ITEM_CODES[-1]) + 1
    rows = [
        (
            int(r[0]),
            *r[1:first],
            *(int(v) if v else None for v in r[first:last]),
            *(float(v.replace(",", ".")) if v else None for v in r[last:]),
        )
        for r in table[1:]
    ]
    rows = [tuple(v if v != "" else None for v in row) for row in rows]
    assert min(combinations(header, rows).values()) >= K
    assert_statements_unchanged(db, rounds, header, rows, left_out={("ostby", "2025")})


def test_metadata_lists_every_recoding_and_the_codebook_labels_ovrig(client, db):
    build_small_groups(db)
    wb = workbook(client.get("/export/research.xlsx").data)
    facts, changes = metadata(wb)
    assert facts["indirekt identifierande uppgifter"].startswith("omkodad: ")
    assert facts["omkodade svarande"] == 5 + 6
    assert facts["omkodade värden (förbund, roll, part)"] == 4 * 2 + 1 * 2 + 6 * 3
    assert facts["utelämnade svar"] == 2 and facts["antal svar"] == 37
    assert changes == [
        ("2026", "norrsund", "roll", "(ej besvarad)", OTHER, 1),
        ("2026", "norrsund", "roll", "styrelse", OTHER, 4),
        ("2026", "norrsund", "part", "af", OTHER, 1),
        ("2026", "norrsund", "part", "kommun", OTHER, 4),
        ("2026", OTHER, "forbund", "sydkust", OTHER, 3),
        ("2026", OTHER, "forbund", "vastby", OTHER, 3),
        ("2026", OTHER, "roll", "chef", OTHER, 2),
        ("2026", OTHER, "roll", "handlaggare", OTHER, 3),
        ("2026", OTHER, "roll", "styrelse", OTHER, 1),
        ("2026", OTHER, "part", "af", OTHER, 3),
        ("2026", OTHER, "part", "fk", OTHER, 1),
        ("2026", OTHER, "part", "kommun", OTHER, 2),
        ("2025", "ostby", "forbund", "ostby", "utelämnad", 2),
    ]
    book = {(r[0], r[1]): r for r in sheet_rows(wb, "Kodbok")[1:]}
    for name in ("forbund", "roll", "part"):
        sv, en = book[("Svar", name)][7:9]
        assert sv.endswith(
            "; ovrig = övrig: sammanslagen så att varje grupp i filen har minst k svarande"
        )
        assert en.endswith(
            "; ovrig = other: merged so that every group in the file holds at least k respondents"
        )


def test_a_pool_is_exported_whole_or_not_at_all(client, db):
    """Sydkust alone (3 responses) would be a group under k, and the difference between an
    export with and one without it would tell which pooled rows are Sydkust's."""
    build_small_groups(db)
    wb = workbook(client.get("/export/research.xlsx?forbund=sydkust").data)
    assert len(sheet_rows(wb, "Svar")) == 1
    _facts, changes = metadata(wb)
    assert changes == [("2026", "sydkust", "forbund", "sydkust", "utelämnad", 3)]
    wb = workbook(client.get("/export/research.xlsx?forbund=sydkust&forbund=vastby").data)
    rows = sheet_rows(wb, "Svar")[1:]
    assert {(r[2], r[4], r[5]) for r in rows} == {(OTHER, OTHER, OTHER)} and len(rows) == 6


def test_comments_follow_the_recoded_rows_and_leave_with_the_left_out(client, db):
    build_small_groups(db)
    wb = workbook(client.get("/export/research.xlsx?comments=1").data)
    svar = {r[0]: r for r in sheet_rows(wb, "Svar")[1:]}
    comments = {r[2]: svar[r[0]] for r in sheet_rows(wb, "Kommentarer")[1:]}
    assert set(comments) == {"Styrelsen borde träffas oftare", "Bra samarbete med kommunen"}
    board = comments["Styrelsen borde träffas oftare"]
    assert (board[2], board[4], board[5]) == ("norrsund", OTHER, OTHER)
    assert comments["Bra samarbete med kommunen"][2] == OTHER


def test_the_web_gives_an_unrecoded_file_only_under_an_approved_agreement(app, client, db):
    build_small_groups(db)
    # A system administrator (the `client` here) asking for it is refused; so is a
    # researcher without an agreement; any other parameter leaves the file recoded.
    assert client.get("/export/research.xlsx?unrecoded=1").status_code == 403
    researcher = signed_in(app, app.test_client(), "researcher", email="r@uni.test")
    assert researcher.get("/export/research.xlsx?unrecoded=1").status_code == 403
    wb = workbook(researcher.get("/export/research.xlsx?recode=0&unrecoded=yes").data)
    facts, _changes = metadata(wb)
    assert facts["indirekt identifierande uppgifter"].startswith("omkodad: ")
    assert not any(r[4] == "styrelse" for r in sheet_rows(wb, "Svar")[1:])
    with app.extensions["survey_sessions"]() as session:
        session.execute(
            models.User.__table__.update()
            .where(models.User.email == "r@uni.test")
            .values(research_agreement=True)
        )
        session.commit()
    wb = workbook(researcher.get("/export/research.xlsx?unrecoded=1").data)
    assert any(r[4] == "styrelse" for r in sheet_rows(wb, "Svar")[1:])
    meta = dict(row[:2] for row in sheet_rows(wb, "Metadata")[1:] if row and row[0])
    assert not str(meta["indirekt identifierande uppgifter"]).startswith("omkodad: ")


def test_an_unrecoded_file_only_from_the_command_line_with_a_warning(runner, db, tmp_path):
    rounds = build_small_groups(db)
    out = tmp_path / "avtal.xlsx"
    result = runner.invoke(args=["export", "--kind", "research", "--unrecoded", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Warning: --unrecoded" in result.stderr and "k=5" in result.stderr
    assert "Warning" not in result.stdout
    assert "39 responses" in result.stdout
    wb = workbook(out.read_bytes())
    svar = sheet_rows(wb, "Svar")
    assert combinations(svar[0], svar[1:])[("2026", "norrsund", "styrelse", "kommun")] == 4
    assert_statements_unchanged(db, rounds, svar[0], svar[1:])
    assert sorted(map(str, (r[1:6] for r in svar[1:]))) == sorted(
        map(str, (e[:5] for e in expected_rows(db, [r.id for r in rounds.values()])))
    )
    facts = {r[0]: r[1] for r in sheet_rows(wb, "Metadata")[1:] if r[0]}
    assert facts["indirekt identifierande uppgifter"].startswith("INTE omkodad")
    assert facts["omkodade svarande"] == 0 and facts["utelämnade svar"] == 0
    book = {(r[0], r[1]): r for r in sheet_rows(wb, "Kodbok")[1:]}
    assert "ovrig" not in book[("Svar", "roll")][7]

    # Recoded is the default on the command line too; --unrecoded means nothing for a board.
    plain = tmp_path / "skyddad.csv"
    result = runner.invoke(args=["export", "--kind", "research", "--out", str(plain)])
    assert result.exit_code == 0 and not result.stderr and "37 responses" in result.stdout
    board = tmp_path / "styrelse.xlsx"
    result = runner.invoke(args=["export", "--kind", "board", "--unrecoded", "--out", str(board)])
    assert result.exit_code == 2 and "for the research export only" in result.output
    assert not board.exists()


def test_a_response_submitted_after_the_counts_never_forms_a_small_group(db):
    """The recoding is decided before the rows are streamed; a response submitted in
    between, in a combination the counts did not see, is left out (alone it would be a
    group of one); one in a counted combination only makes its group larger."""
    rounds = build_small_groups(db)
    selection = select_rounds(db, ExportFilter(rounds=("2026",), associations=("norrsund",)))
    plan = recoding.plan(db, selection, K)
    norrsund = rounds["norrsund", "2026"]
    add_response(db, norrsund, distinct(100), "forbundskansli", "forbund")
    add_response(db, norrsund, distinct(101), "handlaggare", "kommun")
    q = definition_of(research_questionnaire(db, selection))
    heads = [r.head for r in stream_responses(db, selection, q, Anonymiser(), plan)]
    assert len(heads) == 26 + 1
    groups = Counter((h[2], h[4], h[5]) for h in heads)
    assert groups[("norrsund", "handlaggare", "kommun")] == 10 + 1
    assert not any(h[4] == "forbundskansli" or h[5] == "forbund" for h in heads)


# --- the decision for one förbund × round, without a database ----------------------------


def test_every_published_group_holds_k_whatever_the_counts():
    rng = random.Random(7)
    roles = ["handlaggare", "chef", "styrelse", "beredningsgrupp", None]
    agencies = ["fk", "af", "kommun", "region", None]
    for _ in range(2000):
        k = rng.randint(3, 6)
        counts = {
            (rng.choice(roles), rng.choice(agencies)): rng.choice([1, 1, 2, 3, 5, 8, 20])
            for _ in range(rng.randint(1, 12))
        }
        if sum(counts.values()) < k:
            with pytest.raises(ValueError):
                recode_cell(counts, k)
            continue
        target = recode_cell(counts, k)
        assert set(target) == set(counts)
        published = Counter()
        for key, n in counts.items():
            published[target[key]] += n
            # A value is kept or becomes OTHER, never another answer's code.
            assert all(new in (old, OTHER) for old, new in zip(key, target[key], strict=True))
        assert min(published.values()) >= k, (counts, target)


def test_a_cell_where_every_group_is_large_enough_is_left_alone():
    counts = {("handlaggare", "kommun"): 6, ("chef", "kommun"): 5, ("handlaggare", "fk"): 5}
    assert recode_cell(counts, 5) == {key: key for key in counts}


def test_coarsening_gives_up_the_agency_before_the_role():
    counts = {
        ("handlaggare", "kommun"): 10,
        ("handlaggare", "fk"): 3,
        ("handlaggare", "af"): 2,  # handlaggare × (fk or af) = 5: the role survives
        ("chef", "kommun"): 6,
        ("chef", "fk"): 2,  # chef × ovrig = 2: the role goes, fk is kept (fk has 5)
        ("styrelse", "fk"): 3,  # a rare role
    }
    target = recode_cell(counts, 5)
    assert target[("handlaggare", "fk")] == target[("handlaggare", "af")] == ("handlaggare", OTHER)
    assert target[("chef", "fk")] == (OTHER, "fk") == target[("styrelse", "fk")]
    assert target[("handlaggare", "kommun")] == ("handlaggare", "kommun")
    assert target[("chef", "kommun")] == ("chef", "kommun")

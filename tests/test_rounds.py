"""Förbund and rounds from the command line: create, open, close, list, and what links say."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import answer_all, begin, stored_state
from sqlalchemy import select

from survey.db import models

TODAY = dt.date.today()


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def run(runner, *args: str):
    return runner.invoke(args=list(args))


def test_association_add_and_list(runner, db):
    result = run(runner, "association", "add", "norrsund", "Norrsunds samordningsförbund")
    assert result.exit_code == 0, result.output
    assert "förbund norrsund: Norrsunds samordningsförbund" in result.output
    assert run(runner, "association", "list").output == "norrsund\tNorrsunds samordningsförbund\n"


@pytest.mark.parametrize(
    ("slug", "name", "message"),
    [
        ("Norr Sund", "X", "'Norr Sund' is not a usable short name"),
        ("norrsund", " ", "the förbund needs a name"),
    ],
)
def test_association_add_refuses_bad_names(runner, db, slug, name, message):
    result = run(runner, "association", "add", slug, name)
    assert result.exit_code == 1 and message in result.output
    assert db.scalars(select(models.Association)).all() == []


def test_association_add_refuses_a_taken_short_name(runner, db):
    run(runner, "association", "add", "norrsund", "Norrsund")
    result = run(runner, "association", "add", "norrsund", "Another")
    assert result.exit_code == 1 and "already exists" in result.output
    assert [a.name for a in db.scalars(select(models.Association))] == ["Norrsund"]


def test_round_life_cycle_from_draft_to_open_to_closed(runner, client, db, tmp_path):
    run(runner, "association", "add", "norrsund", "Norrsund samordningsförbund")
    result = run(
        runner, "round", "create", "--association", "norrsund", "--label", "2026",
        "--questionnaire", "integrerad-samverkan:1", "--opens", days(-1), "--closes", days(30),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "round norrsund/2026 created (draft) with integrerad-samverkan v1" in result.output
    rnd = db.scalar(select(models.Round))
    assert (rnd.state, rnd.opens_on, rnd.closes_on) == (
        "draft",
        TODAY - dt.timedelta(days=1),
        TODAY + dt.timedelta(days=30),
    )

    out = tmp_path / "links.csv"
    result = run(runner, "invite", "--round", "norrsund/2026", "--count", "2", "--out", str(out))
    assert result.exit_code == 0 and "note: round norrsund/2026 is draft" in result.output
    token = out.read_text(encoding="utf-8-sig").splitlines()[1].rsplit("/", 1)[1]
    assert client.get(f"/r/{token}").status_code == 403

    result = run(runner, "round", "open", "norrsund/2026")
    assert result.exit_code == 0, result.output
    assert f"round norrsund/2026: open ({days(-1)} – {days(30)})" in result.output
    answer_all(client, token)

    result = run(runner, "round", "list")
    assert result.output.split("\t") == [
        "norrsund/2026",
        "integrerad-samverkan:1",
        "open",
        f"{days(-1)} – {days(30)}",
        "links 2 (1 used)",
        "submitted 1",
        "unfinished 0\n",
    ]

    result = run(runner, "round", "close", "norrsund/2026")
    assert result.exit_code == 0, result.output
    assert f"closed on {TODAY}; 1 submitted, 0 unfinished kept but not counted" in result.output
    db.expire_all()
    assert (rnd.state, rnd.closes_on) == ("closed", TODAY)


def test_reopening_needs_a_new_closing_date_once_the_old_one_passed(runner, db):
    run(runner, "association", "add", "norrsund", "Norrsund")
    run(
        runner, "round", "create", "--association", "norrsund", "--label", "2025",
        "--opens", days(-60), "--closes", days(-30),
    )  # fmt: skip
    result = run(runner, "round", "open", "norrsund/2025")
    assert result.exit_code == 1
    assert f"would close on {days(-30)}, which has passed: give a new closing date" in (
        result.output
    )
    assert db.scalar(select(models.Round.state)) == "draft"
    result = run(runner, "round", "open", "norrsund/2025", "--closes", days(7))
    assert result.exit_code == 0 and f"open ({days(-60)} – {days(7)})" in result.output


def test_a_round_opened_before_its_first_day_says_so(runner, db):
    run(runner, "association", "add", "norrsund", "Norrsund")
    run(runner, "round", "create", "--association", "norrsund", "--label", "2027",
        "--opens", days(10))  # fmt: skip
    result = run(runner, "round", "open", "norrsund/2027")
    assert result.exit_code == 0
    assert f"open from {days(10)}" in result.output and "not opened yet" in result.output


def test_closing_keeps_unfinished_answers_and_reports_them(runner, client, db):
    run(runner, "association", "add", "norrsund", "Norrsund")
    run(runner, "round", "create", "--association", "norrsund", "--label", "2026")
    run(runner, "round", "open", "norrsund/2026")
    token = run(runner, "invite", "--round", "norrsund/2026").output.strip().rsplit("/", 1)[1]
    begin(client, token)
    result = run(runner, "round", "close", "norrsund/2026")
    assert "0 submitted, 1 unfinished kept but not counted" in result.output
    assert len(stored_state(db)["drafts"]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--association", "nowhere", "--label", "2026"], "No förbund 'nowhere'"),
        (["--association", "norrsund", "--label", "20 26"], "'20 26' is not a usable round label"),
        (
            ["--association", "norrsund", "--label", "2026", "--questionnaire", "other:1"],
            "no questionnaire 'other:1'; loaded: integrerad-samverkan:1",
        ),
        (
            [
                "--association",
                "norrsund",
                "--label",
                "2026",
                "--questionnaire",
                "integrerad-samverkan:x",
            ],
            "the version after ':' must be a number",
        ),
        (
            [
                "--association",
                "norrsund",
                "--label",
                "2026",
                "--opens",
                days(5),
                "--closes",
                days(1),
            ],
            f"the round closes ({days(1)}) before it opens ({days(5)})",
        ),
        (
            ["--association", "norrsund", "--label", "2026", "--opens", "31/12/2026"],
            "'31/12/2026' does not match the format '%Y-%m-%d'",
        ),
    ],
)
def test_round_create_refuses_bad_input(runner, db, args, message):
    run(runner, "association", "add", "norrsund", "Norrsund")
    result = run(runner, "round", "create", *args)
    assert result.exit_code in (1, 2) and message in result.output
    assert db.scalars(select(models.Round)).all() == []


def test_round_create_refuses_a_label_the_förbund_already_has(runner, db):
    run(runner, "association", "add", "norrsund", "Norrsund")
    run(runner, "round", "create", "--association", "norrsund", "--label", "2026")
    result = run(runner, "round", "create", "--association", "norrsund", "--label", "2026")
    assert result.exit_code == 1 and "already has a round '2026'" in result.output
    assert len(db.scalars(select(models.Round)).all()) == 1


def test_state_changes_that_make_no_sense_are_refused(runner, db):
    run(runner, "association", "add", "norrsund", "Norrsund")
    run(runner, "round", "create", "--association", "norrsund", "--label", "2026")
    result = run(runner, "round", "close", "norrsund/2026")
    assert result.exit_code == 1 and "round 2026 is draft, not open" in result.output
    run(runner, "round", "open", "norrsund/2026")
    result = run(runner, "round", "open", "norrsund/2026")
    assert result.exit_code == 1 and "already open" in result.output
    result = run(runner, "round", "open", "norrsund/1999")
    assert result.exit_code == 2 and "No survey round '1999'" in result.output


def test_round_list_without_rounds_says_how_to_make_one(runner, db):
    result = run(runner, "round", "list")
    assert "no rounds yet" in result.output

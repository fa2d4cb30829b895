"""Someone with a copy of the PostgreSQL database must not learn in which order, or on
which day, a round's responses were submitted.

The attack (issue 19): a PostgreSQL heap keeps rows where they were written, so
`SELECT … ORDER BY ctid`, a `survey backup` (pg_dump writes each table in heap order) and
each row's `xmin` (the id of the transaction that wrote it) listed 30 of 30 responses in
the order they came in; cut by the per-day counts (`submission_day`) that dated every
response and pinpointed whoever was alone on their day.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from builders import close_and_publish, invite, make_round
from conftest import empty_database, fresh_app
from sqlalchemy import create_engine, select, text
from test_backup import _pg_tools_match

from survey.answering import services
from survey.db import mixing, models
from survey.db.engine import transaction

PEOPLE = 30
OPENS = dt.date.today() - dt.timedelta(days=20)


def _tau(order: list[int]) -> float:
    """Kendall's tau between a listed order and the submission order: 1 when a copy lists
    them as submitted, about 0 (±0.13) for a random order."""
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1 :]]
    return sum(1 if a < b else -1 for a, b in pairs) / len(pairs)


def _answer_and_submit(session, token: str, number: int, day: dt.date) -> None:
    now = dt.datetime.combine(day, dt.time(12))
    services.save_background(
        session, token, {"role": "chef", "agency": "kommun"}, complete=True, language="sv",
        now=now, today=day,
    )  # fmt: skip
    services.save_page(
        session, token, "STRAT", {"STRAT1": str(1 + number % 5)}, f"svar {number:02d}",
        language="sv", now=now, today=day,
    )  # fmt: skip
    services.submit(session, token, language="sv", now=now, today=day)


@pytest.fixture
def pg_app(postgres_url, tmp_path):
    if postgres_url is None:
        pytest.skip("PostgreSQL is not reachable: the heap's order is PostgreSQL's")
    engine = create_engine(postgres_url)
    empty_database(engine)
    engine.dispose()
    return fresh_app(postgres_url, tmp_path)


def _submitted_in_order(app) -> tuple[models.Round, int]:
    """Person 0 alone on the first day, then one a day for three days, then the rest."""
    with app.extensions["survey_sessions"]() as session:
        rnd = make_round(session, opens_on=OPENS)
        tokens = invite(session, rnd, PEOPLE)
        for number, token in enumerate(tokens):
            day = OPENS + dt.timedelta(days=min(number, 3) if number < 4 else 4)
            _answer_and_submit(session, token, number, day)
        return rnd, rnd.id


def _listed(app, round_id: int, order_by: str) -> list[int]:
    """The people, as the copy lists the round's responses (by the comment each left)."""
    with app.extensions["survey_engine"].connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.text FROM response r JOIN comment c ON c.response_id = r.id "
                f"WHERE r.round_id = :round ORDER BY {order_by}"
            ),
            {"round": round_id},
        ).scalars()
        return [int(t.removeprefix("svar ")) for t in rows]


def _dumped(app, tmp_path, round_id: int) -> list[int]:
    """The people in the order `survey backup` (pg_dump) writes the response table."""
    out = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}.backup"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = subprocess.run(
        [shutil.which("pg_restore"), "--data-only", "--table=response", "--file=-", str(out)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    keys = [line.split("\t")[0] for line in data.splitlines() if line[:1].isdigit()]
    with app.extensions["survey_engine"].connect() as conn:
        person = {
            str(rid): int(t.removeprefix("svar "))
            for rid, t in conn.execute(
                select(models.Comment.response_id, models.Comment.text)
                .join(models.Response, models.Response.id == models.Comment.response_id)
                .where(models.Response.round_id == round_id)
            )
        }
    return [person[key] for key in keys]


def test_a_copy_of_postgresql_lists_no_order_of_submissions_mid_round_nor_after(pg_app, tmp_path):
    _pg_tools_match(str(pg_app.extensions["survey_engine"].url))
    rnd, round_id = _submitted_in_order(pg_app)

    # Mid-round: the heap, the dump and the transaction ids each hold groups of MIX
    # (20) responses in random order, not the 30 in the order they came (tau was 1.0).
    by_heap = _listed(pg_app, round_id, "r.ctid")
    by_writer = _listed(pg_app, round_id, "r.xmin::text::bigint, r.ctid")
    assert sorted(by_heap) == list(range(PEOPLE))
    assert _tau(by_heap) < 0.6, by_heap
    assert _tau(by_writer) < 0.6, by_writer
    assert _tau(_dumped(pg_app, tmp_path, round_id)) < 0.6
    with pg_app.extensions["survey_engine"].connect() as conn:
        newest = conn.execute(
            text(
                "SELECT count(*) FROM response GROUP BY xmin::text "
                "ORDER BY max(xmin::text::bigint) DESC LIMIT 1"
            )
        ).scalar_one()
        per_day = conn.execute(text("SELECT day, submitted FROM submission_day ORDER BY day")).all()
    assert newest == 20  # the newest submission is one of 20 written together
    assert per_day[0].submitted == 1  # person 0 was alone on the first day: still counted

    with pg_app.extensions["survey_sessions"]() as session:
        close_and_publish(session, session.get(models.Round, round_id))

    # After close: one transaction wrote the whole round in one random order, so neither
    # the order nor the transaction ids tell the lone first-day respondent from the rest.
    with pg_app.extensions["survey_engine"].connect() as conn:
        writers = conn.execute(
            text("SELECT count(DISTINCT xmin::text) FROM response WHERE round_id = :r"),
            {"r": round_id},
        ).scalar_one()
        answer_writers = conn.execute(
            text(
                "SELECT count(DISTINCT a.xmin::text) FROM answer a "
                "JOIN response r ON r.id = a.response_id WHERE r.round_id = :r"
            ),
            {"r": round_id},
        ).scalar_one()
    assert writers == answer_writers == 1
    assert _tau(_listed(pg_app, round_id, "r.ctid")) < 0.6
    assert _tau(_dumped(pg_app, tmp_path, round_id)) < 0.6


DRAFT_TABLES = ("draft", "draft_answer", "draft_comment", "invitation")


def _pages(conn, table: str) -> list[bytes]:
    """Every page of a table as PostgreSQL keeps it on disk: live rows, dead row versions
    and free space alike (pageinspect, as someone with the data directory reads it)."""
    blocks = conn.execute(
        text(f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int")
    ).scalar_one()
    return [
        bytes(conn.execute(text(f"SELECT get_raw_page('{table}', {n})")).scalar_one())
        for n in range(blocks)
    ]


def _dead_drafts(conn) -> dict[int, dict[int, int | None]]:
    """Draft id → {item id: value}, rebuilt from every row version left in `draft_answer`."""
    found: dict[int, dict[int, int | None]] = {}
    for number, _ in enumerate(_pages(conn, "draft_answer")):
        rows = conn.execute(
            text(
                "SELECT t_attrs FROM heap_page_item_attrs("
                f"get_raw_page('draft_answer', {number}), 'draft_answer'::regclass) "
                "WHERE t_attrs IS NOT NULL"
            )
        ).scalars()
        for draft_id, item_id, value in rows:
            as_int = lambda raw: None if raw is None else int.from_bytes(raw, "little")  # noqa: E731
            found.setdefault(as_int(draft_id), {})[as_int(item_id)] = as_int(value)
    return found


def test_dead_rows_in_postgresql_pages_match_no_draft_to_its_response(pg_app):
    """Issue 19: after submit, old versions of invitations (token hash → draft) and of draft
    answers stayed in the heap; a page reader matched 12–15 of 30 drafts to responses."""
    day = dt.date.today()
    now = dt.datetime.combine(day, dt.time(9))
    with pg_app.extensions["survey_sessions"]() as session:
        tokens = invite(session, make_round(session), 10)
        for number, token in enumerate(tokens):
            services.save_background(
                session, token, {"role": "chef", "agency": "kommun"}, complete=True,
                language="sv", now=now, today=day,
            )  # fmt: skip
            ratings = {f"STRAT{i}": str(1 + (number >> i) % 5) for i in range(1, 5)}
            for comment in (f"utkast {number:02d}", f"svar {number:02d}"):  # saved twice
                services.save_page(
                    session, token, "STRAT", ratings, comment, language="sv", now=now, today=day
                )
            services.submit(session, token, language="sv", now=now, today=day)

    engine = pg_app.extensions["survey_engine"]
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        pages = b"".join(page for table in DRAFT_TABLES for page in _pages(conn, table))
        dead = _dead_drafts(conn)
        submitted = {}
        for rid, item_id, value in conn.execute(
            select(models.Answer.response_id, models.Answer.item_id, models.Answer.value)
        ):
            submitted.setdefault(rid, {})[item_id] = value
        conn.commit()

    # No comment, first draft or final, is readable anywhere in the drafts' pages...
    for number in range(10):
        for marker in (f"utkast {number:02d}", f"svar {number:02d}"):
            assert marker.encode() not in pages, marker
    # ...and no row version of a draft's answers is left to match a response by.
    matched = [rid for rid, answers in submitted.items() if answers in dead.values()]
    assert dead == {} and matched == []


def _rho(order: list[int]) -> float:
    """Spearman's rank correlation between a listed order and the order written (people
    numbered 0…n-1): 1 when a copy lists them as written, about 0 for a random order; in
    one pass, where `_tau` compares every pair."""
    n = len(order)
    ranks = {person: rank for rank, person in enumerate(sorted(order))}
    squares = sum((position - ranks[person]) ** 2 for position, person in enumerate(order))
    return 1 - 6 * squares / (n * (n * n - 1))


def test_closing_a_round_larger_than_a_batch_writes_it_in_one_random_order_losing_nothing(
    pg_app,
):
    """A close mixes the round a batch at a time (a large imported round is never held in
    memory whole): the heap afterwards lists 2,500 responses written in order in no order
    at all, batch boundaries included, with every answer and comment still there."""
    people = 2 * mixing.WRITE_BATCH + 500
    with pg_app.extensions["survey_sessions"]() as session:
        rnd = make_round(session, opens_on=OPENS)
        item = session.scalar(
            select(models.Item.id).filter_by(questionnaire_id=rnd.questionnaire_id)
        )
        dimension = session.scalar(
            select(models.Dimension.id).filter_by(questionnaire_id=rnd.questionnaire_id)
        )
        written = [
            mixing.Submitted(
                "sv", "chef", "kommun", None, [(item, 1 + n % 5)], [(dimension, f"svar {n}")]
            )
            for n in range(people)
        ]
        mixing.insert(session, rnd.id, written)  # in the order they came
        session.commit()
        assert _rho(_listed(pg_app, rnd.id, "r.ctid")) > 0.99
        with transaction(session):
            mixing.mix_round(session, rnd.id)
        answers = session.execute(
            select(models.Comment.text, models.Answer.value)
            .join(models.Answer, models.Answer.response_id == models.Comment.response_id)
            .where(models.Answer.round_id == rnd.id)
        ).all()
    assert sorted((int(t.removeprefix("svar ")), v) for t, v in answers) == [
        (n, 1 + n % 5) for n in range(people)
    ]
    by_heap = _listed(pg_app, rnd.id, "r.ctid")
    assert sorted(by_heap) == list(range(people))
    assert abs(_rho(by_heap)) < 0.1, _rho(by_heap)  # random: about ±0.02
    for start in range(0, people, mixing.WRITE_BATCH):  # nor within any batch's span
        assert abs(_rho(by_heap[start : start + mixing.WRITE_BATCH])) < 0.2

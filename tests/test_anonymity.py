"""The anonymity promises, attacked as someone would: a copy of the database, the server's
log, a shared computer, and races that try to change an answer after it was submitted."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from pathlib import Path

import pytest
from builders import answer_all, invite, make_round
from sqlalchemy import create_engine, func, inspect, select

from survey.answering import services
from survey.db import models
from survey.errors import InvalidToken
from survey.rounds import invitations

NOW = dt.datetime(2026, 3, 10, 12, 0)
TODAY = dt.date.today()


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def race(app, *calls):
    """Run each call in its own thread and session, released at the same instant; returns
    None for each that went through, else what it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index, call):
        with app.extensions["survey_sessions"]() as session:
            barrier.wait()
            try:
                call(session)
            except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def background(token):
    return lambda s: services.save_background(
        s, token, {"role": "chef", "agency": "fk"}, complete=True, language="sv", now=NOW,
        today=TODAY,
    )  # fmt: skip


def page(token, value="4"):
    return lambda s: services.save_page(
        s, token, "STRAT", {"STRAT1": value}, None, language="sv", now=NOW, today=TODAY
    )


def submit(token):
    return lambda s: services.submit(s, token, language="sv", now=NOW, today=TODAY)


def test_a_double_start_makes_one_draft(app, db):
    """Attack 7: a double click on Börja used to leave an orphan draft (10 of 10 trials)."""
    tokens = invite(db, make_round(db), 10)
    for token in tokens:
        assert race(app, background(token), background(token)) == [None, None]
    assert count(db, models.Draft) == 10
    assert db.scalar(select(func.count()).where(models.Invitation.draft_id.is_not(None))) == 10


def test_double_submits_racing_make_one_response(app, db):
    tokens = invite(db, make_round(db), 8)
    for token in tokens:
        background(token)(db)
        outcomes = race(app, submit(token), submit(token))
        assert sorted(type(o).__name__ for o in outcomes) == ["InvalidToken", "NoneType"]
    assert count(db, models.Response) == 8
    assert count(db, models.Draft) == 0


def test_a_save_racing_a_submit_never_changes_the_submitted_answers(app, db):
    """Attack 7: a page save racing the submit was accepted and altered submitted answers."""
    tokens = invite(db, make_round(db), 8)
    for token in tokens:
        background(token)(db)
        services.save_page(
            db, token, "STRAT", {"STRAT1": "2"}, None, language="sv", now=NOW, today=TODAY
        )
        saved, submitted = race(app, page(token, "5"), submit(token))
        assert submitted is None
        # The save either came first (and was submitted with it) or was refused.
        assert saved is None or isinstance(saved, InvalidToken)
        with pytest.raises(InvalidToken):  # after the submit, nothing can change it
            services.save_page(
                db, token, "STRAT", {"STRAT1": "1"}, None, language="sv", now=NOW, today=TODAY
            )
    values = db.scalars(select(models.Answer.value)).all()
    assert len(values) == 8 and set(values) <= {2, 5} and count(db, models.Draft) == 0


def test_a_database_copy_joins_no_submitted_response_to_its_link(app, db, client, tmp_path):
    """Attack 4: a mid-round backup plus the links file linked 30 of 30 people to their
    answers. Now the submitted response has no path back to its link, its draft, a date or
    the order it came in."""
    rnd = make_round(db)
    tokens = invite(db, rnd, 12)
    for number, token in enumerate(tokens):
        answer_all(client, token, value=lambda code, n=number: str(n % 5 + 1))
    engine = app.extensions["survey_engine"]
    columns = {
        t: {c["name"] for c in inspect(engine).get_columns(t)} for t in ("invitation", "response")
    }
    assert "response_id" not in columns["invitation"] and "used_on" not in columns["invitation"]
    assert not {"submitted_on", "saved_at", "created_at", "state"} & columns["response"]
    assert count(db, models.Draft) == 0 and count(db, models.DraftAnswer) == 0
    # Keys are random 52-bit numbers, not a counter that numbers the submissions.
    keys = db.scalars(select(models.Response.id)).all()
    assert len(keys) == 12 and min(keys) > 2**32
    if engine.dialect.name == "sqlite":
        # The -wal file is emptied after each submit, so it keeps no page from before it.
        wal = Path(engine.url.database + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        # A copy of the file taken now: every token hash, and not one of them leads anywhere.
        copy = tmp_path / "copy.db"
        shutil.copy(engine.url.database, copy)
        with create_engine(f"sqlite:///{copy}").connect() as conn:
            rows = conn.exec_driver_sql("SELECT token_hash, draft_id FROM invitation").all()
        assert {draft for _, draft in rows} == {None}
        assert {h for h, _ in rows} == {invitations.hash_token(t) for t in tokens}


def test_the_request_log_holds_no_token(live_server, caplog):
    """Attack 5: the server's request log held every link with a time."""
    import urllib.request

    with live_server.app.extensions["survey_sessions"]() as session:
        token = invite(session, make_round(session))[0]
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        urllib.request.urlopen(f"{live_server.url}/r/{token}").read()
        urllib.request.urlopen(f"{live_server.url}/r/{token}/p/1").read()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/r/<link>/p/1" in logged
    assert token not in logged

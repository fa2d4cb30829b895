"""An administrator closes the round at the very moment a respondent submits (PostgreSQL,
where submits of one round run side by side and a close waits for them). The submit read
its round as open, then waits for the round while the close holds it; once the close has
committed, the submit sees the round closed and is refused like any submit to a closed
round: nothing is stored, the link is not used up, and the respondent's draft is kept.

On SQLite the unit of work holds the write lock from its first statement, so a close and a
submit cannot overlap at all: there the submit simply comes before or after the close."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from builders import invite, make_round
from sqlalchemy import create_engine, func, select, text, update

from survey.answering import services
from survey.db import models
from survey.errors import RoundNotOpen

TODAY = dt.date.today()
NOW = dt.datetime.combine(TODAY, dt.time(12))


def _waiting_for_a_lock(engine) -> bool:
    with engine.connect() as conn:
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        return conn.execute(text(waiting)).scalar_one() > 0


def test_a_submit_that_waited_for_a_close_is_refused_and_keeps_the_draft(app, db, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite: a close and a submit cannot overlap (one writer at a time)")
    rnd = make_round(db, "norrsund")
    token = invite(db, rnd)[0]
    services.save_background(
        db, token, {"role": "chef", "agency": "kommun"}, complete=True, language="sv",
        now=NOW, today=TODAY,
    )  # fmt: skip
    other = create_engine(database_url)
    closing = other.connect()
    closing.begin()  # the administrator's close, not yet committed, holds the round
    closing.execute(update(models.Round).where(models.Round.id == rnd.id).values(state="closed"))
    outcome: list[BaseException | None] = []

    def respondent() -> None:
        with app.extensions["survey_sessions"]() as session:
            try:
                services.submit(session, token, language="sv", now=NOW, today=TODAY)
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 - the test reads what it was
                outcome.append(exc)

    submitting = threading.Thread(target=respondent)
    submitting.start()
    deadline = time.monotonic() + 20
    while not _waiting_for_a_lock(other) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _waiting_for_a_lock(other), "the submit should wait for the closing round"
    closing.commit()
    submitting.join(timeout=30)
    closing.close()
    other.dispose()

    assert len(outcome) == 1 and isinstance(outcome[0], RoundNotOpen)
    assert outcome[0].state == "closed"
    db.expire_all()
    responses = select(func.count()).select_from(models.Response).filter_by(round_id=rnd.id)
    assert db.scalar(responses) == 0
    invitation = db.scalar(select(models.Invitation).filter_by(round_id=rnd.id))
    assert invitation.used is False and invitation.draft_id is not None

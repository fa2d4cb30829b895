"""`survey purge-drafts`: abandoned unfinished answers are deleted, nothing else is."""

from __future__ import annotations

import datetime as dt

from builders import answer_all, draft_content, invite, make_round
from sqlalchemy import func, select, update

from survey.db import models


def count(db, model, **where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_old_drafts_go_recent_drafts_and_submitted_answers_stay(runner, client, db):
    rnd = make_round(db)
    old, recent, done = invite(db, rnd, 3)
    answer_all(client, old, submit=False)
    answer_all(client, recent, submit=False)
    answer_all(client, done)
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=200)
    old_id = db.scalar(
        select(models.Invitation.draft_id)
        .where(models.Invitation.draft_id.is_not(None))
        .order_by(models.Invitation.id)
        .limit(1)
    )
    db.execute(update(models.Draft).where(models.Draft.id == old_id).values(saved_at=long_ago))
    db.commit()
    answers_before = count(db, models.Answer)

    result = runner.invoke(args=["purge-drafts", "--older-than", "180", "--yes"])

    assert result.exit_code == 0, result.output
    assert "1 unfinished response(s)" in result.output
    assert count(db, models.Draft, id=old_id) == 0
    assert draft_content(db, old) is None  # the link is free again, its answers gone
    assert draft_content(db, recent).answers  # the other unfinished draft is kept
    assert count(db, models.Answer) == answers_before  # submitted answers are never touched
    assert count(db, models.Draft) == 1
    assert count(db, models.Response) == 1
    # The freed link starts afresh: the start page shows no saved answers.
    page = client.get(f"/r/{old}")
    assert page.status_code == 200 and "checked" not in page.text


def test_purge_asks_before_deleting_and_needs_an_age(runner, db):
    refused = runner.invoke(args=["purge-drafts", "--older-than", "30"], input="n\n")
    assert refused.exit_code == 1 and "Delete the unfinished answers?" in refused.output
    missing = runner.invoke(args=["purge-drafts", "--yes"])
    assert missing.exit_code == 2 and "--older-than" in missing.output
    zero = runner.invoke(args=["purge-drafts", "--older-than", "0", "--yes"])
    assert zero.exit_code == 2

"""A log-in session ends on the server, on SQLite and PostgreSQL: a copy of the session
cookie taken while it worked opens nothing after log-out, after the idle time (30 minutes
for roles that read row-level data, 2 hours for the others), after the maximum age of
12 hours, or once the user, one of their roles or their password changes. Time is moved by
rewriting the stored timestamps, not by sleeping."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import (
    PASSWORD,
    add_response,
    all_items,
    close_and_publish,
    csrf_token,
    log_in,
    make_round,
    make_user,
)
from conftest import signed_in
from sqlalchemy import select, update

from survey.accounts import services
from survey.db import audit
from survey.db.models import LoginSession

DATA = "/f/norrsund/data.json"


@pytest.fixture
def board(app, client, db):
    """A board member of Norrsund logged in through the form, reading a published round."""
    rnd = make_round(db)
    for value in (2, 3, 4, 5, 4, 3):
        add_response(db, rnd, all_items(db, rnd, lambda _item, v=value: v))
    close_and_publish(db, rnd)
    make_user(db, "styrelse@norrsund.se", "board", "norrsund")
    assert log_in(client, "styrelse@norrsund.se").status_code == 302
    assert reads_data(client)
    return client


def reads_data(client) -> bool:
    response = client.get(DATA)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login?next=")
        assert b"dimensions" not in response.data
        return False
    assert response.status_code == 200, response.status_code
    return "dimensions" in response.get_json()


def copy_of_cookie(app, client):
    """Another browser holding the same (signed) session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def age_sessions(db, **ago: dt.timedelta) -> None:
    """Move the stored times of every session back by `ago` (created_at, last_seen_at)."""
    now = audit.utcnow()
    db.execute(update(LoginSession).values({name: now - delta for name, delta in ago.items()}))
    db.commit()


def test_a_copied_cookie_opens_nothing_after_log_out(app, board, db):
    thief = copy_of_cookie(app, board)
    assert reads_data(thief)
    out = board.post("/logout", data={"csrf_token": csrf_token(board.get("/").text)})
    assert out.status_code == 302
    assert not reads_data(thief)
    assert not reads_data(board)
    assert db.scalars(select(LoginSession)).all() == []


def test_an_idle_session_ends_sooner_for_row_level_roles(app, board, db):
    admin = signed_in(app, app.test_client())  # a system administrator reads row-level data
    assert reads_data(admin)
    age_sessions(db, last_seen_at=dt.timedelta(minutes=29))
    assert reads_data(admin) and reads_data(board)  # and a request counts as use
    age_sessions(db, last_seen_at=dt.timedelta(minutes=31))
    assert not reads_data(admin)
    assert reads_data(board)
    age_sessions(db, last_seen_at=dt.timedelta(hours=2, seconds=1))
    assert not reads_data(board)
    db.expire_all()
    assert db.scalars(select(LoginSession)).all() == []  # ended sessions are deleted


def test_a_busy_session_still_ends_at_its_maximum_age(app, board, db):
    age_sessions(db, created_at=dt.timedelta(hours=11, minutes=59))
    assert reads_data(board)
    age_sessions(db, created_at=dt.timedelta(hours=12, seconds=1), last_seen_at=dt.timedelta())
    assert not reads_data(board)


def test_a_request_marks_the_session_as_used(app, board, db):
    age_sessions(db, last_seen_at=dt.timedelta(minutes=90))
    assert reads_data(board)
    db.expire_all()
    seen = db.scalar(select(LoginSession.last_seen_at))
    assert audit.utcnow() - seen < dt.timedelta(minutes=1)


@pytest.mark.parametrize("removed", ["role", "user"])
def test_removing_the_role_or_the_user_ends_the_live_session(app, board, db, removed):
    thief = copy_of_cookie(app, board)
    if removed == "role":
        services.remove_role(db, "styrelse@norrsund.se", "board", "norrsund", actor="admin",
                             now=audit.utcnow())  # fmt: skip
    else:
        services.remove_user(db, "styrelse@norrsund.se", actor="admin", now=audit.utcnow())
    assert not reads_data(board)
    assert not reads_data(thief)


def test_a_new_password_ends_every_session(app, board, db):
    thief = copy_of_cookie(app, board)
    token = services.issue_set_password_link(db, "styrelse@norrsund.se", actor="t",
                                             now=audit.utcnow())  # fmt: skip
    services.set_password(db, token, PASSWORD + " anew", audit.utcnow())
    assert not reads_data(board) and not reads_data(thief)


def test_the_cookie_names_only_a_random_session_id(app, board, db):
    """Neither the user's id nor anything stored: only the id's hash is in the database."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.loads(board.get_cookie("session").value)
    stored = db.scalar(select(LoginSession))
    assert len(cookie["_user_id"]) >= 40
    assert cookie["_user_id"] != stored.id_hash and ":" not in cookie["_user_id"]

"""The mail worker against a real SMTP server that refuses, vanishes or is slow, and
workers that stop midway or run side by side: nothing is ever sent twice, and what failed
says why. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from builders import make_round
from conftest import PUBLIC_URL, mail_settings, signed_in
from sqlalchemy import select

from survey.db import models
from survey.db.audit import utcnow
from survey.db.models import MessageStatus
from survey.mail import addresses, outbox, services, worker
from survey.services import round_actions

SURVEY = Path(sys.executable).with_name("survey")


@pytest.fixture
def app(mail_app):
    return mail_app


def queue(db, *people: str) -> None:
    """An open round of Norrsund with these addresses, invitations queued."""
    make_round(db)
    listed = addresses.parse("\n".join(people), "sv")
    services.add_addresses(db, "norrsund", "2026", listed, "test-secret", dt.date.today())
    services.queue_messages(db, "norrsund", "2026", "invitation", "test-secret", utcnow())


def statuses(db) -> dict[str, tuple[str, int, str | None]]:
    """address → (status, attempts, last error) of its invitation."""
    db.expire_all()
    rows = db.execute(
        select(models.MailRecipient.address, models.MailMessage.status,
               models.MailMessage.attempts, models.MailMessage.last_error)
        .join(models.MailMessage.recipient)
    )  # fmt: skip
    return {address: (status, attempts, error) for address, status, attempts, error in rows}


def run(db, app, at: dt.datetime | None = None) -> worker.Pass:
    moment = at or utcnow()
    return worker.send_due(db, app.extensions["survey"], clock=lambda: moment)


def test_a_refusing_server_fails_for_good_or_retries_and_never_sends_twice(app, db, smtp):
    queue(db, "borta@norrsund.test", "full@norrsund.test", "anna@norrsund.test")
    smtp.inbox.refuse = {
        "borta@norrsund.test": "550 5.1.1 No such user here",
        "full@norrsund.test": "451 4.2.0 Mailbox busy, try later",
    }
    now = utcnow()
    first = run(db, app, now)
    assert first.counts == {"sent": 1, "failed": 1, "retry": 1} and first.stopped is None
    found = statuses(db)
    assert found["borta@norrsund.test"] == (
        "failed",
        1,
        "recipient refused: 550 5.1.1 No such user here",
    )
    assert found["full@norrsund.test"][:2] == ("queued", 1)
    assert "451 4.2.0 Mailbox busy" in found["full@norrsund.test"][2]

    assert str(run(db, app, now)) == "nothing to send"  # not due before its back-off
    smtp.inbox.refuse = {}
    assert run(db, app, now + outbox.backoff(1)).counts == {"sent": 1}
    assert [m["To"] for m in smtp.messages] == ["anna@norrsund.test", "full@norrsund.test"]
    assert statuses(db)["full@norrsund.test"] == ("sent", 2, None)
    assert str(run(db, app, now + dt.timedelta(days=1))) == "nothing to send"

    page = signed_in(app, app.test_client(), "forbund_admin", "norrsund")
    shown = page.get("/admin/f/norrsund/rounds/2026/mail").text
    assert "borta@norrsund.test" in shown and "550 5.1.1 No such user here" in shown
    assert "anna@norrsund.test" not in shown  # sent: nobody is listed by name


def test_a_vanishing_server_makes_the_queue_wait_and_then_each_goes_once(app, db, smtp):
    queue(db, "a@norrsund.test", "b@norrsund.test", "c@norrsund.test")
    smtp.stop()
    now = utcnow()
    gone = run(db, app, now)
    assert gone.counts == {"retry": 1} and "could not connect to 127.0.0.1" in gone.stopped
    assert sorted(attempts for _s, attempts, _e in statuses(db).values()) == [0, 0, 1]

    smtp.start()  # back on the same port
    back = run(db, app, now + outbox.backoff(1))
    assert back.counts == {"sent": 3}
    assert sorted(m["To"] for m in smtp.messages) == [
        "a@norrsund.test",
        "b@norrsund.test",
        "c@norrsund.test",
    ]


def test_a_server_that_never_comes_back_is_given_up_after_five_attempts(app, db, smtp):
    queue(db, "a@norrsund.test")
    smtp.stop()
    moment = utcnow()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        run(db, app, moment)
        moment += outbox.backoff(attempt)
    status, attempts, error = statuses(db)["a@norrsund.test"]
    assert (status, attempts) == ("failed", 5)
    assert error.startswith("gave up after 5 attempts: could not connect")
    assert str(run(db, app, moment + dt.timedelta(days=1))) == "nothing to send"


def test_two_workers_at_once_send_each_message_once(app, db, smtp):
    people = [f"p{n}@norrsund.test" for n in range(12)]
    queue(db, *people)
    sessions = app.extensions["survey_sessions"]
    config = app.extensions["survey"]
    results = []

    def work():
        with sessions() as own:
            results.append(worker.send_due(own, config))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r.counts["sent"] for r in results) == 12
    assert sorted(m["To"] for m in smtp.messages) == sorted(people)


def _worker(app, smtp, tmp_path, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.extensions["survey"].database_url,
        "SECRET_KEY": "test-secret",
        "PUBLIC_URL": PUBLIC_URL,
        "SURVEY_INSTANCE_PATH": str(tmp_path / "worker"),
        **{k: str(v) for k, v in mail_settings(smtp).items()},
    }
    return subprocess.Popen(
        [str(SURVEY), "mail", "send", *args], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.slow
def test_a_worker_killed_mid_send_is_restarted_and_sends_nothing_twice(app, db, smtp, tmp_path):
    queue(db, "a@norrsund.test", "b@norrsund.test", "c@norrsund.test")
    smtp.inbox.hold.set()  # the server takes the first message and then waits
    watching = _worker(app, smtp, tmp_path, "--watch", "--interval", "0.2")
    assert smtp.inbox.holding.wait(20), watching.stderr
    watching.kill()  # as a power cut would: no chance to mark the message
    watching.wait(10)
    smtp.inbox.hold.clear()
    smtp.inbox.release.set()  # the server drops the message whose sender vanished
    (held,) = [a for a, (s, _n, _e) in statuses(db).items() if s == "sending"]

    # Started again (as systemd restarts it), it sends the other two, not the claimed one.
    again = _worker(app, smtp, tmp_path, "--watch", "--interval", "0.2")
    smtp.wait_for(2)
    others = sorted({"a@norrsund.test", "b@norrsund.test", "c@norrsund.test"} - {held})
    assert sorted(m["To"] for m in smtp.messages) == others
    # Once its claim is stale it is marked: it may have arrived, so it is not sent again.
    run(db, app, utcnow() + outbox.STALE_AFTER + dt.timedelta(seconds=1))
    assert statuses(db)[held][0] == MessageStatus.INTERRUPTED

    # Reminders reach all three (nobody answered), and a worker told to stop by systemd
    # (SIGTERM) finishes the message in hand and leaves cleanly.
    services.queue_messages(db, "norrsund", "2026", "reminder", "test-secret", utcnow())
    smtp.wait_for(5)
    again.send_signal(signal.SIGTERM)
    out, err = again.communicate(timeout=15)
    assert again.returncode == 0, err
    # Two invitations and three reminders, in one pass or two (the reminders may be queued
    # while the pass that sent the invitations is still looking for more).
    assert sum(int(n) for n in re.findall(r"(\d+) sent", out)) == 5, out
    reminded = sorted(m["To"] for m in smtp.messages[2:])
    assert reminded == ["a@norrsund.test", "b@norrsund.test", "c@norrsund.test"]


def test_a_message_that_cannot_be_made_fails_alone(app, db, smtp):
    queue(db, "a@norrsund.test")
    association = db.scalar(select(models.Association))
    association.name = "Norrsund\nBcc: alla@example.test"  # a header cannot hold a line break
    db.commit()
    assert run(db, app).counts == {"failed": 1}
    status, _attempts, error = statuses(db)["a@norrsund.test"]
    assert status == "failed" and error.startswith("the message could not be made")
    assert smtp.messages == []


def test_a_round_closed_while_a_message_is_being_sent(app, db, smtp):
    queue(db, "a@norrsund.test")
    config = app.extensions["survey"]
    claimed = outbox.claim_next(db, config.secret_key, utcnow())
    with app.extensions["survey_sessions"]() as page:  # an administrator closes it
        round_actions.close_round(page, "norrsund", "2026", dt.date.today())  # addresses go
    outbox.sent(db, claimed.message_id, utcnow())  # the worker comes back: nothing to mark
    assert statuses(db) == {}

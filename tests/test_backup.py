"""Backups while respondents submit, and restores that lose nothing by accident.

A backup taken through `survey backup` while clients submit through gunicorn is
consistent: restored, it holds exactly the responses it counted, each whole and as its
respondent sent it, and every used link has its response. A restore over a database that
has moved on is refused unless forced, and says that links used since are usable again.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
import time
from collections import Counter

import pytest
from load_driver import expected_answers, gunicorn, plans, prepare, run
from sqlalchemy import create_engine, func, select, text

from survey.db import models

LINKS = 24
CLIENTS = 4


def _pg_tools_match(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        return
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed")
    client = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True).stdout
    engine = create_engine(database_url)
    with engine.connect() as conn:
        server = conn.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    if client.split()[-1].split(".")[0] != server.split(".")[0]:
        pytest.skip(f"pg_dump {client.strip()} does not match the server's {server}")


def _responses(app) -> int:
    with app.extensions["survey_engine"].connect() as conn:
        return conn.scalar(select(func.count()).select_from(models.Response))


def _stored(app) -> tuple[int, int, dict[str, dict[str, str]], Counter]:
    """Responses, used links, each response's answers by its comment, answers per item."""
    engine = app.extensions["survey_engine"]
    with engine.connect() as conn:
        codes = dict(conn.execute(select(models.Item.id, models.Item.code)).all())
        comments = dict(conn.execute(select(models.Comment.response_id, models.Comment.text)).all())
        by_marker: dict[str, dict[str, str]] = {}
        per_item: Counter = Counter()
        for rid, item_id, value in conn.execute(
            select(models.Answer.response_id, models.Answer.item_id, models.Answer.value)
        ):
            shown = "dk" if value is None else str(value)
            by_marker.setdefault(comments[rid], {})[codes[item_id]] = shown
            per_item[(codes[item_id], shown)] += 1
        responses = conn.scalar(select(func.count()).select_from(models.Response))
        used = conn.scalar(select(func.count()).where(models.Invitation.used.is_(True)))
    return responses, used, by_marker, per_item


@pytest.mark.slow
def test_a_backup_taken_under_load_restores_exactly_what_it_counted(
    app, runner, database_url, tmp_path
):
    _pg_tools_match(database_url)
    tokens = prepare(database_url, LINKS)
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "backup-test-secret",
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        "RATE_LIMIT_RESPOND": "1000000/minute",
    }
    out = tmp_path / "backup.db"
    finished = {}
    with gunicorn(env, workers=2, threads=4) as url:
        clients = threading.Thread(
            target=lambda: finished.update(run=run(url, plans(tokens), CLIENTS))
        )
        clients.start()
        deadline = time.monotonic() + 60
        while _responses(app) < LINKS // 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        made = runner.invoke(args=["backup", "--out", str(out)])
        clients.join()
    assert made.exit_code == 0, made.output
    counted = int(made.output.split(": ")[1].split()[0])
    outcomes, _ = finished["run"]
    assert all(o.submitted for o in outcomes), [o.error for o in outcomes if o.error][:3]
    assert LINKS // 4 <= counted < LINKS  # taken mid-way
    again = runner.invoke(args=["backup", "--out", str(out)])
    assert again.exit_code == 1 and "never overwrites" in again.output

    refused = runner.invoke(args=["restore", str(out)])
    assert refused.exit_code == 1
    assert "newer data than the backup" in refused.output and "--force" in refused.output
    assert _stored(app)[0] == LINKS  # untouched

    restored = runner.invoke(args=["restore", str(out), "--force", "--close-open-rounds"])
    assert restored.exit_code == 0, restored.output
    assert "links used after the backup was taken are usable again" in restored.output
    assert "Closed: lasttest/2026" in restored.output
    responses, used, by_marker, per_item = _stored(app)
    assert responses == used == counted == len(by_marker)
    sent = {o.marker: o for o in outcomes}
    expected_per_item: Counter = Counter()
    for marker, answers in by_marker.items():
        expected, comment = expected_answers(sent[marker.removesuffix("-raced")])
        assert (answers, marker) == (expected, comment)
        expected_per_item.update(expected.items())
    assert per_item == expected_per_item  # the aggregates of exactly those responses


def test_restoring_what_is_not_a_backup_says_so_and_changes_nothing(runner, database_url, tmp_path):
    not_a_backup = tmp_path / "notes.db"
    not_a_backup.write_text("inköpslista: mjölk, bröd\n", encoding="utf-8")
    (tmp_path / "notes.db.summary.json").write_text("{}", encoding="utf-8")  # PostgreSQL's
    for source, said in (
        (tmp_path / "missing.db", "no backup file"),
        (not_a_backup, "not a backup" if database_url.startswith("sqlite") else "pg_restore"),
    ):
        result = runner.invoke(args=["restore", str(source), "--force"])
        assert result.exit_code == 1, result.output
        assert said in result.output and "Traceback" not in result.output


def test_a_backup_is_readable_by_its_owner_only_and_leaves_nothing_beside_it(
    runner, database_url, tmp_path
):
    _pg_tools_match(database_url)
    folder = tmp_path / "backups"
    folder.mkdir()
    out = folder / "survey.backup"
    old_umask = os.umask(0o022)  # the usual umask, which made it 0644
    try:
        result = runner.invoke(args=["backup", "--out", str(out)])
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output

    made = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    expected = {"survey.backup": 0o600}  # password hashes, TOTP secrets, drafts, addresses
    if database_url.startswith("postgresql"):
        expected["survey.backup.summary.json"] = 0o600
    assert made == expected  # on SQLite no survey.backup-wal or -shm
    restored = runner.invoke(args=["restore", str(out), "--force", "--keep-open-rounds"])
    assert restored.exit_code == 0, restored.output
    assert {p.name for p in folder.iterdir()} == set(expected)  # reading it leaves none either


def test_a_restore_that_closes_the_open_rounds_deletes_their_addresses(
    runner, app, db, database_url, tmp_path
):
    """`--close-open-rounds` closes as the page and `survey round close` do: the round's
    e-mail addresses go with the close (kept by the backup, they are not kept after it)."""
    import datetime as dt

    from builders import make_round

    from survey.mail import addresses
    from survey.mail import services as mail

    _pg_tools_match(database_url)
    make_round(db, slug="norrsund", label="2026")
    listed = addresses.parse("anna@norrsund.test\nbo@norrsund.test", "sv")
    mail.add_addresses(db, "norrsund", "2026", listed, "test-secret", dt.date.today())
    out = tmp_path / "backup.db"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    restored = runner.invoke(args=["restore", str(out), "--force", "--close-open-rounds"])
    assert restored.exit_code == 0, restored.output
    assert "Closed: norrsund/2026" in restored.output
    with app.extensions["survey_engine"].connect() as conn:
        assert conn.scalar(select(func.count()).select_from(models.MailRecipient)) == 0
        state = conn.scalar(select(models.Round.state).filter_by(label="2026"))
        actions = set(conn.scalars(select(models.AuditEvent.action)))
    assert state == "closed" and "mail_addresses_deleted" in actions

"""SQLite as a real embedded default: a database that cannot take a write — busy past the
lock's wait, full, or read-only — gives a clear 503 page, saves nothing by halves, and
pages that only read keep working. SQLite only: these are SQLite's own failure modes."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
import requests
from builders import add_response, begin, close_and_publish, csrf_token, invite, make_round
from builders import stored_state as stored
from conftest import QUESTIONNAIRES, _user_identity, make_app
from load_driver import gunicorn, server_log
from sqlalchemy import event

import survey.db.engine
from survey.db.schema import create_schema
from survey.instruments.catalog import load_directory

NOBODY = 65534


def _app_on(path: Path, tmp_path: Path):
    app = make_app(f"sqlite:///{path}", tmp_path)
    with app.extensions["survey_sessions"]() as session:
        load_directory(session, QUESTIONNAIRES)
        session.commit()
    return app


def _new_app(tmp_path: Path):
    path = tmp_path / "survey.db"
    app = make_app(f"sqlite:///{path}", tmp_path)
    create_schema(app.extensions["survey_engine"])
    app.extensions["survey_engine"].dispose()
    return _app_on(path, tmp_path)


def _save_page(client, token, csrf, comment="Bra"):
    return client.post(
        f"/r/{token}/p/1",
        data={"csrf_token": csrf, "nav": "next", "item-STRAT1": "4", "comment": comment},
    )


def test_a_write_that_waits_too_long_for_the_lock_is_asked_again_not_a_500(tmp_path, monkeypatch):
    app = _new_app(tmp_path)
    client = app.test_client()
    with app.extensions["survey_sessions"]() as session:
        token = invite(session, make_round(session))[0]
    csrf = begin(client, token)
    monkeypatch.setattr(survey.db.engine, "BUSY_TIMEOUT_MS", 50)  # not 3 × 5 s in a test
    app.extensions["survey_engine"].dispose()  # connections made from now on wait 50 ms
    with app.extensions["survey_sessions"]() as session:
        before = stored(session)
    other_writer = sqlite3.connect(tmp_path / "survey.db", isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")  # e.g. a long export or migration holding it
    try:
        refused = _save_page(client, token, csrf)
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()

    assert refused.status_code == 503
    assert "försök igen om en stund" in refused.text  # Swedish, the default language
    with app.extensions["survey_sessions"]() as session:
        assert stored(session) == before
    assert _save_page(client, token, csrf).status_code == 302  # the same post, once free


def test_a_full_database_refuses_the_page_whole_and_still_shows_what_was_saved(tmp_path):
    # Small pages: a long comment then needs new (overflow) pages, which a database that
    # may not grow cannot give, exactly as on a full disk ("database or disk is full").
    path = tmp_path / "survey.db"
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA page_size=512")
        con.execute("CREATE TABLE sizer(x)")
        con.execute("DROP TABLE sizer")
    app = make_app(f"sqlite:///{path}", tmp_path)
    create_schema(app.extensions["survey_engine"])
    app = _app_on(path, tmp_path)
    client = app.test_client()
    with app.extensions["survey_sessions"]() as session:
        token = invite(session, make_round(session))[0]
    csrf = begin(client, token)
    engine = app.extensions["survey_engine"]
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM")  # no free pages left to reuse
        (pages,) = conn.exec_driver_sql("PRAGMA page_count").one()

    @event.listens_for(engine, "connect")
    def _disk_is_full(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    engine.dispose()
    with app.extensions["survey_sessions"]() as session:
        before = stored(session)

    refused = _save_page(client, token, csrf, comment="lång kommentar " * 130)

    assert refused.status_code == 503
    assert "ingenting på den här sidan sparades" in refused.text
    with app.extensions["survey_sessions"]() as session:
        assert stored(session) == before  # not the answers without the comment
    page = client.get(f"/r/{token}/p/1")
    assert page.status_code == 200  # reading still works
    assert "checked" in client.get(f"/r/{token}?start=1").text  # the saved background


def _published_round_with_link(app) -> str:
    """A published round with six responses (a dashboard to read) and an open round with
    one link (a page to save)."""
    with app.extensions["survey_sessions"]() as session:
        published = make_round(session, label="2025")
        items = {"STRAT1": 4, "STRAT2": 3, "STYR1": 5}
        for _ in range(6):
            add_response(session, published, items)
        close_and_publish(session, published)
        return invite(session, make_round(session, label="2026"))[0]


def _as_nobody() -> tuple[str, ...]:
    """Root ignores file permissions, so the server runs as nobody (setpriv)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be tested")
    return (setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")


@pytest.mark.slow
def test_a_read_only_instance_folder_boots_shows_dashboards_and_refuses_saves_clearly(
    tmp_path,
):
    prefix = _as_nobody()
    folder = Path(tempfile.mkdtemp(prefix="survey-readonly-"))  # outside root's 0700 tmp
    try:
        app = _new_app(folder)
        token = _published_round_with_link(app)
        signer = app.session_interface.get_signing_serializer(app)
        board = signer.dumps(
            {"_user_id": _user_identity(app, "board", "norrsund", "b@x.invalid"), "_fresh": True}
        )
        app.extensions["survey_engine"].dispose()  # the last connection removes -wal, -shm
        for path in folder.rglob("*"):
            path.chmod(0o555 if path.is_dir() else 0o444)
        folder.chmod(0o555)
        env = {
            "DATABASE_URL": f"sqlite:///{folder / 'survey.db'}",
            "SECRET_KEY": "test-secret",
            "SURVEY_INSTANCE_PATH": str(folder / "instance"),
        }
        with gunicorn(env, workers=2, threads=2, log_dir=tmp_path, prefix=prefix) as url:
            dashboard = requests.get(f"{url}/f/norrsund?round=2025", cookies={"session": board})
            http = requests.Session()
            start = http.get(f"{url}/r/{token}")
            save = http.post(
                f"{url}/r/{token}",
                data={"csrf_token": csrf_token(start.text), "role": "chef", "agency": "kommun"},
                allow_redirects=False,
            )
            log = server_log(env, tmp_path)
    finally:
        folder.chmod(0o755)
        for path in folder.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder)

    assert dashboard.status_code == 200, log
    assert "norrsund" in dashboard.text.lower()
    assert start.status_code == 200
    assert save.status_code == 503, log
    assert "kan bara läsas" in save.text, save.text
    assert "Traceback" not in log


def test_the_storage_faults_are_recognised_on_postgresql_too():
    """PostgreSQL reports them by SQLSTATE: a full disk (class 53) and a read-only
    transaction (25006), as when a replica or a disk-full guard refuses writes."""

    class Fault(Exception):
        def __init__(self, sqlstate):
            self.sqlstate = sqlstate

    assert survey.db.engine.storage_fault(Fault("53100")) == "full"
    assert survey.db.engine.storage_fault(Fault("25006")) == "read_only"
    assert survey.db.engine.storage_fault(Fault("23505")) is None


#: The largest file the server may write: room for SQLite's shared-memory index (32 kB,
#: needed to read at all) and a few pages of write-ahead log, as on a disk nearly full.
FILE_SIZE_LIMIT = 48 * 1024


@pytest.mark.slow
def test_a_disk_that_takes_no_more_bytes_answers_the_storage_page_not_a_500(tmp_path):
    """Under a file-size limit SQLite reports "disk I/O error", not "disk is full": the
    respondent must get the same 503 page, and nothing saved before is lost."""
    app = _new_app(tmp_path)
    with app.extensions["survey_sessions"]() as session:
        token = invite(session, make_round(session))[0]
    begin(app.test_client(), token)
    app.extensions["survey_engine"].dispose()  # the write-ahead log emptied and removed
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'survey.db'}",
        "SECRET_KEY": "test-secret",
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        "RATE_LIMIT_RESPOND": "1000000/minute",
    }
    limit = ("prlimit", f"--fsize={FILE_SIZE_LIMIT}")
    statuses = []
    with gunicorn(env, workers=1, threads=1, log_dir=tmp_path, prefix=limit) as url:
        http = requests.Session()
        csrf = csrf_token(http.get(f"{url}/r/{token}/p/1").text)
        for attempt in range(40):  # each save adds pages to the log, until one cannot
            page = 1 + attempt % 10
            form = http.get(f"{url}/r/{token}/p/{page}").text
            items = set(re.findall(r'name="(item-[A-Z]+\d+)"', form))
            saved = http.post(
                f"{url}/r/{token}/p/{page}",
                data={"csrf_token": csrf, "nav": "next", "comment": f"{attempt} " * 900}
                | dict.fromkeys(items, str(1 + attempt % 5)),
                allow_redirects=False,
            )
            statuses.append(saved.status_code)
            if saved.status_code != 302:
                break
        log = server_log(env, tmp_path)
    refused = saved

    assert statuses[:-1] == [302] * (len(statuses) - 1) and statuses[-1] == 503, log
    assert "ingenting på den här sidan sparades" in refused.text  # the documented page
    assert "Traceback" not in log
    client = _app_on(tmp_path / "survey.db", tmp_path).test_client()
    assert "checked" in client.get(f"/r/{token}?start=1").text  # saved before: kept
    last_saved = 1 + (len(statuses) - 2) % 10
    assert client.get(f"/r/{token}/p/{last_saved}").text.count("checked") == 4

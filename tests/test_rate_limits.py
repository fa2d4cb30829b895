"""Rate limits per client address: log-in posts and respondent pages answer 429 with an
app-styled page past their limit, counted in memory per process, or in Redis across
every server process (tested against a real Redis, never a mock)."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from builders import answer_all, csrf_token, invite, make_round
from conftest import make_app

from survey.web.throttle import QuietMemoryStorage

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def limited(database_url, tmp_path, **limits):
    """Another app on the database of the `app` fixture (which made its schema), with a
    low log-in limit and whatever else is asked."""
    return make_app(database_url, tmp_path, RATE_LIMIT_LOGIN="3/minute", **limits)


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):  # .ci/run starts one: its absence there is a fault
            raise RuntimeError(f"CI needs Redis at {REDIS_URL}: {exc}") from exc
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


def attempt(client, csrf: str):
    return client.post("/login", data={"csrf_token": csrf, "email": "x@y.se", "password": "p"})


def test_log_in_posts_past_the_limit_get_429(app, tmp_path, database_url):
    app = limited(database_url, tmp_path)
    client = app.test_client()
    csrf = csrf_token(client.get("/login").text)
    assert [attempt(client, csrf).status_code for _ in range(3)] == [401, 401, 401]
    refused = attempt(client, csrf)
    assert refused.status_code == 429
    assert "För många försök" in refused.text and "Vänta en minut" in refused.text
    assert int(refused.headers["Retry-After"]) <= 60
    english = client.post("/login", data={"csrf_token": csrf}, headers={"Accept-Language": "en"})
    assert english.status_code == 429 and "Wait a minute and try again" in english.text
    assert client.get("/login").status_code == 200  # reading the page is not a guess
    app.extensions["survey_engine"].dispose()


def test_counting_in_memory_starts_no_thread_per_request(app, db, tmp_path, database_url):
    """`memory://` counts without the `limits` library's expiry timer, which started a thread
    on most requests (survey/web/throttle.py); an ended window is still forgotten."""
    token = invite(db, make_round(db))[0]
    app = limited(database_url, tmp_path, RATE_LIMIT_RESPOND="1000/minute")
    client = app.test_client()
    client.get(f"/r/{token}")
    storage = app.extensions["survey_limiter"].storage
    assert isinstance(storage, QuietMemoryStorage)
    started = threading.Thread.start
    starts = []
    threading.Thread.start = lambda thread: (starts.append(thread), started(thread))[1]
    try:
        assert all(client.get(f"/r/{token}").status_code == 200 for _ in range(20))
    finally:
        threading.Thread.start = started
    assert starts == []
    storage.incr("ended", expiry=0)  # a window that has ended by the next read
    assert storage.get("ended") == 0
    app.extensions["survey_engine"].dispose()


def test_respondent_pages_are_limited_per_address(app, db, tmp_path, database_url):
    token = invite(db, make_round(db))[0]
    app = limited(database_url, tmp_path, RATE_LIMIT_RESPOND="4/minute")
    client = app.test_client()
    assert [client.get(f"/r/{token}").status_code for _ in range(4)] == [200] * 4
    assert client.get(f"/r/{token}").status_code == 429
    # Another address still gets through.
    other = client.get(f"/r/{token}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
    app.extensions["survey_engine"].dispose()


def test_two_processes_count_together_in_redis(app, tmp_path, database_url, redis_url):
    """Two apps on one Redis stand for two server processes: the count is shared, where
    in memory each would allow the limit on its own."""
    shared = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    first = limited(database_url, tmp_path, **shared)
    second = limited(database_url, tmp_path, **shared)
    alone = limited(database_url, tmp_path)
    one, two, three = first.test_client(), second.test_client(), alone.test_client()
    csrf_one, csrf_two = csrf_token(one.get("/login").text), csrf_token(two.get("/login").text)
    assert [attempt(one, csrf_one).status_code for _ in range(2)] == [401, 401]
    assert attempt(two, csrf_two).status_code == 401
    assert attempt(two, csrf_two).status_code == 429
    assert attempt(one, csrf_one).status_code == 429
    csrf_three = csrf_token(three.get("/login").text)
    assert attempt(three, csrf_three).status_code == 401  # memory: its own count
    for each in (first, second, alone):
        each.extensions["survey_engine"].dispose()


def test_the_default_limits_leave_a_whole_questionnaire_alone(client, db):
    """A respondent's whole questionnaire (a GET and a POST per page, and more) fits well
    inside the default per-address limit."""
    token = invite(db, make_round(db))[0]
    answer_all(client, token)
    assert client.get(f"/r/{token}").status_code != 429

"""The README's "Running it for a förbund", followed: nginx with deploy/nginx/samverkan.conf
and a throw-away certificate in front of two gunicorn app servers (deploy/gunicorn.conf.py)
sharing one PostgreSQL database and one Redis for the rate limits. nginx takes turns between
the servers, so every step of a respondent's questionnaire and an administrator's log-in
lands on the other server than the step before: sessions, CSRF tokens and rate limits hold
across them. Skipped, with the reason, where nginx, openssl, PostgreSQL or Redis is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
import re
import runpy
import shutil
import ssl
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import csrf_token, hidden_field
from conftest import POSTGRES_ADMIN_URL, QUESTIONNAIRES, empty_database
from recipe_stack import (
    DEPLOY,
    NGINX,
    Browser,
    Process,
    free_ports,
    gunicorn,
    nginx,
    nginx_conf,
    render_site,
    self_signed_certificate,
    stop,
    wait_until_healthy,
)
from sqlalchemy import create_engine, func, select

from survey import create_app
from survey.db import models
from survey.web.assets import PLOTLY_JS, fingerprint

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
ADMIN = "anna@norrsund.test"
PASSWORD = "en lång lösenfras för anna"
#: Few log-in posts a minute, so the shared count shows after a handful of tries.
LOGIN_LIMIT = 3


def _missing() -> str | None:
    """Why the recipe cannot run here, or None."""
    for tool, found in (("nginx", NGINX), ("openssl", shutil.which("openssl"))):
        if found is None:
            return f"{tool} is not installed (apt-get install -y {tool}; .ci/run does)"
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {REDIS_URL}: {exc}"
    return None


@pytest.fixture(scope="module")
def database(postgres_url):
    """This run's PostgreSQL database (conftest), emptied: the recipe's for this module."""
    if postgres_url is None:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    engine = create_engine(postgres_url)
    empty_database(engine)
    engine.dispose()
    return postgres_url


@dataclass
class Stack:
    https: int
    http: int
    servers: dict[str, int]  # name -> port
    folder: Path
    context: ssl.SSLContext
    links: list[str]  # respondent tokens
    password_link: str  # the path of the administrator's set-password link
    redis_prefix: str
    database_url: str

    def browser(self) -> Browser:
        return Browser(self.https, self.context)

    def upstreams(self) -> list[str]:
        """Which app server answered each proxied request, in order (nginx's access log)."""
        lines = (self.folder / "samverkan.access.log").read_text().splitlines()
        return [line.split()[-2] for line in lines if line.split()[-2] != "-"]

    def logs(self) -> str:
        names = [f"{name}-access.log" for name in self.servers] + ["samverkan.access.log"]
        return "\n".join((self.folder / name).read_text() for name in names)


def _configure(folder: Path, database_url: str, https: int, prefix: str) -> Path:
    """instance/config.py as the README's "Configure" step writes it."""
    instance = folder / "instance"
    instance.mkdir()
    settings = {
        "SECRET_KEY": uuid.uuid4().hex,
        "PUBLIC_URL": f"https://127.0.0.1:{https}",
        "DATABASE_URL": database_url,
        "TRUSTED_PROXIES": 1,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,  # parallel runs share the Redis
        "RATE_LIMIT_LOGIN": f"{LOGIN_LIMIT}/minute",
        "QUESTIONNAIRE_DIR": str(QUESTIONNAIRES),
    }
    lines = [f"{key} = {value!r}" for key, value in settings.items()]
    (instance / "config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return instance


def _set_up(instance: Path, folder: Path) -> tuple[list[str], str]:
    """Migrate, a round with links, the first administrator, the static files: the
    README's commands, run in-process through the same `survey` command."""
    app = create_app({"INSTANCE_PATH": instance})
    cli = app.test_cli_runner()
    today = dt.date.today()

    def survey(*args: str) -> str:
        result = cli.invoke(args=list(args))
        assert result.exit_code == 0, f"survey {' '.join(args)}: {result.output}"
        return result.output

    survey("init")
    survey("forbund", "add", "norrsund", "Norrsund samordningsförbund")
    closes = str(today + dt.timedelta(days=30))
    survey("round", "create", "--forbund", "norrsund", "--label", "2026", "--closes", closes)
    survey("round", "open", "norrsund/2026")
    survey("invite", "--round", "norrsund/2026", "--count", "3", "--out", str(folder / "l.csv"))
    added = survey(*f"user add --email {ADMIN} --role forbund_admin --forbund norrsund".split())
    survey("collect-static", "--out", str(folder / "static"))
    app.extensions["survey_engine"].dispose()
    with (folder / "l.csv").open(encoding="utf-8-sig") as fh:
        links = [row["link"].rsplit("/r/", 1)[1] for row in csv.DictReader(fh)]
    return links, re.search(r"https://[^/\s]+(/set-password/\S+)", added).group(1)


def _nginx_files(folder: Path, https: int, http: int, servers: list[int]) -> Path:
    """The site with the example values replaced (README, step 5), a certificate, and the
    main file around it; returns the certificate, which the client trusts."""
    cert, key = self_signed_certificate(folder)
    upstream = "\n    ".join(f"server 127.0.0.1:{port};" for port in servers)
    site = render_site(
        {
            "    listen [::]:80;\n": "",
            "    listen [::]:443 ssl http2;\n": "",
            "listen 80;": f"listen 127.0.0.1:{http};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
            "samverkan.example.se;": "127.0.0.1;",
            "/etc/letsencrypt/live/samverkan.example.se/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/samverkan.example.se/privkey.pem": str(key),
            "/srv/samverkan/static": str(folder / "static"),
            "server 127.0.0.1:8000;": upstream,
            "/var/log/nginx/": f"{folder}/",
        }
    )
    (folder / "site.conf").write_text(site, encoding="utf-8")
    (folder / "nginx.conf").write_text(nginx_conf(folder, folder / "site.conf"))
    return cert


@pytest.fixture(scope="module")
def stack(database, tmp_path_factory):
    if reason := _missing():
        if os.environ.get("CI"):
            raise RuntimeError(f"CI runs the production recipe: {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("recipe")
    https, http, one, two = free_ports(4)
    servers = {"one": one, "two": two}
    prefix = f"recipe-{uuid.uuid4().hex}"
    instance = _configure(folder, database, https, prefix)
    context = ssl.create_default_context(cafile=str(_nginx_files(folder, https, http, [one, two])))
    processes: list[Process] = []
    try:
        # The servers boot while the database is set up; they are healthy once it is.
        processes += [gunicorn(name, port, folder, instance) for name, port in servers.items()]
        processes.append(nginx(folder, folder / "nginx.conf"))
        links, password_link = _set_up(instance, folder)
        wait_until_healthy(processes, [(one, None), (two, None), (https, context)])
        yield Stack(https, http, servers, folder, context, links, password_link, prefix, database)
    finally:
        stop(processes)
        _forget_counts(prefix)


def _forget_counts(prefix: str) -> None:
    """This run's rate-limit counts in the shared Redis."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.mark.slow
def test_plain_http_is_sent_to_https(stack):
    plain = Browser(stack.http, None)
    answer = plain.get("/login?lang=en")
    assert answer.status == 301
    assert answer.headers["Location"] == "https://127.0.0.1/login?lang=en"
    plain.close()


@pytest.mark.slow
def test_a_respondent_answers_everything_with_each_step_on_the_other_server(stack):
    token, browser = stack.links[0], stack.browser()
    start = browser.get(f"/r/{token}")
    assert start.status == 200, start.text
    assert start.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    session = start.cookie("session")
    assert session and "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    csrf = csrf_token(start.text)  # made by one server, accepted by the other from here on
    background = {"csrf_token": csrf, "role": "handlaggare", "agency": "kommun"}
    saved = browser.post(f"/r/{token}", background)
    assert saved.status == 302, saved.text
    pages, asked = 0, 0
    location = saved.headers["Location"]
    while not location.endswith("/summary"):
        page = browser.get(location)
        assert page.status == 200, page.text
        codes = sorted(set(re.findall(r'name="item-([A-Z0-9_]+)"', page.text)))
        form = {"csrf_token": csrf, "nav": "next", **{f"item-{c}": "4" for c in codes}}
        posted = browser.post(location, form)
        assert posted.status == 302, posted.text
        location, pages, asked = posted.headers["Location"], pages + 1, asked + len(codes)
    assert pages == 10
    summary = browser.get(location)
    receipt = hidden_field(summary.text, "receipt")
    thanks = browser.post(f"/r/{token}/submit", {"csrf_token": csrf, "receipt": receipt})
    assert thanks.status == 200 and "Tack" in thanks.text
    browser.close()

    turns = stack.upstreams()
    assert len(turns) >= 2 + 2 * pages + 2
    assert set(turns) == {f"127.0.0.1:{port}" for port in stack.servers.values()}
    assert all(a != b for a, b in zip(turns, turns[1:], strict=False)), turns
    engine = create_engine(stack.database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(models.Response)) == 1
        assert conn.scalar(select(func.count()).select_from(models.Answer)) == asked
        assert conn.scalar(select(func.count()).select_from(models.Draft)) == 0
    engine.dispose()
    logs = stack.logs()
    assert token not in logs and "/r/<link>/p/3" in logs
    for name in stack.servers:  # both app servers logged requests, none with the token
        assert "/r/<link>" in (stack.folder / f"{name}-access.log").read_text()


@pytest.mark.slow
def test_an_administrator_sets_a_password_and_logs_in_across_both_servers(stack):
    browser = stack.browser()
    form = browser.get(stack.password_link)
    assert form.status == 200
    password = {"password": PASSWORD, "repeat": PASSWORD}
    done = browser.post(stack.password_link, {"csrf_token": csrf_token(form.text), **password})
    assert done.status == 302 and done.headers["Location"] == "/login"
    login = browser.get("/login")
    credentials = {"email": ADMIN, "password": PASSWORD}
    signed = browser.post("/login", {"csrf_token": csrf_token(login.text), **credentials})
    assert signed.status == 302, signed.text
    cookie = signed.cookie("session")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for _ in range(2):  # the session holds on both servers
        dashboard = browser.get("/f/norrsund?round=2026")
        assert dashboard.status == 200 and ADMIN in dashboard.text
    browser.close()
    secret = stack.password_link.rsplit("/", 1)[1]
    assert secret not in stack.logs() and "/set-password/<link>" in stack.logs()
    _forget_counts(stack.redis_prefix)  # the log-in posts above count too


@pytest.mark.slow
def test_failed_log_ins_are_counted_by_both_servers_together(stack):
    """The limit is LOGIN_LIMIT posts a minute per address. Posts alternate between the
    servers, so each alone would allow every post below; counted together in Redis, the
    one past the limit is refused, on whichever server it lands."""
    browser = stack.browser()
    csrf = csrf_token(browser.get("/login").text)
    guess = {"csrf_token": csrf, "email": "nobody@norrsund.test", "password": "wrong guess"}
    statuses = [browser.post("/login", guess).status for _ in range(LOGIN_LIMIT + 2)]
    assert statuses == [401] * LOGIN_LIMIT + [429, 429]
    assert len(set(stack.upstreams()[-(LOGIN_LIMIT + 2) :])) == 2
    browser.close()
    _forget_counts(stack.redis_prefix)


@pytest.mark.slow
def test_plotly_comes_from_nginx_gzipped_and_kept_for_a_year(stack):
    """The files the pages load, from `survey collect-static`'s folder: the gzip copy, a
    year's cache (their addresses change with their content), and never the app."""
    browser = stack.browser()
    address = f"/vendor/plotly.min.js?v={fingerprint(PLOTLY_JS)}"
    plotly = browser.get(address, Accept_Encoding="gzip")
    assert plotly.status == 200
    assert plotly.headers["Content-Encoding"] == "gzip"
    assert plotly.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plotly.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert plotly.headers["X-Content-Type-Options"] == "nosniff"
    assert len(plotly.body) < PLOTLY_JS.stat().st_size / 3
    assert gzip.decompress(plotly.body) == PLOTLY_JS.read_bytes()
    style = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', browser.get("/login").text)
    css = browser.get(style.group(1), Accept_Encoding="gzip")
    assert css.status == 200 and css.headers["Content-Encoding"] == "gzip"
    browser.close()
    served = [(stack.folder / f"{name}-access.log").read_text() for name in stack.servers]
    assert not any('"GET /vendor/' in log or '"GET /static/' in log for log in served)


@pytest.mark.slow
def test_healthz_answers_through_the_proxy(stack):
    browser = stack.browser()
    answer = browser.get("/healthz")
    assert answer.status == 200 and answer.body == b'{"database":"ok","schema":"current"}\n'
    # Scheme headers a client adds itself change nothing: only nginx's own one counts.
    claims = {"X_Forwarded_Ssl": "off", "X_Forwarded_Protocol": "http"}
    answer = browser.get("/login", **claims)
    assert answer.status == 200 and "Strict-Transport-Security" in answer.headers
    browser.close()


@pytest.mark.slow
def test_a_body_over_the_apps_limit_gets_the_apps_page_not_nginxs(stack):
    browser = stack.browser()
    csrf = csrf_token(browser.get(f"/r/{stack.links[1]}").text)
    big = f"csrf_token={csrf}&comment=".encode() + b"x" * (1536 * 1024)
    answer = browser.post(f"/r/{stack.links[1]}", big)
    assert answer.status == 413 and "Formuläret var för stort" in answer.text, answer.text[:300]
    browser.close()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_units_are_valid(tmp_path):
    """Both units as systemd reads them (with the commands they start pointed at this
    checkout's virtual environment: systemd checks they exist)."""
    venv = Path(sys.executable).parent  # where gunicorn and survey are installed
    units = [tmp_path / name for name in ("samverkan.service", "samverkan-mail.service")]
    for unit in units:
        written = (DEPLOY / "systemd" / unit.name).read_text(encoding="utf-8")
        assert "/srv/samverkan/venv/bin/" in written
        unit.write_text(written.replace("/srv/samverkan/venv/bin/", f"{venv}/"))
    found = subprocess.run(
        ["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True
    )
    assert found.returncode == 0 and found.stderr == "", found.stderr


def _gunicorn_settings(tmp_path, monkeypatch, config: str, **env: str) -> dict:
    """deploy/gunicorn.conf.py as gunicorn reads it, for an instance folder holding `config`."""
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    (instance / "config.py").write_text(config, encoding="utf-8")
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(instance))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_trusts_forwarded_https_only_when_the_app_trusts_a_proxy(tmp_path, monkeypatch):
    """gunicorn and the app's ProxyFix agree: with TRUSTED_PROXIES = 0 nobody may claim
    HTTPS through X-Forwarded-Proto; with a proxy, its address (loopback, or as told)."""
    alone = _gunicorn_settings(tmp_path, monkeypatch, "TRUSTED_PROXIES = 0\n")
    assert alone["forwarded_allow_ips"] == ""
    proxied = _gunicorn_settings(tmp_path, monkeypatch, "TRUSTED_PROXIES = 1\n")
    assert proxied["forwarded_allow_ips"] == "127.0.0.1,::1"
    elsewhere = _gunicorn_settings(
        tmp_path, monkeypatch, "TRUSTED_PROXIES = 1\n", FORWARDED_ALLOW_IPS="10.0.0.5"
    )
    assert elsewhere["forwarded_allow_ips"] == "10.0.0.5"


def test_gunicorn_sizes_itself_from_the_cores_unless_told(tmp_path, monkeypatch):
    found = _gunicorn_settings(tmp_path, monkeypatch, "")
    assert found["workers"] == 2 * os.cpu_count() + 1 and found["threads"] == 4
    assert found["bind"] == ["127.0.0.1:8000"] and found["wsgi_app"] == "survey:create_app()"
    assert found["max_requests_jitter"] > 0 and found["graceful_timeout"] < found["timeout"]
    assert found["logger_class"] == "survey.web.logs.MaskedAccessLogger"
    # gunicorn keeps nginx's idle connections longer than nginx does: never closed under it.
    site = (DEPLOY / "nginx" / "samverkan.conf").read_text(encoding="utf-8")
    assert found["keepalive"] > int(re.search(r"keepalive_timeout (\d+)s;", site).group(1))
    told = _gunicorn_settings(
        tmp_path, monkeypatch, "", GUNICORN_WORKERS="3", GUNICORN_BIND="10.0.0.2:8000"
    )
    assert told["workers"] == 3 and told["bind"] == ["10.0.0.2:8000"]
    assert (tmp_path / "instance" / "secret_key").exists()  # made once, in the master

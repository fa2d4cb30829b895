"""Many respondents at once against the app under gunicorn: used by tests/test_load.py (no
answer lost or altered) and bench/load.py (how fast).

Each client walks a link through every page as a browser would (GET the page, POST it with
its CSRF token, follow to the next, the summary, submit with the receipt), on its own
cookie session. Some submit twice at the same moment (a double click) and some have a page
save racing their submit (an autosave still in flight). Every request's status and time is
recorded; what each client meant to submit is recorded so the database can be checked.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import func, select

from survey.db import models
from survey.db.engine import make_engine, session_factory
from survey.db.schema import create_schema
from survey.instruments.catalog import save_questionnaire
from survey.instruments.loading import load_questionnaire
from survey.rounds import invitations, lifecycle

QUESTIONNAIRE = Path(__file__).resolve().parent / "data" / "load-questionnaire.yaml"
PAGES = {1: ("LA1", "LA2", "LA3")}
LAST = len(PAGES)
VALUES = ("1", "2", "3", "4", "5", "dk")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_RECEIPT = re.compile(r'name="receipt" value="([^"]+)"')


# --- the server -----------------------------------------------------------------------------


@contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int = 4,
    threads: int = 4,
    app: str = "survey:create_app()",
    log_dir: Path | None = None,
    prefix: tuple[str, ...] = (),
    preload: bool = True,
) -> Iterator[str]:
    """The app under gunicorn on a free loopback port (gunicorn binds port 0 and logs the
    one it got); yields its base URL and stops it (gracefully) afterwards."""
    command = [
        *prefix,
        sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
        "--bind", "127.0.0.1:0", "--graceful-timeout", "5", "--log-level", "info", app,
    ]  # fmt: skip
    if preload:
        # The app is made once and forked: workers boot in a fraction of the time (it opens
        # no database connection before a request, so none is shared between workers).
        command.insert(-1, "--preload")
    if "control_socket_disable" in gunicorn_settings():
        command.insert(-1, "--no-control-socket")  # else one shared ~/.gunicorn socket
    log_path = Path(log_dir or env["SURVEY_INSTANCE_PATH"]) / "gunicorn.log"
    log = open(log_path, "w+b")  # noqa: SIM115
    # Started from "/": gunicorn puts its working directory first on the path, which from a
    # checkout would shadow PYTHONPATH (bench/load.py --code serves another checkout).
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd="/"
    )
    try:
        url = _wait_until_serving(process, log, workers)
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # quick: what was answered is committed
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def gunicorn_settings() -> set[str]:
    from gunicorn.config import KNOWN_SETTINGS

    return {setting.name for setting in KNOWN_SETTINGS}


def _wait_until_serving(process: subprocess.Popen, log, workers: int, limit: float = 60) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        text = Path(log.name).read_text(errors="replace")
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{text}")
        if found and text.count("Booting worker") >= workers:
            url = found.group(1)
            try:
                if requests.get(url + "/", timeout=5).status_code < 500:
                    return url
            except requests.RequestException:
                pass  # not listening yet, or a cold worker slower than the timeout
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start in time:\n" + Path(log.name).read_text())


def server_log(env: dict[str, str], log_dir: Path | None = None) -> str:
    path = Path(log_dir or env["SURVEY_INSTANCE_PATH"]) / "gunicorn.log"
    return path.read_text(errors="replace")


# --- the data -------------------------------------------------------------------------------


def prepare(database_url: str, links: int, *, slug: str = "lasttest") -> list[str]:
    """A fresh schema with the small load questionnaire, one open round and `links`
    personal links; returns their tokens."""
    engine = make_engine(database_url)
    create_schema(engine)
    with session_factory(engine)() as session:
        row, _ = save_questionnaire(session, load_questionnaire(QUESTIONNAIRE))
        association = models.Association(slug=slug, name="Lasttest samordningsförbund")
        session.add(association)
        today = dt.date.today()
        rnd = lifecycle.create_round(
            session, association, row, "2026", state="open",
            opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=30),
        )  # fmt: skip
        tokens = invitations.create_invitations(session, rnd, links)
        session.commit()
    engine.dispose()
    return tokens


# --- the clients ----------------------------------------------------------------------------


@dataclass
class Plan:
    number: int
    token: str
    double_submit: bool
    racing_save: bool
    #: The first save sent twice at once (a double click on the start page's button).
    double_start: bool = False


@dataclass
class Outcome:
    plan: Plan
    marker: str
    #: What the respondent last sent for every statement, and as comment on the last part.
    answers: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    racing_answers: dict[str, str] = field(default_factory=dict)
    racing_save_status: int | None = None
    submitted: bool = False
    #: (request kind, status, seconds)
    requests: list[tuple[str, int, float]] = field(default_factory=list)
    error: str | None = None


def plans(tokens: list[str]) -> list[Plan]:
    """Half the clients submit twice at once, half have a save racing their submit, a
    quarter both; one in ten double-clicks the start page's button."""
    return [
        Plan(
            i,
            token,
            double_submit=i % 4 in (0, 2),
            racing_save=i % 4 in (1, 2),
            double_start=i % 10 == 3,
        )
        for i, token in enumerate(tokens)
    ]


class _Client:
    def __init__(self, base: str, outcome: Outcome):
        self.base = base
        self.outcome = outcome
        self.http = requests.Session()
        self.others: list[requests.Session] = []

    def send(self, kind: str, method: str, path: str, http=None, **kwargs) -> requests.Response:
        started = time.perf_counter()
        try:
            resp = (http or self.http).request(
                method, self.base + path, allow_redirects=False, timeout=60, **kwargs
            )
        except requests.ConnectionError as exc:
            # A kept-alive connection the server closed as the request went out, before any
            # byte of an answer: browsers send such a request again on a new connection
            # (POSTs too), so the respondent does not see it; the server's idle close races
            # with the next request on a loaded machine. Anything else still fails the run.
            # requests words both a close and a reset before any answer "Connection aborted".
            if "Connection aborted" not in repr(exc):
                raise
            resp = (http or self.http).request(
                method, self.base + path, allow_redirects=False, timeout=60, **kwargs
            )
        self.outcome.requests.append((kind, resp.status_code, time.perf_counter() - started))
        return resp

    def expect(self, resp: requests.Response, *statuses: int) -> requests.Response:
        if resp.status_code not in statuses:
            raise AssertionError(f"{resp.request.method} {resp.status_code}: {resp.text[:300]}")
        return resp

    def twin(self) -> requests.Session:
        """Another connection with the same cookies: the same browser's second request."""
        other = requests.Session()
        other.cookies.update(self.http.cookies)
        self.others.append(other)
        return other

    def close(self) -> None:
        for http in (self.http, *self.others):
            http.close()


def respond(base: str, plan: Plan, rng: random.Random) -> Outcome:
    outcome = Outcome(plan, marker=f"respondent-{plan.number}")
    client = _Client(base, outcome)
    token = plan.token
    try:
        page = client.expect(client.send("GET start", "GET", f"/r/{token}"), 200)
        csrf = _CSRF.search(page.text).group(1)
        background = {"role": rng.choice(["handlaggare", "chef"]), "agency": "kommun"}
        _start(client, plan, {"csrf_token": csrf, "nav": "next", **background})
        for number, codes in PAGES.items():
            client.expect(client.send("GET page", "GET", f"/r/{token}/p/{number}"), 200)
            ratings = {code: rng.choice(VALUES) for code in codes}
            form = {
                "csrf_token": csrf,
                "nav": "next",
                **{f"item-{c}": v for c, v in ratings.items()},
            }
            if number == len(PAGES):
                outcome.comment = form["comment"] = outcome.marker
            client.expect(
                client.send("POST page", "POST", f"/r/{token}/p/{number}", data=form), 302
            )
            outcome.answers.update(ratings)
        summary = client.expect(client.send("GET summary", "GET", f"/r/{token}/summary"), 200)
        receipt = _RECEIPT.search(summary.text).group(1)
        _submit(client, plan, csrf, receipt, rng)
    except Exception as exc:  # noqa: BLE001 - recorded and reported as this client's failure
        outcome.error = f"{type(exc).__name__}: {exc}"
    finally:
        client.close()  # no idle keep-alive connection holds a worker
    return outcome


def _start(client: _Client, plan: Plan, form: dict[str, str]) -> None:
    """The first save, which makes the draft; twice at the same moment for a double click."""
    statuses: list[int] = []

    def post(http=None) -> None:
        statuses.append(
            client.send("POST start", "POST", f"/r/{plan.token}", http, data=form).status_code
        )

    if not plan.double_start:
        post()
    else:
        twins = [threading.Thread(target=post, args=(h,)) for h in (None, client.twin())]
        for thread in twins:
            thread.start()
        for thread in twins:
            thread.join()
    if any(status != 302 for status in statuses):
        raise AssertionError(f"the start page's save answered {statuses}")


def _submit(client: _Client, plan: Plan, csrf: str, receipt: str, rng: random.Random) -> None:
    """The submit, with a second submit and/or a page save sent at the same moment."""
    outcome = client.outcome
    token = plan.token
    form = {"csrf_token": csrf, "receipt": receipt}
    racing = {code: rng.choice(VALUES) for code in PAGES[LAST]}
    statuses: dict[str, int] = {}

    def submit(name: str, http) -> None:
        statuses[name] = client.send(
            "POST submit", "POST", f"/r/{token}/submit", http, data=form
        ).status_code

    def save(http) -> None:
        data = {"csrf_token": csrf, "nav": "autosave", "comment": outcome.marker + "-raced"}
        data.update({f"item-{c}": v for c, v in racing.items()})
        statuses["save"] = client.send(
            "POST page", "POST", f"/r/{token}/p/{LAST}", http, data=data
        ).status_code

    jobs = [(submit, ("first", client.http))]
    if plan.double_submit:
        jobs.append((submit, ("second", client.twin())))
    if plan.racing_save:
        outcome.racing_answers = racing
        jobs.append((save, (client.twin(),)))
    threads = [threading.Thread(target=job, args=args) for job, args in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.racing_save_status = statuses.get("save")
    submits = [statuses[k] for k in ("first", "second") if k in statuses]
    if any(status != 200 for status in submits):
        raise AssertionError(f"submit answered {submits}")
    if outcome.racing_save_status not in (None, 204, 404):
        raise AssertionError(f"the racing save answered {outcome.racing_save_status}")
    outcome.submitted = True


def run(base: str, todo: list[Plan], clients: int, seed: int = 13) -> tuple[list[Outcome], float]:
    """Every plan through `clients` parallel clients; the outcomes and the wall time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        outcomes = list(
            pool.map(lambda p: respond(base, p, random.Random(seed * 100003 + p.number)), todo)
        )
    return outcomes, time.perf_counter() - started


# --- what was stored --------------------------------------------------------------------------


@dataclass
class Figures:
    links: int
    completed: int
    submitted_responses: int
    duplicates: int
    orphan_drafts: int
    altered: int
    answers_lost: int
    http_5xx: int
    requests: int
    failures: list[str]
    seconds: float

    def line(self, database: str) -> str:
        return (
            f"{database}: {self.links} links, {self.completed} completed, "
            f"{self.submitted_responses} submitted responses, {self.duplicates} duplicates, "
            f"{self.orphan_drafts} orphan drafts, {self.altered} altered after submit, "
            f"{self.answers_lost} answers lost, {self.http_5xx} HTTP 5xx of {self.requests} "
            f"requests, in {self.seconds:.1f} s"
        )


def expected_answers(outcome: Outcome) -> tuple[dict[str, str], str]:
    """What must be stored: a racing save that succeeded came before the submit (after
    it the link is dead, 404), so its answers count; otherwise the page as sent before."""
    if outcome.racing_save_status == 204:
        return {**outcome.answers, **outcome.racing_answers}, outcome.marker + "-raced"
    return dict(outcome.answers), outcome.comment


def check(database_url: str, outcomes: list[Outcome], seconds: float) -> Figures:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        codes = dict(session.execute(select(models.Item.id, models.Item.code)).all())
        stored: dict[int, dict[str, str]] = {}
        for response_id, item_id, value in session.execute(
            select(models.Answer.response_id, models.Answer.item_id, models.Answer.value)
        ):
            stored.setdefault(response_id, {})[codes[item_id]] = (
                "dk" if value is None else str(value)
            )
        comments = Counter()
        by_comment: dict[str, int] = {}
        for response_id, text in session.execute(
            select(models.Comment.response_id, models.Comment.text)
        ):
            comments[text] += 1
            by_comment[text] = response_id
        responses = session.scalar(select(func.count()).select_from(models.Response))
        drafts = session.scalar(select(func.count()).select_from(models.Draft))
    engine.dispose()
    altered = lost = 0
    for outcome in outcomes:
        if not outcome.submitted:
            continue
        answers, comment = expected_answers(outcome)
        got = stored.get(by_comment.get(comment, -1), {})
        lost += len(set(answers) - set(got))
        altered += int(
            any(got.get(code) != value for code, value in answers.items() if code in got)
        )
    statuses = [status for o in outcomes for _, status, _ in o.requests]
    return Figures(
        links=len(outcomes),
        completed=sum(o.submitted for o in outcomes),
        submitted_responses=responses,
        duplicates=sum(n - 1 for n in comments.values() if n > 1)
        + max(0, responses - len(comments)),
        orphan_drafts=drafts,  # every link was submitted: any draft left is nobody's
        altered=altered,
        answers_lost=lost,
        http_5xx=sum(status >= 500 for status in statuses),
        requests=len(statuses),
        failures=[f"{o.plan.number}: {o.error}" for o in outcomes if o.error],
        seconds=seconds,
    )

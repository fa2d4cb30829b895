"""Round trip (issue 24): rounds exported with `survey export-rows` and imported with
`survey import` into an empty database give identical figures on every board page, on
SQLite and PostgreSQL: the dashboard, the statements, the report, the figures as JSON and
the comparison (k suppression and the national reference included)."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import random
import re
from pathlib import Path

from builders import add_response, all_items, invite, make_round
from conftest import signed_in
from fresh_databases import make_fresh
from sqlalchemy import select

from survey.db import models
from survey.services import round_actions

ROUNDS = [  # förbund, label, questionnaire version, responses
    ("norrsund", "2024", 1, 14),
    ("norrsund", "2025", 3, 12),
    ("sydvik", "2025", 3, 9),
    ("vastby", "2025", 3, 7),
    ("ostby", "2025", 3, 4),  # under k: hidden, and must stay so
]
DECIMAL = re.compile(r"\d+\.\d+(?:e-?\d+)?")
ROLES = ["handlaggare", "chef", "styrelse"]
AGENCIES = ["kommun", "fk", "region"]


def _build(db) -> None:
    rng = random.Random(2024)
    for slug, label, version, n in ROUNDS:
        opens = dt.date(int(label), 3, 1)
        rnd = make_round(db, slug=slug, label=label, version=version, state="open",
                         opens_on=opens, closes_on=opens + dt.timedelta(days=20))  # fmt: skip
        if slug == "norrsund" and label == "2025":
            invite(db, rnd, 14)  # 12 of 14 answered: the intervals use N (FPC)
        for i in range(n):

            def value(item, i=i):
                x = rng.random()
                return "skip" if x < 0.05 else None if x < 0.12 else rng.randint(1, 5)

            answers = {k: v for k, v in all_items(db, rnd, value).items() if v != "skip"}
            add_response(db, rnd, answers, role=ROLES[i % 3], agency=AGENCIES[(i // 2) % 3])
        day = opens + dt.timedelta(days=21)
        round_actions.close_round(db, slug, label, day)
        round_actions.publish_round(db, slug, label, day)


def _pages(app) -> dict[str, str]:
    browser = signed_in(app, app.test_client())
    paths = ["/compare", "/compare?round=2025"]
    for slug in sorted({r[0] for r in ROUNDS}):
        paths += [f"/f/{slug}", f"/f/{slug}/items", f"/f/{slug}/report", f"/f/{slug}/data.json"]
        paths += [f"/f/{slug}?round=2024", f"/f/{slug}/maturity"]
    shown = {}
    for path in paths:
        page = browser.get(path)
        text = page.text
        text = re.sub(r'nonce="[^"]*"', "", text)
        text = re.sub(r'name="csrf_token" value="[^"]*"', "", text)
        text = re.sub(
            r'content="[^"]*" name="csrf-token"|name="csrf-token" content="[^"]*"', "", text
        )
        # The charts' JSON carries full doubles; a sum over rows in another (random) order
        # may differ in the last bits, as after any close or publish, never in a shown
        # figure: they are compared apart, to 1e-9 (rounding them could still flip a digit).
        doubles = tuple(float(x) for x in DECIMAL.findall(text))
        shown[path] = (page.status_code, DECIMAL.sub("#", text), doubles)
    return shown


def test_export_then_import_into_an_empty_database_shows_the_same_figures(
    app, db, runner, tmp_path
):
    _build(db)
    before = _pages(app)
    assert before["/f/norrsund"][0] == 200
    names = {a.slug: a.name for a in db.scalars(select(models.Association))}
    files, invited = {}, {}
    for slug, label, _version, _n in ROUNDS:
        out = tmp_path / f"{slug}-{label}.csv"
        result = runner.invoke(args=["export-rows", f"{slug}/{label}", "--out", str(out)])
        assert result.exit_code == 0, result.output
        files[slug, label] = out
        found = re.search(r"--invited (\d+)", result.output)
        invited[slug, label] = ["--invited", found.group(1)] if found else []
    assert invited["norrsund", "2025"] == ["--invited", "14"]
    db.close()
    engine = app.extensions["survey_engine"]
    engine.dispose()  # SQLite: no connection left to the file about to be replaced
    if engine.dialect.name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(engine.url.database + suffix).unlink(missing_ok=True)
    make_fresh(engine)  # an empty database: today's schema and the questionnaires
    engine.dispose()
    assert db.scalar(select(models.Round)) is None
    for slug, name in names.items():
        assert runner.invoke(args=["forbund", "add", slug, name]).exit_code == 0
    for slug, label, version, _n in ROUNDS:
        opens = dt.date(int(label), 3, 1)
        imported = runner.invoke(args=[
            "import", str(files[slug, label]), "--forbund", slug, "--round", label,
            "--questionnaire", f"integrerad-samverkan:{version}", "--write",
            "--opens", opens.isoformat(), "--closes", (opens + dt.timedelta(days=20)).isoformat(),
            *invited[slug, label],
        ])  # fmt: skip
        assert imported.exit_code == 0, imported.output
        round_actions.publish_round(db, slug, label, opens + dt.timedelta(days=21))
    after = _pages(app)
    differences = {
        path: _diff(before[path][1], after[path][1])
        for path in before
        if not _same(before[path], after[path])
    }
    assert differences == {}


def _same(a: tuple, b: tuple) -> bool:
    return (
        a[:2] == b[:2]
        and len(a[2]) == len(b[2])
        and all(
            math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(a[2], b[2], strict=True)
        )
    )


def _diff(a: str, b: str) -> list[str]:
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
    return [line[:200] for line in lines][:12]

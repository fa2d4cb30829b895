"""The publication snapshot (issue 23): publishing computes a round's figures once and
every board output reads them, byte for byte what computing live gives, on the demo and on
generated data (small groups, merged and hidden groups, "vet ej", a förbund below k in the
national reference), on SQLite and PostgreSQL. Only published rounds have one; a restore or
bulk load gets them back with `survey figures rebuild` and migration 0013 builds them for
rounds published before it (tests/test_snapshot_rebuild.py). Byte for byte, but for the
16th digit of a chart's raw float (see `_floats_to_ten`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import random
import re

import pytest
from builders import add_response, all_items, close_and_publish, make_round
from conftest import demo_module_app, signed_in
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.db import models
from survey.disclosure import DEFAULT_K
from survey.instruments.catalog import definition_of
from survey.maturity import level_figures, levels
from survey.results import scoring, snapshot
from survey.services.figures import rebuild_figures

#: The demo, four generated förbund and every board output read twice: minutes, not seconds.
pytestmark = pytest.mark.slow

GENERATED = ("gen-a", "gen-b", "gen-c", "gen-d")
ROLES = ("handlaggare", "chef", "politiker", "samordnare")
LAST_YEAR = str(dt.date.today().year - 1)


def _generate(session) -> None:
    """Four real förbund, two rounds each, published through the service (which builds
    their snapshot): random answers with "vet ej" and skipped statements, a role with a
    handful of people (hidden, and a bigger one hidden beside it), and in gen-d a round
    with fewer than k respondents (not counted in the national reference)."""
    rng = random.Random(23)
    for index, slug in enumerate(GENERATED):
        for label in (str(int(LAST_YEAR) - 1), LAST_YEAR):
            rnd = make_round(session, slug, label, state="open")
            people = 4 if slug == "gen-d" and label == LAST_YEAR else 12 + 5 * index
            for person in range(people):
                add_response(
                    session,
                    rnd,
                    all_items(session, rnd, lambda _i: rng.choice([1, 2, 3, 4, 5, None])),
                    role=ROLES[0] if person > 6 else rng.choice(ROLES),
                    agency=rng.choice(["kommun", "region", "af", "fk"]),
                )
            close_and_publish(session, rnd)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def snap_app(request, tmp_path_factory, postgres_url):
    app = demo_module_app(request.param, tmp_path_factory.mktemp("snapshot"), postgres_url)
    with app.extensions["survey_sessions"]() as session:
        _generate(session)
    yield app
    app.extensions["survey_engine"].dispose()


def _urls(session) -> list[str]:
    urls = ["/", "/compare", f"/compare?round={LAST_YEAR}"]
    for slug in ("demo-norrsund", "demo-storstad", *GENERATED):
        urls += [f"/f/{slug}", f"/f/{slug}/report", f"/f/{slug}/items", f"/f/{slug}/data.json"]
        urls += [f"/f/{slug}/maturity", f"/f/{slug}/items?dimension=STRAT"]
    labels = session.scalars(
        select(models.Round.label).where(models.Round.state == "published").distinct()
    )
    for label in labels:
        urls += [f"/f/gen-a?round={label}", f"/compare?round={label}&f=gen-a&peer=gen-b"]
        urls += [f"/export/gen-a/{label}.xlsx", f"/f/demo-norrsund?round={label}"]
    urls.append(f"/compare?round={LAST_YEAR}&f=gen-a&peer=gen-b&peer=gen-c&peer=gen-d")
    return urls


RAW_FLOAT = re.compile(rb"-?\d+\.\d+(?:e-?\d+)?")


def _floats_apart(data: bytes) -> tuple[bytes, tuple[float, ...]]:
    """Every decimal number taken apart from the text, to be compared to 1e-9 (a raw float
    may print short on one side): the national reference averages the same förbund means
    in another order (SQL's AVG over the snapshot rows, or over the respondents' scores),
    which may move the 16th digit (rounding to a fixed number of decimals could still flip
    the last one); every other byte must match."""
    return RAW_FLOAT.sub(b"#", data), tuple(float(x) for x in RAW_FLOAT.findall(data))


def _same(one: object, other: object) -> bool:
    if isinstance(one, float) and isinstance(other, float):
        return math.isclose(one, other, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(one, (list, tuple)) and isinstance(other, (list, tuple)):
        return len(one) == len(other) and all(_same(a, b) for a, b in zip(one, other, strict=True))
    return one == other


def _cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


def _outputs(app, client) -> dict[str, object]:
    with app.extensions["survey_sessions"]() as session:
        urls = _urls(session)
    found: dict[str, object] = {}
    for url in urls:
        answer = client.get(url)
        assert answer.status_code in (200, 404), url
        if url.endswith(".xlsx") and answer.status_code == 200:
            found[url] = [
                sheet
                for sheet in _cells(answer.data)[:-1]  # the last sheet says when it was made
            ]  # a zip's timestamps differ; its cells do not
        else:
            found[url] = _floats_apart(
                re.sub(rb'name="csrf_token" value="[^"]*"', b"", answer.data)
            )
    return found


def _around(one: object, other: object) -> object:
    """Where two outputs part, for the message."""
    if isinstance(one, tuple) and isinstance(other, tuple):
        one, other = one[0], other[0]
    if not isinstance(one, bytes) or not isinstance(other, bytes):
        pairs = zip(str(one).split("], ["), str(other).split("], ["), strict=False)
        return [(a, b) for a, b in pairs if a != b][:3]
    at = next((i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), 0)
    return one[at - 300 : at + 100], other[at - 300 : at + 100]


def _snapshot_rows(app) -> int:
    with app.extensions["survey_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(models.SnapshotFigure))


def test_every_board_output_is_the_same_from_the_snapshot_and_live(snap_app):
    client = signed_in(snap_app, snap_app.test_client())
    assert _snapshot_rows(snap_app) > 0
    from_snapshot = _outputs(snap_app, client)
    with snap_app.extensions["survey_sessions"]() as session:
        snapshot.drop(session, session.scalars(select(models.FigureSnapshot.round_id)).all())
        session.commit()
    assert _snapshot_rows(snap_app) == 0
    live = _outputs(snap_app, client)
    assert from_snapshot.keys() == live.keys()
    for url in live:
        assert _same(from_snapshot[url], live[url]), (url, _around(from_snapshot[url], live[url]))
    with snap_app.extensions["survey_sessions"]() as session:
        assert rebuild_figures(session, DEFAULT_K) == session.scalar(
            select(func.count()).where(models.Round.state == "published")
        )
    rebuilt = _outputs(snap_app, client)
    assert all(_same(rebuilt[url], from_snapshot[url]) for url in live)


def test_the_snapshot_equals_scoring_for_every_published_round(snap_app):
    with snap_app.extensions["survey_sessions"]() as session:
        rebuild_figures(session, DEFAULT_K)
        rounds = session.scalars(select(models.Round).where(models.Round.state == "published"))
        hidden: list[int] = []
        for rnd in rounds:
            ids = [rnd.id]
            assert snapshot.dimension_stats(session, ids, 5) == scoring.dimension_stats(
                session, ids, 5
            )
            assert snapshot.item_stats(session, ids, 5) == scoring.item_stats(session, ids, 5)
            args = (session, rnd.label, rnd.questionnaire.key, 5)
            ours = snapshot.national_reference(*args, demo=rnd.association.is_demo)
            live = scoring.national_reference(*args, demo=rnd.association.is_demo)
            assert {d: r.n_associations for d, r in ours.items()} == {
                d: r.n_associations for d, r in live.items()
            }
            assert {d: r.mean for d, r in ours.items()} == pytest.approx(
                {d: r.mean for d, r in live.items()}, abs=1e-12
            )
            for by in scoring.BREAKDOWNS:
                groups = snapshot.dimension_stats(session, ids, 5, by, None)
                assert groups == scoring.dimension_stats(
                    session, ids, 5, by, definition_of(rnd.questionnaire).group_of(by)
                )
                hidden += [s.n for s in groups if s.suppressed]
    # The generated data reach both rules: groups under k, and groups of k or more hidden
    # beside them (complementary suppression).
    assert any(n < 5 for n in hidden) and any(n >= 5 for n in hidden)


def test_only_published_rounds_have_a_snapshot_and_another_k_computes_live(snap_app):
    with snap_app.extensions["survey_sessions"]() as session:
        rebuild_figures(session, DEFAULT_K)
        kept = set(session.scalars(select(models.FigureSnapshot.round_id)))
        published = set(
            session.scalars(select(models.Round.id).where(models.Round.state == "published"))
        )
        assert kept == published
        open_round = session.scalar(select(models.Round.id).where(models.Round.state == "open"))
        assert open_round is not None
        with pytest.raises(ValueError):
            snapshot.build(session, open_round, DEFAULT_K)
        session.rollback()
        # Asked with k = 8, the snapshot made at 5 is not used: the figures are k = 8's.
        rnd = min(published)
        assert snapshot.dimension_stats(session, [rnd], 8) == scoring.dimension_stats(
            session, [rnd], 8
        )
        assert snapshot.item_stats(session, [rnd], 8) == scoring.item_stats(session, [rnd], 8)


def test_a_suppressed_group_keeps_only_its_n_in_the_snapshot(snap_app):
    with snap_app.extensions["survey_sessions"]() as session:
        rebuild_figures(session, DEFAULT_K)
        hidden = session.scalars(
            select(models.SnapshotFigure).where(models.SnapshotFigure.suppressed.is_(True))
        ).all()
        assert hidden
        for row in hidden:
            figures = [row.mean, row.sd, row.median, row.variance, row.dont_know_share]
            assert figures + [row.answers, row.p1, row.p5, row.population] == [None] * 9


def test_the_levels_are_kept_too_equal_to_live_and_hidden_groups_keep_only_their_n(snap_app):
    """The maturity picture's levels (now, wanted, now by role) come from the snapshot of
    the rounds that ask the level question, equal to the live computation; a hidden role
    group's row holds its n and nothing else, as every other snapshot row."""
    with snap_app.extensions["survey_sessions"]() as session:
        rebuild_figures(session, DEFAULT_K)
        kinds = models.SnapshotFigure.kind.in_(list(level_figures.KINDS.values()))
        rows = session.scalars(select(models.SnapshotFigure).where(kinds)).all()
        assert {row.kind for row in rows} == set(level_figures.KINDS.values())
        hidden = [row for row in rows if row.suppressed]
        assert hidden, "the generated förbund have a role group below k"
        for row in hidden:
            assert [row.mean, row.p1, row.p2, row.p3, row.p4, row.p5] == [None] * 6
        asking = sorted({row.round_id for row in rows})
        for (kind, by), _tag in level_figures.KINDS.items():
            for rnd in asking:
                q = definition_of(session.get(models.Round, rnd).questionnaire)
                groups = q.group_of(by) if by else None
                kept = level_figures.level_stats(session, [rnd], DEFAULT_K, kind, by, groups)
                live = levels.level_stats(session, [rnd], DEFAULT_K, kind, by, groups)
                assert kept and _same_levels(kept, live), (rnd, kind, by)


def _same_levels(kept: list, live: list) -> bool:
    """Equal but for the last bits of a mean made from counts rather than by AVG."""

    def key(stat) -> tuple:
        return stat.dimension, stat.group or ""

    pairs = list(zip(sorted(kept, key=key), sorted(live, key=key), strict=True))
    return all(
        (a.mean is None) == (b.mean is None)
        and (a.mean is None or math.isclose(a.mean, b.mean, abs_tol=1e-9))
        and dataclasses.replace(a, mean=b.mean) == b
        for a, b in pairs
    )

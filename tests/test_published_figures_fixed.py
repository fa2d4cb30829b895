"""What a board saw at publication stays what it sees (issue 19, item 10).

The attack: the change intervals used N = the round's personal links *now*. Revoking the
unused links of a published round narrowed every interval; revoking its shared link
turned it into a "census" (f = 0) and made changes "clear" that were not. Now N is stored
on the round when it closes, links cannot be made or revoked once it has closed, and
even links deleted behind the app's back change no figure.

And the correction itself: with the sample variance s² the factor is (N − n)/N, and only
where at least 80 % of those invited answered: respondents chose to answer, so below that
no change may be called clear only because non-response was treated as sampling.
"""

from __future__ import annotations

import math
import re
import statistics

import pytest
from alembic import command
from builders import add_response, all_items, close_and_publish, csrf_token, invite, make_round
from conftest import signed_in
from scipy import stats as scipy_stats
from sqlalchemy import delete, select, text

from survey.db import migrations, models
from survey.results.uncertainty import Sample, welch
from survey.rounds import invitations

ROUND = "/admin/f/norrsund/rounds/2026"
OLD = [2, 3, 3, 2, 4, 3, 2, 3, 3]  # each person's score on every statement, 2025
NEW = [3, 4, 3, 4, 5, 3, 4, 3, 4]  # 2026: nine of ten invited answered in both rounds


def _answer(db, rnd, scores):
    for score in scores:
        add_response(
            db, rnd, all_items(db, rnd, lambda item, s=score: 6 - s if item.reverse else s)
        )


@pytest.fixture
def published(db):
    """Norrsund 2025 and 2026, each 9 answers of 10 personal links; both published."""
    old = make_round(db, label="2025")
    invite(db, old, 10)
    _answer(db, old, OLD)
    close_and_publish(db, old)
    new = make_round(db, label="2026")
    invite(db, new, 10)
    _answer(db, new, NEW)
    close_and_publish(db, new)
    return old, new


def intervals(client) -> dict[str, tuple]:
    data = client.get("/f/norrsund/data.json?round=2026").get_json()
    return {
        d["code"]: (d["difference"]["low"], d["difference"]["high"], d["difference"]["estimate"])
        for d in data["dimensions"]
        if d["difference"]
    }


def _post(client, path, form):
    token = csrf_token(client.get(ROUND).text)
    return client.post(path, data={"csrf_token": token, **form})


def _words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def test_revoking_links_of_a_published_round_is_refused_and_changes_no_figure(app, db, published):
    board = signed_in(app, app.test_client(), role="board", forbund="norrsund")
    seen = intervals(board)
    assert len(seen) == 10
    admin = signed_in(app, app.test_client(), "forbund_admin", "norrsund", email="a@n.se")
    for kind in ("personal", "shared"):
        refused = _post(admin, f"{ROUND}/links/revoke", {"kind": kind})
        assert refused.status_code == 400
        assert "kan inte längre skapas eller återkallas" in _words(refused)
    assert db.scalar(select(models.Round.invited).filter_by(id=published[1].id)) == 10
    assert len(db.scalars(select(models.Invitation).filter_by(round_id=published[1].id)).all())
    assert intervals(board) == seen
    # The page offers no revoking on a closed round.
    assert "Återkalla oanvända personliga länkar" not in admin.get(ROUND).text


def test_links_deleted_or_added_behind_the_apps_back_change_no_published_interval(
    app, db, published
):
    """N is what it was at the close, whatever happens to the links afterwards (an
    operator's SQL, a restore): deleting the unused links, or adding a shared one."""
    board = signed_in(app, app.test_client(), role="board", forbund="norrsund")
    seen = intervals(board)
    for rnd in published:
        db.execute(delete(models.Invitation).where(models.Invitation.round_id == rnd.id))
    db.commit()
    assert intervals(board) == seen
    for rnd in published:
        invitations.create_shared_link(db, rnd)
    db.commit()
    assert intervals(board) == seen


def test_the_interval_shown_is_the_textbook_one_with_n_fixed_at_close(app, db, published):
    """9 of 10 answered (90 %): f = (10 − 9)/10 on each variance, by hand with scipy."""
    board = signed_in(app, app.test_client(), role="board", forbund="norrsund")
    low, high, _estimate = intervals(board)["STRAT"]
    va = (10 - 9) / 10 * statistics.variance(NEW) / 9
    vb = (10 - 9) / 10 * statistics.variance(OLD) / 9
    df = (va + vb) ** 2 / (va**2 / 8 + vb**2 / 8)
    half = scipy_stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    d = statistics.mean(NEW) - statistics.mean(OLD)
    assert (low, high) == pytest.approx((d - half, d + half), abs=1e-9)


def test_a_shared_link_made_before_the_close_means_no_correction(app, db):
    old = make_round(db, label="2025")
    new = make_round(db, label="2026")
    for rnd, scores in ((old, OLD), (new, NEW)):
        invite(db, rnd, 10)
        invitations.create_shared_link(db, rnd)
        db.commit()
        _answer(db, rnd, scores)
        close_and_publish(db, rnd)
    assert db.scalar(select(models.Round.invited).filter_by(id=new.id)) is None
    board = signed_in(app, app.test_client(), role="board", forbund="norrsund")
    low, high, _estimate = intervals(board)["STRAT"]
    ci = scipy_stats.ttest_ind(NEW, OLD, equal_var=False).confidence_interval(0.95)
    assert (low, high) == pytest.approx((ci.low, ci.high), abs=1e-9)


# --- the rule, without a database -------------------------------------------------------------


def test_the_factor_is_n_minus_n_over_n():
    assert Sample(9, 3.0, 1.0, population=10).fpc == pytest.approx(0.1)
    assert Sample(8, 3.0, 1.0, population=10).fpc == pytest.approx(0.2)  # 80 %: applies
    assert Sample(20, 3.0, 1.0, population=20).fpc == 0.0  # everyone: the mean is exact
    assert Sample(7, 3.0, 1.0, population=10).fpc == 1.0  # 70 %: no correction
    assert Sample(7, 3.0, 1.0).fpc == 1.0  # N unknown


def test_no_change_is_clear_only_because_non_response_was_treated_as_sampling():
    """Half of those invited answered in each round. The old correction, (N − n)/(N − 1)
    at any response rate, called this change clear; treating the respondents as a sample
    (scipy's Welch interval) it is not, and so it is not called clear."""
    now = [4, 3, 4, 5, 3, 4, 3, 4, 2, 4, 3, 4]
    before = [3, 3, 4, 2, 3, 4, 2, 3, 3, 4, 2, 3]
    n, big_n = len(now), 24

    def old_rule(sample_scores):
        f = (big_n - n) / (big_n - 1)
        return f * statistics.variance(sample_scores) / n

    va, vb = old_rule(now), old_rule(before)
    df = (va + vb) ** 2 / (va**2 / (n - 1) + vb**2 / (n - 1))
    d = statistics.mean(now) - statistics.mean(before)
    assert d - scipy_stats.t.ppf(0.975, df) * math.sqrt(va + vb) > 0  # "clear" before
    shown = welch(
        Sample(n, statistics.mean(now), statistics.variance(now), population=big_n),
        Sample(n, statistics.mean(before), statistics.variance(before), population=big_n),
    )
    ci = scipy_stats.ttest_ind(now, before, equal_var=False).confidence_interval(0.95)
    assert (shown.low, shown.high) == pytest.approx((ci.low, ci.high), abs=1e-9)
    assert ci.low < 0 and not shown.clear


# --- rounds closed before N was stored -----------------------------------------------------------


def test_the_upgrade_fixes_n_of_closed_rounds_from_their_links(app, db):
    """Migration 0007 on a database whose rounds closed before N was stored: closed and
    published rounds get their personal links as N (none with a shared link), open ones
    get theirs when they close."""
    engine = app.extensions["survey_engine"]
    shapes = {"2023": ("published", 12, False), "2024": ("closed", 8, True)}
    shapes["2025"] = ("open", 5, False)
    for label, (state, links, shared) in shapes.items():
        rnd = make_round(db, label=label, state=state)
        invite(db, rnd, links)
        if shared:
            invitations.create_shared_link(db, rnd)
    db.commit()
    db.close()
    with engine.begin() as conn:
        command.downgrade(migrations.config(conn), "0010")
    with engine.begin() as conn:
        command.upgrade(migrations.config(conn), "0007")
    with engine.connect() as conn:
        invited = dict(conn.execute(text("SELECT label, invited FROM round")).all())
    assert invited == {"2023": 12, "2024": None, "2025": None}

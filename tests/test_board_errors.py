"""Board selections that do not exist, or ask too much: a clear page, nothing written."""

from __future__ import annotations

import pytest
from builders import add_response, make_round
from sqlalchemy import func, select

from survey.db import models


@pytest.fixture
def client(admin_client):
    """These tests are about the board's pages and downloads, which need a signed-in user:
    a system administrator's browser (who may use which route: tests/test_access.py)."""
    return admin_client


NOT_FOUND = [
    ("/f/nowhere", "nowhere"),
    ("/f/norrsund?round=1999", "1999"),
    ("/f/norrsund/items?round=1999", "1999"),
    ("/f/norrsund/items?dimension=NOPE", "NOPE"),
    ("/f/norrsund/report?round=1999", "1999"),
    ("/f/norrsund/data.json?round=1999", "1999"),
    ("/compare?round=1999", "1999"),
    ("/compare?round=2026&f=nowhere", "nowhere"),
    ("/compare?round=2026&f=norrsund&peer=nowhere", "nowhere"),
    # A förbund that exists but has no round with that label.
    ("/compare?round=2026&f=norrsund&peer=tomt", "Tomt samordningsförbund"),
    ("/f/tomt", "Tomt samordningsförbund"),
]


@pytest.fixture
def rounds(db):
    for slug in ("norrsund", "bergslagen", "fjallbygden", "gota", "havet", "mellan", "sjo"):
        rnd = make_round(db, slug=slug, label="2026", state="published")
        for v in range(1, 6):
            add_response(db, rnd, {"STYR1": v, "STYR2": v})
    db.add(models.Association(slug="tomt", name="Tomt samordningsförbund"))
    db.commit()


def counts(db) -> tuple[int, ...]:
    return tuple(
        db.scalar(select(func.count()).select_from(table))
        for table in (models.Association, models.Round, models.Response, models.Answer)
    )


def test_selections_that_do_not_exist_give_a_clear_404(client, db, rounds):
    before = counts(db)
    for url, says in NOT_FOUND:
        resp = client.get(url)
        assert resp.status_code == 404, url
        assert "Hittades inte" in resp.text, url
        assert says in resp.text, url
    assert counts(db) == before


def test_more_than_five_peers_is_refused_with_a_message(client, db, rounds):
    before = counts(db)
    peers = "&".join(
        f"peer={p}" for p in ("bergslagen", "fjallbygden", "gota", "havet", "mellan", "sjo")
    )
    resp = client.get(f"/compare?round=2026&f=norrsund&{peers}")
    assert resp.status_code == 400
    assert "Du valde 6 förbund att jämföra med; välj högst 5" in resp.text
    assert 'id="peers-figure"' not in resp.text
    # The choice is kept in the form, so it can be corrected; the heat map still shows.
    assert resp.text.count("checked") == 6
    assert 'id="heatmap-figure"' in resp.text
    assert counts(db) == before
    five = peers.rsplit("&", 1)[0]
    assert client.get(f"/compare?round=2026&f=norrsund&{five}").status_code == 200


def test_no_rounds_at_all(client, db):
    page = client.get("/compare")
    assert page.status_code == 200 and "Det finns inga mätomgångar ännu." in page.text
    db.add(models.Association(slug="tomt", name="Tomt samordningsförbund"))
    db.commit()
    resp = client.get("/f/tomt")
    assert (
        resp.status_code == 404
        and "Tomt samordningsförbund har inga mätomgångar ännu." in resp.text
    )

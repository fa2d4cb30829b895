"""Comments reach the board only from a published round, only for a dimension at least k
people commented on, alphabetically, with names, e-mail addresses, phone numbers and
personnummer removed by the documented rule."""

from __future__ import annotations

import pytest
from builders import add_response, make_round

from survey.maturity.comments import scrub


@pytest.fixture
def client(admin_client):
    return admin_client


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("Vi ringer Anna Svensson på 070-123 45 67.", "Vi ringer [namn] [namn] på [telefon]."),
        # A sentence's first word goes too when a capitalised word follows (a full name).
        ("Ring Anna om det.", "[namn] [namn] om det."),
        ("Mejla kalle.p@kommun.se om det.", "Mejla [e-post] om det."),
        ("Nummer 19800101-1234 och 800101+1234.", "Nummer [personnummer] och [personnummer]."),
        ("Anna Svensson på Försäkringskassan hjälper till.",
         "[namn] [namn] på Försäkringskassan hjälper till."),
        ("Bra med Arbetsförmedlingen. Det fungerar.", "Bra med Arbetsförmedlingen. Det fungerar."),
        ("Ring +46 8 123 456 78 i Malmö.", "Ring [telefon] i [namn]."),
    ],
)  # fmt: skip
def test_the_rule_removes_what_could_identify_someone(text, scrubbed):
    assert scrub(text) == scrubbed


def test_the_board_reads_comments_only_where_k_people_commented(client, db):
    rnd = make_round(db, slug="norrsund", label="2026", state="published", version=2)
    texts = ["Öppen dialog.", "Bra strategi men Per Olsson bestämmer allt.", "Tydligt mål.",
             "Ring mig på 08-123 456 78.", "Ambitiöst."]  # fmt: skip
    for i, text in enumerate(texts):
        comments = {"STRAT": text}
        if i < 4:  # four people commented on STYR: fewer than k = 5
            comments["STYR"] = f"Hemlig styrkommentar {i}."
        add_response(db, rnd, {"STRAT1": 3}, comments=comments)
    page = client.get("/f/norrsund/maturity")
    assert page.status_code == 200
    shown = page.text.split('data-dimension="STRAT">')[1].split("</ul>")[0]
    items = [part.split("</li>")[0] for part in shown.split("<li>")[1:]]
    assert items == sorted(items)
    assert "Bra strategi men [namn] [namn] bestämmer allt." in items
    assert "Ring mig på [telefon]." in items
    assert "Per Olsson" not in page.text and "08-123" not in page.text
    assert "styrkommentar" not in page.text.lower()


def test_no_comment_before_publication(client, db):
    rnd = make_round(db, slug="norrsund", label="2026", state="closed", version=2)
    for i in range(6):
        add_response(db, rnd, {"STRAT1": 3}, comments={"STRAT": f"Kommentar nummer {i}."})
    assert "Kommentar nummer" not in client.get("/f/norrsund/maturity").text

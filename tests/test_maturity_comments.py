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


def _comments_section(html: str) -> str:
    """The page's comments, from its heading to the actions (what the board reads)."""
    return html[html.index('id="comments"') : html.index('id="actions"')]


BOARD_URLS = (
    "/f/norrsund/maturity?round=2026",
    "/f/norrsund/maturity?round=2026&lang=en",
    "/f/norrsund?round=2026",
    "/f/norrsund/report?round=2026",
    "/f/norrsund/data.json?round=2026",
)


def test_k_minus_one_commenters_show_nothing_anywhere(client, db):
    """Four people (k − 1) commented on STRAT in a published round: no page or language
    shows any of it, nor says how many commented."""
    rnd = make_round(db, slug="norrsund", label="2026", state="published", version=2)
    for i in range(6):
        comments = {"STRAT": f"Dold strategikommentar {i}."} if i < 4 else {}
        add_response(db, rnd, {"STRAT1": 3}, comments=comments)
    for url in BOARD_URLS:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "strategikommentar" not in page.text.lower(), url
    section = _comments_section(client.get(BOARD_URLS[0]).text)
    assert 'id="no-comments"' in section and "4" not in section


def test_one_more_commenter_in_an_unpublished_round_changes_nothing_visible(client, db):
    """The published round has k − 1 commenters on STYR; one more in the open next round
    (and one in a closed, unpublished one) must not lift the published round's STYR over k,
    nor show anything of the new rounds: the board's view stays exactly the same."""
    published = make_round(db, slug="norrsund", label="2026", state="published", version=2)
    for i in range(5):
        comments = {"STRAT": f"Synlig {i}."}
        if i < 4:
            comments["STYR"] = f"Dold styrkommentar {i}."
        add_response(db, published, {"STRAT1": 3}, comments=comments)
    before = _comments_section(client.get(BOARD_URLS[0]).text)
    assert "Synlig 0." in before and "styrkommentar" not in before.lower()

    for label, state in (("2027", "open"), ("2028", "closed")):
        later = make_round(db, slug="norrsund", label=label, state=state, version=2)
        for i in range(5):
            add_response(db, later, {"STRAT1": 3}, comments={"STYR": f"Ny styrkommentar {i}."})
    after = _comments_section(client.get(BOARD_URLS[0]).text)
    assert after == before
    for label in ("2027", "2028"):
        page = client.get(f"/f/norrsund/maturity?round={label}")
        assert "styrkommentar" not in page.text.lower()


def test_a_hidden_dimensions_comments_cannot_be_singled_out_by_comparing_pages(client, db):
    """Everyone who commented on STYR (4, hidden) also commented on STRAT (shown, with a fifth).
    Every page and language shows the same STRAT list and nothing of STYR, so no difference
    between two views isolates STYR's comments or its commenters."""
    rnd = make_round(db, slug="norrsund", label="2026", state="published", version=2)
    for i in range(5):
        comments = {"STRAT": f"Strategi {i}."}
        if i < 4:
            comments["STYR"] = f"Dold styrkommentar {i}."
        add_response(db, rnd, {"STRAT1": 3}, comments=comments, role="chef" if i else "handlaggare")
    lists = []
    for url in BOARD_URLS:
        text = client.get(url).text
        assert "styrkommentar" not in text.lower(), url
        if "maturity" in url:
            shown = text.split('data-dimension="STRAT">')[1].split("</ul>")[0]
            lists.append([part.split("</li>")[0] for part in shown.split("<li>")[1:]])
            assert 'data-dimension="STYR">' not in _comments_section(text)
    assert lists[0] == lists[1] == [f"Strategi {i}." for i in range(5)]

"""A board member's hard edges on the demo, through HTTP: the language switch keeps the
round, the change chart tells clear from unclear changes by more than a shade, the tables
carry their column names for a phone, the "at a glance" question says what it answers,
and the PDF carries the förbund, round, page number and date on every page."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from board_html import figure_data
from conftest import demo_module_app, signed_in

from survey.web.board import pdf

LAST = str(dt.date.today().year - 2)  # the older of the demo's two published rounds
DASHBOARD = f"/f/demo-norrsund?round={LAST}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_app(request, tmp_path_factory, postgres_url):
    app = demo_module_app(request.param, tmp_path_factory.mktemp("boardux"), postgres_url)
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def client(demo_app):
    return signed_in(demo_app, demo_app.test_client())


def language_links(page: str) -> dict[str, str]:
    nav = page.split('class="langs"', 1)[1].split("</nav>", 1)[0]
    return {
        code: html.unescape(href) for href, code in re.findall(r'href="([^"]+)" lang="(\w+)"', nav)
    }


def test_switching_language_keeps_the_chosen_round(client):
    swedish = client.get(DASHBOARD)
    english_link = language_links(swedish.text)["en"]
    assert english_link == f"/f/demo-norrsund?round={LAST}&lang=en"
    english = client.get(english_link)
    assert english.status_code == 200 and f"round {LAST}" in english.text.lower()
    assert language_links(english.text)["sv"] == f"/f/demo-norrsund?round={LAST}&lang=sv"


def test_comparison_peers_survive_the_language_switch(client):
    page = client.get(f"/compare?round={LAST}&f=demo-norrsund&peer=demo-sjobygd&lang=sv")
    assert page.status_code == 200
    assert language_links(page.text)["en"] == (
        f"/compare?round={LAST}&f=demo-norrsund&peer=demo-sjobygd&lang=en"
    )


def test_the_change_chart_legend_draws_clear_and_unclear_changes_differently(client):
    page = client.get(f"/f/demo-norrsund?round={str(dt.date.today().year - 1)}")
    clear, unclear = figure_data(page.text, "change")["data"]
    assert (clear["name"], unclear["name"]) == ("säker förändring", "ingen säker förändring")
    # The legend swatch is the marker: a solid bar against a hatched one, not two shades.
    assert not clear["marker"].get("pattern", {}).get("shape")
    assert unclear["marker"]["pattern"]["shape"] == "/"
    assert clear["marker"]["color"] == unclear["marker"]["color"]  # one meaning, one colour


def test_every_figure_cell_names_its_column_for_a_phone(client):
    page = client.get(DASHBOARD).text
    table = page.split('id="dimension-table"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    labels = re.findall(r"<td[^>]*data-label=\"([^\"]*)\"", body)
    cells = re.findall(r"<td", body)
    assert len(labels) == len(cells) > 0
    assert {"n", "Medelvärde", "Riksreferens"} <= set(labels)
    roles = page.split('id="roles-table"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    assert 'data-label="Största skillnad"' in roles


def test_the_glance_question_asks_what_it_answers(client):
    page = client.get(DASHBOARD).text
    assert "Är medarbetare och chefer överens?" not in page
    assert "Var ser roller och parter olika på saken?" in page
    # …and what follows names the two groups that differ most, whichever they are.
    assert "Mellan roller" in page


def test_every_pdf_page_carries_forbund_round_page_number_and_date():
    running = pdf.Running(
        title="Norrsunds samordningsförbund <demo> – mätomgång 2025",
        page_of="Sida %(page)s av %(pages)s",
        printed="Utskriven 2026-12-07",
    )
    assert "Norrsunds samordningsförbund &lt;demo&gt; – mätomgång 2025" in running.header()
    footer = running.footer()
    assert 'Sida <span class="pageNumber"></span> av <span class="totalPages"></span>' in footer
    assert "Utskriven 2026-12-07" in footer


@pytest.fixture
def board_member(demo_app):
    return signed_in(
        demo_app, demo_app.test_client(), "board", "demo-norrsund", email="styrelse@test.invalid"
    )


def test_a_board_member_compares_with_pseudonymised_forbund_by_their_letter(board_member):
    form = board_member.get(f"/compare?round={LAST}&f=demo-norrsund")
    assert form.status_code == 200
    choices = dict(re.findall(r'name="peer" value="([^"]+)"[^>]*> ([^<]+)</label>', form.text))
    assert "demo-norrsund" not in choices  # itself is not a peer
    assert choices["~A"] == "Förbund A" and len(choices) == 8  # the other eight demo förbund
    assert "demo-sjobygd" not in form.text  # pseudonymised: no short name anywhere

    page = board_member.get(f"/compare?round={LAST}&f=demo-norrsund&peer=~A&peer=~C")
    assert page.status_code == 200
    radar = figure_data(page.text, "peers")
    assert [t["name"] for t in radar["data"]][-2:] == ["Förbund A", "Förbund C"]
    # The same figures as the heat map's row for Förbund A: nothing new is shown.
    heat_row = page.text.split('<th scope="row">Förbund A</th>', 1)[1].split("</tr>", 1)[0]
    peers = page.text.split('id="peers-table"', 1)[1].split("</table>", 1)[0]
    first_row = peers.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([\d,]+)", heat_row)[0] == re.findall(r"<td>([\d,]+)", first_row)[2]
    assert board_member.get(f"/compare?round={LAST}&f=demo-norrsund&peer=~ZZ").status_code == 404


def test_the_heat_map_table_heads_its_columns_with_words_not_codes(board_member):
    page = board_member.get(f"/compare?round={LAST}&f=demo-norrsund").text
    head = page.split('id="heatmap-table"', 1)[1].split("</thead>", 1)[0]
    assert "Strategi och långsiktighet" in head and ">STRAT<" not in head


def test_the_statements_table_also_names_each_column_for_a_phone(client):
    page = client.get(f"/f/demo-norrsund/items?round={LAST}").text
    table = page.split('class="stats stack" id="items-', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    assert len(re.findall(r"<td", body)) == len(re.findall(r"<td[^>]*data-label=", body)) > 0
    assert 'data-label="Vet ej"' in body or "suppressed" in body

"""The privacy notice (per förbund and for the installation) and the accessibility
statement: what they say, in Swedish and English, where their settings come from, and that
every respondent page links its förbund's notice without giving the link away."""

from __future__ import annotations

import re

import pytest
from builders import begin, csrf_token, hidden_field, invite, make_round
from conftest import make_app

from survey.db.schema import create_schema
from survey.instruments.catalog import load_directory
from survey.settings import Settings

PRIVACY = {
    "PRIVACY_OPERATOR": "Nationella nätverket för samordningsförbund",
    "PRIVACY_CONTACT": "dataskydd@nns.example",
    "PRIVACY_DRAFT_DAYS": "60",
    "ACCESSIBILITY_CONTACT": "tillganglighet@nns.example",
}


@pytest.fixture
def app(database_url, tmp_path):
    """The app with the privacy settings an installation gives."""
    from conftest import QUESTIONNAIRES

    app = make_app(database_url, tmp_path, **PRIVACY)
    create_schema(app.extensions["survey_engine"])
    with app.extensions["survey_sessions"]() as session:
        load_directory(session, QUESTIONNAIRES)
        session.commit()
    yield app
    app.extensions["survey_engine"].dispose()


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def privacy_links(html: str) -> list[tuple[str, str]]:
    """(href, the rest of the tag) of every link to a privacy notice."""
    return re.findall(r'<a href="(/privacy[^"]*)"([^>]*)>', html)


def test_a_forbunds_notice_names_it_as_controller_with_its_contact(client, db):
    rnd = make_round(db)
    rnd.association.members = "Försäkringskassan\nArbetsförmedlingen\nNorrsunds kommun\n"
    rnd.association.privacy_contact = "dataskyddsombud@norrsund.se"
    db.commit()
    page = client.get("/privacy/norrsund")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Personuppgifter: Norrsund samordningsförbund" in text
    assert "Norrsund samordningsförbund är personuppgiftsansvarig" in text
    assert "Dess medlemmar: Försäkringskassan, Arbetsförmedlingen, Norrsunds kommun." in text
    assert "Nationella nätverket för samordningsförbund driver tjänsten åt förbunden." in text
    assert "Frågor om personuppgifter: dataskyddsombud@norrsund.se" in text
    assert "artikel 6.1 e i dataskyddsförordningen" in text and "lag 2003:1210" in text
    assert "grupper med minst 5 personer" in text
    # what is stored, for how long, and why submitted answers cannot be erased one by one
    assert "roll, huvudman, år i samverkan" in text
    assert "raderas när mätomgången stänger" in text
    assert "som ingen har sparat på 60 dagar raderas" in text
    assert "inte visas för dig, rättas eller raderas var för sig" in text
    english = text_of(client.get("/privacy/norrsund?lang=en").text)
    assert "Norrsund samordningsförbund is the controller" in english
    assert "nobody has saved for 60 days are deleted" in english
    assert "cannot be shown to you, corrected or erased one by one" in english


def test_without_its_own_contact_the_installations_is_given(client, db):
    make_round(db, slug="sydkust")
    text = text_of(client.get("/privacy/sydkust").text)
    assert "Frågor om personuppgifter: dataskydd@nns.example" in text
    assert "Dess medlemmar" not in text


def test_the_installations_notice_and_an_unknown_forbund(client, db):
    text = text_of(client.get("/privacy").text)
    assert "Varje samordningsförbund är personuppgiftsansvarigt" in text
    assert "Frågor om personuppgifter: dataskydd@nns.example" in text
    missing = client.get("/privacy/ingenstans")
    assert missing.status_code == 404 and "ingenstans" in missing.text


def test_unset_settings_are_said_to_be_unset(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    create_schema(app.extensions["survey_engine"])
    client = app.test_client()
    privacy = text_of(client.get("/privacy").text)
    assert "Organisationen som driver tjänsten har inte angett sitt namn här än." in privacy
    assert "Ingen kontakt för frågor om personuppgifter har angetts här än." in privacy
    assert "som ingen har sparat på 90 dagar" in privacy
    statement = text_of(client.get("/accessibility").text)
    assert "Kontakt: samordningsförbundet som bjöd in dig" in statement
    app.extensions["survey_engine"].dispose()


def test_a_nonsense_draft_period_is_refused_at_start_up(tmp_path):
    with pytest.raises(ValueError, match="PRIVACY_DRAFT_DAYS must be a number of days"):
        Settings.load(tmp_path, {"PRIVACY_DRAFT_DAYS": "a while", "SECRET_KEY": "x"})
    assert Settings.load(tmp_path, {"SECRET_KEY": "x"}).privacy_draft_days == 90


def test_every_respondent_page_links_its_forbunds_notice_never_the_token(client, db):
    rnd = make_round(db)
    token = invite(db, rnd)[0]
    closed_token = invite(db, make_round(db, label="2025", state="closed"))[0]
    pages = {"start": client.get(f"/r/{token}")}
    csrf = begin(client, token)
    pages |= {
        "question page": client.get(f"/r/{token}/p/1"),
        "saved": client.post(
            f"/r/{token}/p/1", data={"csrf_token": csrf, "nav": "later"}, follow_redirects=True
        ),
        "summary": (summary := client.get(f"/r/{token}/summary")),
        "closed round": client.get(f"/r/{closed_token}"),
    }
    receipt = hidden_field(summary.text, "receipt")
    pages["thank you"] = client.post(
        f"/r/{token}/submit", data={"csrf_token": csrf_token(summary.text), "receipt": receipt}
    )
    for name, page in pages.items():
        assert page.status_code in (200, 409), (name, page.status_code)
        links = privacy_links(page.text)
        assert links == [("/privacy/norrsund", ' rel="noreferrer"')], (name, links)
        assert token not in links[0][0] and closed_token not in links[0][0]
        assert '<a href="/accessibility" rel="noreferrer">' in page.text, name
    # A link that leads nowhere still has a notice: the installation's.
    wrong = client.get("/r/" + "x" * 32)
    assert wrong.status_code == 404
    assert privacy_links(wrong.text)[0][0] == "/privacy"


def test_the_accessibility_statement_follows_diggs_model(client):
    page = client.get("/accessibility")
    assert page.status_code == 200
    text = text_of(page.text)
    headings = re.findall(r"<h[23]>([^<]+)</h[23]>", page.text)
    assert headings == [
        "Hur tillgänglig är tjänsten?",
        "Vad kan du göra om du inte kan använda delar av tjänsten?",
        "Rapportera brister i tjänstens tillgänglighet",
        "Tillsyn",
        "Teknisk information om tjänstens tillgänglighet",
        "Innehåll som inte är tillgängligt",
        "Hur vi testat tjänsten",
    ]
    assert "Nationella nätverket för samordningsförbund står bakom den här tjänsten." in text
    assert "lag 2018:1937" in text
    assert "delvis förenlig med lagen om tillgänglighet till digital offentlig service" in text
    assert "Kontakt: tillganglighet@nns.example" in text
    assert "Myndigheten för digital förvaltning (Digg)" in text
    assert "www.digg.se/tdosanmalan" in text
    assert "axe-core" in text and "självskattning" in text
    assert "Den senaste bedömningen gjordes den 25 november 2026." in text
    english = text_of(client.get("/accessibility?lang=en").text)
    assert "partially compliant" in english and "Agency for Digital Government" in english


def test_every_page_has_the_footer(client, db):
    make_round(db)
    for url in ("/login", "/privacy", "/accessibility"):
        html = client.get(url).text
        assert '<a href="/accessibility" rel="noreferrer">Tillgänglighetsredogörelse</a>' in html
        assert '<a href="/privacy">Personuppgifter</a>' in html

"""Every bad input a respondent's browser (or someone tampering with it) can send: each is
answered with a clear page or a 400, and the database is exactly as it was before."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from builders import (
    begin,
    csrf_token,
    draft_content,
    hidden_field,
    invite,
    make_round,
    stored_state,
)

from survey.rounds import invitations

TODAY = dt.date.today()


@pytest.fixture
def started(client, db):
    """A respondent who answered the background and page 1; page 2 is next."""
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token)
    data = {"csrf_token": csrf, "nav": "next", "item-STRAT1": "4", "comment": "Första"}
    assert client.post(f"/r/{token}/p/1", data=data).status_code == 302
    return token, csrf


def text_of(resp) -> str:
    return html.unescape(resp.text)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "item-STYR1",
            "0",
            "”0” är inte ett värde på skalan. Välj 1–5 eller ”Vet ej” för påståendet: Det är",
        ),
        (
            "item-STYR1",
            "6",
            "”6” är inte ett värde på skalan. Välj 1–5 eller ”Vet ej” för påståendet: Det är",
        ),
        ("item-STYR1", "abc", "”abc” är inte ett värde på skalan"),
        ("item-STYR1", "²", "”²” är inte ett värde på skalan"),
        ("item-STYR1", "4.0", "”4.0” är inte ett värde på skalan"),
        ("item-NOPE1", "3", "ett fält som inte finns på den här sidan: item-NOPE1"),
        ("item-STRAT1", "3", "ett fält som inte finns på den här sidan: item-STRAT1"),
        ("favourite", "blue", "ett fält som inte finns på den här sidan: favourite"),
        ("comment", "x" * 2001, "Kommentaren är för lång: 2001 tecken, högst 2000."),
    ],
)
def test_a_refused_value_on_a_page_writes_nothing_and_keeps_the_other_answers(
    client, db, started, field, value, message
):
    token, csrf = started
    before = stored_state(db)
    data = {"csrf_token": csrf, "nav": "next", "item-STYR2": "5", "item-STYR3": "dk"}
    data[field] = value
    resp = client.post(f"/r/{token}/p/2", data=data)
    assert resp.status_code == 400
    page = text_of(resp)
    assert "Kontrollera följande" in page and message in page
    assert 'role="alert"' in resp.text and "<title>Fel: Del 2 av 10" in resp.text
    # The good answers come back checked (not saved), so nothing has to be clicked again.
    assert 'name="item-STYR2" value="5"\n                   checked' in resp.text
    assert 'name="item-STYR3" value="dk"\n                   checked' in resp.text
    assert stored_state(db) == before


def test_a_value_outside_the_scale_points_at_its_statement(client, db, started):
    token, csrf = started
    resp = client.post(f"/r/{token}/p/2", data={"csrf_token": csrf, "item-STYR1": "6"})
    assert '<a href="#item-STYR1-1">' in resp.text
    assert 'aria-describedby="err-item-STYR1"' in resp.text and 'id="err-item-STYR1"' in resp.text


def test_the_same_statement_sent_twice_is_refused(client, db, started):
    token, csrf = started
    before = stored_state(db)
    resp = client.post(
        f"/r/{token}/p/2",
        data={"csrf_token": csrf, "item-STYR1": ["2", "5"]},
    )
    assert resp.status_code == 400
    assert "Mer än ett svar skickades för: Det är tydligt" in text_of(resp)
    assert stored_state(db) == before


def test_a_tampered_navigation_field_is_refused(client, db, started):
    token, csrf = started
    before = stored_state(db)
    resp = client.post(f"/r/{token}/p/2", data={"csrf_token": csrf, "nav": "sideways"})
    assert resp.status_code == 400
    assert "ett fält som inte finns på den här sidan: nav=sideways" in text_of(resp)
    assert stored_state(db) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "kung", "agency": "fk"}, "”kung” är inte ett av svarsalternativen för: Vilken"),
        ({"role": "chef", "agency": "fk", "years": "99"}, "”99” är inte ett av svarsalternativen"),
        ({"agency": "fk"}, "Svara på frågan: Vilken är din roll i samverkan?"),
        ({"role": "chef"}, "Svara på frågan: Vilken part arbetar du hos?"),
        ({"role": "chef", "agency": "fk", "name": "Anna"}, "som inte finns på den här sidan: name"),
        ({"role": ["chef", "styrelse"], "agency": "fk"}, "Mer än ett svar skickades för: Vilken"),
    ],
)
def test_a_refused_background_answer_writes_nothing(client, db, started, data, message):
    token, csrf = started
    before = stored_state(db)
    resp = client.post(f"/r/{token}", data={"csrf_token": csrf, **data})
    assert resp.status_code == 400
    assert "Kontrollera följande" in text_of(resp) and message in text_of(resp)
    assert stored_state(db) == before
    saved = draft_content(db, token).background
    assert (saved["role"], saved["agency"]) == ("handlaggare", "kommun")


def test_a_missing_role_on_a_fresh_link_writes_nothing_and_keeps_the_choice(client, db):
    token = invite(db, make_round(db))[0]
    csrf = csrf_token(client.get(f"/r/{token}").text)
    before = stored_state(db)
    resp = client.post(f"/r/{token}", data={"csrf_token": csrf, "agency": "region"})
    assert resp.status_code == 400
    assert '<a href="#role-handlaggare">Svara på frågan: Vilken är din roll' in resp.text
    assert 'value="region"\n                   checked' in resp.text
    assert stored_state(db) == before and before["drafts"] == []


@pytest.mark.parametrize("csrf", [None, "", "forged-token"])
def test_a_page_without_a_valid_csrf_token_is_shown_again_unsaved(client, db, started, csrf):
    token, _ = started
    before = stored_state(db)
    data = {"nav": "next", "item-STYR1": "2"}
    if csrf is not None:
        data["csrf_token"] = csrf
    resp = client.post(f"/r/{token}/p/2", data=data)
    assert resp.status_code == 400
    page = text_of(resp)
    assert "Sidan hade gått ut" in page and "ingenting på den har sparats än" in page
    assert 'name="item-STYR1" value="2"\n                   checked' in resp.text
    assert csrf_token(resp.text)  # a fresh token to send the page again with
    assert stored_state(db) == before


def test_submit_without_csrf_token_or_with_a_tampered_receipt_submits_nothing(client, db, started):
    token, csrf = started
    summary = client.get(f"/r/{token}/summary").text
    receipt = hidden_field(summary, "receipt")
    before = stored_state(db)
    no_csrf = client.post(f"/r/{token}/submit", data={"receipt": receipt})
    assert no_csrf.status_code == 400 and "Sidan hade gått ut" in text_of(no_csrf)
    assert "Sammanfattning" in no_csrf.text
    tampered = client.post(
        f"/r/{token}/submit", data={"csrf_token": csrf, "receipt": receipt[::-1]}
    )
    assert tampered.status_code == 400
    assert "Formuläret hörde inte till den här länken" in text_of(tampered)
    missing = client.post(f"/r/{token}/submit", data={"csrf_token": csrf})
    assert missing.status_code == 400
    assert stored_state(db) == before


def test_background_and_other_forms_without_csrf_token_write_nothing(client, db, started):
    token, _ = started
    before = stored_state(db)
    resp = client.post(f"/r/{token}", data={"role": "styrelse", "agency": "region"})
    assert resp.status_code == 400 and "Sidan hade gått ut" in text_of(resp)
    assert 'value="styrelse"\n                   checked' in resp.text
    unknown = client.post("/r/not-a-real-token/p/1", data={"item-STRAT1": "3"})
    assert unknown.status_code == 400 and "Av säkerhetsskäl gäller ett formulär" in text_of(unknown)
    assert stored_state(db) == before


def test_submit_without_role_and_agency_is_refused(client, db):
    token = invite(db, make_round(db))[0]
    csrf = csrf_token(client.get(f"/r/{token}").text)
    client.post(f"/r/{token}/p/1", data={"csrf_token": csrf, "item-STRAT1": "4"})
    summary = client.get(f"/r/{token}/summary").text
    before = stored_state(db)
    resp = client.post(
        f"/r/{token}/submit",
        data={"csrf_token": csrf, "receipt": hidden_field(summary, "receipt")},
    )
    assert resp.status_code == 400
    assert "Svara på frågan: Vilken är din roll i samverkan?" in text_of(resp)
    assert stored_state(db) == before
    assert len(before["drafts"]) == 1 and before["responses"] == []


@pytest.mark.parametrize("number", ["0", "11", "-1", "abc", "99999999999999999999"])
def test_a_page_number_out_of_range_is_not_found_and_writes_nothing(client, db, started, number):
    token, csrf = started
    before = stored_state(db)
    resp = client.post(f"/r/{token}/p/{number}", data={"csrf_token": csrf, "item-STRAT1": "1"})
    assert resp.status_code == 404
    assert "Det finns ingen sida på den här adressen." in text_of(resp)
    assert client.get(f"/r/{token}/p/{number}").status_code == 404
    assert stored_state(db) == before


def test_wrong_and_used_links_get_the_same_page(client, app, db):
    rnd = make_round(db)
    used, fresh = invite(db, rnd, 2)
    from builders import answer_all

    answer_all(app.test_client(), used)
    before = stored_state(db)
    wrong = invitations.new_token()
    pages = {}
    for name, token in [("used", used), ("wrong", wrong), ("short", "Zq"), ("long", "Yy" * 150)]:
        resp = client.get(f"/r/{token}")
        assert resp.status_code == 404, name
        pages[name] = resp.text.replace(token, "TOKEN")
        assert "Länken hittades inte" in text_of(resp)
        assert client.get(f"/r/{token}/p/1").status_code == 404
        assert client.get(f"/r/{token}/summary").status_code == 404
    assert pages["used"] == pages["wrong"] == pages["short"] == pages["long"]
    csrf = csrf_token(client.get(f"/r/{fresh}").text)
    posted = {}
    for token in (used, wrong):
        resp = client.post(f"/r/{token}/p/1", data={"csrf_token": csrf, "item-STRAT1": "2"})
        assert resp.status_code == 404 and "Länken hittades inte" in text_of(resp)
        posted[token] = resp.text.replace(token, "TOKEN")
        assert client.post(f"/r/{token}/submit", data={"csrf_token": csrf}).status_code == 404
    assert posted[used] == posted[wrong]
    assert stored_state(db) == before


def test_a_draft_round_says_when_it_opens(client, db):
    opens = TODAY + dt.timedelta(days=10)
    token = invite(db, make_round(db, state="draft", opens_on=opens))[0]
    resp = client.get(f"/r/{token}")
    assert resp.status_code == 403
    page = text_of(resp)
    assert "Enkäten har inte öppnat än" in page
    assert "Mätomgång 2026 för Norrsund samordningsförbund öppnar den" in page
    assert str(opens.day) in page and str(opens.year) in page
    # A form kept from before (any page of this browser gives a valid CSRF token).
    other = invite(db, make_round(db, slug="sydkust"))[0]
    csrf = csrf_token(client.get(f"/r/{other}").text)
    before = stored_state(db)
    post = client.post(f"/r/{token}", data={"csrf_token": csrf, "role": "chef", "agency": "fk"})
    assert post.status_code == 403 and "Enkäten har inte öppnat än" in text_of(post)
    assert stored_state(db) == before


def test_an_open_round_before_its_first_day_is_not_open_yet(client, db):
    token = invite(db, make_round(db, opens_on=TODAY + dt.timedelta(days=3)))[0]
    resp = client.get(f"/r/{token}/p/1")
    assert resp.status_code == 403 and "öppnar den" in text_of(resp)


def test_a_round_past_its_closing_date_says_when_it_closed(client, db):
    closed = TODAY - dt.timedelta(days=2)
    token = invite(db, make_round(db, opens_on=TODAY - dt.timedelta(days=30), closes_on=closed))[0]
    resp = client.get(f"/r/{token}")
    assert resp.status_code == 409
    page = text_of(resp)
    assert "Enkäten är stängd" in page and "stängde den" in page and str(closed.year) in page


def test_closing_mid_answer_keeps_the_answers_and_refuses_new_ones(client, runner, db, started):
    token, csrf = started
    result = runner.invoke(args=["round", "close", "norrsund/2026"])
    assert result.exit_code == 0, result.output
    before = stored_state(db)
    resp = client.post(f"/r/{token}/p/2", data={"csrf_token": csrf, "item-STYR1": "5"})
    assert resp.status_code == 409
    page = text_of(resp)
    assert "Enkäten är stängd" in page and "stängde den" in page
    assert "De svar du har sparat finns kvar" in page
    summary = client.get(f"/r/{token}/summary")
    assert summary.status_code == 409
    assert stored_state(db) == before
    assert draft_content(db, token).answers == {"STRAT1": 4}
    # Reopened with a new closing date: the same link continues where it stopped.
    new_close = (TODAY + dt.timedelta(days=5)).isoformat()
    result = runner.invoke(args=["round", "open", "norrsund/2026", "--closes", new_close])
    assert result.exit_code == 0, result.output
    page1 = client.get(f"/r/{token}/p/1").text
    assert 'name="item-STRAT1" value="4"\n                   checked' in page1
    assert ">Första</textarea>" in page1


def test_a_comment_with_control_characters_is_refused_at_the_comment(client, db, started):
    """Line breaks are the comment's own; a NUL or a bell is refused (survey/web/form_text.py),
    the page comes back with the comment as sent, the characters marked, nothing stored."""
    token, csrf = started
    data = {"csrf_token": csrf, "comment": "Rad ett\r\nrad\x00 två\x07 "}
    refused = client.post(f"/r/{token}/p/2", data=data)
    assert refused.status_code == 400 and 'href="#comment"' in refused.text
    assert "innehåller ett tecken som inte kan sparas" in refused.text
    assert "rad\ufffd två\ufffd </textarea>" in refused.text
    assert draft_content(db, token).comments == {"STRAT": "Första"}
    data["comment"] = "Rad ett\r\nrad två"
    assert client.post(f"/r/{token}/p/2", data=data).status_code == 302
    assert draft_content(db, token).comments == {"STRAT": "Första", "STYR": "Rad ett\nrad två"}

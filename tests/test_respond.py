"""A respondent's journey through the HTTP interface: start, pages, resume, summary, submit."""

from __future__ import annotations

import datetime as dt
import re

from builders import (
    answer_all,
    begin,
    csrf_token,
    draft_content,
    hidden_field,
    invite,
    make_round,
    stored_state,
)
from conftest import PUBLIC_URL
from sqlalchemy import func, select, update

from survey.db import models
from survey.rounds import invitations


def page_post(client, token, number, csrf, nav="next", **ratings):
    data = {"csrf_token": csrf, "nav": nav}
    data.update({f"item-{code}": value for code, value in ratings.items()})
    return client.post(f"/r/{token}/p/{number}", data=data)


def checked(html: str) -> dict[str, str]:
    """Item code -> the value checked on a rendered page."""
    found = re.findall(r'name="item-([A-Z0-9_]+)" value="(\w+)"\s+checked', html)
    return dict(found)


def test_background_first_then_one_page_per_dimension_with_progress(client, db):
    token = invite(db, make_round(db))[0]
    start = client.get(f"/r/{token}")
    assert "Om dig" in start.text and "Vilken är din roll i samverkan?" in start.text
    assert "Norrsund samordningsförbund, mätomgång 2026" in start.text
    csrf = begin(client, token)
    page3 = client.get(f"/r/{token}/p/3")
    assert "Del 3 av 10" in page3.text
    assert "<title>Del 3 av 10: Resurser och finansiering" in page3.text
    # Every statement is a fieldset with a legend, five labelled points and "vet ej".
    assert page3.text.count("<fieldset") == 4 and page3.text.count("<legend>") == 4
    assert page3.text.count('type="radio"') == 4 * 6
    assert '<label for="item-RES1-dk">Vet ej</label>' in page3.text
    assert 'for="item-RES1-1"><span class="point">1</span> Instämmer inte alls' in page3.text
    last = page_post(client, token, 10, csrf)
    assert last.headers["Location"].endswith(f"/r/{token}/summary")


def test_back_and_forward_keep_every_answer_and_comment(client, db):
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token)
    resp = page_post(client, token, 1, csrf, STRAT1="2", STRAT3="dk")
    assert resp.headers["Location"].endswith("/p/2")
    resp = client.post(
        f"/r/{token}/p/2",
        data={"csrf_token": csrf, "nav": "back", "item-STYR2": "5", "comment": "Bra styrning"},
    )
    assert resp.headers["Location"].endswith("/p/1")
    assert checked(client.get(f"/r/{token}/p/1").text) == {"STRAT1": "2", "STRAT3": "dk"}
    page2 = client.get(f"/r/{token}/p/2").text
    assert checked(page2) == {"STYR2": "5"} and ">Bra styrning</textarea>" in page2
    # Back from the first page leads to the questions about you, still answered.
    resp = page_post(client, token, 1, csrf, nav="back", STRAT1="2", STRAT3="dk")
    assert resp.headers["Location"].endswith(f"/r/{token}?start=1")
    start = client.get(resp.headers["Location"]).text
    assert 'value="handlaggare"\n                   checked' in start
    assert "Välkommen tillbaka" in start


def test_vet_ej_is_stored_as_missing_and_blank_clears_an_answer(client, db):
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token)
    page_post(client, token, 1, csrf, STRAT1="dk", STRAT2="3")
    page_post(client, token, 1, csrf, STRAT1="dk", STRAT2="")
    assert draft_content(db, token).answers == {"STRAT1": None}


def test_resume_on_another_device_with_the_same_link(client, app, db):
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token, role="chef", agency="fk")
    page_post(client, token, 1, csrf, STRAT1="1", STRAT2="2", STRAT3="3", STRAT4="4")
    page_post(client, token, 2, csrf, STYR1="5")
    phone = app.test_client()  # no cookies: nothing depends on the first browser's session
    # The link lands where the person stopped: the first part with a blank statement.
    landing = phone.get(f"/r/{token}")
    assert landing.status_code == 303 and landing.headers["Location"].endswith(f"/r/{token}/p/2")
    start = phone.get(f"/r/{token}?start=1").text
    assert "Välkommen tillbaka" in start
    assert re.search(r'value="chef"\s+checked', start) and re.search(r'value="fk"\s+checked', start)
    assert checked(phone.get(f"/r/{token}/p/1").text) == {
        "STRAT1": "1",
        "STRAT2": "2",
        "STRAT3": "3",
        "STRAT4": "4",
    }
    page2 = phone.get(f"/r/{token}/p/2").text
    assert checked(page2) == {"STYR1": "5"}
    page_post(phone, token, 2, csrf_token(page2), STYR1="5", STYR2="4")
    assert checked(client.get(f"/r/{token}/p/2").text) == {"STYR1": "5", "STYR2": "4"}


def test_save_and_continue_later_shows_the_link_and_the_closing_date(client, db):
    closes = dt.date.today() + dt.timedelta(days=30)
    token = invite(db, make_round(db, closes_on=closes))[0]
    csrf = begin(client, token)
    resp = page_post(client, token, 1, csrf, nav="later", STRAT1="4")
    assert resp.headers["Location"].endswith(f"/r/{token}/saved")
    saved = client.get(resp.headers["Location"]).text
    assert "Dina svar är sparade" in saved
    assert f"{PUBLIC_URL}/r/{token}" in saved


def test_links_are_built_on_the_public_address_not_the_host_a_client_sends(client, db):
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token)
    page_post(client, token, 1, csrf, nav="later", STRAT1="4")
    saved = client.get(f"/r/{token}/saved", headers={"Host": "evil.example"}).text
    assert f"{PUBLIC_URL}/r/{token}" in saved and "evil.example" not in saved
    assert "innan mätomgången stänger den" in saved
    assert checked(client.get(f"/r/{token}/p/1").text) == {"STRAT1": "4"}


def test_language_switch_from_a_page_saves_it_and_shows_the_questionnaire_in_english(client, db):
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token)
    resp = page_post(client, token, 1, csrf, nav="lang-en", STRAT1="3")
    assert resp.headers["Location"].endswith(f"/r/{token}/p/1?lang=en")
    english = client.get(resp.headers["Location"]).text
    assert "Part 1 of 10" in english and "Strategy and long-term approach" in english
    assert "Strongly disagree" in english and "Don&#39;t know" in english
    assert '<html lang="en">' in english
    assert checked(english) == {"STRAT1": "3"}
    # The choice sticks for the next pages of this browser.
    assert "Part 2 of 10" in client.get(f"/r/{token}/p/2").text
    assert "Del 2 av 10" in client.get(f"/r/{token}/p/2?lang=sv").text


def test_background_save_in_the_browser_is_answered_without_a_page_change(client, db):
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token)
    resp = page_post(client, token, 4, csrf, nav="autosave", PROC1="2")
    assert resp.status_code == 204 and resp.data == b""
    assert checked(client.get(f"/r/{token}/p/4").text) == {"PROC1": "2"}


def test_summary_lists_the_unanswered_statements_and_the_missing_background(client, db):
    token = invite(db, make_round(db))[0]
    page = client.get(f"/r/{token}")
    csrf = csrf_token(page.text)
    page_post(client, token, 1, csrf, STRAT1="4", STRAT2="dk", STRAT4="2")
    summary = client.get(f"/r/{token}/summary").text
    assert "Du har besvarat 3 av 40 påståenden." in summary
    # The one statement left in a started part is named and linked to its place.
    assert "Samverkan bygger till stor del på kortsiktiga projekt." in summary
    assert f'/r/{token}/p/1#s-STRAT3"' in summary
    assert "Del 2: Styrning och mandat" in summary
    assert "inget av dess 4 påståenden besvarat" in summary
    assert "Din roll och den part du arbetar hos behövs innan du kan skicka in." in summary


def test_submit_makes_the_answers_final_and_cuts_the_link_to_the_invitation(client, db):
    closes = dt.date.today() + dt.timedelta(days=20)
    rnd = make_round(db, closes_on=closes)
    token = invite(db, rnd)[0]
    thanks = answer_all(client, token)
    assert "Tack" in thanks.text and "Dina svar är inskickade" in thanks.text
    assert "Resultaten för Norrsund samordningsförbund sammanställs när mätomgången stänger" in (
        thanks.text
    )
    assert str(closes.year) in thanks.text
    inv = db.scalar(select(models.Invitation))
    response = db.scalar(select(models.Response))
    assert inv.draft_id is None and inv.used is True
    assert response.role == "handlaggare" and response.round_id == rnd.id
    assert len(db.scalars(select(models.Answer)).all()) == 40
    # The draft is gone: nothing of the answers is reachable from the link any more.
    assert db.scalar(select(func.count()).select_from(models.Draft)) == 0
    assert db.scalar(select(func.count()).select_from(models.DraftAnswer)) == 0


def test_a_second_submit_shows_the_thank_you_page_and_changes_nothing(client, db):
    token = invite(db, make_round(db))[0]
    answer_all(client, token, submit=False)
    summary = client.get(f"/r/{token}/summary").text
    form = {"csrf_token": csrf_token(summary), "receipt": hidden_field(summary, "receipt")}
    before_cookie = client.get_cookie("session").value
    assert client.post(f"/r/{token}/submit", data=form).status_code == 200
    after_first = stored_state(db)
    # Replay and back button in this browser: the thank-you page again.
    again = client.post(f"/r/{token}/submit", data=form)
    assert again.status_code == 200 and "Dina svar är inskickade" in again.text
    back = client.get(f"/r/{token}/summary")
    assert back.status_code == 200 and "Dina svar är inskickade" in back.text
    # A double click whose first answer never reached the browser: its cookie does not
    # know about the submit, but the form's receipt does.
    client.set_cookie("session", before_cookie)
    double = client.post(f"/r/{token}/submit", data=form)
    assert double.status_code == 200 and "Dina svar är inskickade" in double.text
    assert stored_state(db) == after_first
    assert len(after_first["responses"]) == 1


def test_the_thank_you_page_switches_language(client, db):
    token = invite(db, make_round(db))[0]
    answer_all(client, token)
    resp = client.get(f"/r/{token}/submit?lang=en")  # the language link on that page
    assert resp.status_code == 302
    english = client.get(resp.headers["Location"])
    assert "Your answers have been submitted" in english.text
    odd = client.get(f"/r/{token}/submit?_external=1&_scheme=javascript&lang=xx")
    assert odd.headers["Location"] == f"/r/{token}/summary"  # only a known language is kept


def test_the_link_is_dead_after_submit_for_any_other_browser(client, app, db):
    token = invite(db, make_round(db))[0]
    answer_all(client, token)
    other = app.test_client()
    resp = other.get(f"/r/{token}")
    assert resp.status_code == 404 and "Länken hittades inte" in resp.text


def test_shared_link_gives_each_visitor_a_personal_link_of_their_own(client, app, db):
    rnd = make_round(db)
    shared = invitations.create_shared_link(db, rnd)
    db.commit()
    landing = client.get(f"/r/{shared}")
    assert landing.status_code == 200 and "Den här länken delas av alla inbjudna" in landing.text
    assert len(stored_state(db)["invitations"]) == 1  # looking creates nothing
    resp = client.post(f"/r/{shared}", data={"csrf_token": csrf_token(landing.text)})
    personal = resp.headers["Location"].rsplit("/", 1)[1].removesuffix("?own=1")
    assert personal != shared
    start = client.get(resp.headers["Location"])
    assert "Det här är din egen länk" in start.text and f"/r/{personal}" in start.text
    page_post(client, personal, 1, csrf_token(start.text), STRAT1="5")
    # Back through the shared link in the same browser (a shared computer): a choice
    # between continuing and starting afresh, and nobody's answers before it is made.
    again = client.get(f"/r/{shared}")
    assert again.status_code == 200 and "Fortsätt mina svar" in again.text
    assert f'href="/r/{personal}"' in again.text and "checked" not in again.text
    assert "Jag är någon annan: börja om" in again.text
    # Another person gets the landing page and a link of their own.
    other = app.test_client()
    page = other.get(f"/r/{shared}")
    other_link = other.post(f"/r/{shared}", data={"csrf_token": csrf_token(page.text)})
    assert other_link.headers["Location"] != resp.headers["Location"]
    answer_all(client, personal)
    kinds = [row[1] for row in stored_state(db)["invitations"]]
    assert sorted(kinds) == ["personal", "personal", "shared"]
    # After submitting, the browser remembers nothing that leads to the answers: the shared
    # link offers a plain fresh start, and the session holds no personal link any more.
    after = client.get(f"/r/{shared}")
    assert after.status_code == 200 and "Fortsätt mina svar" not in after.text
    with client.session_transaction() as cookie:
        assert personal not in str(dict(cookie))


def test_the_shared_link_cannot_be_answered_directly(client, db):
    rnd = make_round(db)
    shared = invitations.create_shared_link(db, rnd)
    db.commit()
    csrf = csrf_token(client.get(f"/r/{shared}").text)
    before = stored_state(db)
    resp = page_post(client, shared, 1, csrf, STRAT1="4")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/r/{shared}")
    assert client.get(f"/r/{shared}/summary").status_code == 303
    assert stored_state(db) == before


def test_respondent_pages_keep_the_link_private(client, db):
    token = invite(db, make_round(db))[0]
    resp = client.get(f"/r/{token}")
    assert resp.headers["Cache-Control"] == "no-store"
    # Same-origin only: Flask-WTF refuses HTTPS posts without a same-origin Referer, so
    # "no-referrer" would break every form in production.
    assert resp.headers["Referrer-Policy"] == "same-origin"
    csrf = csrf_token(resp.text)
    secure = client.post(
        f"/r/{token}",
        data={"csrf_token": csrf, "role": "chef", "agency": "af"},
        base_url="https://localhost",
        headers={"Referer": f"https://localhost/r/{token}"},
    )
    assert secure.status_code == 302


def test_a_draft_saved_before_drafts_were_sealed_resumes_and_is_sealed_at_its_next_save(client, db):
    """Revision 0008 cannot seal old drafts (no link is stored): their plain rows are read
    as before, and the next save seals them and deletes the plain rows."""
    rnd = make_round(db)
    token = invite(db, rnd)[0]
    items = dict(db.execute(select(models.Item.code, models.Item.id)).all())
    draft = models.Draft(
        round_id=rnd.id, language="sv", role="chef", agency="fk", saved_at=dt.datetime(2026, 1, 5)
    )
    db.add(draft)
    db.flush()
    db.add_all(
        [
            models.DraftAnswer(draft_id=draft.id, item_id=items["STRAT1"], value=2),
            models.DraftAnswer(draft_id=draft.id, item_id=items["STRAT2"], value=None),
        ]
    )
    db.execute(
        update(models.Invitation)
        .where(models.Invitation.token_hash == invitations.hash_token(token))
        .values(draft_id=draft.id)
    )
    db.commit()

    page = client.get(f"/r/{token}/p/1")
    assert checked(page.text) == {"STRAT1": "2", "STRAT2": "dk"}
    assert page_post(client, token, 2, csrf_token(page.text), STYR1="5").status_code == 302

    db.expire_all()
    stored = db.get(models.Draft, draft.id)
    assert stored.sealed is not None and (stored.role, stored.agency) == (None, None)
    assert db.scalar(select(func.count()).select_from(models.DraftAnswer)) == 0
    assert draft_content(db, token).answers == {"STRAT1": 2, "STRAT2": None, "STYR1": 5}
    assert draft_content(db, token).background["role"] == "chef"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_summary_reviews_every_answer_with_a_way_back_to_change_it(client, db):
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token)
    page_post(client, token, 1, csrf, STRAT1="4", STRAT2="dk", STRAT4="2")
    summary = client.get(f"/r/{token}/summary").text
    words = text_of(summary)
    assert "Parterna har en gemensam, skriftlig strategi" in words  # answered: reviewed
    assert re.search(r'id="answer-STRAT1">4 – ', summary)
    assert re.search(r'id="answer-STRAT2">Vet ej<', summary)
    assert re.search(r'id="answer-STRAT3"><em>ej besvarat</em>', summary)
    assert f'href="/r/{token}/p/2">Ändra svaren i del 2<' in summary
    # Every statement answered: one count, not "40 av 40" and "alla" both.
    other = invite(db, db.scalar(select(models.Round)))[0]
    answer_all(client, other, submit=False)
    words = text_of(client.get(f"/r/{other}/summary").text)
    assert "Du har besvarat alla 40 påståenden." in words and "40 av 40" not in words


def test_enter_with_blank_statements_keeps_the_part_and_says_so(client, db):
    token = invite(db, make_round(db))[0]
    csrf = begin(client, token)
    # Enter in a field presses the page's default button: nav=enter.
    stay = page_post(client, token, 1, csrf, nav="enter", STRAT1="4")
    assert stay.status_code == 200
    words = text_of(stay.text)
    assert "Du tryckte på Enter" in words and "Del 1 av 10" in words
    assert "Ännu inte besvarat: Samverkan bygger till stor del på kortsiktiga projekt." in words
    assert checked(client.get(f"/r/{token}/p/1").text) == {"STRAT1": "4"}  # saved all the same
    # With every statement answered, Enter moves on like Next.
    answers = {"STRAT1": "4", "STRAT2": "3", "STRAT3": "dk", "STRAT4": "5"}
    on = page_post(client, token, 1, csrf, nav="enter", **answers)
    assert on.status_code == 302 and on.headers["Location"].endswith(f"/r/{token}/p/2")
    # Next still leaves statements blank on purpose.
    on = page_post(client, token, 2, csrf, nav="next")
    assert on.status_code == 302 and on.headers["Location"].endswith(f"/r/{token}/p/3")

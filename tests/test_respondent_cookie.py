"""The respondent's session cookie is signed, not encrypted: whoever reads it reads what it
holds. Through a shared link on a shared computer (the personal link handed out, answering,
coming back through the shared link, submitting, the back button) the decoded cookie holds
neither link nor either link's SHA-256 after any step, and the browser still remembers
what it must: the offer to continue, and the thank-you page after submit."""

from __future__ import annotations

import hashlib

from builders import answer_all, csrf_token, hidden_field, make_round
from flask.testing import FlaskClient

from survey.rounds import invitations


class CookieReader(FlaskClient):
    """A browser whose every response's session cookie is decoded with the app's
    itsdangerous serializer and kept, step by step."""

    decoded: list[str]

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        cookie = self.get_cookie("session")
        if cookie is not None:
            serializer = self.application.session_interface.get_signing_serializer(self.application)
            self.decoded.append(repr(serializer.loads(cookie.value)))
        return response


def secrets_of(*tokens: str) -> list[str]:
    return [s for t in tokens for s in (t, hashlib.sha256(t.encode()).hexdigest())]


def test_no_link_and_no_hash_of_one_in_the_cookie_after_any_step(app, db):
    rnd = make_round(db)
    shared = invitations.create_shared_link(db, rnd)
    db.commit()
    app.test_client_class = CookieReader
    browser = app.test_client()
    browser.decoded = []

    landing = browser.get(f"/r/{shared}")
    handed_out = browser.post(f"/r/{shared}", data={"csrf_token": csrf_token(landing.text)})
    personal = handed_out.headers["Location"].split("/r/", 1)[1].split("?")[0]
    own = browser.get(handed_out.headers["Location"])
    assert f"/r/{personal}" in own.text and "Det här är din egen länk" in own.text
    answer_all(browser, personal, submit=False)
    again = browser.get(f"/r/{shared}")  # the next person at the same computer
    assert "Fortsätt mina svar" in again.text and f'href="/r/{personal}"' in again.text
    summary = browser.get(f"/r/{personal}/summary")
    thanks = browser.post(
        f"/r/{personal}/submit",
        data={
            "csrf_token": csrf_token(summary.text),
            "receipt": hidden_field(summary.text, "receipt"),
        },
    )
    assert thanks.status_code == 200 and "Tack" in thanks.text
    assert "Fortsätt mina svar" not in browser.get(f"/r/{shared}").text
    back = browser.get(f"/r/{personal}")  # the back button after submit
    assert back.status_code == 200 and "Tack" in back.text

    assert len(browser.decoded) > 10
    leaks = [
        (step, secret)
        for step, cookie in enumerate(browser.decoded)
        for secret in secrets_of(personal, shared)
        if secret in cookie
    ]
    assert leaks == []


def test_another_browser_with_no_cookie_gets_no_offer_and_no_thanks(app, db):
    rnd = make_round(db)
    shared = invitations.create_shared_link(db, rnd)
    db.commit()
    first = app.test_client()
    landing = first.get(f"/r/{shared}")
    personal = (
        first.post(f"/r/{shared}", data={"csrf_token": csrf_token(landing.text)})
        .headers["Location"]
        .split("/r/", 1)[1]
        .split("?")[0]
    )
    answer_all(first, personal, submit=False)
    stranger = app.test_client()
    assert "Fortsätt mina svar" not in stranger.get(f"/r/{shared}").text
    summary = first.get(f"/r/{personal}/summary")
    receipt = hidden_field(summary.text, "receipt")
    first.post(
        f"/r/{personal}/submit", data={"csrf_token": csrf_token(summary.text), "receipt": receipt}
    )
    assert "Tack" in first.get(f"/r/{personal}").text
    assert stranger.get(f"/r/{personal}").status_code == 404

"""A förbund administrator sends invitations and reminders by e-mail from the admin pages;
the worker (`survey mail send`) delivers them through a real SMTP server on loopback, and
each person's own link works. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from builders import answer_all, begin, csrf_token, make_round
from conftest import PUBLIC_URL, signed_in
from sqlalchemy import func, select

from survey.db import audit, models

ROUND = "/admin/f/norrsund/rounds/2026/mail"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/r/[A-Za-z0-9_-]+")


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def admin(app, client, db):
    make_round(db)
    return signed_in(app, client, "forbund_admin", "norrsund")


def post(client, path, data=None, **kwargs):
    """A form post as the page makes it (with its CSRF token)."""
    token = csrf_token(client.get(ROUND).text)
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def add(client, text, language="sv"):
    form = {"addresses": text, "language": language, "confirmed": "1"}  # past the preview
    return post(client, ROUND + "/addresses", form)


def send(runner) -> str:
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def link_in(message) -> str:
    links = LINK.findall(message.get_content())
    assert len(set(links)) == 1, message.get_content()
    return links[0]


def path_of(link: str) -> str:
    return urlsplit(link).path


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_invitations_reach_each_person_in_their_language_with_a_link_that_works(
    app, admin, runner, smtp, db
):
    page = add(admin, "Anna Berg <Anna.Berg@norrsund.test>\nbo@kommun.test; en", "sv")
    assert page.status_code == 302
    shown = admin.get(ROUND).text
    assert "2 nya adresser" in shown and "2 adresser" in shown
    assert count(db, models.Invitation) == 2  # one personal link each, never shown

    assert post(admin, ROUND + "/invitations").status_code == 302
    assert "2 inbjudningar" in admin.get(ROUND).text
    assert "2 sent" in send(runner)

    anna, bo = smtp.to("anna.berg@norrsund.test"), smtp.to("bo@kommun.test")
    assert len(anna) == len(bo) == 1
    assert anna[0]["Content-Language"] == "sv" and bo[0]["Content-Language"] == "en"
    assert (
        anna[0]["Subject"] == "Enkät från Norrsund samordningsförbund: hur fungerar vår samverkan?"
    )
    assert bo[0]["Subject"].startswith("Questionnaire from Norrsund samordningsförbund")
    assert anna[0]["From"] == "Norrsunds samordningsförbund <enkat@norrsund.test>"
    assert "Din egen länk" in anna[0].get_content()
    assert link_in(anna[0]) != link_in(bo[0])
    for message in (anna[0], bo[0]):
        start = app.test_client().get(path_of(link_in(message)))
        assert start.status_code == 200 and "Vilken är din roll" in start.text
    # How long it takes: the figure the questionnaire's start page gives, in both.
    assert "ungefär 10 minuter" in anna[0].get_content() and "ungefär 10 minuter" in start.text
    assert "about 10 minutes" in bo[0].get_content()

    status = admin.get(ROUND).text
    assert re.search(r"Inbjudningar</th>(<td>\d+</td>){3}<td>2</td>", status)  # sent: 2
    assert "survey mail send" not in status and "/r/" not in status  # no link, ever
    again = post(admin, ROUND + "/invitations")
    assert again.status_code == 400 and "redan en inbjudan" in again.text
    assert send(runner).strip() == "nothing to send" and len(smtp.messages) == 2
    listed = runner.invoke(args=["mail", "status", "--round", "norrsund/2026"]).output
    assert "norrsund/2026: 2 address(es)" in listed and "invitation\tsent\t2" in listed
    # The audit log says what was done, never to whom.
    logged = [(e.action, e.details) for e in audit.events(db) if e.action.startswith("mail_")]
    assert logged == [
        ("mail_addresses_added", {"count": 2}),
        ("mail_invitations_queued", {"count": 1 + 1}),
    ]
    assert "@" not in str(logged)


def test_reminders_go_only_to_those_who_have_not_submitted(app, admin, runner, smtp, db):
    add(admin, "svarat@norrsund.test\npaborjat@norrsund.test\ntyst@norrsund.test")
    post(admin, ROUND + "/invitations")
    send(runner)
    links = {m["To"]: link_in(m) for m in smtp.messages}
    answer_all(app.test_client(), path_of(links["svarat@norrsund.test"]).rsplit("/", 1)[1])
    begin(app.test_client(), path_of(links["paborjat@norrsund.test"]).rsplit("/", 1)[1])

    assert post(admin, ROUND + "/reminders").status_code == 302
    assert "2 påminnelser" in admin.get(ROUND).text
    assert "2 sent" in send(runner)
    reminders = [m for m in smtp.messages if m["Subject"].startswith("Påminnelse")]
    assert sorted(m["To"] for m in reminders) == ["paborjat@norrsund.test", "tyst@norrsund.test"]
    for message in reminders:  # the same link as the invitation: it resumes
        assert link_in(message) == links[message["To"]]
    # Twice in a row: the second has nobody new to remind while one is on its way...
    post(admin, ROUND + "/reminders")
    again = post(admin, ROUND + "/reminders")
    assert again.status_code == 400 and "Ingen att påminna" in again.text
    # ...and the page shows how many, never who answered.
    page = admin.get(ROUND).text
    assert "svarat@" not in page and "tyst@" not in page


def test_the_round_closes_and_its_addresses_are_gone(app, admin, runner, smtp, db):
    add(admin, "anna@norrsund.test\nbo@norrsund.test")
    post(admin, ROUND + "/invitations")
    send(runner)
    result = runner.invoke(args=["round", "close", "norrsund/2026"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert count(db, models.MailRecipient) == 0 and count(db, models.MailMessage) == 0
    assert count(db, models.Invitation) == 2  # the links as links stay, like any other
    assert [e.details for e in audit.events(db, "mail_addresses_deleted")] == [{"count": 2}]
    closed = add(admin, "ny@norrsund.test")
    assert closed.status_code == 409 and "stängd" in closed.text
    assert count(db, models.MailRecipient) == 0


def test_a_round_published_after_its_last_day_loses_its_addresses_too(app, runner, db, smtp):
    import datetime as dt

    from survey.mail import addresses, services
    from survey.services import round_actions

    today = dt.date.today()
    make_round(db, closes_on=today)
    listed = addresses.parse("anna@norrsund.test", "sv")
    services.add_addresses(db, "norrsund", "2026", listed, "test-secret", today)
    later = today + dt.timedelta(days=1)
    round_actions.publish_round(db, "norrsund", "2026", later)  # never closed by hand
    db.expire_all()
    assert count(db, models.MailRecipient) == 0


def test_the_forbund_edits_its_texts_and_the_messages_use_them(app, admin, runner, smtp, db):
    texts = "/admin/f/norrsund/mail-texts"
    token = csrf_token(admin.get(texts).text)
    form = {
        "csrf_token": token,
        "kind": "invitation",
        "language": "sv",
        "subject": "Hej från {forbund} ({round})",
        "body": "Svara senast {closes} via {link} – tack! {{inte en platshållare}}",
    }
    assert admin.post(texts, data=form).status_code == 302
    assert "Texten är sparad" in admin.get(texts).text
    add(admin, "anna@norrsund.test")
    post(admin, ROUND + "/invitations")
    send(runner)
    (message,) = smtp.messages
    assert message["Subject"] == "Hej från Norrsund samordningsförbund (2026)"
    body = message.get_content()
    assert "{inte en platshållare}" in body and link_in(message) in body
    assert re.search(r"Svara senast \d+ \w+ 20\d\d via", body)  # "31 december 2026"

    for bad, says in [
        ({"body": "Ingen länk här"}, "måste innehålla {link}"),
        ({"body": "{link} {lank}"}, "Det finns ingen platshållare {lank}"),
        ({"body": "{link} {"}, "Klammerparenteser"),
        ({"subject": "två\nrader"}, "innehåller ett tecken som inte kan sparas"),
        ({"subject": " "}, "Ämne: skriv något"),
    ]:
        refused = admin.post(texts, data={**form, **bad})
        assert refused.status_code == 400 and says in refused.text, bad
    assert db.scalar(select(models.MailText.subject)) == "Hej från {forbund} ({round})"
    admin.post(texts, data={**form, "reset": "1"})
    assert count(db, models.MailText) == 0


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def test_without_a_worker_the_page_says_so_and_send_now_sends(app, admin, runner, smtp, db):
    page = words(admin.get(ROUND))
    assert "ingen e-postarbetare har körts" in page and "inom några minuter" not in page
    assert add(admin, "anna@norrsund.test\nbo@kommun.test; en").status_code == 302
    queued = post(admin, ROUND + "/invitations", follow_redirects=True)
    assert "Ingen e-postarbetare körs" in words(queued) and smtp.messages == []
    sent = post(admin, ROUND + "/send", follow_redirects=True)
    assert "Utskicket klart: 2 sent." in words(sent)
    assert {m["To"] for m in smtp.messages} == {"anna@norrsund.test", "bo@kommun.test"}
    # The pass left its sign of life: the page now says mail is being sent.
    assert "E-post skickas: e-postarbetaren tittade senast i kön för 0 minut(er) sedan" in words(
        sent
    )
    stored = db.scalar(select(models.MailWorkerBeat))
    assert stored.last_pass == "2 sent"
    # The worker's own pass (survey mail send) is a sign of life too.
    send(runner)
    db.expire_all()
    assert db.scalar(select(models.MailWorkerBeat)).last_pass == "nothing to send"


def test_a_scheduled_reminder_and_closing_are_carried_out_by_the_worker(
    app, admin, runner, smtp, db
):
    rnd = db.scalar(select(models.Round))
    rnd.closes_on = dt.date.today() + dt.timedelta(days=3)
    db.commit()
    page = "/admin/f/norrsund/rounds/2026"
    form = {"remind_days_before": "5", "close_after_last_day": "1"}
    assert post(admin, page + "/schedule", form).status_code == 303
    assert "Schemat är sparat" in words(admin.get(page))
    add(admin, "anna@norrsund.test\nbo@kommun.test")
    post(admin, ROUND + "/invitations")
    send(runner)  # the invitations go; no reminder yet (none had gone when it looked)
    assert len(smtp.messages) == 2
    token = path_of(link_in(smtp.to("anna@norrsund.test")[0])).rsplit("/", 1)[1]
    answer_all(app.test_client(), token)
    assert "1 scheduled reminder(s) queued" in send(runner)  # 5 days before: due today
    reminders = [m for m in smtp.messages if m["Subject"].startswith("Påminnelse")]
    assert [m["To"] for m in reminders] == ["bo@kommun.test"]
    assert "nothing to send" in send(runner)  # once only
    # The last day passes: the next pass closes the round and its addresses go.
    db.expire_all()
    rnd = db.scalar(select(models.Round))
    rnd.closes_on = dt.date.today() - dt.timedelta(days=1)
    db.commit()
    assert "closed norrsund/2026" in send(runner)
    db.expire_all()
    assert db.scalar(select(models.Round)).state == "closed"
    assert db.scalar(select(func.count()).select_from(models.MailRecipient)) == 0
    actions = [e.action for e in audit.events(db)]
    assert "round_scheduled" in actions and "mail_reminders_scheduled" in actions


def test_scheduling_needs_a_last_day_and_sensible_days(admin, db):
    rnd = db.scalar(select(models.Round))
    rnd.closes_on = None
    db.commit()
    page = "/admin/f/norrsund/rounds/2026"
    refused = post(admin, page + "/schedule", {"remind_days_before": "5"})
    assert refused.status_code == 400 and "har ingen sista dag" in words(refused)
    refused = post(admin, page + "/schedule", {"remind_days_before": "fem"})
    assert refused.status_code == 400 and "”fem” skickades" in words(refused)

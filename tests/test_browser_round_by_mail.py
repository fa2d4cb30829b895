"""Issue 12's whole round in Chromium, e-mail included, without a shell: a förbund
administrator logs in, creates and opens a round, pastes two addresses and sends the
invitations; the mail worker (what `survey mail send --watch` runs under systemd) delivers
them to a real SMTP server on loopback; one person answers through the link in her e-mail;
the response rate moves; a reminder reaches only the one who has not answered; the round
is closed (its addresses deleted) and published. axe finds nothing serious or critical on
the mail page, and the Content-Security-Policy blocks nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from builders import PASSWORD, make_user
from conftest import MAIL_SENDER, serve
from playwright.sync_api import expect
from sqlalchemy import func, select
from test_browser_admin import answer_through, click
from test_browser_respond import assert_accessible

from survey.db import models
from survey.mail import worker
from survey.services import round_actions as rounds

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = dt.date.today()
LINK = re.compile(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]+")


@pytest.fixture
def server(tmp_path, smtp):
    settings = {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_SECURITY": "none"}
    yield from serve(tmp_path, MAIL_SENDER=MAIL_SENDER, **settings)


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def work_off_the_queue(server) -> str:
    """One pass of the mail worker, as the systemd unit runs it between its sleeps."""
    with server.app.extensions["survey_sessions"]() as session:
        return str(worker.send_due(session, server.app.extensions["survey"]))


def link_in(message) -> str:
    (link,) = set(LINK.findall(message.get_content()))
    return link


def test_a_round_run_by_e_mail_from_log_in_to_publication(browser, server, smtp, page, axe):
    with server.app.extensions["survey_sessions"]() as session:
        rounds.add_association(session, "norrsund", "Norrsunds samordningsförbund")
        make_user(session, "anna@norrsund.se", "forbund_admin", "norrsund")
    page.set_default_timeout(20000)
    page.goto(server.url + "/login")
    page.get_by_label("E-postadress").fill("anna@norrsund.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    click(page, "button", "Logga in")
    click(page, "link", "Mätomgångar, länkar och svarsfrekvens")
    click(page, "link", "Ny mätomgång")
    page.get_by_label("Namn", exact=True).fill("2026")
    page.get_by_label("Öppnar").fill(TODAY.isoformat())
    page.get_by_label("Stänger").fill((TODAY + dt.timedelta(days=30)).isoformat())
    click(page, "button", "Skapa mätomgången")
    click(page, "button", "Öppna mätomgången")
    assert page.locator("#round-state").inner_text().strip() == "öppen"

    click(page, "link", "E-post: inbjudningar och påminnelser")
    assert_accessible(axe, page)
    page.get_by_label("E-postadresser").fill("eva@kommun.test\nolle@fk.test")
    click(page, "button", "Kontrollera adresserna")
    click(page, "button", "Spara 2 adresser")
    click(page, "button", "Skicka inbjudningar till nya adresser")
    assert_accessible(axe, page)
    assert work_off_the_queue(server) == "2 sent"
    assert sorted(m["To"] for m in smtp.messages) == ["eva@kommun.test", "olle@fk.test"]
    assert all(m["Content-Language"] == "sv" for m in smtp.messages)
    eva_link = link_in(smtp.to("eva@kommun.test")[0])
    assert eva_link != link_in(smtp.to("olle@fk.test")[0])
    assert "/r/" not in page.content()  # the administrator never sees a link

    blocked = answer_through(browser, eva_link)
    page.goto(server.url + "/admin/f/norrsund/rounds/2026")
    expect(page.locator("#rate-invited")).to_have_text("2")
    expect(page.locator("#rate-submitted")).to_have_text("1")
    assert page.locator("#rate-rate").inner_text() == "50 %"

    click(page, "link", "E-post: inbjudningar och påminnelser")
    click(page, "button", "Skicka en påminnelse till dem som inte har svarat")
    assert_accessible(axe, page)
    work_off_the_queue(server)
    assert len(smtp.to("eva@kommun.test")) == 1  # she answered: no reminder
    olle = smtp.to("olle@fk.test")
    assert len(olle) == 2 and link_in(olle[1]) == link_in(olle[0])

    page.goto(server.url + "/admin/f/norrsund/rounds/2026")
    click(page, "button", "Stäng mätomgången")
    click(page, "button", "Ja, stäng mätomgången")
    click(page, "button", "Publicera resultaten")
    click(page, "button", "Ja, publicera resultaten")
    assert page.locator("#round-state").inner_text().strip() == "publicerad"
    with server.app.extensions["survey_sessions"]() as session:
        assert session.scalar(select(func.count()).select_from(models.MailRecipient)) == 0
        assert session.scalar(select(func.count()).select_from(models.Response)) == 1
    assert blocked == [] and page.csp_violations == []

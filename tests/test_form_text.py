"""No form of the app stores a control character, on SQLite (which would store it) or
PostgreSQL (which answered 500 for a NUL): every form the router knows is posted with NUL
and other control characters in one of its fields, and each answers 400 with the message
naming that field, nothing stored. Tabs and line breaks stay allowed in the multi-line
fields only, and the list of those matches the templates' textareas."""

from __future__ import annotations

import re
from pathlib import Path

from builders import csrf_token, invite, log_in, make_round, make_user
from conftest import signed_in
from sqlalchemy import select

from survey.db import models
from survey.web import form_text

TEMPLATES = Path(form_text.__file__).resolve().parent.parent / "templates"
REFUSED = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"]
#: The field each form is attacked through (one it really has).
FIELD_OF = {
    "respond.save_start": "role",
    "respond.save_page": "comment",
    "respond.submit": "receipt",
    "auth.login_post": "email",
    "auth.login_code_post": "code",
    "auth.logout": "csrf_token",
    "auth.set_password_post": "password",
    "auth.two_factor_post": "code",
    "admin.forbund_add": "name",
    "admin.forbund": "members",
    "admin.mail_addresses": "addresses",
    "admin.mail_invitations": "language",
    "admin.mail_reminders": "language",
    "admin.mail_texts": "subject",
    "admin.questionnaire_upload": "name",
    "admin.import_check": "label",
    "admin.round_new": "label",
    "admin.round_action": "closes",
    "admin.links_personal": "count",
    "admin.links_shared": "change",
    "admin.links_revoke": "change",
    "admin.user_add": "email",
    "admin.user_role": "email",
    "admin.user_remove": "email",
    "admin.round_schedule": "remind_days_before",
    "admin.mail_send_now": "confirmed",
    "admin.action_add": "title",
    "admin.action_status": "status",
    "admin.workshop_open": "confirmed",
    "admin.workshop_done": "confirmed",
    "admin.workshop_record": "rationale",
    "account.token_create": "name",
    "account.token_revoke": "csrf_token",
}
MESSAGE = "innehåller ett tecken som inte kan sparas"


def everything(db) -> dict[str, list[tuple]]:
    """Every row of every table but the log-in sessions' (their last use is noted)."""
    db.expire_all()
    return {
        table.name: sorted(map(tuple, db.execute(select(table)).all()), key=repr)
        for table in models.Base.metadata.sorted_tables
        if table.name != "login_session"
    }


def post_forms(app, db):
    """Every POST route with real values in its path."""
    token = invite(db, make_round(db))[0]
    values = {"slug": "norrsund", "label": "2026", "token": token, "number": 1, "action": "close"}
    values |= {"action_id": 1, "code": "STRAT", "token_id": 1}
    adapter = app.url_map.bind("localhost")
    rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
    return {
        r.endpoint: adapter.build(r.endpoint, {a: values[a] for a in r.arguments}) for r in rules
    }


def test_every_form_refuses_control_characters_by_the_field(app, db):
    forms = post_forms(app, db)
    assert set(forms) == set(FIELD_OF), "a new form: name the field to attack it through"
    browser = signed_in(app, app.test_client())  # a system administrator reaches every form
    csrf = csrf_token(browser.get("/admin/forbund").text)
    before = everything(db)
    answers = {}
    for endpoint, url in sorted(forms.items()):
        field = FIELD_OF[endpoint]
        for char in REFUSED:
            response = browser.post(url, data={"csrf_token": csrf, field: f"Norr{char}sund"})
            answers[endpoint, repr(char)] = (response.status_code, MESSAGE in response.text)
    assert answers == {key: (400, True) for key in answers}
    assert everything(db) == before


def test_the_message_names_the_field_where_the_form_has_it(app, client, db):
    make_round(db)
    make_user(db, "admin@norrsund.se", "forbund_admin", "norrsund")
    form = client.get("/login")
    refused = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(form.text),
            "email": "admin@norrsund.se\x00",
            "password": "x",
        },
    )
    assert refused.status_code == 400
    assert f"Fältet ”E-postadress” {MESSAGE}" in refused.text
    assert 'href="#email"' in refused.text  # the error summary leads to the field
    assert 'value="admin@norrsund.se\ufffd"' in refused.text  # shown, marked, not lost
    assert log_in(client, "admin@norrsund.se").status_code == 302

    admin = signed_in(app, app.test_client())
    page = admin.get("/admin/f/norrsund")
    sent = {"csrf_token": csrf_token(page.text), "name": "Norrsund\nsamordningsförbund"}
    refused = admin.post("/admin/f/norrsund", data=sent)  # a line break in a one-line field
    assert refused.status_code == 400 and f"Fältet ”Namn” {MESSAGE}" in refused.text


def test_a_respondent_sees_the_message_at_the_comment_and_keeps_the_page(app, client, db):
    token = invite(db, make_round(db))[0]
    page = client.get(f"/r/{token}/p/1")
    refused = client.post(
        f"/r/{token}/p/1",
        data={"csrf_token": csrf_token(page.text), "nav": "next", "comment": "Bra\x00 möten"},
    )
    assert refused.status_code == 400
    assert MESSAGE in refused.text and 'href="#comment"' in refused.text
    assert "Bra\ufffd möten</textarea>" in refused.text
    assert everything(db)["draft_comment"] == []


def test_tabs_and_line_breaks_only_in_multi_line_fields(app, db):
    make_round(db)
    admin = signed_in(app, app.test_client())
    page = admin.get("/admin/f/norrsund")
    members = "Försäkringskassan\r\nArbetsförmedlingen\tkommunen"
    saved = admin.post(
        "/admin/f/norrsund",
        data={
            "csrf_token": csrf_token(page.text),
            "name": "Norrsund samordningsförbund",
            "members": members,
            "privacy_contact": "dpo@norrsund.se",
        },
    )
    assert saved.status_code in (200, 302, 303), saved.text
    db.expire_all()
    stored = db.scalar(select(models.Association).filter_by(slug="norrsund"))
    assert "Arbetsförmedlingen" in stored.members


def test_the_multi_line_fields_are_the_templates_textareas():
    names = set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        names |= set(re.findall(r'<textarea[^>]*\bname="([a-z_]+)"', text))
        names |= set(re.findall(r'with name="([a-z_]+)"[^%]*type="textarea"', text))
    assert names == form_text.MULTI_LINE


def test_the_rule_itself():
    assert form_text.acceptable("name", "Norrsund – Ådalen ✓ 😀")
    assert form_text.acceptable("comment", "rad ett\r\nrad\ttvå")
    for bad in [*REFUSED, "\ud800", "\udfff"]:
        assert not form_text.acceptable("comment", f"a{bad}b")
        assert not form_text.acceptable("name", f"a{bad}b")
    for line_break in "\t\n\r":
        assert not form_text.acceptable("name", f"a{line_break}b")
    assert not form_text.acceptable("na\x00me", "fine")

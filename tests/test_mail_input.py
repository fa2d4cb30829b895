"""What an administrator meets for bad input on the e-mail pages (a clear message, nothing
stored), how address lists and texts are read, and the promise about mailed links: a copy
of the database alone gives nobody a link. Pages on SQLite and PostgreSQL; the list and
text rules without a database."""

from __future__ import annotations

import html
import io
import re

import pytest
from builders import csrf_token, hidden_field, make_round
from conftest import signed_in
from sqlalchemy import MetaData, func, select

from survey.db import models
from survey.errors import MailRefused
from survey.mail import addresses, links, texts, worker
from survey.rounds.invitations import hash_token
from survey.settings import Settings

ROUND = "/admin/f/norrsund/rounds/2026/mail"


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def admin(app, client, db):
    make_round(db)
    make_round(db, label="2025", state="closed")
    make_round(db, label="2027", state="draft")
    return signed_in(app, client, "forbund_admin", "norrsund")


def add(client, path=ROUND, **form):
    token = csrf_token(client.get(ROUND).text)
    data = {"csrf_token": token, "language": "sv", "confirmed": "1", **form}  # past the preview
    if "file" in data:  # (content, name): a fresh stream for every post
        data["file"] = (io.BytesIO(data["file"][0]), data["file"][1])
    return client.post(path + "/addresses", data=data, content_type="multipart/form-data")


def stored(db) -> tuple[int, int]:
    db.expire_all()
    count = select(func.count())
    return (
        db.scalar(count.select_from(models.MailRecipient)),
        db.scalar(count.select_from(models.Invitation)),
    )


@pytest.mark.parametrize(
    ("form", "status", "says"),
    [
        (
            {"addresses": "anna@norrsund.test\nbo(at)kommun.test\nåsa@kommun.test"},
            400,
            [
                "Rad 2: ”bo(at)kommun.test” är inte en e-postadress.",
                "Rad 3: ”åsa@kommun.test” innehåller å, ä, ö",
            ],
        ),
        ({"addresses": " \n ,; \n"}, 400, ["Listan har ingen e-postadress"]),
        ({"addresses": "fel\n" * 25}, 400, ["Rad 20: ”fel”", "…och 5 rader till som inte är"]),
        ({"addresses": "anna@norrsund.test", "language": "fi"}, 400, ["Välj språk"]),
        ({"file": (b"a@b.se\n" * 40000, "lista.csv")}, 400, ["Filen är större än 256 kB"]),
        ({"file": (b"a@b.se", "lista.txt"), "addresses": "c@d.se"}, 400, ["inte båda"]),
    ],
    ids=["invalid", "empty", "many-invalid", "language", "oversized-file", "both"],
)
def test_a_bad_list_is_refused_with_a_clear_message_and_nothing_stored(
    admin, db, form, status, says
):
    before = stored(db)
    page = add(admin, **form)
    assert page.status_code == status
    for text in says:
        assert text in page.text
    assert "Kontrollera följande" in page.text  # the error summary
    assert stored(db) == before
    if "addresses" in form:  # what was typed is there to correct
        assert form["addresses"].split("\n")[0].strip() in page.text


def test_a_body_over_the_apps_limit_gets_the_apps_page(admin, db):
    page = add(admin, file=(b"x" * (1024 * 1024 + 1), "huge.csv"))
    assert page.status_code == 413 and "Formuläret var för stort" in page.text
    assert stored(db) == (0, 0)


def test_a_closed_round_takes_no_addresses_and_a_draft_sends_nothing(admin, db):
    closed = add(admin, "/admin/f/norrsund/rounds/2025/mail", addresses="a@norrsund.test")
    assert closed.status_code == 409 and "Mätomgången är stängd" in closed.text
    draft = "/admin/f/norrsund/rounds/2027/mail"
    assert add(admin, draft, addresses="a@norrsund.test").status_code == 302
    token = csrf_token(admin.get(draft).text)
    queued = admin.post(draft + "/invitations", data={"csrf_token": token})
    assert queued.status_code == 409 and "ett utkast" in queued.text
    assert db.scalar(select(func.count()).select_from(models.MailMessage)) == 0
    assert admin.get("/admin/f/norrsund/rounds/2099/mail").status_code == 404


def test_an_uploaded_file_with_a_heading_and_languages_and_repeats(admin, db):
    data = "e-post;språk\r\nAnna@norrsund.test;sv\r\nbo@kommun.test;en\r\nanna@norrsund.test;sv\r\n"
    page = add(admin, file=(data.encode("cp1252"), "lista.csv"))
    assert page.status_code == 302
    told = admin.get(ROUND).text
    assert "2 nya adresser" in told and "stod två gånger" in told and "rubrikrad" in told
    people = select(models.MailRecipient.address, models.MailRecipient.language)
    assert dict(db.execute(people).all()) == {
        "anna@norrsund.test": "sv",
        "bo@kommun.test": "en",
    }
    again = add(admin, addresses="bo@kommun.test\nny@kommun.test")
    assert again.status_code == 302
    assert "fanns redan i listan" in admin.get(ROUND).text and stored(db) == (3, 3)


def test_another_forbunds_administrator_gets_no_access(app, db):
    make_round(db)
    make_round(db, slug="sydkust")
    other = signed_in(app, app.test_client(), "forbund_admin", "sydkust")
    assert other.get(ROUND).status_code == 403
    assert other.get("/admin/f/norrsund/mail-texts").status_code == 403
    assert other.get("/admin/f/sydkust/rounds/2026/mail").status_code == 200


def test_a_database_copy_alone_gives_no_link(admin, app, db, smtp, runner):
    """The attack: everything stored, every value tried as a token or as what a token is
    made from, against every invitation's hash. Only SECRET_KEY makes the links."""
    add(admin, addresses="anna@norrsund.test\nbo@kommun.test")
    token = csrf_token(admin.get(ROUND).text)
    admin.post(ROUND + "/invitations", data={"csrf_token": token})
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    mailed = {re.search(r"/r/([A-Za-z0-9_-]+)", m.get_content()).group(1) for m in smtp.messages}

    copy = MetaData()
    copy.reflect(app.extensions["survey_engine"])
    values = set()
    with app.extensions["survey_engine"].connect() as conn:
        for table in copy.sorted_tables:
            for row in conn.execute(table.select()):
                values.update(str(v) for v in row if v is not None)
    hashes = set(db.scalars(select(models.Invitation.token_hash)))
    assert len(mailed) == 2 and {hash_token(t) for t in mailed} <= hashes
    assert not any(t in v for t in mailed for v in values)  # no link stored anywhere
    for value in values:  # nothing stored is a token, nor makes one without the key
        assert hash_token(value) not in hashes
        for key in ("", value, "secret", "test"):
            assert links.token_hash_for(key, value) not in hashes if value.isascii() else True
    seeds = set(db.scalars(select(models.MailRecipient.link_seed)))
    assert {links.token_for("test-secret", s) for s in seeds} == mailed  # with the key: yes


# --- without a database: lists, texts, settings ----------------------------------------


def test_address_lists_are_read_line_by_line():
    listed = addresses.parse(
        "Anna Berg <Anna@Norrsund.test>, bo@kommun.test\n\nen; eva@region.test\n"
        "bo@kommun.test\nnamn.efternamn+enkat@sub.kommun.test\nfel@\n@fel.se\na@b\n"
        "a..b@c.se\n" + "x" * 65 + "@c.se",
        "sv",
    )
    assert [(e.line, e.address, e.language) for e in listed.entries] == [
        (1, "anna@norrsund.test", "sv"),
        (1, "bo@kommun.test", "sv"),
        (3, "eva@region.test", "en"),
        (5, "namn.efternamn+enkat@sub.kommun.test", "sv"),
    ]
    assert listed.repeated == [(4, "bo@kommun.test")]
    assert [p.line for p in listed.problems] == [6, 7, 8, 9, 10]
    assert addresses.decode("å@b.se".encode("cp1252")) == "å@b.se"
    assert addresses.decode("\ufeffå@b.se".encode()) == "å@b.se"


def test_texts_are_checked_and_filled_in():
    assert texts.problems("Hej {forbund}", "Svara via {link} senast {closes}, {round}") == []
    assert texts.problems("", "{link} {x.y} {link!r}") == [
        ("subject", "empty", ""),
        ("body", "braces", ""),
    ]
    for kind in ("invitation", "reminder"):
        for language in ("sv", "en"):
            default = texts.default(kind, language)
            assert texts.problems(default.subject, default.body) == []
    filled = texts.fill(
        texts.default("invitation", "en"), link="L", forbund="F", closes_on=None, label="2026"
    )
    assert "\nL\n" in filled.body and "a date still to be announced" in filled.body


def test_the_worker_refuses_to_send_without_its_settings(tmp_path):
    configured = {
        "SECRET_KEY": "k",
        "MAIL_HOST": "127.0.0.1",
        "MAIL_SENDER": "a@b.se",
        "PUBLIC_URL": "https://samverkan.test",
    }
    worker.ready(Settings.load(tmp_path, configured))
    for key in ("MAIL_HOST", "MAIL_SENDER", "PUBLIC_URL"):
        with pytest.raises(MailRefused, match=f"^{key} is not set, so nothing can be sent"):
            worker.ready(Settings.load(tmp_path, {**configured, key: ""}))


def test_mail_settings_are_checked_at_start_up(tmp_path):
    found = Settings.load(tmp_path, {"SECRET_KEY": "k", "MAIL_SECURITY": "SSL"})
    assert (found.mail_security, found.mail_port) == ("ssl", 465)
    assert Settings.load(tmp_path, {"SECRET_KEY": "k"}).mail_port == 587
    assert "mail_password" not in repr(Settings.load(tmp_path, {"MAIL_PASSWORD": "hemligt"}))
    with pytest.raises(ValueError, match="MAIL_SECURITY must be one of none, starttls, ssl"):
        Settings.load(tmp_path, {"SECRET_KEY": "k", "MAIL_SECURITY": "tls"})
    with pytest.raises(ValueError, match="MAIL_PASSWORD must be ASCII"):
        Settings.load(tmp_path, {"SECRET_KEY": "k", "MAIL_PASSWORD": "lösen"})
    with pytest.raises(ValueError, match="MAIL_PORT must be a port number"):
        Settings.load(tmp_path, {"SECRET_KEY": "k", "MAIL_PORT": "smtp"})


def test_lists_as_outlook_and_excel_give_them_are_shown_before_they_are_saved(admin, db):
    pasted = (
        "Anna Berg <anna@norrsund.test> en\n"
        "'Ek, Bo' <bo@kommun.test>; Cecilia Ström <cecilia@region.test>\n"
        "David Holm\tdavid@fk.test\tsv\n"
        "erik@af.test en\n"
    )
    page = add(admin, addresses=pasted, confirmed="0")
    assert page.status_code == 200 and stored(db) == (0, 0)  # nothing saved yet
    rows = re.findall(r"<tr><td>(\d+)</td><th scope=\"row\">([^<]+)</th><td>(\w+)</td>", page.text)
    assert rows == [
        ("1", "anna@norrsund.test", "Engelska"),
        ("2", "bo@kommun.test", "Svenska"),
        ("2", "cecilia@region.test", "Svenska"),
        ("3", "david@fk.test", "Svenska"),
        ("4", "erik@af.test", "Engelska"),
    ]
    assert "Spara 5 adresser" in page.text
    saved = add(admin, addresses=html.unescape(hidden_field(page.text, "addresses")))
    assert saved.status_code == 302 and stored(db) == (5, 5)


def test_inviting_with_no_addresses_says_so(admin, db):
    token = csrf_token(admin.get(ROUND).text)
    refused = admin.post(ROUND + "/invitations", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "har inga e-postadresser än" in refused.text and "redan en inbjudan" not in refused.text

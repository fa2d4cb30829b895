"""The system administrator's admin pages through HTTP on both databases: förbund,
questionnaires (upload with every fault shown, nothing stored unless all is valid, a stored
version never changes, a preview as a respondent sees it in Swedish and English) and users
and roles."""

from __future__ import annotations

import io

import pytest
from builders import make_round
from conftest import QUESTIONNAIRES, signed_in
from sqlalchemy import select
from test_admin import stored, text

from survey.db import audit, models
from survey.services import round_actions as rounds

DEFAULT = (QUESTIONNAIRES / "integrerad-samverkan-v1.yaml").read_text(encoding="utf-8")


@pytest.fixture
def system(app, client):
    return signed_in(app, client, email="root@test.invalid")


def upload(client, content: str | bytes, filename: str = "enkat.yaml"):
    data = content.encode() if isinstance(content, str) else content
    token = _csrf(client, "/admin/questionnaires")
    return client.post(
        "/admin/questionnaires/upload",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _csrf(client, page: str) -> str:
    from builders import csrf_token

    return csrf_token(client.get(page).text)


def post(client, path: str, form: dict, page: str):
    return client.post(path, data={"csrf_token": _csrf(client, page), **form})


def test_a_new_version_is_uploaded_listed_and_previewed(system, db):
    make_round(db, "norrsund", "2026")
    page = text(system.get("/admin/questionnaires"))
    assert "integrerad-samverkan 1 norrsund/2026" in page
    response = upload(system, DEFAULT.replace("version: 1", "version: 2", 1))
    assert response.status_code == 303
    page = text(system.get("/admin/questionnaires"))
    assert "integrerad-samverkan version 2 har sparats" in page
    assert "integrerad-samverkan 2 ingen mätomgång än" in page
    # The same file again changes nothing and says so.
    assert upload(system, DEFAULT).status_code == 303
    assert "fanns redan med exakt det här innehållet" in text(system.get("/admin/questionnaires"))

    sv = system.get("/admin/questionnaires/integrerad-samverkan/2/preview?lang=sv")
    assert sv.status_code == 200 and "Vilken är din roll i samverkan?" in sv.text
    assert sv.text.count("<form") == 1 and "/r/" not in sv.text  # only log-out: nothing saves
    part = system.get("/admin/questionnaires/integrerad-samverkan/2/preview/1?lang=en")
    assert "Part 1 of 10" in text(part) and 'name="item-STRAT1"' in part.text
    assert "Don&#39;t know" in part.text or "Don't know" in part.text
    assert system.get("/admin/questionnaires/integrerad-samverkan/2/preview/11").status_code == 404
    # A fault seen in the preview of a version no round uses is fixed under the same number…
    fixed = DEFAULT.replace("version: 1", "version: 2", 1).replace(
        'sv: "Resultat"', 'sv: "Effekter"'
    )
    assert upload(system, fixed).status_code == 303
    assert (
        "Effekter"
        in system.get("/admin/questionnaires/integrerad-samverkan/2/preview/10?lang=sv").text
    )
    # …until a round uses it.
    rounds.create_round(db, "norrsund", "2027", "integrerad-samverkan:2", actor="test")
    refused = upload(system, fixed.replace("Effekter", "Utfall"))
    assert refused.status_code == 400 and "finns redan med annat innehåll" in text(refused)
    assert system.get("/admin/questionnaires/nope/1/preview").status_code == 404
    assert [e.target for e in audit.events(db, "questionnaire_loaded")][-1] == (
        "integrerad-samverkan:2"
    )


BROKEN = [
    # (content, what the fault table says: place and fault)
    (
        DEFAULT.replace("version: 1", "version: 3", 1).replace("text: {sv:", "txt: {sv:", 1),
        "background[0].txt okänt fält (tillåtna: code, text, choices)",
    ),
    ("key: [unclosed\nversion: 1\n", "fel i YAML-syntaxen"),
    (DEFAULT.replace("Resultat", "Annat resultat"), "finns redan med annat innehåll"),
    (b"\xff\xfe not utf-8", "filen är inte UTF-8-text"),
    ("", "enkat.yaml"),
]


def test_a_broken_file_is_refused_with_every_fault_and_nothing_stored(system, db):
    make_round(db, "norrsund", "2026")  # version 1 is in use: it never changes
    for content, fault in BROKEN:
        before = stored(db)
        response = upload(system, content)
        assert response.status_code == 400, fault
        page = text(response)
        assert "Filen enkat.yaml sparades inte" in page, page[:1500]
        assert fault in page, (fault, page[-1500:])
        assert stored(db) == before
    two_faults = DEFAULT.replace("version: 1", "version: 4", 1).replace(
        'group: "strategy"', "group: x", 1
    )
    two_faults = two_faults.replace("reverse: true", "reverse: 7", 1)
    page = text(upload(system, two_faults))
    assert "2 fel" in page and "dimensions[0].group" in page
    missing = post(system, "/admin/questionnaires/upload", {}, "/admin/questionnaires")
    assert missing.status_code == 400 and "Välj en enkätfil (YAML)." in text(missing)


def test_users_and_roles_are_managed_on_the_page(system, db):
    make_round(db, "norrsund", "2026")
    added = post(
        system,
        "/admin/users",
        {"email": "Anna@Norrsund.se", "role": "forbund_admin", "forbund": "norrsund"},
        "/admin/users",
    )
    assert added.status_code == 200
    assert "anna@norrsund.se har lagts till" in text(added)
    assert "https://samverkan.test/set-password/" in added.text
    link = added.text.split("https://samverkan.test/set-password/")[1].split("<")[0]
    assert link not in system.get("/admin/users").text  # shown once
    assert system.get(f"/set-password/{link}").status_code == 200

    role = {"email": "anna@norrsund.se", "role": "board", "forbund": "norrsund", "change": "add"}
    assert post(system, "/admin/users/role", role, "/admin/users").status_code == 303
    user = db.scalar(select(models.User).filter_by(email="anna@norrsund.se"))
    assert sorted(m.role for m in user.memberships) == ["board", "forbund_admin"]
    # Removing asks first, on a page that says what happens; nothing changes until then.
    asked = post(system, "/admin/users/role", {**role, "change": "remove"}, "/admin/users")
    assert asked.status_code == 200
    assert "Ta bort rollen styrelse från anna@norrsund.se?" in text(asked)
    db.expire_all()
    assert sorted(m.role for m in user.memberships) == ["board", "forbund_admin"]
    confirmed = {**role, "change": "remove", "confirmed": "1"}
    assert post(system, "/admin/users/role", confirmed, "/admin/users").status_code == 303
    db.expire_all()
    assert [m.role for m in user.memberships] == ["forbund_admin"]
    asked = post(system, "/admin/users/remove", {"email": "anna@norrsund.se"}, "/admin/users")
    assert asked.status_code == 200 and "Det går inte att ångra" in text(asked)
    assert db.scalar(select(models.User).filter_by(email="anna@norrsund.se")) is not None
    assert (
        post(
            system,
            "/admin/users/remove",
            {"email": "anna@norrsund.se", "confirmed": "1"},
            "/admin/users",
        ).status_code
        == 303
    )
    assert db.scalar(select(models.User).filter_by(email="anna@norrsund.se")) is None
    actions = [e.action for e in audit.events(db) if e.actor == "root@test.invalid"]
    assert actions == ["user_added", "role_added", "role_removed", "user_removed"]


BAD_USERS = [
    (
        "/admin/users",
        {"email": "inte-en-adress", "role": "board", "forbund": "norrsund"},
        "”inte-en-adress” är inte en e-postadress",
    ),
    (
        "/admin/users",
        {"email": "root@test.invalid", "role": "board", "forbund": "norrsund"},
        "det finns redan en användare med e-postadressen ”root@test.invalid”",
    ),
    (
        "/admin/users",
        {"email": "b@n.se", "role": "board", "forbund": ""},
        "rollen styrelse gäller i ett förbund: välj förbundet",
    ),
    (
        "/admin/users",
        {"email": "b@n.se", "role": "researcher", "forbund": "norrsund"},
        "rollen forskare gäller hela systemet",
    ),
    (
        "/admin/users",
        {"email": "b@n.se", "role": "board", "forbund": "finns-inte"},
        "Det finns inget samordningsförbund ”finns-inte”",
    ),
    ("/admin/users", {"email": "b@n.se", "role": "kung", "forbund": ""}, "okänd roll ”kung”"),
    (
        "/admin/users/role",
        {
            "email": "root@test.invalid",
            "role": "system_admin",
            "forbund": "",
            "change": "remove",
            "confirmed": "1",
        },
        "du kan inte ta bort ditt eget konto",
    ),
    (
        "/admin/users/role",
        {"email": "nobody@n.se", "role": "board", "forbund": "norrsund"},
        "ingen användare har e-postadressen ”nobody@n.se”",
    ),
    (
        "/admin/users/role",
        {
            "email": "root@test.invalid",
            "role": "board",
            "forbund": "norrsund",
            "change": "remove",
            "confirmed": "1",
        },
        "har inte rollen styrelse där",
    ),
    (
        "/admin/users/remove",
        {"email": "root@test.invalid", "confirmed": "1"},
        "du kan inte ta bort ditt eget konto",
    ),
    ("/admin/users", {"email": "b@n.se", "role": "", "forbund": ""}, "Välj en roll."),
    (
        "/admin/forbund",
        {"slug": "Norr Sund", "name": "Norrsund"},
        "”Norr Sund” går inte att använda som kortnamn",
    ),
    (
        "/admin/forbund",
        {"slug": "norrsund", "name": "Norrsund"},
        "det finns redan ett förbund med kortnamnet ”norrsund”",
    ),
    ("/admin/forbund", {"slug": "nytt", "name": ""}, "förbundet behöver ett namn"),
]


def test_bad_user_and_forbund_input_is_refused_and_changes_nothing(system, db):
    make_round(db, "norrsund", "2026")
    for path, form, message in BAD_USERS:
        page = "/admin/" if path == "/admin/forbund" else "/admin/users"
        before = stored(db)
        response = post(system, path, form, page)
        assert response.status_code == 400, (path, form)
        assert message in text(response), (message, text(response)[:1500])
        assert stored(db) == before, (path, form)


def test_a_system_administrator_adds_a_forbund(system, db):
    response = post(system, "/admin/forbund", {"slug": "nytt", "name": "Nya förbundet"}, "/admin/")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/f/nytt")
    page = text(system.get("/admin/"))
    assert "Nya förbundet nytt" in page
    admin = signed_in(
        system.application, system.application.test_client(), "forbund_admin", "nytt", "a@nytt.se"
    )
    page = text(admin.get("/admin/"))
    assert "Nya förbundet" in page and "Lägg till ett samordningsförbund" not in page


def test_a_stored_version_downloads_as_the_template_for_the_next(system, db):
    page = text(system.get("/admin/questionnaires"))
    assert "Ladda ner integrerad-samverkan version 2 som mall (YAML)" in page
    assert "README" not in page
    template = system.get("/admin/questionnaires/integrerad-samverkan/2.yaml")
    assert template.status_code == 200
    assert "integrerad-samverkan-v2.yaml" in template.headers["Content-Disposition"]
    # The template, its version raised, uploads as the next version.
    following = template.data.decode().replace("version: 2", "version: 3", 1)
    assert upload(system, following).status_code == 303
    assert "integrerad-samverkan version 3 har sparats" in text(system.get("/admin/questionnaires"))
    assert system.get("/admin/questionnaires/integrerad-samverkan/9.yaml").status_code == 404

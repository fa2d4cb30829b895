"""Every route declares who may use it, and the declaration holds: the URL map × every kind
of user, each request sent and its answer compared with the table below. A route added
without a rule in survey/web/access.py, or without a line here, fails the first test."""

from __future__ import annotations

import pytest
from builders import add_response, all_items, invite, make_round
from conftest import signed_in

from survey.web.access import RULES

PEOPLE = {
    "anonymous": None,
    "system admin": ("system_admin", None),
    "norrsund admin": ("forbund_admin", "norrsund"),
    "norrsund board": ("board", "norrsund"),
    "sydkust board": ("board", "sydkust"),
    "researcher": ("researcher", None),
}
EVERYONE = set(PEOPLE)
SIGNED_IN = EVERYONE - {"anonymous"}
NORRSUND = {"system admin", "norrsund admin", "norrsund board"}
ROW_LEVEL = {"system admin", "researcher"}
ADMINS = {"system admin", "norrsund admin"}
NORRSUND_ADMINS = {"system admin", "norrsund admin"}

#: endpoint -> (path and query to send, who may use it)
EXPECTED = {
    "static": ("/static/style.css", EVERYONE),
    "plotly_js": ("/vendor/plotly.min.js", EVERYONE),
    "healthz": ("/healthz", EVERYONE),
    "board.index": ("/", EVERYONE),
    "info.privacy": ("/privacy", EVERYONE),
    "info.privacy_forbund": ("/privacy/norrsund", EVERYONE),
    "info.accessibility": ("/accessibility", EVERYONE),
    "info.help": ("/help", EVERYONE),
    "auth.login": ("/login", EVERYONE),
    "auth.login_post": ("/login", EVERYONE),
    "auth.login_code": ("/login/code", EVERYONE),
    "auth.login_code_post": ("/login/code", EVERYONE),
    "auth.set_password": ("/set-password/not-a-token", EVERYONE),
    "auth.set_password_post": ("/set-password/not-a-token", EVERYONE),
    "auth.logout": ("/logout", SIGNED_IN),
    "auth.two_factor": ("/account/two-factor", SIGNED_IN),
    "auth.two_factor_post": ("/account/two-factor", SIGNED_IN),
    "oidc.start": ("/login/oidc/no-such-provider", EVERYONE),
    "oidc.callback": ("/login/oidc/no-such-provider/callback", EVERYONE),
    "respond.start": ("/r/{token}", EVERYONE),
    "respond.save_start": ("/r/{token}", EVERYONE),
    "respond.page": ("/r/{token}/p/1", EVERYONE),
    "respond.save_page": ("/r/{token}/p/1", EVERYONE),
    "respond.saved": ("/r/{token}/saved", EVERYONE),
    "respond.summary": ("/r/{token}/summary", EVERYONE),
    "respond.submit_page": ("/r/{token}/submit", EVERYONE),
    "respond.submit": ("/r/{token}/submit", EVERYONE),
    "board.dashboard": ("/f/norrsund", NORRSUND),
    "board.items": ("/f/norrsund/items", NORRSUND),
    "board.report": ("/f/norrsund/report", NORRSUND),
    "board.maturity": ("/f/norrsund/maturity", NORRSUND),
    "board.actions_csv_download": ("/f/norrsund/actions.csv", NORRSUND),
    "admin.action_plan": ("/admin/f/norrsund/rounds/2026/actions", NORRSUND_ADMINS),
    "admin.action_add": ("/admin/f/norrsund/rounds/2026/actions", NORRSUND_ADMINS),
    "admin.action_status": ("/admin/f/norrsund/rounds/2026/actions/1", NORRSUND_ADMINS),
    "admin.workshop": ("/admin/f/norrsund/rounds/2026/workshop", NORRSUND_ADMINS),
    "admin.workshop_open": ("/admin/f/norrsund/rounds/2026/workshop/open", NORRSUND_ADMINS),
    "admin.workshop_done": ("/admin/f/norrsund/rounds/2026/workshop/done", NORRSUND_ADMINS),
    "admin.workshop_dimension": ("/admin/f/norrsund/rounds/2026/workshop/STRAT", NORRSUND_ADMINS),
    "admin.workshop_record": ("/admin/f/norrsund/rounds/2026/workshop/STRAT", NORRSUND_ADMINS),
    # An unknown round: the rule is checked without printing a PDF (test_report_print.py).
    "board.report_pdf": ("/f/norrsund/report.pdf?round=1999", NORRSUND),
    "board.data": ("/f/norrsund/data.json", NORRSUND),
    "board.compare": ("/compare?round=2026&f=norrsund", NORRSUND),
    "research.round_workbook": ("/export/norrsund/2026.xlsx", NORRSUND),
    "research.board_workbook": ("/export/board.xlsx?forbund=norrsund", NORRSUND),
    "research.research_workbook": ("/export/research.xlsx", ROW_LEVEL),
    "research.research_csv": ("/export/research.csv", ROW_LEVEL),
    "research.research_package": ("/export/research.zip", ROW_LEVEL),
    "research.choose": ("/export/", ROW_LEVEL),
    "admin.audit_log": ("/admin/audit", {"system admin"}),
    "admin.audit_csv": ("/admin/audit.csv", {"system admin"}),
    "admin.mail": ("/admin/f/norrsund/rounds/2027/mail", ADMINS),
    "admin.mail_addresses": ("/admin/f/norrsund/rounds/2027/mail/addresses", ADMINS),
    "admin.mail_send_now": ("/admin/f/norrsund/rounds/2027/mail/send", ADMINS),
    "admin.mail_invitations": ("/admin/f/norrsund/rounds/2027/mail/invitations", ADMINS),
    "admin.mail_reminders": ("/admin/f/norrsund/rounds/2027/mail/reminders", ADMINS),
    "admin.mail_texts": ("/admin/f/norrsund/mail-texts", ADMINS),
    "admin.index": ("/admin/", {"system admin", "norrsund admin"}),
    "admin.forbund_add": ("/admin/forbund", {"system admin"}),
    "admin.forbund": ("/admin/f/norrsund", NORRSUND_ADMINS),
    "admin.round_new": ("/admin/f/norrsund/rounds/new", NORRSUND_ADMINS),
    "admin.round": ("/admin/f/norrsund/rounds/2027", NORRSUND_ADMINS),
    "admin.round_action": ("/admin/f/norrsund/rounds/2027/open", NORRSUND_ADMINS),
    "admin.round_confirm": ("/admin/f/norrsund/rounds/2027/close", NORRSUND_ADMINS),
    "admin.round_schedule": ("/admin/f/norrsund/rounds/2027/schedule", NORRSUND_ADMINS),
    "admin.rate_json": ("/admin/f/norrsund/rounds/2027/rate.json", NORRSUND_ADMINS),
    "admin.links_personal": ("/admin/f/norrsund/rounds/2027/links.csv", NORRSUND_ADMINS),
    "admin.links_shared": ("/admin/f/norrsund/rounds/2026/links/shared", NORRSUND_ADMINS),
    "admin.links_revoke": ("/admin/f/norrsund/rounds/2027/links/revoke", NORRSUND_ADMINS),
    "admin.questionnaires": ("/admin/questionnaires", {"system admin"}),
    "admin.questionnaire_upload": ("/admin/questionnaires/upload", {"system admin"}),
    "admin.questionnaire_preview": (
        "/admin/questionnaires/integrerad-samverkan/1/preview",
        {"system admin"},
    ),
    "admin.questionnaire_file": (
        "/admin/questionnaires/integrerad-samverkan/1.yaml",
        {"system admin"},
    ),
    "admin.users": ("/admin/users", {"system admin"}),
    "admin.user_add": ("/admin/users", {"system admin"}),
    "admin.user_role": ("/admin/users/role", {"system admin"}),
    "admin.user_remove": ("/admin/users/remove", {"system admin"}),
}


def test_every_route_has_a_rule_and_a_line_in_this_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(RULES) == set(), "routes without an access rule"
    assert endpoints == set(EXPECTED), "the table here and the app's routes differ"


@pytest.fixture
def matrix_app(app):
    # CSRF is checked before the access rules; off here so a post meets the rule itself.
    app.config["WTF_CSRF_ENABLED"] = False
    with app.extensions["survey_sessions"]() as db:
        for slug in ("norrsund", "sydkust"):
            rnd = make_round(db, slug=slug, state="published")
            for _ in range(5):
                add_response(db, rnd, all_items(db, rnd, lambda _item: 4))
        app.token = invite(db, make_round(db, slug="norrsund", label="2027"))[0]
    return app


def _denied(response) -> bool:
    """Refused: 403 for a signed-in user, the log-in page (with where to return) for anyone."""
    location = response.headers.get("Location", "")
    return response.status_code == 403 or (
        response.status_code == 302 and "/login?next=" in location
    )


@pytest.mark.parametrize("person", list(PEOPLE))
def test_who_may_use_each_route(matrix_app, person):
    methods = {rule.endpoint: rule.methods for rule in matrix_app.url_map.iter_rules()}
    wrong = []
    for endpoint, (path, allowed) in EXPECTED.items():
        client = matrix_app.test_client()  # afresh each time: one of the routes logs out
        if PEOPLE[person]:
            role, forbund = PEOPLE[person]
            signed_in(matrix_app, client, role, forbund, email=f"{role}.{forbund}@test.invalid")
        method = "POST" if "POST" in methods[endpoint] else "GET"
        response = client.open(path.format(token=matrix_app.token), method=method)
        if _denied(response) == (person in allowed):
            wrong.append(f"{method} {path}: {response.status_code}")
    assert wrong == [], f"{person}: {wrong}"


def test_a_board_member_cannot_reach_another_forbund_by_editing_the_address(matrix_app):
    client = signed_in(matrix_app, matrix_app.test_client(), "board", "sydkust")
    for path in (
        "/f/norrsund?round=2026",
        "/f/norrsund/data.json?round=2027",
        "/export/board.xlsx?forbund=sydkust&forbund=norrsund",
        "/compare?round=2026&f=norrsund",
    ):
        assert client.get(path).status_code == 403, path
    # Norrsund has not agreed to be named: as a peer it does not exist, and in the
    # national picture it is "Förbund A", not a name or a link.
    assert client.get("/compare?round=2026&f=sydkust&peer=norrsund").status_code == 404
    page = client.get("/compare?round=2026&f=sydkust").text
    assert "Norrsund" not in page and "Förbund A" in page

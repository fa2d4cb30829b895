"""Who may use each route: one table, checked before every request.

Every endpoint of the app has a rule here; a request to an endpoint without one is refused
(and `tests/test_access.py` fails, walking the URL map × every kind of user). A rule looks
only at who is signed in and at the request's path and query: pages never decide access
themselves. The README's route table is this table in words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import abort, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts.access import Principal
from survey.db import models
from survey.db.models.accounts import Role
from survey.web import params
from survey.web.session import current_principal, login_manager
from survey.web.shell import db

Check = Callable[[Principal | None, Session], bool]
MEMBERS = (Role.BOARD, Role.FORBUND_ADMIN)


@dataclass(frozen=True)
class Rule:
    who: str  # the README's words for it
    check: Check


def _ids(session: Session, slugs: Iterable[str]) -> list[int | None]:
    """Förbund ids for short names; None for a name that matches nothing (the page then
    answers 404 for someone allowed to see every förbund, and 403 for everyone else)."""
    wanted = [slug for slug in slugs if slug]
    rows = dict(
        session.execute(
            select(models.Association.slug, models.Association.id).where(
                models.Association.slug.in_(wanted)
            )
        ).all()
    )
    return [rows.get(slug) for slug in wanted]


def _member_of_all(user: Principal | None, session: Session, slugs: list[str]) -> bool:
    if user is None:
        return False
    if user.is_system_admin:
        return True
    mine = user.associations(*MEMBERS)
    ids = _ids(session, slugs)
    return bool(ids) and all(i is not None and i in mine for i in ids)


def _anyone(_user: Principal | None, _session: Session) -> bool:
    return True


def _signed_in(user: Principal | None, _session: Session) -> bool:
    return user is not None


def _own_forbund(user: Principal | None, session: Session) -> bool:
    return _member_of_all(user, session, [str((request.view_args or {}).get("slug", ""))])


def _administers(user: Principal | None, session: Session) -> bool:
    """The admin pages of one förbund (`slug` in the path): its förbund administrators and
    system administrators; its board members only read its board pages."""
    if user is None:
        return False
    if user.is_system_admin:
        return True
    slug = str((request.view_args or {}).get("slug", ""))
    ids = _ids(session, [slug])
    return bool(ids) and ids[0] is not None and ids[0] in user.associations(Role.FORBUND_ADMIN)


def _any_admin(user: Principal | None, _session: Session) -> bool:
    return user is not None and (
        user.is_system_admin or bool(user.associations(Role.FORBUND_ADMIN))
    )


def _compare(user: Principal | None, session: Session) -> bool:
    """Published aggregates of every förbund; one's own by name, others only as named by
    their own choice (the page words the rest as "Förbund A, B…")."""
    if user is None:
        return False
    own = params.arg("f")
    return (
        user.is_system_admin
        or bool(user.associations(*MEMBERS))
        and (not own or _member_of_all(user, session, [own]))
    )


def _research(user: Principal | None, _session: Session) -> bool:
    return user is not None and user.may_read_row_level


def _board_workbook(user: Principal | None, session: Session) -> bool:
    """A board's workbook names förbund: only one's own (every one for a system admin)."""
    slugs = params.args("forbund")
    if user is not None and user.is_system_admin:
        return True
    return bool(slugs) and _member_of_all(user, session, slugs)


class Sight:
    """Which förbund one user sees by name in the national picture, and whose pages they
    may open: their own (every one for a system administrator), and by name also those
    that agreed to be named to others."""

    def __init__(self, user: Principal | None, session: Session):
        self.user = user
        rows = session.execute(
            select(
                models.Association.id, models.Association.slug, models.Association.named_to_others
            )
        ).all()
        self._ids = {slug: id_ for id_, slug, _named in rows}
        self._named = {slug for _id, slug, named in rows if named}

    def may_open(self, slug: str) -> bool:
        if self.user is None:
            return False
        return self.user.is_system_admin or self._ids.get(slug) in self.user.associations(*MEMBERS)

    def named(self, slug: str) -> bool:
        return slug in self._named or self.may_open(slug)


ANYONE = Rule("anyone (respondents never sign in: their link is their key)", _anyone)
SIGNED_IN = Rule("any signed-in user", _signed_in)
OWN_FORBUND = Rule("the förbund's board and administrators; system administrators", _own_forbund)
COMPARE = Rule("board members and administrators (their own förbund named, others as "
               "they agreed); system administrators", _compare)  # fmt: skip
SYSTEM_ADMIN = Rule(
    "system administrators",
    lambda user, _session: user is not None and user.is_system_admin,
)
FORBUND_ADMIN = Rule("the förbund's administrators; system administrators", _administers)
ANY_ADMIN = Rule("förbund administrators (their own förbund); system administrators", _any_admin)
RESEARCH = Rule("researchers and system administrators (two-factor)", _research)
BOARD_WORKBOOK = Rule("the named förbund's board and administrators; system administrators",
                      _board_workbook)  # fmt: skip

RULES: dict[str, Rule] = {
    "static": ANYONE,
    "auth.login": ANYONE,
    "auth.login_post": ANYONE,
    "auth.login_code": ANYONE,
    "auth.login_code_post": ANYONE,
    "auth.set_password": ANYONE,
    "auth.set_password_post": ANYONE,
    "auth.logout": SIGNED_IN,
    "auth.two_factor": SIGNED_IN,
    "auth.two_factor_post": SIGNED_IN,
    "oidc.start": ANYONE,
    "oidc.callback": ANYONE,
    "plotly_js": ANYONE,
    "healthz": ANYONE,  # for the proxy and monitoring: the database's state, nothing else
    "respond.start": ANYONE,
    "respond.save_start": ANYONE,
    "respond.page": ANYONE,
    "respond.save_page": ANYONE,
    "respond.saved": ANYONE,
    "respond.summary": ANYONE,
    "respond.submit_page": ANYONE,
    "respond.submit": ANYONE,
    "board.index": ANYONE,
    "info.privacy": ANYONE,
    "info.privacy_forbund": ANYONE,
    "info.accessibility": ANYONE,
    "info.help": ANYONE,
    "board.dashboard": OWN_FORBUND,
    "board.items": OWN_FORBUND,
    "board.report": OWN_FORBUND,
    "board.maturity": OWN_FORBUND,
    "board.actions_csv_download": OWN_FORBUND,
    "board.report_pdf": OWN_FORBUND,
    "board.data": OWN_FORBUND,
    "board.compare": COMPARE,
    "research.round_workbook": OWN_FORBUND,
    "research.board_workbook": BOARD_WORKBOOK,
    "research.research_workbook": RESEARCH,
    "research.research_csv": RESEARCH,
    "research.research_package": RESEARCH,
    "research.choose": RESEARCH,
    "admin.audit_log": SYSTEM_ADMIN,
    "admin.audit_csv": SYSTEM_ADMIN,
    "admin.mail": FORBUND_ADMIN,
    "admin.mail_addresses": FORBUND_ADMIN,
    "admin.mail_invitations": FORBUND_ADMIN,
    "admin.mail_reminders": FORBUND_ADMIN,
    "admin.mail_texts": FORBUND_ADMIN,
    "admin.mail_send_now": FORBUND_ADMIN,
    "admin.index": ANY_ADMIN,
    "admin.forbund_add": SYSTEM_ADMIN,
    "admin.forbund": FORBUND_ADMIN,
    "admin.round_new": FORBUND_ADMIN,
    "admin.round": FORBUND_ADMIN,
    "admin.round_action": FORBUND_ADMIN,
    "admin.round_confirm": FORBUND_ADMIN,
    "admin.round_schedule": FORBUND_ADMIN,
    "admin.workshop": FORBUND_ADMIN,
    "admin.action_plan": FORBUND_ADMIN,
    "admin.action_add": FORBUND_ADMIN,
    "admin.action_status": FORBUND_ADMIN,
    "admin.workshop_open": FORBUND_ADMIN,
    "admin.workshop_done": FORBUND_ADMIN,
    "admin.workshop_dimension": FORBUND_ADMIN,
    "admin.workshop_record": FORBUND_ADMIN,
    "admin.rate_json": FORBUND_ADMIN,
    "admin.links_personal": FORBUND_ADMIN,
    "admin.links_shared": FORBUND_ADMIN,
    "admin.links_revoke": FORBUND_ADMIN,
    "admin.questionnaires": SYSTEM_ADMIN,
    "admin.questionnaire_upload": SYSTEM_ADMIN,
    "admin.questionnaire_preview": SYSTEM_ADMIN,
    "admin.questionnaire_file": SYSTEM_ADMIN,
    "admin.users": SYSTEM_ADMIN,
    "admin.user_add": SYSTEM_ADMIN,
    "admin.user_role": SYSTEM_ADMIN,
    "admin.user_remove": SYSTEM_ADMIN,
}


def enforce() -> ResponseReturnValue | None:
    """Before every request: the endpoint's rule, or no entry. A 404 (no endpoint) passes
    on to its page; anyone not signed in whom a rule refuses is sent to log in."""
    endpoint = request.endpoint
    if endpoint is None:
        return None
    rule = RULES.get(endpoint)
    principal = current_principal()
    if rule is not None and rule.check(principal, db()):
        return None
    if principal is None:
        return login_manager.unauthorized()
    abort(403)

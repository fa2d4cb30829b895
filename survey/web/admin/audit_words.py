"""The audit log's events as sentences for people, in the page's language: each action's
sentence (an English msgid with the event's target and details as values), its kind for
the page's filter, and role codes as role names. Unknown actions read as their code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey.accounts.access import role_name
from survey.db.models import AuditEvent
from survey.i18n import N_, translate

#: Each action's sentence; %(target)s is what it acted on, the rest come from its details.
SENTENCES: Mapping[str, str] = {
    "login": N_("logged in"),
    "login_failed": N_("a log-in was refused"),
    "federated_login": N_("logged in through %(provider)s"),
    "federated_login_failed": N_("a log-in through %(provider)s was refused (%(reason)s)"),
    "logout": N_("logged out"),
    "account_locked": N_("the account %(target)s was locked until %(until)s"),
    "totp_enrolled": N_("set up two-factor log-in"),
    "password_set": N_("set a password"),
    "password_link_issued": N_("made a set-password link for %(target)s"),
    "user_added": N_("added the user %(target)s as %(role)s"),
    "role_added": N_("gave %(target)s the role %(role)s"),
    "role_removed": N_("removed the role %(role)s from %(target)s"),
    "user_removed": N_("removed the user %(target)s"),
    "research_agreement": N_("recorded whether %(target)s has a research agreement"),
    "forbund_added": N_("added the coordination association %(target)s (%(name)s)"),
    "forbund_changed": N_("changed the coordination association %(target)s"),
    "round_created": N_("created the round %(target)s"),
    "round_opened": N_("opened the round %(target)s"),
    "round_closed": N_("closed the round %(target)s"),
    "round_published": N_("published the round %(target)s"),
    "round_deleted": N_("deleted the round %(target)s"),
    "links_created": N_("made %(count)s links for the round %(target)s"),
    "links_revoked": N_("revoked %(count)s links of the round %(target)s"),
    "questionnaire_loaded": N_("loaded the questionnaire %(target)s"),
    "export": N_("exported data (%(target)s)"),
    "mail_addresses_added": N_("added %(count)s e-mail addresses to the round %(target)s"),
    "mail_addresses_deleted": N_("deleted %(count)s e-mail addresses of the round %(target)s"),
    "mail_invitations_queued": N_("queued %(count)s invitations for the round %(target)s"),
    "mail_reminders_queued": N_("queued %(count)s reminders for the round %(target)s"),
    "mail_text_saved": N_("saved an e-mail text of %(target)s"),
    "mail_text_reset": N_("reset an e-mail text of %(target)s"),
}

#: The page's "what" filter: a kind of event and its actions.
KINDS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "logins": (
        N_("Log-ins"),
        (
            "login",
            "login_failed",
            "federated_login",
            "federated_login_failed",
            "logout",
            "account_locked",
            "totp_enrolled",
            "password_set",
        ),
    ),
    "users": (
        N_("Users and roles"),
        (
            "user_added",
            "role_added",
            "role_removed",
            "user_removed",
            "password_link_issued",
            "research_agreement",
        ),
    ),
    "rounds": (
        N_("Coordination associations and rounds"),
        (
            "forbund_added",
            "forbund_changed",
            "round_created",
            "round_opened",
            "round_closed",
            "round_published",
            "round_deleted",
            "links_created",
            "links_revoked",
        ),
    ),
    "questionnaires": (N_("Questionnaires"), ("questionnaire_loaded",)),
    "exports": (N_("Exports"), ("export",)),
    "mail": (N_("E-mail"), tuple(a for a in SENTENCES if a.startswith("mail_"))),
}


def sentence(event: AuditEvent, lang: str) -> str:
    """What happened, as a sentence in `lang` (who did it stands in its own column)."""
    template = SENTENCES.get(event.action)
    if template is None:
        return f"{event.action} {event.target or ''}".strip()
    details: dict[str, Any] = dict(event.details or {})
    values = {
        key: details.get(key, "–") for key in ("count", "name", "until", "provider", "reason")
    }
    values["target"] = event.target or "–"
    role = details.get("role")
    values["role"] = translate(lang, role_name(str(role))) if role else "–"
    if details.get("forbund"):
        values["role"] = f"{values['role']} – {details['forbund']}"
    return translate(lang, template, **values)

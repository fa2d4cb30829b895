"""What the privacy notice says for one förbund, or for the whole installation.

The förbund is the controller of its survey's personal data (named by its own name); the
installation's operator runs the service for it. The contact is the förbund's own
(`Association.privacy_contact`), else the installation's (PRIVACY_CONTACT). Everything else
the notice states is what the code does, so the words live in the template."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.rounds.associations import find_association
from survey.settings import Settings


@dataclass(frozen=True)
class PrivacyNotice:
    #: The förbund's short name and name; None on the installation's own notice.
    slug: str | None
    controller: str | None
    #: The förbund's member agencies, one per line where it gave them.
    members: tuple[str, ...]
    #: Where to ask about personal data ("" when neither the förbund nor the operator set one).
    contact: str
    #: Who runs the service (PRIVACY_OPERATOR; "" when not set).
    operator: str
    #: Days an unfinished answer nobody saved is kept (PRIVACY_DRAFT_DAYS).
    draft_days: int
    #: The smallest group whose results are shown (k).
    min_group_size: int
    is_demo: bool = False


def privacy_notice(session: Session, settings: Settings, slug: str | None = None) -> PrivacyNotice:
    """The notice of the förbund `slug` (NotFound when there is none), or of the
    installation when None."""
    common = {
        "operator": settings.privacy_operator,
        "draft_days": settings.privacy_draft_days,
        "min_group_size": settings.min_group_size,
    }
    if slug is None:
        return PrivacyNotice(None, None, (), settings.privacy_contact, **common)
    assoc = find_association(session, slug)
    members = tuple(line.strip() for line in assoc.members.splitlines() if line.strip())
    contact = assoc.privacy_contact.strip() or settings.privacy_contact
    return PrivacyNotice(assoc.slug, assoc.name, members, contact, is_demo=assoc.is_demo, **common)

"""What a logged-in person may do, as plain data: the web's authorisation rules read a
`Principal` and never the database."""

from __future__ import annotations

from dataclasses import dataclass

from survey.db.models import SYSTEM_ROLES, Role
from survey.i18n import N_

#: Roles that must log in with a second factor (they see row-level data or everything).
TWO_FACTOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.RESEARCHER})
#: Each role's name for people (an English msgid, worded by the catalogue): the one place
#: a role code becomes a word, on pages and in their messages alike.
ROLE_NAMES = {
    Role.SYSTEM_ADMIN: N_("system administrator"),
    Role.FORBUND_ADMIN: N_("förbund administrator"),
    Role.BOARD: N_("board"),
    Role.RESEARCHER: N_("researcher"),
}


def role_name(code: str) -> str:
    """The msgid naming a role code (the code itself if it is no role)."""
    try:
        return ROLE_NAMES[Role(code)]
    except ValueError:
        return code


@dataclass(frozen=True)
class Principal:
    """A user and their roles: (role, förbund id) pairs, the förbund None for roles that
    hold system-wide."""

    user_id: int
    email: str
    session_version: int
    roles: frozenset[tuple[Role, int | None]]
    has_totp: bool = False
    research_agreement: bool = False
    is_demo: bool = False
    #: This session began at an identity provider whose assurance counts as two factors.
    federated_two_factor: bool = False

    def roles_in(self, association_id: int) -> frozenset[Role]:
        """The roles held in one förbund (system-wide roles are not counted here)."""
        return frozenset(role for role, where in self.roles if where == association_id)

    def associations(self, *roles: Role) -> frozenset[int]:
        """The förbund in which the user holds any of `roles` (any role when none given)."""
        return frozenset(
            where
            for role, where in self.roles
            if where is not None and (not roles or role in roles)
        )

    def has_role(self, role: Role) -> bool:
        return any(held == role for held, _ in self.roles)

    @property
    def is_system_admin(self) -> bool:
        return self.has_role(Role.SYSTEM_ADMIN)

    @property
    def is_researcher(self) -> bool:
        return self.has_role(Role.RESEARCHER)

    @property
    def may_read_row_level(self) -> bool:
        """Respondent rows (recoded) are for system administrators and researchers."""
        return self.is_system_admin or self.is_researcher

    @property
    def may_read_unrecoded(self) -> bool:
        """An unrecoded research file needs a researcher with an approved agreement."""
        return self.is_researcher and self.research_agreement

    @property
    def needs_two_factor(self) -> bool:
        return any(role in TWO_FACTOR_ROLES for role, _ in self.roles)

    @property
    def must_enrol(self) -> bool:
        """A role that needs two-factor and no authenticator yet (nor a log-in whose
        provider vouched for two factors): enrolment is all that such a session may do."""
        return self.needs_two_factor and not self.has_totp and not self.federated_two_factor


def is_system_wide(role: Role) -> bool:
    return role in SYSTEM_ROLES

"""A log-in through an identity provider, whatever the protocol: the claims it vouched for
become one of our users, or a refusal. One unit of work, called unchanged by the web's
OIDC and SAML routes and by the tests.

A user is found by the stable identifier, the provider's issuer and subject (OIDC `sub`,
SAML NameID or a configured attribute), never by a display name. The first log-in links:
by an invited user's e-mail address the provider has verified (`invite`), or, with
`roles_from_attributes`, by making or finding the user whose förbund roles then follow the
provider's attributes at every log-in. Roles that read row-level data still need two
factors: the provider's level of assurance counts where configured, else our TOTP does.
Every log-in and every refusal is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from survey.accounts import lockout, sessions, users
from survey.accounts.access import Principal
from survey.accounts.services import CODE, DONE, ENROL
from survey.db import audit
from survey.db.engine import transaction
from survey.db.models import FederatedIdentity, Membership, User
from survey.errors import FederatedLoginRefused, NotFound, StorageUnavailable, SurveyError
from survey.federation.config import MAPPED_ROLES, Provider
from survey.rounds.associations import find_association

__all__ = ["CODE", "DONE", "ENROL", "FederatedClaims", "FederatedLogin", "federated_login"]


@dataclass(frozen=True)
class FederatedClaims:
    """What a provider vouched for, after the protocol's checks (signature, audience,
    time, nonce or replay) have passed."""

    provider_id: str
    issuer: str
    subject: str
    email: str | None = None
    email_verified: bool = False
    #: OIDC `acr`, SAML AuthnContextClassRef (e.g. the Sweden Connect loa3 URI).
    assurance: str | None = None
    #: Other claims or attributes, each a tuple of values.
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class FederatedLogin:
    principal: Principal
    #: DONE: log in; CODE: our TOTP code next; ENROL: log in, but enrolment first.
    next: str
    #: The provider's assurance counts as two factors (no TOTP asked of this session).
    two_factor: bool
    #: The identity was linked to the account by this log-in.
    linked: bool


def federated_login(
    session: Session, provider: Provider, claims: FederatedClaims, now: dt.datetime
) -> FederatedLogin:
    """The user the claims identify, and what the log-in needs next; raises
    FederatedLoginRefused (stored in the audit log first).

    Two first log-ins of one subject at once both find no identity; the second to write
    hits the unique (issuer, subject) and is rolled back whole, then tried once more: it
    now finds the identity the first linked and is a normal log-in of that user. Should
    that collide again, nothing is saved and the person is asked to try again
    (StorageUnavailable "busy"), never a 500."""
    for attempt in range(2):
        try:
            return _unit_of_work(session, provider, claims, now)
        except IntegrityError:
            if attempt:
                raise StorageUnavailable("busy") from None
    raise AssertionError("unreachable")


def _unit_of_work(
    session: Session, provider: Provider, claims: FederatedClaims, now: dt.datetime
) -> FederatedLogin:
    with transaction(session):
        try:
            outcome: FederatedLogin | SurveyError = _login(session, provider, claims, now)
        except FederatedLoginRefused as exc:
            _audit_refusal(session, provider.id, claims, exc, now)
            outcome = exc
    if isinstance(outcome, SurveyError):
        raise outcome
    return outcome


def record_refusal(
    session: Session, provider_id: str, error: FederatedLoginRefused, now: dt.datetime
) -> None:
    """A log-in the protocol refused before any claims were believed (a bad signature, a
    wrong audience, an expired answer, a wrong state): into the audit log."""
    with transaction(session):
        _audit_refusal(session, provider_id, None, error, now)


def _audit_refusal(
    session: Session,
    provider_id: str,
    claims: FederatedClaims | None,
    error: FederatedLoginRefused,
    now: dt.datetime,
) -> None:
    audit.record(
        session,
        None,
        "federated_login_failed",
        claims.email if claims and claims.email else None,
        at=now,
        provider=provider_id,
        reason=error.reason,
        detail=error.detail[:300],
        subject=claims.subject[:300] if claims else None,
    )


def _login(
    session: Session, provider: Provider, claims: FederatedClaims, now: dt.datetime
) -> FederatedLogin:
    """Every check that can refuse comes before the first write: a refusal stores only its
    audit row."""
    if claims.provider_id != provider.id or not claims.subject or not claims.issuer:
        raise FederatedLoginRefused("protocol", "claims without a provider, issuer or subject")
    identity = session.scalar(
        select(FederatedIdentity)
        .where(
            FederatedIdentity.issuer == claims.issuer, FederatedIdentity.subject == claims.subject
        )
        .with_for_update()
    )
    linked = identity is None
    by_attributes = provider.linking == "roles_from_attributes"
    wanted = _wanted_roles(session, provider, claims) if by_attributes else set()
    if identity is not None:
        user: User | None = _user(session, identity.user_id)
    else:
        user = _user_by_email(session, claims, may_be_new=by_attributes)
    if by_attributes and not wanted and (user is None or not _system_roles(user)):
        raise FederatedLoginRefused("no_roles", ", ".join(sorted(claims.attributes))[:300])
    if user is not None:
        if identity is None:
            identity = _not_linked_elsewhere(session, user, provider, claims)
            linked = identity is None
        if user.locked_until is not None and user.locked_until > now:
            raise FederatedLoginRefused("locked", f"until {user.locked_until:%Y-%m-%d %H:%M}")
    else:
        user = users.create_user(session, _verified_email(claims), now)
        audit.record(session, None, "user_added", user.email, at=now, by=provider.id)
    if identity is None:
        identity = FederatedIdentity(
            user_id=user.id,
            provider_id=provider.id,
            issuer=claims.issuer,
            subject=claims.subject,
            linked_at=now,
        )
        session.add(identity)
    if by_attributes:
        _sync_roles(session, user, wanted)
    identity.last_login_at = now
    return _decide(session, user, provider, claims, now, linked)


def _decide(
    session: Session,
    user: User,
    provider: Provider,
    claims: FederatedClaims,
    now: dt.datetime,
    linked: bool,
) -> FederatedLogin:
    principal = users.principal_of(user)
    two_factor = provider.counts_as_two_factor(claims.assurance)
    if two_factor:
        step = DONE
    elif user.totp_secret is not None:
        step = CODE  # as after a password: the code step finishes the log-in
    else:
        step = ENROL if principal.must_enrol else DONE
    if step != CODE:
        lockout.register_success(user, now)
        user.last_login_at = now
    audit.record(
        session,
        user.email,
        "federated_login",
        at=now,
        provider=provider.id,
        linked=linked,
        two_factor=two_factor,
        assurance=claims.assurance,
        next=step,
    )
    return FederatedLogin(principal, step, two_factor, linked)


def _user(session: Session, user_id: int) -> User:
    user = session.scalar(
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.memberships))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert user is not None  # the identity's row goes with its user (ON DELETE CASCADE)
    return user


def _verified_email(claims: FederatedClaims) -> str:
    if not claims.email:
        raise FederatedLoginRefused("unknown_user", "the provider gave no e-mail address")
    if not claims.email_verified:
        raise FederatedLoginRefused("email_unverified", claims.email[:254])
    return claims.email.strip().lower()


def _user_by_email(session: Session, claims: FederatedClaims, *, may_be_new: bool) -> User | None:
    """The user whose e-mail address the provider verified: an invited one, or (roles from
    attributes) None for one still to be made."""
    email = _verified_email(claims)
    user = users.find_user(session, email, lock=True)
    if user is None and not may_be_new:
        raise FederatedLoginRefused("unknown_user", email[:254])
    return user


def _system_roles(user: User) -> bool:
    return any(m.role not in MAPPED_ROLES for m in user.memberships)


def _not_linked_elsewhere(
    session: Session, user: User, provider: Provider, claims: FederatedClaims
) -> FederatedIdentity | None:
    """One identity per user and provider: an address taken over at the provider by
    someone else (a new subject) does not open the account. The same subject linked by a
    log-in that committed since this one's lookup is that identity, returned."""
    taken = session.scalar(
        select(FederatedIdentity).where(
            FederatedIdentity.user_id == user.id, FederatedIdentity.provider_id == provider.id
        )
    )
    if taken is None:
        return None
    if (taken.issuer, taken.subject) != (claims.issuer, claims.subject):
        raise FederatedLoginRefused("linked_elsewhere", user.email)
    return taken


def _wanted_roles(
    session: Session, provider: Provider, claims: FederatedClaims
) -> set[tuple[str, int]]:
    """The förbund roles (role, förbund id) the claims' attributes give."""
    wanted: set[tuple[str, int]] = set()
    for mapping in provider.roles:
        if mapping.value in claims.attributes.get(mapping.attribute, ()):
            try:
                association = find_association(session, mapping.forbund)
            except NotFound:
                raise FederatedLoginRefused(
                    "no_roles", f"no förbund '{mapping.forbund}' (instance/federation.yaml)"
                ) from None
            wanted.add((mapping.role.value, association.id))
    return wanted


def _sync_roles(session: Session, user: User, wanted: set[tuple[str, int]]) -> None:
    """The user's förbund roles become those the attributes give; system-wide roles (given
    by an administrator) stay."""
    held = {(str(m.role), m.association_id): m for m in user.memberships if m.role in MAPPED_ROLES}
    removed = [m for key, m in held.items() if key not in wanted]
    for membership in removed:
        user.memberships.remove(membership)
    for role, association_id in sorted(wanted - set(held)):
        user.memberships.append(Membership(role=role, association_id=association_id))
    session.flush()
    if removed:
        sessions.end_all(session, user.id)  # as when an administrator removes a role

"""A clearly labelled synthetic dataset: förbund, two rounds, plausible differences.

The numbers come from a small model (förbund maturity + dimension profile + change between
rounds + role and agency effects + noise), so the demo shows what the charts are for:
förbund that differ, a visible change between rounds, and managers who see it brighter
than front-line staff.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from survey.accounts import users
from survey.accounts.access import TWO_FACTOR_ROLES
from survey.answering import drafts
from survey.db import audit, mixing, models
from survey.db.engine import transaction
from survey.db.models import RoundState
from survey.disclosure import DEFAULT_K
from survey.errors import SurveyError
from survey.instruments.catalog import definition_of
from survey.maturity import level_figures
from survey.results import snapshot
from survey.rounds import invitations, lifecycle

DEMO_ASSOCIATIONS = (
    ("demo-alvdalen", "Älvdalens samordningsförbund (demo)"),
    ("demo-bergslagen", "Bergslagens samordningsförbund (demo)"),
    ("demo-fjallbygden", "Fjällbygdens samordningsförbund (demo)"),
    ("demo-gotaslatten", "Götaslättens samordningsförbund (demo)"),
    ("demo-havskusten", "Havskustens samordningsförbund (demo)"),
    ("demo-mellanskog", "Mellanskogens samordningsförbund (demo)"),
    ("demo-norrsund", "Norrsunds samordningsförbund (demo)"),
    ("demo-sjobygd", "Sjöbygdens samordningsförbund (demo)"),
    ("demo-storstad", "Storstadens samordningsförbund (demo)"),
)


def demo_rounds(today: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """Two earlier rounds, closed and published, and this year's, open around today (so
    its links work and its page shows the response rate, not figures)."""
    rounds = [
        (str(year), RoundState.PUBLISHED, dt.date(year, 3, 1), dt.date(year, 4, 15))
        for year in (today.year - 2, today.year - 1)
    ]
    opens, closes = today - dt.timedelta(days=30), today + dt.timedelta(days=60)
    return [*rounds, (str(today.year), RoundState.OPEN, opens, closes)]


ROLE_WEIGHTS = {
    "handlaggare": 45,
    "chef": 18,
    "beredningsgrupp": 12,
    "styrelse": 10,
    "forbundskansli": 5,
    "annan": 4,
}
ROLE_EFFECT = {
    "handlaggare": -0.15,
    "chef": 0.15,
    "beredningsgrupp": 0.25,
    "styrelse": 0.4,
    "forbundskansli": 0.3,
    "annan": 0.0,
}
AGENCY_WEIGHTS = {"fk": 20, "af": 20, "kommun": 35, "region": 20, "forbund": 3, "annan": 2}
AGENCY_EFFECT = {"fk": -0.2, "af": -0.1, "kommun": 0.1, "region": 0.0, "forbund": 0.2, "annan": 0.0}


#: Every demo user's password: published in the README and printed by `survey demo`.
DEMO_PASSWORD = "demo-samverkan"
#: The demo's TOTP secret for the roles that need two-factor (base32, printed too).
DEMO_TOTP_SECRET = "SAMVERKANDEMOSAMVERKANDEMO234567"
#: One demo user per role: e-mail, role, förbund (None: system-wide).
DEMO_USERS = (
    ("admin@demo.invalid", models.Role.SYSTEM_ADMIN, None),
    ("forbund@demo.invalid", models.Role.FORBUND_ADMIN, "demo-norrsund"),
    ("styrelse@demo.invalid", models.Role.BOARD, "demo-norrsund"),
    ("forskare@demo.invalid", models.Role.RESEARCHER, None),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    forbund: str | None
    totp_secret: str | None


@dataclass(frozen=True)
class DemoResult:
    associations: int
    responses: int
    invitation_links: dict[str, list[str]]  # association slug -> tokens of the open round
    logins: tuple[DemoLogin, ...] = ()


def remove_demo(session: Session) -> None:
    demo_assoc = select(models.Association.id).where(models.Association.is_demo.is_(True))
    _remove_demo_users(session, demo_assoc)
    demo_rounds = select(models.Round.id).where(models.Round.association_id.in_(demo_assoc))
    demo_responses = select(models.Response.id).where(models.Response.round_id.in_(demo_rounds))
    demo_drafts = select(models.Draft.id).where(models.Draft.round_id.in_(demo_rounds))
    session.execute(delete(models.Invitation).where(models.Invitation.round_id.in_(demo_rounds)))
    snapshot.drop(session, session.scalars(demo_rounds))
    demo_workshops = select(models.Workshop.id).where(models.Workshop.round_id.in_(demo_rounds))
    session.execute(
        delete(models.AgreedLevel).where(models.AgreedLevel.workshop_id.in_(demo_workshops))
    )
    session.execute(delete(models.Workshop).where(models.Workshop.round_id.in_(demo_rounds)))
    session.execute(delete(models.Action).where(models.Action.association_id.in_(demo_assoc)))
    session.execute(delete(models.DraftAnswer).where(models.DraftAnswer.draft_id.in_(demo_drafts)))
    session.execute(
        delete(models.DraftComment).where(models.DraftComment.draft_id.in_(demo_drafts))
    )
    session.execute(delete(models.Draft).where(models.Draft.round_id.in_(demo_rounds)))
    session.execute(delete(models.Answer).where(models.Answer.round_id.in_(demo_rounds)))
    session.execute(delete(models.Comment).where(models.Comment.response_id.in_(demo_responses)))
    session.execute(delete(models.Response).where(models.Response.round_id.in_(demo_rounds)))
    session.execute(delete(models.Round).where(models.Round.association_id.in_(demo_assoc)))
    session.execute(delete(models.Association).where(models.Association.is_demo.is_(True)))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_questionnaires(session: Session) -> tuple[models.Questionnaire, models.Questionnaire]:
    """The first and the newest version of the first instrument: the demo asks its oldest
    round with the first and the later ones with the newest, so a trend across versions
    shows (dimension codes are stable; statements compare where their codes are kept)."""
    stmt = select(models.Questionnaire).order_by(
        models.Questionnaire.key, models.Questionnaire.version
    )
    first = session.scalar(stmt)
    if first is None:
        raise DemoRefused("no questionnaire loaded: put one in questionnaires/")
    newest = session.scalar(
        select(models.Questionnaire)
        .where(models.Questionnaire.key == first.key)
        .order_by(models.Questionnaire.version.desc())
    )
    return first, newest or first


def build_demo(
    session: Session,
    questionnaire: models.Questionnaire,
    today: dt.date,
    seed: int = 2026,
    links_per_association: int = 3,
    later: models.Questionnaire | None = None,
    k: int = DEFAULT_K,
) -> DemoResult:
    """Replace any earlier demo data with a fresh synthetic dataset; rounds after the
    first ask `later` (a newer version) when it is given. Its published rounds get their
    snapshot at k, as publishing gives a real round."""
    rng = random.Random(seed)
    remove_demo(session)
    asked = {
        row.id: (
            [
                (item, dim.code)
                for dim in definition_of(row).dimensions
                for item in dim.answerable()
            ],
            drafts.item_ids(session, row.id),
        )
        for row in {questionnaire, later or questionnaire}
    }
    dims = [d.code for d in definition_of(questionnaire).dimensions]
    links: dict[str, list[str]] = {}
    published_demo: list[models.Round] = []
    total = 0
    for slug, name in DEMO_ASSOCIATIONS:
        assoc = models.Association(slug=slug, name=name, is_demo=True)
        session.add(assoc)
        base = rng.gauss(3.1, 0.35)
        profile = {d: rng.gauss(0, 0.35) for d in dims}
        change = rng.gauss(0.2, 0.2)
        for r_index, (label, state, opens, closes) in enumerate(demo_rounds(today)):
            version = questionnaire if r_index == 0 or later is None else later
            items, item_ids = asked[version.id]
            rnd = lifecycle.create_round(
                session, assoc, version, label, opens_on=opens, closes_on=closes, state=state
            )
            n = rng.randint(35, 70)  # large enough for the merged role groups to show
            profiles = [
                (_pick(rng, ROLE_WEIGHTS), _pick(rng, AGENCY_WEIGHTS))
                + (rng.choice(["lt1", "1to3", "3to5", "gt5"]),)
                for _ in range(n)
            ]
            level = base + change * r_index
            people = [
                mixing.Submitted(
                    "sv", role, agency, years,
                    _answers(rng, role, agency, items, item_ids, level, profile),
                )
                for role, agency, years in profiles
            ]  # fmt: skip
            mixing.insert(session, rnd.id, people)
            total += n
            if state == RoundState.PUBLISHED:
                published_demo.append(rnd)
            if state == RoundState.OPEN:
                links[slug] = _links(session, rnd, rng, n, links_per_association)
    session.flush()
    for rnd in published_demo:
        level_figures.build(session, rnd.id, k)
    _workshops_and_actions(session, today, rng)
    # A published password has no place beside real data: only a demo-only database gets them.
    demo_only = not holds_real_rounds(session) and not _holds_real_users(session)
    logins = add_demo_users(session, audit.utcnow()) if demo_only else ()
    return DemoResult(len(DEMO_ASSOCIATIONS), total, links, logins)


def _workshops_and_actions(session: Session, today: dt.date, rng: random.Random) -> None:
    """Each demo förbund's newest published round has a consensus workshop (agreed levels
    for every dimension; done in all but one förbund) and the round before it an action
    plan, so the newest round follows the actions up (one overdue, one done)."""
    for assoc in session.scalars(select(models.Association).filter_by(is_demo=True)):
        published = [r for r in lifecycle.rounds_of(session, assoc) if r.state == "published"]
        if len(published) < 2:
            continue
        earlier, newest = published[-2], published[-1]
        now = dt.datetime.combine(newest.closes_on or today, dt.time(10))
        done = None if assoc.slug == "demo-storstad" else now
        workshop = models.Workshop(round_id=newest.id, opened_at=now, done_at=done)
        session.add(workshop)
        session.flush()
        for dim in newest.questionnaire.dimensions:
            agreed = rng.choice((2, 3, 3, 4))
            session.add(
                models.AgreedLevel(
                    workshop_id=workshop.id,
                    dimension=dim.code,
                    current_level=agreed,
                    target_level=min(5, agreed + 1),
                    rationale=DEMO_RATIONALE,
                    recorded_at=now,
                )
            )
        for code, title, owner, status, due in DEMO_ACTIONS:
            session.add(
                models.Action(
                    association_id=assoc.id,
                    round_id=earlier.id,
                    dimension=code,
                    title=title,
                    description="",
                    owner=owner,
                    status=status,
                    due_on=today + dt.timedelta(days=due),
                    created_at=now,
                )
            )


DEMO_RATIONALE = "Syntetisk demomotivering: gruppen vägde skattningarna mot nivåtexterna."
#: (dimension, title, owner, status, due in days from today): one overdue, one done.
DEMO_ACTIONS = (
    ("STRAT", "Skriv en gemensam strategi för samverkan", "Förbundschefen", "in_progress", -20),
    ("PROC", "Gemensam rutin för överlämningar", "Beredningsgruppen", "done", -60),
    ("KUNS", "Gemensam utbildning om parternas uppdrag", "Kommunen", "planned", 120),
)


def add_demo_users(session: Session, now: dt.datetime) -> tuple[DemoLogin, ...]:
    """One user per role with the published demo password; the roles that need two-factor
    come enrolled with the published secret, so anyone can log in as them."""
    logins = []
    for email, role, forbund in DEMO_USERS:
        user = users.create_user(session, email, now, is_demo=True)
        users.add_role(session, user, role, forbund)
        users.change_password(user, DEMO_PASSWORD)
        secret = DEMO_TOTP_SECRET if role in TWO_FACTOR_ROLES else None
        user.totp_secret = secret
        audit.record(session, audit.COMMAND_LINE, "user_added", email, at=now, role=role, demo=True)
        logins.append(DemoLogin(email, role, forbund, secret))
    session.flush()
    return tuple(logins)


def _remove_demo_users(session: Session, demo_assoc) -> None:
    """Demo users go with the demo data, and so does any role someone held in a demo förbund."""
    demo_users = select(models.User.id).where(models.User.is_demo.is_(True))
    session.execute(
        delete(models.Membership).where(
            models.Membership.user_id.in_(demo_users)
            | models.Membership.association_id.in_(demo_assoc)
        )
    )
    session.execute(delete(models.RecoveryCode).where(models.RecoveryCode.user_id.in_(demo_users)))
    session.execute(delete(models.User).where(models.User.is_demo.is_(True)))


def _answers(rng, role, agency, items, item_ids, level, profile) -> list[tuple[int, int | None]]:
    """One synthetic person's answers to every statement (2 % skipped, ~5 % vet ej)."""
    level += ROLE_EFFECT[role] + AGENCY_EFFECT[agency]
    level += rng.gauss(0, 0.35)  # how brightly this person sees things overall
    # A person's view of a dimension drives all its items, so items agree with each other
    # (a realistic Cronbach's alpha) rather than being pure noise.
    view = {code: rng.gauss(0, 0.55) for code in profile}
    rows = []
    for item, dim_code in items:
        roll = rng.random()
        if roll < 0.02:
            continue  # skipped
        value: int | None
        if roll < 0.07 + (0.08 if role == "styrelse" else 0):
            value = None  # vet ej
        elif item.kind != "statement":  # the level now, or wanted in two years (version 3)
            # The förbund's two weakest dimensions are seen in three camps (a split
            # picture); people agree on the others.
            camps = (-1.7, 0.0, 1.7) if dim_code in sorted(profile, key=profile.get)[:2] else (0,)
            seen = level + profile[dim_code] + rng.choice(camps) + rng.gauss(0, 0.35)
            now = min(5, max(1, round(seen)))
            value = now if item.kind == "now" else min(5, now + rng.choice((0, 1, 1, 2)))
        else:
            latent = level + profile[dim_code] + view[dim_code] + rng.gauss(0, 0.5)
            value = min(5, max(1, round(latent)))
            if item.reverse:
                value = 6 - value
        rows.append((item_ids[item.code], value))
    return rows


def _links(session: Session, rnd: models.Round, rng, submitted: int, spare: int) -> list[str]:
    """The open round's invitations: one used per submitted response, a third more not
    answered yet (so the page shows a response rate), and `spare` links handed back to try."""
    used = invitations.create_invitations(session, rnd, submitted + submitted // 3)[:submitted]
    hashes = [invitations.hash_token(token) for token in used]
    session.execute(
        update(models.Invitation).where(models.Invitation.token_hash.in_(hashes)).values(used=True)
    )
    return invitations.create_invitations(session, rnd, spare)


def holds_real_rounds(session: Session) -> bool:
    """True when any round belongs to a förbund that is not demo data."""
    stmt = (
        select(models.Round.id)
        .join(models.Association)
        .where(models.Association.is_demo.is_(False))
        .limit(1)
    )
    return session.scalar(stmt) is not None


def _holds_real_users(session: Session) -> bool:
    stmt = select(models.User.id).where(models.User.is_demo.is_(False)).limit(1)
    return session.scalar(stmt) is not None


class DemoRefused(SurveyError):
    """The demo would mix synthetic data into a database that holds real rounds."""


def load_demo(
    session: Session, today: dt.date, *, force: bool = False, k: int = DEFAULT_K
) -> DemoResult:
    """Replace the demo data in one unit of work, unless real rounds share the database."""
    with transaction(session):
        if holds_real_rounds(session) and not force:
            raise DemoRefused(
                "this database holds real survey rounds; the demo will not mix synthetic data "
                "into it. Use another DATABASE_URL, or --force if you really mean it."
            )
        first, newest = demo_questionnaires(session)
        return build_demo(session, first, today, later=newest, k=k)

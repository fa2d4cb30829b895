"""Small builders for test data, so each test reads as a user story."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from survey.answering import drafts
from survey.db import models
from survey.rounds import invitations, lifecycle
from survey.services import round_actions


def default_questionnaire(session, version=1) -> models.Questionnaire:
    """A version of the default instrument (1 unless told; both are loaded)."""
    return session.scalar(
        select(models.Questionnaire).filter_by(key="integrerad-samverkan", version=version)
    )


def make_round(
    session, slug="norrsund", label="2026", state="open", version=1, **dates
) -> models.Round:
    assoc = session.scalar(select(models.Association).filter_by(slug=slug))
    if assoc is None:
        assoc = models.Association(slug=slug, name=f"{slug.title()} samordningsförbund")
        session.add(assoc)
    today = dt.date.today()
    dates.setdefault("opens_on", today - dt.timedelta(days=7))
    dates.setdefault("closes_on", today + dt.timedelta(days=30))
    rnd = lifecycle.create_round(
        session, assoc, default_questionnaire(session, version), label, state=state, **dates
    )
    session.commit()
    return rnd


def close_and_publish(session, rnd) -> None:
    """The administrator's last two steps, through the same services as the command line."""
    round_actions.close_round(session, rnd.association.slug, rnd.label, dt.date.today())
    round_actions.publish_round(session, rnd.association.slug, rnd.label, dt.date.today())


def invite(session, rnd, count=1) -> list[str]:
    tokens = invitations.create_invitations(session, rnd, count)
    session.commit()
    return tokens


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def hidden_field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"page has no hidden field {name!r}"
    return match.group(1)


def answer_all(
    client,
    token: str,
    value=lambda item_code: "4",
    role="handlaggare",
    agency="kommun",
    submit=True,
):
    """Walk the whole questionnaire through the forms as a respondent would."""
    page = client.get(f"/r/{token}")
    assert page.status_code == 200, page.text
    csrf = csrf_token(page.text)
    resp = client.post(f"/r/{token}", data={"csrf_token": csrf, "role": role, "agency": agency})
    assert resp.status_code == 302
    number = 1
    while True:
        page = client.get(f"/r/{token}/p/{number}")
        if page.status_code == 404:
            break
        codes = sorted(set(re.findall(r'name="item-([A-Z0-9_]+)"', page.text)))
        data = {"csrf_token": csrf, "nav": "next"}
        data.update({f"item-{code}": value(code) for code in codes})
        resp = client.post(f"/r/{token}/p/{number}", data=data)
        assert resp.status_code == 302, resp.text
        if resp.headers["Location"].endswith("/summary"):
            break
        number += 1
    if submit:
        summary = client.get(f"/r/{token}/summary")
        receipt = hidden_field(summary.text, "receipt")
        resp = client.post(f"/r/{token}/submit", data={"csrf_token": csrf, "receipt": receipt})
        assert resp.status_code == 200
        return resp
    return None


def stored_state(db) -> dict[str, list[tuple]]:
    """Every row a respondent can cause, read fresh from the database, to prove a refused
    post wrote nothing (compare before and after)."""
    queries = {
        "drafts": select(
            models.Draft.id,
            models.Draft.role,
            models.Draft.agency,
            models.Draft.years,
            models.Draft.saved_at,
            models.Draft.sealed,
        ).order_by(models.Draft.id),
        "draft_answers": select(
            models.DraftAnswer.draft_id, models.DraftAnswer.item_id, models.DraftAnswer.value
        ).order_by(models.DraftAnswer.draft_id, models.DraftAnswer.item_id),
        "draft_comments": select(
            models.DraftComment.draft_id, models.DraftComment.dimension_id, models.DraftComment.text
        ).order_by(models.DraftComment.draft_id, models.DraftComment.dimension_id),
        "responses": select(
            models.Response.id, models.Response.role, models.Response.agency, models.Response.years
        ).order_by(models.Response.id),
        "answers": select(
            models.Answer.response_id, models.Answer.item_id, models.Answer.value
        ).order_by(models.Answer.response_id, models.Answer.item_id),
        "comments": select(
            models.Comment.response_id, models.Comment.dimension_id, models.Comment.text
        ).order_by(models.Comment.response_id, models.Comment.dimension_id),
        "invitations": select(
            models.Invitation.id,
            models.Invitation.kind,
            models.Invitation.draft_id,
            models.Invitation.used,
        ).order_by(models.Invitation.id),
    }
    db.expire_all()
    return {name: [tuple(row) for row in db.execute(stmt)] for name, stmt in queries.items()}


def draft_content(db, token: str):
    """What the link's draft holds, opened with the link as the app does (None: no draft)."""
    db.expire_all()
    invitation = invitations.find_invitation(db, token)
    if invitation.draft is None:
        return None
    return drafts.read(db, invitation.draft, token)


def begin(client, token: str, role="handlaggare", agency="kommun") -> str:
    """Open the link and answer the background questions; returns the form's CSRF token."""
    page = client.get(f"/r/{token}")
    assert page.status_code == 200, page.text
    csrf = csrf_token(page.text)
    resp = client.post(f"/r/{token}", data={"csrf_token": csrf, "role": role, "agency": agency})
    assert resp.status_code == 302, resp.text
    return csrf


def add_response(
    session,
    rnd,
    answers: dict,
    role="handlaggare",
    agency="kommun",
    state="submitted",
    comments: dict[str, str] | None = None,
) -> models.Response | models.Draft:
    """A response stored directly, for scoring fixtures: `answers` maps item codes to a raw
    value 1–5 or None ("vet ej"); items left out were skipped (no row at all). `comments`
    maps dimension codes to free text."""
    item_ids = dict(
        session.execute(
            select(models.Item.code, models.Item.id).filter_by(
                questionnaire_id=rnd.questionnaire_id
            )
        ).all()
    )
    dimension_ids = dict(
        session.execute(
            select(models.Dimension.code, models.Dimension.id).filter_by(
                questionnaire_id=rnd.questionnaire_id
            )
        ).all()
    )
    if state == "in_progress":  # unfinished answers: a draft, never counted
        draft = models.Draft(round_id=rnd.id, role=role, agency=agency, saved_at=dt.datetime.now())
        draft.answers = [
            models.DraftAnswer(item_id=item_ids[code], value=value)
            for code, value in answers.items()
        ]
        session.add(draft)
        session.commit()
        return draft
    response = models.Response(round_id=rnd.id, role=role, agency=agency)
    response.answers = [
        models.Answer(item_id=item_ids[code], value=value) for code, value in answers.items()
    ]
    response.comments = [
        models.Comment(dimension_id=dimension_ids[code], text=text)
        for code, text in (comments or {}).items()
    ]
    session.add(response)
    session.commit()
    return response


def all_items(session, rnd, value) -> dict:
    """Every item of the round's questionnaire answered with `value(item)` (raw, 1–5/None)."""
    items = session.scalars(
        select(models.Item).filter_by(questionnaire_id=rnd.questionnaire_id)
    ).all()
    return {item.code: value(item) for item in items}


# --- accounts -------------------------------------------------------------------------------

PASSWORD = "correct horse battery"


def make_user(session, email, role, forbund=None, password=PASSWORD):
    """A user with one role whose password is set, through the same services as the
    command line and the set-password page."""
    from survey.accounts import services as accounts
    from survey.db import audit

    _user, token = accounts.add_user(
        session, email, role, forbund, actor="test", now=audit.utcnow()
    )
    return accounts.set_password(session, token, password, audit.utcnow())


def enrol(session, principal, at=None) -> tuple[str, list[str]]:
    """Enrol the user's authenticator app; returns the secret and the recovery codes."""
    import pyotp

    from survey.accounts import services as accounts
    from survey.db import audit

    secret = accounts.enroll_totp(session, principal.user_id).secret
    now = at or audit.utcnow()
    code = pyotp.TOTP(secret).at(now.replace(tzinfo=dt.UTC))
    return secret, accounts.confirm_totp(session, principal.user_id, code, now)


def log_in(client, email, password=PASSWORD, code=None):
    """Log in through the pages; returns the last response (a redirect when it worked)."""
    form = {"csrf_token": csrf_token(client.get("/login").text), "email": email}
    response = client.post("/login", data={**form, "password": password})
    if code is None or response.headers.get("Location") != "/login/code":
        return response
    page = client.get("/login/code")
    return client.post("/login/code", data={"csrf_token": csrf_token(page.text), "code": code})


def logged_in_as(client) -> str | None:
    """The e-mail the header shows as logged in, or None."""
    page = client.get("/login", follow_redirects=True).text
    match = re.search(r'class="logout">\s*<input[^>]*>\s*<span>([^<]+)</span>', page)
    return match.group(1) if match else None


# --- maturity (issue 21) ------------------------------------------------------------------


def rate_levels(session, rnd, people) -> None:
    """Submitted responses of a version 3 round: `people` is a list of (role, answers) where
    answers maps level codes ("STRAT.NOW") to a level; every statement is answered 3."""
    statements = session.scalars(
        select(models.Item.code).filter_by(questionnaire_id=rnd.questionnaire_id, kind="statement")
    ).all()
    for role, levels in people:
        add_response(session, rnd, {**{code: 3 for code in statements}, **levels}, role=role)

"""Small builders for test data, so each test reads as a user story."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from survey import invitations, models


def default_questionnaire(session) -> models.Questionnaire:
    return session.scalar(select(models.Questionnaire).filter_by(key="integrerad-samverkan"))


def make_round(session, slug="norrsund", label="2026", state="open", **dates) -> models.Round:
    assoc = session.scalar(select(models.Association).filter_by(slug=slug))
    if assoc is None:
        assoc = models.Association(slug=slug, name=f"{slug.title()} samordningsförbund")
        session.add(assoc)
    today = dt.date.today()
    dates.setdefault("opens_on", today - dt.timedelta(days=7))
    dates.setdefault("closes_on", today + dt.timedelta(days=30))
    rnd = invitations.create_round(
        session, assoc, default_questionnaire(session), label, state=state, **dates
    )
    session.commit()
    return rnd


def invite(session, rnd, count=1) -> list[str]:
    tokens = invitations.create_invitations(session, rnd, count)
    session.commit()
    return tokens


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
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
        resp = client.post(f"/r/{token}/submit", data={"csrf_token": csrf})
        assert resp.status_code == 200
        return resp
    return None


def add_response(
    session,
    rnd,
    values: dict[str, int | None],
    role="handlaggare",
    agency="kommun",
    comments: dict[str, str] | None = None,
    state="submitted",
) -> models.Response:
    """A response stored directly (item code → 1–5 or None for "vet ej"; codes left out are
    not answered), for tests that need many respondents but not the forms."""
    items = dict(
        session.execute(
            select(models.Item.code, models.Item.id).filter_by(
                questionnaire_id=rnd.questionnaire_id
            )
        ).all()
    )
    dims = dict(
        session.execute(
            select(models.Dimension.code, models.Dimension.id).filter_by(
                questionnaire_id=rnd.questionnaire_id
            )
        ).all()
    )
    response = models.Response(
        round_id=rnd.id,
        state=state,
        role=role,
        agency=agency,
        submitted_on=dt.date.today() if state == "submitted" else None,
    )
    response.answers = [models.Answer(item_id=items[c], value=v) for c, v in values.items()]
    response.comments = [
        models.Comment(dimension_id=dims[d], text=t) for d, t in (comments or {}).items()
    ]
    session.add(response)
    session.commit()
    return response

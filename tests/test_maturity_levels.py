"""Version 3 asks each dimension's level twice (now, in two years) on its level texts 1–5;
versions 1 and 2 still load and answer without it. The answers are stored like statements
(codes STRAT.NOW, STRAT.WANT) but never enter a dimension's score."""

from __future__ import annotations

import re

import pytest
from builders import close_and_publish, csrf_token, hidden_field, invite, make_round
from conftest import QUESTIONNAIRES
from sqlalchemy import select

from survey.db import models
from survey.instruments.loading import load_questionnaire, parse_questionnaire_text
from survey.instruments.questionnaire import QuestionnaireError
from survey.results import scoring

V3 = QUESTIONNAIRES / "integrerad-samverkan-v3.yaml"


def test_version_3_describes_every_level_and_asks_the_level_now_and_in_two_years():
    v2 = load_questionnaire(QUESTIONNAIRES / "integrerad-samverkan-v2.yaml")
    v3 = load_questionnaire(V3)
    assert v3.version == 3
    assert all([lv.point for lv in d.levels] == [1, 2, 3, 4, 5] for d in v3.dimensions)
    assert [i.code for i in v3.dimension("STRAT").level_items] == ["STRAT.NOW", "STRAT.WANT"]
    assert v3.level_question.want["sv"] == "Vilken nivå borde samverkan ha nått om två år?"
    # The statements are version 2's, so rounds of the two versions compare statement by
    # statement; the level questions are not statements.
    assert [i.code for i in v3.items()] == [i.code for i in v2.items()]
    assert v2.level_question is None and all(d.level_items == () for d in v2.dimensions)


BROKEN = [
    ('      2: {sv: "Enstaka insatser', '      9: {sv: "Enstaka insatser',
     ["dimensions[0].levels.9: not a point of the scale (1–5)",
      "dimensions[0].levels.2: the level question needs a description of every level 1–5"]),
    (', en: "Which level should the collaboration have reached in two years?"}', "}",
     ["level_question.want.en: missing text in language 'en'"]),
    ("  want: {sv:", "  later: {sv:",
     ["level_question.want: missing required field",
      "level_question.later: unknown field (allowed: now, want)"]),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "faults"), BROKEN)
def test_a_broken_level_question_is_refused_naming_file_place_and_fault(old, new, faults):
    text = V3.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire_text(text.replace(old, new, 1), "v3.yaml")
    for fault in faults:
        assert f"v3.yaml: {fault}" in str(caught.value)


def _first_page(client, token):
    start = client.get(f"/r/{token}")
    csrf = csrf_token(start.text)
    client.post(f"/r/{token}", data={"csrf_token": csrf, "role": "chef", "agency": "fk"})
    return client.get(f"/r/{token}/p/1"), csrf


def test_a_respondent_rates_the_level_now_and_wanted_and_it_is_stored_but_never_scored(
    app, client, db
):
    rnd = make_round(db, version=3)
    (token,) = invite(db, rnd)
    page, csrf = _first_page(client, token)
    assert "Vilken nivå beskriver bäst samverkan i ert samordningsförbund i dag?" in page.text
    assert "Vilken nivå borde samverkan ha nått om två år?" in page.text
    # Each level is a labelled radio with its description, and "vet ej" is an answer.
    assert '<label for="item-STRAT.NOW-2"><span class="point">Nivå 2</span> Enstaka' in page.text
    assert 'id="item-STRAT.WANT-dk" name="item-STRAT.WANT" value="dk"' in page.text

    bad = client.post(
        f"/r/{token}/p/1", data={"csrf_token": csrf, "nav": "next", "item-STRAT.WANT": "6"}
    )
    assert bad.status_code == 400
    assert "är inte ett värde på skalan" in bad.text or "not a value" in bad.text

    data = {"csrf_token": csrf, "nav": "next", "item-STRAT.NOW": "2", "item-STRAT.WANT": "4"}
    data.update({f"item-STRAT{n}": "1" for n in (1, 2, 3, 5, 6)})
    assert client.post(f"/r/{token}/p/1", data=data).status_code == 302
    again = client.get(f"/r/{token}/p/1")
    assert re.search(r'name="item-STRAT.WANT" value="4"\s+checked', again.text)
    summary = client.get(f"/r/{token}/summary")
    assert "Du har besvarat 5 av 43 påståenden." in summary.text

    receipt = hidden_field(summary.text, "receipt")
    sent = client.post(f"/r/{token}/submit", data={"csrf_token": csrf, "receipt": receipt})
    assert sent.status_code == 200
    stored = dict(
        db.execute(
            select(models.Item.code, models.Answer.value).join(
                models.Answer, models.Answer.item_id == models.Item.id
            )
        ).all()
    )
    assert stored["STRAT.NOW"] == 2 and stored["STRAT.WANT"] == 4
    # The score is the statements' mean, untouched by the level answers (2 and 4).
    close_and_publish(db, rnd)
    statements = load_questionnaire(V3).dimension("STRAT").items
    expected = [5 if item.reverse else 1 for item in statements]
    score = db.execute(scoring.respondent_scores().where(models.Dimension.code == "STRAT")).one()
    assert score.score == pytest.approx(sum(expected) / len(expected))
    assert score.n_items == len(statements)


def test_versions_1_and_2_ask_no_level(app, client, db):
    for slug, version in (("norrsund", 1), ("vasterby", 2)):
        rnd = make_round(db, slug=slug, version=version)
        (token,) = invite(db, rnd)
        page, _csrf = _first_page(client, token)
        assert page.status_code == 200
        assert "level-question" not in page.text and ".NOW" not in page.text

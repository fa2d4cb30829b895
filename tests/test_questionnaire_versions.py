"""Version 2 of the default instrument beside version 1: what a score means (levels per
dimension), role groups merged for reporting, and a trend across the two versions in which
dimensions compare and statements compare only where their meaning is unchanged."""

from __future__ import annotations

import io
import zipfile

import pyreadstat
import pytest
from board_html import tables
from builders import add_response, all_items, close_and_publish, make_round
from conftest import QUESTIONNAIRES
from exportdata import sheet_rows, workbook

from survey.instruments.loading import load_questionnaire, parse_questionnaire_text
from survey.instruments.questionnaire import QuestionnaireError

V1 = QUESTIONNAIRES / "integrerad-samverkan-v1.yaml"
V2 = QUESTIONNAIRES / "integrerad-samverkan-v2.yaml"


def test_version_2_describes_levels_merges_roles_and_maps_its_statements():
    v1, v2 = load_questionnaire(V1), load_questionnaire(V2)
    assert all(d.levels == () for d in v1.dimensions) and v1.report_groups == {}
    assert all([lv.point for lv in d.levels] == [1, 3, 5] for d in v2.dimensions)
    assert v2.scale.labels[1] == {"sv": "Stämmer inte alls", "en": "Not at all"}
    assert v2.question["sv"].startswith("Hur väl stämmer varje påstående in")
    roles = dict(v2.reporting_labels("role", "sv"))
    assert roles == {
        "medarbetare": "Medarbetare och andra roller",
        "chef": "Chef i första linjen",
        "styrning": "Styrning och ledning",
    }
    # Kept codes mean the same question; new codes say which statement they replace.
    old = {i.code for i in v1.items()}
    for item in v2.items():
        if item.code not in old:
            assert item.replaces is not None and item.replaces.meaning == "changed"
            assert item.replaces.item in old
    splits = {i.code: i.replaces.item for i in v2.items() if i.code not in old}
    assert splits == {
        "STRAT5": "STRAT4", "STRAT6": "STRAT4", "PROC5": "PROC4", "PROC6": "PROC4",
        "INFO5": "INFO1", "INFO6": "INFO1",
    }  # fmt: skip
    # One subject: no statement of version 2 speaks as "Vi".
    assert not [i.code for i in v2.items() if i.text["sv"].startswith("Vi ")]


@pytest.mark.parametrize(
    ("score", "level"), [(1.0, 1), (1.99, 1), (2.0, 1), (2.0000000000000004, 1), (2.01, 3),
                         (3.4, 3), (4.0, 3), (4.01, 5), (5.0, 5), (None, None)],
)  # fmt: skip
def test_a_score_gets_the_nearest_described_level_and_the_lower_one_on_a_tie(score, level):
    found = load_questionnaire(V2).dimension("STRAT").level_for(score)
    assert (found.point if found else None) == level


BROKEN = [
    ("    levels:\n      1:", "    levels:\n      7:",
     "dimensions[0].levels.7: not a point of the scale (1–5)"),
    ('      3: {sv: "Det finns en skriftlig', '      3: {se: "Det finns en skriftlig',
     "dimensions[0].levels.3.sv: missing text in language 'sv'"),
    ('choices: ["styrelse", "beredningsgrupp", "forbundskansli"]',
     'choices: ["styrelse", "kassör", "forbundskansli"]',
     "report_groups.role[1].choices[1]: 'kassör' is not a choice of 'role'"),
    ('choices: ["styrelse", "beredningsgrupp", "forbundskansli"]',
     'choices: ["styrelse", "handlaggare"]',
     "report_groups.role[1].choices[1]: 'handlaggare' is already in the group 'medarbetare'"),
    ("  role:\n    - code:", "  roll:\n    - code:",
     "report_groups.roll: not a background question of this file"),
    ('replaces: {item: "STRAT4", meaning: "changed"}',
     'replaces: {item: "STRAT4", meaning: "same"}',
     "dimensions[0].items[3].replaces.item: a statement whose meaning is unchanged keeps its code"),
    ('replaces: {item: "PROC1", meaning: "same"}', 'replaces: {item: "PROC1", meaning: "changed"}',
     "dimensions[3].items[0].replaces.meaning: a statement whose meaning changed needs a new code"),
    ('replaces: {item: "PROC2", meaning: "same"}', 'replaces: {item: "PROC2", meaning: "ungefär"}',
     "dimensions[3].items[1].replaces.meaning: must be one of same, changed, found 'ungefär'"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_a_malformed_level_group_or_replacement_names_file_place_and_fault(old, new, message):
    text = V2.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire_text(text.replace(old, new, 1), "v2.yaml")
    assert f"v2.yaml: {message}" in str(caught.value)


def test_a_file_without_levels_groups_or_question_still_loads():
    q = parse_questionnaire_text(V1.read_text(encoding="utf-8"), "v1.yaml")
    assert q.question == {} and q.group_of("role") == {}
    assert q.reporting_labels("role", "en")[0] == (
        "handlaggare",
        "Case worker / staff in a joint service",
    )


def same_answers(value):
    """Raw answers giving `value` on every statement after reverse coding."""
    return lambda item: 6 - value if item.reverse else value


def test_a_v1_and_a_v2_round_side_by_side(admin_client, db, tmp_path):
    before = make_round(db, label="2025", version=1)
    for _ in range(5):
        add_response(db, before, all_items(db, before, same_answers(3)))
    close_and_publish(db, before)
    now = make_round(db, label="2026", version=2)
    # 6 staff; board, preparatory group and office 2 + 2 + 1: each under k = 5 alone,
    # shown together as "Styrning och ledning".
    roles = ["handlaggare"] * 6 + ["styrelse"] * 2 + ["beredningsgrupp"] * 2 + ["forbundskansli"]
    for role in roles:
        add_response(db, now, all_items(db, now, same_answers(4)), role=role)
    close_and_publish(db, now)

    page = admin_client.get("/f/norrsund?round=2026")
    assert page.status_code == 200
    found = tables(page.text)
    trend = {row[0]: row[1:] for row in found["trend-table"][1:]}
    assert trend["Strategi och långsiktighet"] == ["3,00 (n = 5)", "4,00 (n = 11)"]
    # A mean of 4,00 lies exactly between the described levels 3 and 5: level 3.
    strat = found["dimension-table"][1][0]
    assert strat.startswith("Strategi och långsiktighet Närmast nivå 3: Det finns en skriftlig")
    header, *rows = found["roles-table"]
    assert header[1:3] == ["Medarbetare och andra roller", "Styrning och ledning"]
    assert rows[0][1:3] == ["4,00 (n = 6)", "4,00 (n = 5)"]
    assert "Styrelseledamot" not in page.text

    items = admin_client.get("/f/norrsund/items?round=2026&dimension=STRAT")
    rows = {row[0].split(" ")[0]: row for row in tables(items.text)["items-STRAT-table"][1:]}
    # Same code, same meaning: compared (every answer moved 3 → 4, so the interval is 0 wide).
    assert rows["STRAT1"][3] == "▲ +1,00 (+1,00 till +1,00)"
    assert rows["STRAT5"][3] == "–" and "ersätter STRAT4: jämförs inte" in rows["STRAT5"][0]
    assert "STRAT4" not in rows
    # The earlier round renders as it was asked: its scale and its statements.
    earlier = admin_client.get("/f/norrsund/items?round=2025&dimension=STRAT")
    assert "Instämmer helt" in earlier.text and "STRAT4" in earlier.text
    assert "Stämmer helt" not in earlier.text

    # The researcher's recoded file merges what is too rare alone into its report group,
    # not into "ovrig", and its codebook says what the group holds.
    wb = workbook(admin_client.get("/export/research.xlsx?round=2026").data)
    assert (
        sorted(row[4] for row in sheet_rows(wb, "Svar")[1:])
        == ["handlaggare"] * 6 + ["styrning"] * 5
    )
    role = next(row for row in sheet_rows(wb, "Kodbok") if row[1] == "roll")
    assert "styrning = Styrning och ledning (styrelse + beredningsgrupp + forbundskansli)" in (
        " ".join(str(cell) for cell in role)
    )
    # SPSS (and Stata, from the same labels) names the group, not a bare code.
    package = zipfile.ZipFile(io.BytesIO(admin_client.get("/export/research.zip?round=2026").data))
    package.extract("svar.sav", tmp_path)
    sav, meta = pyreadstat.read_sav(str(tmp_path / "svar.sav"))
    labels = meta.variable_value_labels["roll"]
    assert sorted(labels[code] for code in sav.roll) == (
        ["Handläggare / medarbetare i insats"] * 6 + ["Styrning och ledning"] * 5
    )

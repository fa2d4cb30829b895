"""The questionnaire loader: the default instrument loads, and every fault is named precisely.

Pure tests: no Flask app and no database, only YAML files in a temporary directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from survey.instruments.loading import load_questionnaire
from survey.instruments.questionnaire import Questionnaire, QuestionnaireError

DEFAULT_FILE = Path(__file__).parent.parent / "questionnaires" / "integrerad-samverkan-v1.yaml"
REVERSED_IN_DEFAULT = {"STRAT3", "PROC3", "TILL4", "INDV4"}


# --- builders -------------------------------------------------------------------------------


def _text(sv: str, en: str) -> dict[str, str]:
    return {"sv": sv, "en": en}


def minimal() -> dict[str, Any]:
    """A small valid questionnaire: 2 dimensions × 2 items, role and agency questions."""
    return {
        "key": "mini",
        "version": 1,
        "languages": ["sv", "en"],
        "title": _text("Liten enkät", "Small survey"),
        "scale": {
            "min": 1,
            "max": 5,
            "labels": {p: _text(f"Punkt {p}", f"Point {p}") for p in range(1, 6)},
            "dont_know": _text("Vet ej", "Don't know"),
        },
        "background": [
            {
                "code": "role",
                "text": _text("Roll?", "Role?"),
                "choices": [
                    {"code": "chef", "label": _text("Chef", "Manager")},
                    {"code": "annan", "label": _text("Annan", "Other")},
                ],
            },
            {
                "code": "agency",
                "text": _text("Part?", "Agency?"),
                "choices": [
                    {"code": "fk", "label": _text("Försäkringskassan", "Social Insurance")},
                    {"code": "kommun", "label": _text("Kommun", "Municipality")},
                ],
            },
        ],
        "dimensions": [
            {
                "code": "DIMA",
                "group": "cultural",
                "name": _text("Dimension A", "Dimension A"),
                "items": [
                    {"code": "A1", "text": _text("Påstående A1", "Statement A1")},
                    {"code": "A2", "text": _text("Påstående A2", "Statement A2")},
                ],
            },
            {
                "code": "DIMB",
                "group": "structural",
                "name": _text("Dimension B", "Dimension B"),
                "items": [
                    {"code": "B1", "text": _text("Påstående B1", "Statement B1")},
                    {"code": "B2", "text": _text("Påstående B2", "Statement B2"), "reverse": True},
                ],
            },
        ],
    }


def load(tmp_path: Path, content: dict[str, Any] | list[Any] | str | bytes) -> Questionnaire:
    """Write a dict/list (as YAML), text or bytes to tmp_path/q.yaml and load it."""
    path = tmp_path / "q.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(
            yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return load_questionnaire(path)


def load_error(tmp_path: Path, content: Any) -> str:
    """Load content that must be rejected; return the error message."""
    with pytest.raises(QuestionnaireError) as info:
        load(tmp_path, content)
    message = str(info.value)
    assert str(tmp_path / "q.yaml") in message
    return message


def assert_fault(message: str, tmp_path: Path, place: str, word: str) -> None:
    """One line of the message names the file, the place and (on that same line) the fault."""
    prefix = f"{tmp_path / 'q.yaml'}: {place}: "
    lines = [line for line in message.splitlines() if line.startswith(prefix)]
    assert lines, f"no fault reported at {place!r} in:\n{message}"
    assert any(word in line for line in lines), f"{word!r} not said about {place!r}:\n{message}"


# --- happy paths ----------------------------------------------------------------------------


def test_default_questionnaire_loads_with_its_full_content():
    q = load_questionnaire(DEFAULT_FILE)

    assert q.key == "integrerad-samverkan"
    assert len(q.dimensions) >= 8
    for dim in q.dimensions:
        assert 3 <= len(dim.items) <= 5, dim.code
    groups = {dim.group for dim in q.dimensions}
    assert {"cultural", "structural"} <= groups
    assert {item.code for item in q.items() if item.reverse} == REVERSED_IN_DEFAULT
    for item in q.items():
        assert item.text["sv"].strip() and item.text["en"].strip(), item.code
        assert item.text["sv"] != item.text["en"], item.code
    assert q.scale.points == [1, 2, 3, 4, 5]
    for point in q.scale.points:
        assert q.scale.labels[point]["sv"] and q.scale.labels[point]["en"]
    assert q.scale.dont_know == {"sv": "Vet ej", "en": "Don't know"}
    role, agency = q.background_question("role"), q.background_question("agency")
    assert role is not None and "handlaggare" in role.choice_codes()
    assert agency is not None and "kommun" in agency.choice_codes()


def test_minimal_questionnaire_round_trips(tmp_path):
    q = load(tmp_path, minimal())

    assert (q.key, q.version, q.languages) == ("mini", 1, ("sv", "en"))
    assert q.title == {"sv": "Liten enkät", "en": "Small survey"}
    assert q.intro == {}
    assert [d.code for d in q.dimensions] == ["DIMA", "DIMB"]
    assert [d.group for d in q.dimensions] == ["cultural", "structural"]
    assert [i.code for i in q.items()] == ["A1", "A2", "B1", "B2"]
    assert q.dimensions[0].items[1].text == {"sv": "Påstående A2", "en": "Statement A2"}
    assert [i.reverse for i in q.items()] == [False, False, False, True]
    assert q.scale.labels[3] == {"sv": "Punkt 3", "en": "Point 3"}
    assert q.scale.reverse(2) == 4
    assert q.scale.reverse(1) == 5
    agency = q.background_question("agency")
    assert agency is not None and agency.choice_codes() == {"fk", "kommun"}
    assert agency.choices[0].label["sv"] == "Försäkringskassan"
    assert q.background_question("years") is None
    assert q.raw == minimal()


# --- one fault at a time --------------------------------------------------------------------


def _delete_item_text(d):
    del d["dimensions"][1]["items"][0]["text"]


def _delete_item_english(d):
    del d["dimensions"][0]["items"][1]["text"]["en"]


def _duplicate_item_code(d):
    d["dimensions"][1]["items"][1]["code"] = "A1"


def _duplicate_dimension_code(d):
    d["dimensions"][1]["code"] = "DIMA"


def _unknown_group(d):
    d["dimensions"][1]["group"] = "kulturell"


def _delete_label_3(d):
    del d["scale"]["labels"][3]


def _scale_max_7(d):
    d["scale"]["max"] = 7


def _scale_min_0(d):
    d["scale"]["min"] = 0


def _reverse_yes_text(d):
    d["dimensions"][0]["items"][0]["reverse"] = "yes"


def _typo_items(d):
    d["dimensions"][0]["itmes"] = d["dimensions"][0].pop("items")


def _drop_agency(d):
    del d["background"][1]


def _duplicate_choice(d):
    d["background"][0]["choices"][1]["code"] = "chef"


def _version(value):
    def change(d):
        d["version"] = value

    change.__name__ = f"version_{type(value).__name__}_{value}"
    return change


def _no_dimensions(d):
    d["dimensions"] = []


@pytest.mark.parametrize(
    ("change", "place", "word"),
    [
        (_delete_item_text, "dimensions[1].items[0].text", "missing"),
        (_delete_item_english, "dimensions[0].items[1].text.en", "'en'"),
        (_duplicate_item_code, "dimensions[1].items[1].code", "duplicate item code 'A1'"),
        (_duplicate_dimension_code, "dimensions[1].code", "duplicate dimension code 'DIMA'"),
        (_unknown_group, "dimensions[1].group", "unknown group 'kulturell'"),
        (_delete_label_3, "scale.labels.3", "missing label"),
        (_scale_max_7, "scale", "min: 1 to max: 5"),
        (_scale_min_0, "scale", "min: 1 to max: 5"),
        (_reverse_yes_text, "dimensions[0].items[0].reverse", "must be true or false"),
        (_typo_items, "dimensions[0].itmes", "unknown field"),
        (_drop_agency, "background", "'agency'"),
        (_duplicate_choice, "background[0].choices[1].code", "duplicate choice code 'chef'"),
        (_version(0), "version", "whole number"),
        (_version("1"), "version", "whole number"),
        (_no_dimensions, "dimensions", "non-empty list"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_fault_is_reported_with_file_place_and_reason(tmp_path, change, place, word):
    data = minimal()
    change(data)
    message = load_error(tmp_path, data)
    assert_fault(message, tmp_path, place, word)


def test_version_given_as_quoted_text_is_rejected(tmp_path):
    # Written by hand so the quotes are certainly in the file.
    text = yaml.safe_dump(minimal(), allow_unicode=True).replace("version: 1", 'version: "1"')
    assert 'version: "1"' in text
    message = load_error(tmp_path, text)
    assert_fault(message, tmp_path, "version", "found '1'")


def test_reverse_written_as_quoted_yes_is_rejected(tmp_path):
    text = yaml.safe_dump(minimal(), allow_unicode=True, sort_keys=False)
    text = text.replace("    reverse: true", '    reverse: "yes"')
    assert 'reverse: "yes"' in text
    message = load_error(tmp_path, text)
    assert_fault(message, tmp_path, "dimensions[1].items[1].reverse", "must be true or false")


def test_unknown_field_names_the_typo_and_the_missing_field(tmp_path):
    data = minimal()
    _typo_items(data)
    message = load_error(tmp_path, data)
    assert_fault(message, tmp_path, "dimensions[0].itmes", "allowed: code, group, name, items")
    assert_fault(message, tmp_path, "dimensions[0].items", "missing required field")


# --- files that are not questionnaires at all -----------------------------------------------


def _file_with_line_3(line: str) -> str:
    """The minimal questionnaire as YAML text with `line` inserted as line 3 of the file."""
    lines = yaml.safe_dump(minimal(), allow_unicode=True, sort_keys=False).splitlines()
    lines.insert(2, line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("title: sv: x", "mapping values are not allowed here"),
        ("\tkey: x", "cannot start any token"),
    ],
    ids=["colon-in-value", "tab-indent"],
)
def test_yaml_syntax_error_names_the_line(tmp_path, line, reason):
    message = load_error(tmp_path, _file_with_line_3(line))
    assert message.startswith(f"{tmp_path / 'q.yaml'}: line 3, column ")
    assert "YAML syntax error" in message and reason in message
    assert len(message.splitlines()) == 1


@pytest.mark.parametrize("where", ["middle", "last-line"])
def test_unclosed_bracket_names_the_line_it_is_on(tmp_path, where):
    if where == "middle":
        text = _file_with_line_3("key: [unclosed")
    else:
        text = "title: {sv: a, en: b}\nversion: 1\nkey: [unclosed\n"
    message = load_error(tmp_path, text)
    assert "YAML syntax error" in message
    assert f"{tmp_path / 'q.yaml'}: line 3, column " in message


def test_file_that_is_a_list_is_rejected(tmp_path):
    message = load_error(tmp_path, [minimal()])
    assert f"{tmp_path / 'q.yaml'}: must be a mapping of fields, found a list" in message


def test_empty_file_is_rejected(tmp_path):
    message = load_error(tmp_path, "")
    assert "must be a mapping of fields, found nothing" in message


def test_file_that_is_not_utf8_is_rejected(tmp_path):
    message = load_error(tmp_path, b"\xff\xfek\x00e\x00y\x00:\x00 \x00m\x00i\x00")
    assert f"{tmp_path / 'q.yaml'}: line 1: the file is not UTF-8 text" in message


def test_latin1_file_with_swedish_letters_is_rejected(tmp_path):
    text = yaml.safe_dump(minimal(), allow_unicode=True)
    message = load_error(tmp_path, text.encode("latin-1"))
    assert "not UTF-8" in message


def test_missing_file_is_reported(tmp_path):
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert str(info.value) == f"{path}: cannot read the file (No such file or directory)"


# --- all faults at once ---------------------------------------------------------------------


def test_several_faults_are_all_reported_at_once(tmp_path):
    data = minimal()
    _delete_item_english(data)
    _unknown_group(data)
    _delete_label_3(data)
    _version(0)(data)
    message = load_error(tmp_path, data)
    assert_fault(message, tmp_path, "dimensions[0].items[1].text.en", "'en'")
    assert_fault(message, tmp_path, "dimensions[1].group", "unknown group")
    assert_fault(message, tmp_path, "scale.labels.3", "missing label")
    assert_fault(message, tmp_path, "version", "whole number")
    assert len(message.splitlines()) == 4


def test_error_keeps_the_problems_as_data(tmp_path):
    data = minimal()
    _duplicate_dimension_code(data)
    with pytest.raises(QuestionnaireError) as info:
        load(tmp_path, data)
    assert info.value.source == str(tmp_path / "q.yaml")
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("dimensions[1].code", "duplicate dimension code 'DIMA'")
    ]


def test_code_with_a_trailing_newline_is_rejected(tmp_path):
    data = minimal()
    data["dimensions"][0]["items"][0]["code"] = "A1\n"
    message = load_error(tmp_path, data)
    assert f"{tmp_path / 'q.yaml'}: dimensions[0].items[0].code: must be upper-case" in message


def test_a_key_given_twice_is_reported_with_its_line(tmp_path):
    text = "key: demo\nversion: 1\nkey: other\n"
    message = load_error(tmp_path, text)
    assert "line 1" in message and "the key 'key' is given twice" in message


def test_a_non_ascii_digit_label_is_a_fault_not_a_crash(tmp_path):
    data = minimal()
    data["scale"]["labels"]["²"] = {"sv": "x", "en": "x"}
    message = load_error(tmp_path, data)
    assert "scale.labels.²: not a point of the scale" in message


def test_an_empty_list_is_called_empty_and_a_missing_code_is_not_a_duplicate(tmp_path):
    data = minimal()
    data["dimensions"][0]["items"] = []
    for dim in data["dimensions"]:
        dim.pop("code")
    message = load_error(tmp_path, data)
    assert "dimensions[0].items: must be a non-empty list, found an empty list" in message
    assert "duplicate" not in message
    assert message.count("dimensions[1].code") == 1

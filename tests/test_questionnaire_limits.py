"""Hostile questionnaire files are refused fast, with the file, the place and the fault:
an alias bomb ("billion laughs"), deep nesting, an oversize file, an anchor. Through the
loader's public functions (a path, or an upload's bytes) and through `survey
load-questionnaire`; nothing is stored."""

from __future__ import annotations

import tracemalloc

import pytest
from conftest import QUESTIONNAIRES
from sqlalchemy import func, select

from survey.db import models
from survey.instruments import services
from survey.instruments.loading import load_questionnaire, parse_questionnaire_bytes
from survey.instruments.questionnaire import QuestionnaireError
from survey.instruments.yaml_reading import MAX_DEPTH, MAX_FILE_BYTES

DEFAULT = (QUESTIONNAIRES / "integrerad-samverkan-v1.yaml").read_text(encoding="utf-8")


def billion_laughs() -> str:
    """Ten levels of nine aliases each: 10⁹ strings once expanded, in about 14 kB (the real
    questionnaire's own text makes up the size, as in the reported file)."""
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, 10):
        refs = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    bomb = "\n".join(lines) + "\n"
    return DEFAULT.replace("key: ", bomb + "key: ", 1)


DEEP_LISTS = "key: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_MAPPINGS = "key: " + "{a: " * 5000 + "}" * 5000 + "\n"
ANCHOR_ONLY = DEFAULT.replace("version: 1", "version: &v 1", 1)
OVERSIZE = DEFAULT + "#" * (MAX_FILE_BYTES - len(DEFAULT.encode()) + 10) + "\n"

#: name: (content, the fault's place, words of the fault)
HOSTILE = {
    "billion-laughs": (billion_laughs(), "line 1, column 7", "the anchor &lol0 is not allowed"),
    "deep-lists": (DEEP_LISTS, f"line 1, column {6 + MAX_DEPTH - 1}", "nested too deeply"),
    "deep-mappings": (
        DEEP_MAPPINGS,
        f"line 1, column {6 + 4 * (MAX_DEPTH - 1)}",
        "nested too deeply",
    ),
    "anchor-only": (ANCHOR_ONLY, "line 2, column 10", "the anchor &v is not allowed"),
    # the line where the limit is crossed: the long comment after the questionnaire
    "oversize": (
        OVERSIZE,
        f"line {DEFAULT.count(chr(10)) + 1}:",
        "too large: 257 kB, at most 256 kB",
    ),
}


def refusal(content: str, name: str = "q.yaml") -> str:
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire_bytes(content.encode("utf-8"), name)
    return str(info.value)


def test_the_billion_laughs_file_is_refused_at_once_with_flat_memory():
    content = billion_laughs()
    assert 13_000 < len(content.encode()) < 16_000
    tracemalloc.start()
    message = refusal(content, "laughs.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert message.startswith("laughs.yaml: line 1, column 7: the anchor &lol0 is not allowed")
    assert peak < 5_000_000, peak  # a few hundred kB: nothing was expanded


def test_an_alias_alone_is_refused_where_it_stands():
    # No anchor needed to name the fault: an alias to nothing is refused as an alias.
    message = refusal(DEFAULT.replace("version: 1", "version: *v", 1))
    assert message == "q.yaml: line 2, column 10: the alias *v is not allowed: a " + (
        "questionnaire file writes every value out (aliases can blow a small file up to gigabytes)"
    )


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_with_file_place_and_fault(name, tmp_path):
    content, place, words = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    (line,) = str(info.value).splitlines()
    assert line.startswith(f"{path}: {place}"), line
    assert words in line


def test_a_deep_but_reasonable_nesting_is_not_a_fault():
    """The real questionnaire nests six deep, far below the limit."""
    assert parse_questionnaire_bytes(DEFAULT.encode(), "q.yaml").key == "integrerad-samverkan"
    nested = DEFAULT.replace("key: ", "intro: " + "[" * (MAX_DEPTH - 1), 1)
    message = refusal(nested)
    assert "nested too deeply" not in message  # a syntax error, not the depth limit


def test_a_number_too_long_for_python_is_a_fault_not_a_crash():
    message = refusal(DEFAULT.replace("version: 1", "version: " + "9" * 5000, 1))
    assert message == "q.yaml: line 2, column 10: the number is too long"


def test_an_upload_is_checked_by_the_same_gate_and_stores_nothing(db):
    before = db.scalar(select(func.count()).select_from(models.Questionnaire))
    with pytest.raises(QuestionnaireError, match="upload.yaml: line 1, column 7: the anchor"):
        services.load_bytes(db, billion_laughs().encode(), "upload.yaml", actor="t@test.invalid")
    assert db.scalar(select(func.count()).select_from(models.Questionnaire)) == before
    row, created, _ = services.load_bytes(
        db, DEFAULT.replace("version: 1", "version: 9", 1).encode(), "v9.yaml"
    )
    assert (row.version, created) == (9, True)


def test_load_questionnaire_command_refuses_hostile_files(runner, db, tmp_path):
    loaded = db.scalar(select(func.count()).select_from(models.Questionnaire))
    for name, (content, place, words) in HOSTILE.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(content, encoding="utf-8")
        result = runner.invoke(args=["load-questionnaire", str(path)])
        assert result.exit_code == 1, result.output
        assert f"Error: {path}: {place}" in result.output and words in result.output, name
        assert "Traceback" not in result.output
    assert db.scalar(select(func.count()).select_from(models.Questionnaire)) == loaded

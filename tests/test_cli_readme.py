"""The README's round steps run as written on a fresh machine, and every command on a
database without tables says what to run instead of printing a traceback."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import QUESTIONNAIRES, ROOT, make_app

README = ROOT / "docs" / "design.md"  # the round steps moved from the README with the docs split
SURVEY = Path(sys.executable).parent / "survey"


def round_steps() -> list[list[str]]:
    """The commands of the first sh block under "## Rounds, invitations and answering"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Rounds, invitations and answering\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    script = block.replace("\\\n", " ")  # continuation lines, as the shell joins them
    return [words for line in script.splitlines() if (words := shlex.split(line, comments=True))]


@pytest.mark.slow
def test_the_readme_round_steps_run_as_written_on_a_fresh_machine(tmp_path):
    steps = round_steps()
    assert steps[0] == ["survey", "init"]
    assert all(step[0] == "survey" for step in steps)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(
        SURVEY_INSTANCE_PATH=str(tmp_path / "instance"), QUESTIONNAIRE_DIR=str(QUESTIONNAIRES)
    )
    for step in steps:
        result = subprocess.run(
            [str(SURVEY), *step[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"{shlex.join(step)}:\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
    assert len((tmp_path / "links.csv").read_text(encoding="utf-8-sig").splitlines()) == 41


#: Every command that reads or writes the database, as an administrator might run it first.
COMMANDS = [
    ["forbund", "add", "norrsund", "Norrsund samordningsförbund"],
    ["forbund", "list"],
    ["round", "create", "--forbund", "norrsund", "--label", "2026"],
    ["round", "open", "norrsund/2026"],
    ["round", "close", "norrsund/2026"],
    ["round", "publish", "norrsund/2026"],
    ["round", "list"],
    ["invite", "--round", "norrsund/2026", "--count", "3"],
    ["purge-drafts", "--older-than", "30", "--yes"],
    ["export", "--kind", "research", "--out", "data.csv"],
    ["user", "add", "--email", "anna@norrsund.se", "--role", "system_admin"],
    ["user", "list"],
]


@pytest.fixture
def empty_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    yield app
    app.extensions["survey_engine"].dispose()


def test_every_command_on_a_database_without_tables_says_run_survey_init(empty_app, tmp_path):
    runner = empty_app.test_cli_runner()
    for command in COMMANDS:
        result = runner.invoke(args=command)
        assert result.exit_code == 1, (command, result.output)
        assert result.output == (
            "Error: the database has no tables yet: run `survey init` first (it creates "
            "them and loads the questionnaires)\n"
        ), command
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "data.csv").exists()
    # and once it is made, the same commands work
    assert runner.invoke(args=["init"]).exit_code == 0
    assert runner.invoke(args=COMMANDS[0]).exit_code == 0

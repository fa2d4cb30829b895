"""The README and docs/ say what is: every path they name exists, every `survey …` command
they show parses against the command line as it is, every link between them lands on a
heading; and the Swedish guide is the app's help pages, reached from every page's footer."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import quote

import click
import pytest
from conftest import ROOT, make_app

from survey.web.info import help as help_pages

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: A backticked path into the tree: `survey/…`, `tests/…`, `deploy/…`, `docs/…` …
PATH = re.compile(r"`((?:survey|tests|deploy|docs|bench|scripts|migrations)/[^`\s]*)`")
#: What a path may carry that is not part of it: a placeholder, a glob, a line number.
NOT_LITERAL = re.compile(r"[<>*…{}]|\.\.\.")


def _paths() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for match in PATH.finditer(doc.read_text(encoding="utf-8")):
            path = match.group(1).split(":")[0].rstrip(".,;)")
            if not NOT_LITERAL.search(path):
                found.append((doc.name, path))
    return found


def test_every_path_the_docs_name_exists():
    paths = _paths()
    assert len(paths) > 50  # the docs do name the tree
    missing = [(doc, path) for doc, path in paths if not (ROOT / path).exists()]
    assert missing == []


def _commands() -> list[tuple[str, list[str]]]:
    """`survey …` lines of the docs' shell blocks, and inline commands without […] or <…>:
    each must name a command and options that exist (values may be placeholders)."""
    commands = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, re.S)
        lines = [ln for b in blocks for ln in b.replace("\\\n", " ").splitlines()]
        lines += re.findall(r"`(survey [^`]+)`", text)
        for line in lines:
            for part in re.split(r"&&|;|\|\|", line):
                part = part.strip().removeprefix("$ ")
                if part.startswith("survey ") and not re.search(r"[\[\]<>|…]", part):
                    commands.append((doc.name, shlex.split(part, comments=True)))
    return commands


def test_every_survey_command_in_the_docs_parses_against_the_cli(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'docs.db'}", tmp_path)
    commands = _commands()
    assert len(commands) > 20
    wrong = []
    for doc, words in commands:
        command: click.Command = app.cli
        args = words[1:]
        while isinstance(command, click.Group) and args and not args[0].startswith("-"):
            sub = command.get_command(click.Context(command), args[0])
            if sub is None:
                break
            command, args = sub, args[1:]
        if isinstance(command, click.Group):
            wrong.append((doc, shlex.join(words), "no such command"))
            continue
        try:
            command.make_context(shlex.join(words), list(args))
        except click.exceptions.Exit:
            pass  # --help
        except (click.MissingParameter, click.BadParameter, click.BadOptionUsage):
            pass  # a fragment in running text, or a placeholder (N, FILE) for a value
        except click.UsageError as exc:  # no such command or option, an extra argument
            wrong.append((doc, shlex.join(words), exc.format_message()))
    assert wrong == []


def _anchors(doc: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", doc.read_text(encoding="utf-8"), flags=re.S)
    return {help_pages.slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def test_every_link_between_the_docs_lands_on_a_heading():
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file, _, anchor = target.partition("#")
            linked = (doc.parent / file).resolve() if file else doc
            if not linked.exists():
                broken.append((doc.name, target))
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append((doc.name, target))
    assert broken == []


def test_the_readme_fits_on_two_screens():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 80


def test_the_docs_describe_what_is_not_how_it_came_to_be():
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert not re.search(r"Done \(issues? \d", text), doc.name


@pytest.fixture
def client(app):
    return app.test_client()


def test_the_guide_is_the_apps_help_pages_reached_from_the_footer(client):
    front = client.get("/")
    assert '<a href="/help">Hjälp</a>' in front.text
    contents = client.get("/help")
    assert contents.status_code == 200
    assert "<h1>Guide för förbund och styrelser</h1>" in contents.text
    guide = help_pages.guide()
    assert guide is not None and len(guide.sections) >= 4
    for section in guide.sections:
        assert f'href="/help/{quote(section.slug)}"' in contents.text
        page = client.get(f"/help/{section.slug}")
        assert page.status_code == 200
        assert f'<h1 id="{section.slug}">{section.title}</h1>' in page.text
    board = client.get("/help/för-styrelse-och-beredningsgrupp")
    assert "Riksreferens" in board.text and "<h2" in board.text
    english = client.get("/help?lang=en")
    assert "The guide is in Swedish." in english.text and 'lang="sv"' in english.text
    assert client.get("/help/finns-inte").status_code == 404


def test_html_in_the_guide_is_shown_as_text(tmp_path):
    source = tmp_path / "guide.sv.md"
    source.write_text("# Guide\n\n## Del\n\n<script>alert(1)</script> *ok*\n", encoding="utf-8")
    guide = help_pages.guide(source)
    assert "<script>" not in guide.sections[0].html
    assert "&lt;script&gt;" in guide.sections[0].html and "<em>ok</em>" in guide.sections[0].html

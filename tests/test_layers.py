"""The architecture holds: the core never imports Flask or the shells, and capability
packages depend only downward (errors and settings at the bottom, the shells on top)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SURVEY = Path(__file__).resolve().parent.parent / "survey"

#: Lowest first; a package may import its own rank and those below.
LAYERS = [
    {"errors", "settings", "i18n", "disclosure"},
    {"db"},
    {"instruments"},
    {"rounds"},
    {"mail"},
    {"accounts"},
    {"answering"},
    {"results"},
    {"exports"},
    {"demo"},
    {"web", "cli"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
SHELLS = {"web", "cli"}
WEB_FRAMEWORKS = ("flask", "flask_babel", "flask_wtf", "werkzeug", "click")


def _modules() -> list[Path]:
    return [p for p in SURVEY.rglob("*.py") if p != SURVEY / "__init__.py"]


def _package(path: Path) -> str:
    first = path.relative_to(SURVEY).parts[0]
    return first.removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports would hide the layer they reach into
                found.add("." * node.level + (node.module or ""))
            else:
                found.add(node.module or "")
    return found


def test_every_package_has_a_layer():
    assert {_package(p) for p in _modules()} <= set(RANK)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SURVEY)))
def test_imports_go_downward_and_the_core_never_imports_flask(path):
    own = _package(path)
    for name in _imports(path):
        assert not name.startswith("."), f"{path.name}: use absolute imports ({name})"
        top = name.split(".")[0]
        if own not in SHELLS:
            assert top not in WEB_FRAMEWORKS, f"{path}: the core imports {name}"
        if top != "survey" or name == "survey":
            continue
        target = name.split(".")[1]
        assert RANK[target] <= RANK[own], f"{path}: {own} may not import {name}"
        if own in SHELLS:
            assert target == own or target not in SHELLS, f"{path}: {own} imports {name}"

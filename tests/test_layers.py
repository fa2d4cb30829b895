"""The architecture holds: the core never imports Flask or the shells, capability packages
depend only downward (errors, settings and disclosure at the bottom), the service tier sits
above every capability package (none imports it) and the shells (web, cli) on top."""

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
    {"federation"},
    {"answering"},
    {"results"},
    {"maturity"},
    {"exports"},
    {"demo"},
    #: The service tier: use cases that span the capability packages above.
    {"services"},
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


def test_only_the_shells_use_the_service_tier():
    for path in _modules():
        own = _package(path)
        if own in SHELLS or own == "services":
            continue
        reached = {name for name in _imports(path) if name.startswith("survey.services")}
        assert not reached, f"{path}: a capability package imports the tier ({reached})"


WEB = SURVEY / "web"
#: The blueprints: one package each under survey/web. They share survey.web.shell (and the
#: other modules beside it), never each other, nor survey.web itself (which registers them).
BLUEPRINTS = {p.name for p in WEB.iterdir() if (p / "__init__.py").is_file()}


def _web_target(name: str) -> str | None:
    """The blueprint or shell module an import reaches in survey.web, or None."""
    parts = name.split(".")
    if parts[:2] != ["survey", "web"]:
        return None
    return parts[2] if len(parts) > 2 else ""


def _web_imports(path: Path) -> set[str]:
    """Imports into survey.web, with `from survey.web import x` resolved to survey.web.x
    when x is a module or package there (else it reaches the package itself)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("survey.web"))
        elif isinstance(node, ast.ImportFrom) and node.module == "survey.web":
            for alias in node.names:
                module = WEB / alias.name
                exists = module.with_suffix(".py").is_file() or (module / "__init__.py").is_file()
                found.add(f"survey.web.{alias.name}" if exists else "survey.web")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("survey.web"):
            found.add(node.module or "")
    return found


def _blueprint_rule(path: Path, parts: tuple[str, ...]) -> None:
    own = parts[0] if len(parts) > 1 else None  # the blueprint it is in, if any
    for name in _web_imports(path):
        target = _web_target(name)
        if own is not None:
            assert target != "", f"{path}: a blueprint imports survey.web (use survey.web.shell)"
            assert target == own or target not in BLUEPRINTS, f"{path}: {own} imports {name}"
        elif parts != ("__init__.py",):  # only the package registers the blueprints
            assert target not in BLUEPRINTS, f"{path}: the shell imports the blueprint {name}"


@pytest.mark.parametrize(
    "path", sorted(WEB.rglob("*.py")), ids=lambda p: str(p.relative_to(SURVEY))
)
def test_blueprints_share_the_shell_and_never_import_each_other(path):
    _blueprint_rule(path, path.relative_to(WEB).parts)


def test_the_blueprint_rule_catches_a_blueprint_importing_another(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from survey.web.respond.messages import problem_messages\n")
    with pytest.raises(AssertionError, match="admin imports survey.web.respond"):
        _blueprint_rule(sneaky, ("admin", "sneaky.py"))
    sneaky.write_text("from survey.web import db\n")
    with pytest.raises(AssertionError, match="a blueprint imports survey.web"):
        _blueprint_rule(sneaky, ("admin", "sneaky.py"))

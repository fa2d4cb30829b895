"""The help pages: docs/guide.sv.md (the Swedish guide for förbund administrators and
boards) rendered on the server with markdown-it-py, one page per top-level section.

CommonMark with tables; HTML in the Markdown is shown as text, never passed through; every
heading gets an id (its words, as GitHub makes them) so the guide's own links and a table
of contents work. The guide is read once per process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt

#: The guide, beside the package in the source tree (docs/ is not installed as package data:
#: the help pages answer 404 where it is absent).
GUIDE = Path(__file__).resolve().parents[3] / "docs" / "guide.sv.md"


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    html: str


@dataclass(frozen=True)
class Guide:
    title: str
    intro: str  # the HTML before the first section
    sections: list[Section]

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)


def slug(text: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as -."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def heading_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("id", slug(tokens[idx + 1].content))
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("heading_open", heading_open)
    return md


@cache
def guide(path: Path = GUIDE) -> Guide | None:
    """The guide split at its `## ` headings; None where the file is not there."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    md = _renderer()
    title_line, _, rest = text.partition("\n")
    parts = re.split(r"^## (.+)$", rest, flags=re.M)
    sections = [
        Section(slug(heading), heading.strip(), md.render(f"# {heading}\n{_raised(body)}"))
        for heading, body in zip(parts[1::2], parts[2::2], strict=True)
    ]
    return Guide(title_line.lstrip("# ").strip(), md.render(parts[0]), sections)


def _raised(body: str) -> str:
    """A section's subheadings one level up: on its own page the section is the h1."""
    return re.sub(r"^#(#{2,5}) ", r"\1 ", body, flags=re.M)

"""Keep the Swedish UI catalogue in step with the code.

    python scripts/translations.py         # extract, merge into sv .po, compile .mo
    python scripts/translations.py --check # fail if a string lacks Swedish or .mo is stale

msgids are English; Swedish (the default UI language) is a translation like any other,
so a third language is one more catalogue, not a rewrite.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "survey" / "translations" / "sv" / "LC_MESSAGES"
#: Flask-Babel's `_`/`gettext` on the pages, and survey.i18n's for the figures and exports
#: (`translate(lang, msgid)`, `translate_in_context(lang, context, msgid)`).
KEYWORDS = (
    "_",
    "gettext",
    "translate:2",
    "translate_in_context:2c,3",
    "N_",
    "in_all_languages",
)


def run(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def compiled(po_path: Path) -> bytes:
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def messages(catalog) -> dict[tuple[str, str], str]:
    """(context, msgid) → translation: what the app looks up, without the header that
    differs between Babel releases (its version, the creation date)."""

    def text(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
        # Plurals: a .po gives tuples, a .mo lists.
        return value if isinstance(value, str) else tuple(value)

    return {(m.context or "", text(m.id)): text(m.string) for m in catalog if m.id}


def stale_mo(po_path: Path, mo_path: Path) -> bool:
    if not mo_path.exists():
        return True
    with po_path.open("rb") as po_fh, mo_path.open("rb") as mo_fh:
        return messages(read_po(po_fh)) != messages(read_mo(mo_fh))


def untranslated(po_path: Path) -> list[str]:
    with po_path.open("rb") as fh:
        return [m.id for m in read_po(fh) if m.id and (not m.string or m.fuzzy)]


def main() -> int:
    po, mo = CATALOGUE / "messages.po", CATALOGUE / "messages.mo"
    pot = ROOT / "build" / "messages.pot"
    pot.parent.mkdir(exist_ok=True)
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    # No line numbers and a stable order: the catalogue changes only where a text does, so
    # two branches that each add a string do not conflict over every location comment.
    run(
        "extract",
        "-F",
        "babel.cfg",
        *keywords,
        "--no-location",
        "--sort-output",
        "-o",
        str(pot),
        "survey",
    )
    if "--check" in sys.argv:
        # By context too: a msgid translated one way on the pages and another way as a
        # column heading is two entries, and either may be missing.
        with pot.open("rb") as fh:
            in_code = {(m.context or "", m.id) for m in read_po(fh) if m.id}
        with po.open("rb") as fh:
            in_catalogue = {(m.context or "", m.id) for m in read_po(fh) if m.id}
        missing = [msgid for _context, msgid in sorted(in_code - in_catalogue)]
        missing += untranslated(po)
        for msgid in missing:
            print(f"no Swedish for: {msgid!r}")
        stale = stale_mo(po, mo)
        if stale:
            print(f"{mo} is out of date: run python scripts/translations.py")
        return 1 if missing or stale else 0
    run("update", "-i", str(pot), "-d", "survey/translations", "-l", "sv", "--no-fuzzy-matching")
    mo.write_bytes(compiled(po))
    for msgid in untranslated(po):
        print(f"no Swedish yet for: {msgid!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Our own words in the user's language, from the same catalogue as the web pages, without
Flask: the figures, the Excel exports and the CLI translate with an explicit language.

msgids are English, so English needs no catalogue; any other language reads its compiled
catalogue in survey/translations (kept complete by `python scripts/translations.py`).
Placeholders are %(name)s, as in the rest of the catalogue. The strings are found by
`pybabel extract` through the keywords `translate`, `translate_in_context`, `N_` and
`in_all_languages` (see scripts/translations.py), so they must be literals in those calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("sv", "en")
DEFAULT = "sv"
SOURCE = "en"  # the language of the msgids
CATALOGUES = Path(__file__).parent / "translations"


@cache
def _catalogue(lang: str) -> NullTranslations:
    if lang == SOURCE:
        return NullTranslations()
    return Translations.load(str(CATALOGUES), [lang], domain="messages")


def _supported(lang: str) -> str:
    # An unknown language gets the default, as the pages do, and never a fresh cache entry.
    return lang if lang in LANGUAGES else DEFAULT


def _filled(text: str, values: Mapping[str, object]) -> str:
    # Only with values, as gettext does: a message without placeholders may hold a bare "%".
    return text % values if values else text


def translate(lang: str, message: str, /, **values: object) -> str:
    """`message` (an English msgid) in `lang`, with its %(name)s placeholders filled in."""
    return _filled(_catalogue(_supported(lang)).gettext(message), values)


def translate_in_context(lang: str, context: str, message: str, /, **values: object) -> str:
    """As `translate`, for a msgid that needs another translation in this context than
    elsewhere (msgctxt), e.g. a short column heading."""
    return _filled(_catalogue(_supported(lang)).pgettext(context, message), values)


def N_(message: str) -> str:  # the gettext name for "mark only"
    """Marks a msgid for extraction where it is defined; `translate` it where it is used."""
    return message


class _InAllLanguages(Mapping[str, str]):
    """A message as a language → text map, like the questionnaire's texts; translated on
    lookup, so a module-level constant does not read a catalogue at import."""

    def __init__(self, message: str, values: Mapping[str, object]) -> None:
        self._message, self._values = message, values

    def __getitem__(self, lang: str) -> str:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return translate(lang, self._message, **self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)

    def __repr__(self) -> str:
        return f"in_all_languages({self._message!r})"


def in_all_languages(message: str, /, **values: object) -> Mapping[str, str]:
    """`message` in every UI language, for files that hold them side by side (the codebook)."""
    return _InAllLanguages(message, values)

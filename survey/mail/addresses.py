"""Lists of e-mail addresses as an administrator pastes or uploads them: one or more per
line (separated by commas, semicolons or tabs), each as Outlook copies it ("Name <address>",
"'Berg, Anna' <address>") or as Excel columns give it (name, address, language in any
order, with tabs, semicolons or spaces between), optionally a language code ("sv" or "en")
anywhere on the line. Words without an "@" on a line that has an address are its name.
Every line is checked; the faults are reported with their line numbers, and duplicates are
told apart from faults."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: What one list may hold: a förbund has hundreds of staff, not tens of thousands.
MAX_ADDRESSES = 5000
#: An uploaded file's size limit (bytes); far more than MAX_ADDRESSES lines need.
MAX_FILE_BYTES = 256 * 1024
MAX_LENGTH = 254  # RFC 5321's path limit less the brackets
MAX_LOCAL = 64
LANGUAGES = ("sv", "en")

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}$")
_SEPARATORS = re.compile(r"[,;\t]")


@dataclass(frozen=True)
class Problem:
    """A line that cannot be used. `reason`: not_address, not_ascii, too_long."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Entry:
    line: int
    address: str
    language: str


@dataclass
class AddressList:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Addresses given twice in the list: (line, address), the later lines.
    repeated: list[tuple[int, str]] = field(default_factory=list)
    #: A first line of an uploaded file without any "@", taken as a heading.
    heading_skipped: bool = False


def fault(address: str) -> str | None:
    """Why `address` cannot be mailed, or None. Practical rules rather than the whole of
    RFC 5322 (quoted local parts, IP literals), which no one types in a list."""
    if not address.isascii():
        return "not_ascii"
    if len(address) > MAX_LENGTH:
        return "too_long"
    local, at, domain = address.rpartition("@")
    if not at or not local or len(local) > MAX_LOCAL:
        return "not_address"
    if not _LOCAL.match(local) or not _DOMAIN.match(domain):
        return "not_address"
    return None


def decode(data: bytes) -> str:
    """An uploaded file's text: UTF-8 (with or without BOM), else Windows-1252, which is
    what Excel on Windows writes for "CSV"."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse(text: str, language: str, *, uploaded: bool = False) -> AddressList:
    """Every address in `text`, lower-cased, in the line's language (else `language`)."""
    result = AddressList()
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        items = [item.strip() for item in _SEPARATORS.split(raw) if item.strip()]
        if not items:
            continue
        if number == 1 and uploaded and "@" not in raw:
            result.heading_skipped = True
            continue
        found = [_address_of(item) for item in items]
        words = [w.lower() for item in items for w in _BRACKETS.sub(" ", item).split()]
        line_language = next((w for w in words if w in LANGUAGES), language)
        candidates = [(item, a) for item, a in zip(items, found, strict=True) if a is not None]
        if not candidates:  # no "@" anywhere on the line: not an address, said as such
            candidates = [(raw.strip(), raw.strip())]
        for item, address in candidates:
            _add(result, seen, number, item, address.lower(), line_language)
    return result


_BRACKETS = re.compile(r"<[^<>]*>")


def _address_of(item: str) -> str | None:
    """The address in one item: in brackets ("Anna Berg <anna@x.se> en"), else the word
    with an "@" ("anna@x.se sv", "mailto:anna@x.se"); None for a name or a language."""
    bracketed = _BRACKETS.search(item)
    if bracketed:
        return bracketed.group(0)[1:-1].strip()
    for word in item.split():
        if "@" in word:
            return word.strip("'\"()").removeprefix("mailto:")
    return None


def _add(
    result: AddressList, seen: set[str], number: int, item: str, address: str, language: str
) -> None:
    reason = fault(address)
    if reason is not None:
        result.problems.append(Problem(number, item[:100], reason))
    elif address in seen:
        result.repeated.append((number, address))
    else:
        seen.add(address)
        result.entries.append(Entry(number, address, language))

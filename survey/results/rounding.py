"""How figures are rounded and compared, one rule for pages, charts and exports.

Binary floats carry noise: a mean of exactly 2.625 may arrive as 2.6249999999999996, and
2.0 as 1.9999999999999998. So a value is first cut to 12 significant digits (far beyond
what a mean of 1–5 scores means, far above the noise), then rounded half away from zero
(2.625 → 2.63, −2.625 → −2.63), and two figures count as equal within `TOLERANCE`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from survey.i18n import translate
from survey.results.uncertainty import Difference

T = TypeVar("T")

#: Two means closer than this are the same figure (a tie).
TOLERANCE = 1e-9
_SIGNIFICANT = 12


def rounded(value: float, places: int = 2) -> float:
    """`value` rounded half away from zero to `places` decimals (Decimal's ROUND_HALF_UP
    rounds the magnitude, so it is away from zero for negative values too)."""
    return float(_quantized(value, places))


def _quantized(value: float, places: int) -> Decimal:
    cleaned = Decimal(f"{value:.{_SIGNIFICANT}g}")
    return cleaned.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def formatted(value: float, lang: str, places: int = 2, *, sign: bool = False) -> str:
    """The rounded value as text: a decimal comma in Swedish, a true minus sign, and with
    `sign` a plus before positive values (a change). Never "−0,00": zero has no sign."""
    q = _quantized(value, places)
    if q == 0:
        q = abs(q)
    text = f"{abs(q):.{places}f}"
    if lang == "sv":
        text = text.replace(".", ",")
    if q < 0:
        return "−" + text
    return ("+" + text) if sign and q > 0 else text


def same(a: float, b: float) -> bool:
    """Whether two figures are equal for every purpose of the pages (a tie)."""
    return abs(a - b) <= TOLERANCE


def extremes(items: Sequence[T], key: Callable[[T], float], *, lowest: bool) -> list[T]:
    """Every item whose key is the lowest (or highest): ties within the tolerance are all
    named, in their given order."""
    if not items:
        return []
    best = (min if lowest else max)(key(i) for i in items)
    return [i for i in items if same(key(i), best)]


def interval_text(d: Difference, lang: str) -> str:
    """ "+0,05 (−0,20 till +0,30)": the change and its 95 % interval."""
    return translate(
        lang,
        "%(change)s (%(low)s to %(high)s)",
        change=formatted(d.estimate, lang, sign=True),
        low=formatted(d.low, lang, sign=True),
        high=formatted(d.high, lang, sign=True),
    )

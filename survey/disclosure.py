"""The minimum group size k, owned here and nowhere else: its floor, how a configured k is
read and clamped, the complementary rule every breakdown shares, and the words a hidden
figure is shown with. Low in the layers (beside settings), so rounds, results and exports
all call it; no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from survey.i18n import translate

DEFAULT_K = 5
#: The design notes forbid a smaller k whatever the configuration says.
FLOOR = 3

#: A national reference averages at least this many förbund (MIN_REFERENCE_ASSOCIATIONS):
#: one förbund's "reference" is itself, and of two a board knowing its own mean gets the
#: other's. Never fewer than REFERENCE_FLOOR.
DEFAULT_REFERENCE_ASSOCIATIONS = 3
REFERENCE_FLOOR = 3

T = TypeVar("T")


def configured_k(value: object) -> int:
    """A configured MIN_GROUP_SIZE: a whole number of at least the floor; anything else is
    refused at start-up rather than replaced by a figure nobody chose."""
    if value is None or str(value).strip() == "":
        return DEFAULT_K
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) < FLOOR:
        raise ValueError(
            f"MIN_GROUP_SIZE must be a whole number of at least {FLOOR} (the anonymity floor), "
            f"not {value!r}"
        )
    return int(text)


def configured_reference_minimum(value: object) -> int:
    """A configured MIN_REFERENCE_ASSOCIATIONS: a whole number of at least 3; anything else
    stops start-up, as a k below its floor does."""
    if value is None or str(value).strip() == "":
        return DEFAULT_REFERENCE_ASSOCIATIONS
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) < REFERENCE_FLOOR:
        raise ValueError(
            "MIN_REFERENCE_ASSOCIATIONS must be a whole number of at least "
            f"{REFERENCE_FLOOR} (with fewer förbund one förbund's figures can be worked out "
            f"from the reference), not {value!r}"
        )
    return int(text)


def effective_reference_minimum(minimum: int) -> int:
    """The national reference's minimum as applied: its floor holds whatever a caller passes."""
    return max(int(minimum), REFERENCE_FLOOR)


def effective_k(k: int) -> int:
    """k as applied: the anonymity floor holds whatever a caller passes."""
    return max(int(k), FLOOR)


def complementary(
    shown: Iterable[T], rest: Sequence[int], k: int, sizes: Callable[[T], Sequence[int]]
) -> list[T]:
    """The shown groups to hide as well (secondary suppression), smallest first, so that
    what is not shown never counts between 1 and k − 1 people: else it could be worked out
    as the total minus the shown groups.

    `shown` are the groups at or above k, in the order they give way (smallest first, ties
    broken the same on every database); `rest` counts what is not shown, one figure per
    population checked (e.g. respondents with a score and respondents with any answer), and
    `sizes` gives a group's figures in the same populations."""
    queue = list(shown)
    rest = list(rest)
    k = effective_k(k)
    hidden: list[T] = []
    while queue and any(0 < n < k for n in rest):
        smallest = queue.pop(0)
        hidden.append(smallest)
        rest = [n + m for n, m in zip(rest, sizes(smallest), strict=True)]
    return hidden


def too_few(lang: str, k: int) -> str:
    """What stands where a figure of fewer than k people would be."""
    return translate(lang, "too few answers (n < %(k)s)", k=k)

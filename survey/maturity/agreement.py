"""Agreement or split: do the people of a group see a dimension's level alike?

Pure functions on a distribution of ratings 1–5 (counts per level, from SQL):

- **median** and **interquartile range** (quartiles by linear interpolation between the
  ordered ratings, the "type 7" of Hyndman & Fan, as numpy and R compute them by default);
- the **verdict** by SCIROCCO's Delphi rule adapted to the 1–5 scale: a group agrees
  ("samstämmig bild") when fewer than `SPLIT_SHARE` of its ratings lie outside a 3-point
  band that contains the median (the band holding the most ratings); else it is split
  ("splittrad bild");
- **rwg(j)** (James, Demaree & Wolf 1984) against the uniform ("rectangular") null
  distribution, σ²_E = (A² − 1) / 12 = 2 for A = 5 points, set to 0 where the observed
  variance exceeds the null's (LeBreton & Senter 2008), as researchers report it.

docs/design.md ("Desired level and agreement") gives the rule, the share and why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

POINTS = (1, 2, 3, 4, 5)
#: A group is split when this share of its ratings, or more, lies outside the band. SCIROCCO
#: calls a panel split at 4 ratings outside a 3-point band, about a third of its panels; on
#: five points a 3-point band is 60 % of the scale (a third on RAND/UCLA's nine), so we ask
#: more: fewer than a quarter outside.
SPLIT_SHARE = 0.25
BAND_WIDTH = 3
#: The variance of ratings spread evenly over A = 5 points: (A² − 1) / 12.
UNIFORM_NULL_VARIANCE = (len(POINTS) ** 2 - 1) / 12


@dataclass(frozen=True)
class Verdict:
    n: int
    median: float
    q1: float
    q3: float
    #: The 3-point band holding the most ratings among those containing the median.
    band: tuple[int, int]
    outside: int
    agreed: bool
    rwg: float | None

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def outside_share(self) -> float:
        return self.outside / self.n


def ordered(counts: Mapping[int, int]) -> list[int]:
    """The ratings in order, from counts per level (at most a group's n values)."""
    return [point for point in POINTS for _ in range(int(counts.get(point, 0)))]


def quantile(values: Sequence[int], q: float) -> float:
    """Linear interpolation between the ordered values (Hyndman & Fan type 7)."""
    position = (len(values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def best_band(counts: Mapping[int, int], median: float) -> tuple[tuple[int, int], int]:
    """The 3-point band [a, a + 2] inside 1–5 that contains the median and holds the most
    ratings (the lower band on a tie), with how many ratings it holds."""
    bands = [
        (low, low + BAND_WIDTH - 1)
        for low in range(POINTS[0], POINTS[-1] - BAND_WIDTH + 2)
        if low <= median <= low + BAND_WIDTH - 1
    ]
    held = [(sum(int(counts.get(p, 0)) for p in range(lo, hi + 1)), -lo) for lo, hi in bands]
    inside, neg_low = max(held)
    return (-neg_low, -neg_low + BAND_WIDTH - 1), inside


def rwg_j(item_variances: Sequence[float], null_variance: float = UNIFORM_NULL_VARIANCE) -> float:
    """rwg(j) over J items from their observed (sample) variances; J = 1 gives rwg."""
    j = len(item_variances)
    mean_variance = sum(item_variances) / j
    if mean_variance >= null_variance:
        return 0.0
    ratio = mean_variance / null_variance
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


def sample_variance(counts: Mapping[int, int]) -> float | None:
    n = sum(int(c) for c in counts.values())
    if n < 2:
        return None
    mean = sum(p * int(c) for p, c in counts.items()) / n
    return sum(int(c) * (p - mean) ** 2 for p, c in counts.items()) / (n - 1)


def judge(counts: Mapping[int, int], share: float = SPLIT_SHARE) -> Verdict | None:
    """Median, quartiles, band and verdict of one group's ratings; None without ratings."""
    values = ordered(counts)
    if not values:
        return None
    median = quantile(values, 0.5)
    band, inside = best_band(counts, median)
    outside = len(values) - inside
    variance = sample_variance(counts)
    return Verdict(
        n=len(values),
        median=median,
        q1=quantile(values, 0.25),
        q3=quantile(values, 0.75),
        band=band,
        outside=outside,
        agreed=outside < share * len(values),
        rwg=None if variance is None else rwg_j([variance]),
    )

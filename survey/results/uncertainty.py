"""Whether a difference between two groups is more than chance: Welch's t interval.

A difference (a change between rounds, a gap between roles, agencies or förbund) is the
difference of two means of respondent scores. Its 95 % interval is

    d ± t(0.975, df) · √(f₁·s₁²/n₁ + f₂·s₂²/n₂)

with the sample variances s², the Welch–Satterthwaite df, and the finite-population
correction f. With the sample variance s² the textbook factor is f = (N − n)/N, N the
number invited (a round's personal links, fixed when it closed). But those who answered
chose to: they are not a random sample of those invited, and treating non-response as
sampling would narrow the interval on an assumption nobody checked. So f is applied only
when at least FPC_MIN_RESPONSE (80 %) of those invited answered, where the few who did not
can move the mean little; below that, or when N is unknown (a shared link, a role or an
agency), f = 1 and the respondents are treated as a sample of an unlimited population.
A difference is *clear* only when its interval excludes 0.

Pure Python (no scipy at run time): the t quantile inverts Student's t distribution
function, computed from the regularised incomplete beta function.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

LEVEL = 0.95
#: The response rate n/N from which the finite-population correction applies.
FPC_MIN_RESPONSE = 0.8


@dataclass(frozen=True)
class Sample:
    """What a shown group contributes: n, mean, sample variance, and the number invited
    when known (None: a shared link, or a subgroup whose number invited is unknown)."""

    n: int
    mean: float
    variance: float
    population: int | None = None

    @property
    def fpc(self) -> float:
        """(N − n)/N when at least 80 % of the N invited answered (0 when all did); 1 when
        fewer did, or when N is unknown."""
        big_n = self.population
        if big_n is None or big_n < self.n or self.n < FPC_MIN_RESPONSE * big_n:
            return 1.0
        return (big_n - self.n) / big_n

    @property
    def term(self) -> float:
        return self.fpc * self.variance / self.n


@dataclass(frozen=True)
class Difference:
    """`estimate` = first minus second, with its 95 % interval [low, high]."""

    estimate: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """The interval excludes 0: a change (or gap) worth the name."""
        return self.low > 0 or self.high < 0

    @property
    def direction(self) -> int:
        """+1 a clear rise, −1 a clear fall, 0 no clear change."""
        if not self.clear:
            return 0
        return 1 if self.estimate > 0 else -1


def welch(first: Sample, second: Sample, level: float = LEVEL) -> Difference:
    """The Welch interval of first.mean − second.mean (each group needs n ≥ 2)."""
    if first.n < 2 or second.n < 2:
        raise ValueError("each group needs at least two respondents")
    estimate = first.mean - second.mean
    a, b = max(first.term, 0.0), max(second.term, 0.0)
    se = math.sqrt(a + b)
    if se == 0.0:  # nobody varied (or everyone invited answered): the difference is exact
        return Difference(estimate, estimate, estimate)
    df = (a + b) ** 2 / (a * a / (first.n - 1) + b * b / (second.n - 1))
    half = t_quantile(1 - (1 - level) / 2, df) * se
    return Difference(estimate, estimate - half, estimate + half)


@functools.lru_cache(maxsize=4096)  # a pure function: pages seen again ask the same again
def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t with df (> 0, not necessarily whole) degrees of
    freedom, to ~1e-12: Newton's steps on the distribution function inside a bracket that
    bisection narrows whenever a step would leave it (a handful of evaluations, not the
    fifty of plain bisection: a board page asks for one per change and gap)."""
    if not 0 < p < 1 or df <= 0:
        raise ValueError("need 0 < p < 1 and df > 0")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2
    log_scale = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    t = (low + high) / 2
    for _ in range(200):
        below = t_cdf(t, df) - p
        if below < 0:
            low = t
        else:
            high = t
        density = math.exp(log_scale - (df + 1) / 2 * math.log1p(t * t / df))
        step = t - below / density if density > 0 else (low + high) / 2
        if not low < step < high:
            step = (low + high) / 2
        if abs(step - t) <= 1e-13 * max(1.0, abs(t)) or high - low <= 1e-13 * max(1.0, high):
            return step
        t = step
    return t


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with df degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t >= 0 else tail


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) (continued fraction, Lentz)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1) < eps:
            break
    return result

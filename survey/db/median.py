"""`median(x)`: an aggregate both databases compute in the statement's one pass.

The middle value of the non-NULL x, or the mean of the two middle values: (a + b) / 2,
as the average of the two middle rows always gave. PostgreSQL has the ordered-set
aggregate `percentile_disc` (sorting each group's rows on their own: no sort of the
whole input, no window); its 0.5 in ascending order is the lower middle row, in
descending order the upper one. SQLite has no such function: `register` gives every
SQLite connection one written in Python (`survey.db.engine` calls it on connect); a group
holds at most a round's respondents, so keeping its values in a list is cheap.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class median(GenericFunction):  # noqa: N801 (an SQL function's name)
    type = Float()
    inherit_cache = True


@compiles(median, "postgresql")
def _median_postgresql(element: median, compiler: Any, **kw: Any) -> str:
    x = compiler.process(element.clauses, **kw)
    middle = "percentile_disc(0.5) WITHIN GROUP (ORDER BY {0}{1})"
    return f"(({middle.format(x, '')} + {middle.format(x, ' DESC')}) / 2)"


class _Median:
    """SQLite's aggregate: step per row, the median at the end (None without values)."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        values = self.values
        if not values:
            return None
        values.sort()
        n = len(values)
        return (values[(n - 1) // 2] + values[n // 2]) / 2


def register(dbapi_connection: Any) -> None:
    """Give a sqlite3 connection the aggregate `median(x)`."""
    dbapi_connection.create_aggregate("median", 1, _Median)

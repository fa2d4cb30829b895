"""Statement-level settings for the large aggregates on PostgreSQL, so that no sort or
hash goes to disk.

The statistics read a round's answers in the order of their key (round, response,
statement): grouped in that order, each response's answers are sorted on their own, in a
few kilobytes, however many answers there are. PostgreSQL's planner prefers one hash
table over all responses (hundreds of megabytes at a national scale, spilled to disk at
the default `work_mem` of 4 MB), so for a statement over many rounds hashing is switched
off and `work_mem` is sized for what is then left to sort (the per-respondent rows, about
`WORK_MEM_PER_ROUND` each round), both for that statement only: the previous values are
put back after it. A statement over fewer rounds (every page) sends no extra statement:
a förbund's rounds fit in the default; one label across the nation sorts ~10 MB, a
little of it on disk. SQLite has no such settings (its sorter spills to temporary files of its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

#: Rounds a statement may cover before its settings are changed: more than one label's
#: rounds across the nation (~83 förbund), so a page (a comparison reads one label) keeps
#: its statement budget; what reads many labels at once is the bench, an export or the
#: rebuilding of publication snapshots.
FEW_ROUNDS = 100
#: Memory for sorting one round's per-respondent rows (~110 respondents × 10 dimensions).
WORK_MEM_PER_ROUND_KB = 256
#: Never more than this for one sort.
WORK_MEM_MAX_KB = 512 * 1024

_SET = text(
    "SELECT old.work_mem, old.hashagg, old.jit, set_config('work_mem', :work_mem, true), "
    "set_config('enable_hashagg', 'off', true), set_config('jit', 'off', true) "
    "FROM (SELECT current_setting('work_mem') AS work_mem, "
    "current_setting('enable_hashagg') AS hashagg, current_setting('jit') AS jit "
    "OFFSET 0) AS old"
)
_RESET = text(
    "SELECT set_config('work_mem', :work_mem, true), "
    "set_config('enable_hashagg', :hashagg, true), set_config('jit', :jit, true)"
)


def work_mem_kb(rounds: int) -> int:
    return min(WORK_MEM_MAX_KB, max(4096, rounds * WORK_MEM_PER_ROUND_KB))


@contextmanager
def aggregate_settings(session: Session, rounds: int) -> Iterator[None]:
    """Around one aggregate over `rounds` rounds: streaming groups and enough memory to
    sort, no JIT compilation (its tens of milliseconds buy nothing for one aggregate)
    (PostgreSQL, more than FEW_ROUNDS rounds); nothing otherwise."""
    if rounds <= FEW_ROUNDS or session.get_bind().dialect.name != "postgresql":
        yield
        return
    old = session.execute(_SET, {"work_mem": f"{work_mem_kb(rounds)}kB"}).one()
    try:
        yield
    finally:
        session.execute(_RESET, {"work_mem": old.work_mem, "hashagg": old.hashagg, "jit": old.jit})

"""Writes svar.sav, svar.dta, svar_koder.csv and svar.R of the research package from the
code columns survey.exports.statistics spilled to disk during the export's pass. No Flask,
and nothing else of the app is imported here: a large export runs this file as its own
process (`python -P statistics_writer.py JOB`, see survey.exports.package), which holds
only numpy, pandas, pyreadstat and one data frame at a time.

pyreadstat writes from a whole data frame, so this is the one place where every row is in
memory at once. The frame is built to be small and without copies (one block per type;
pandas keeps a 2-D array as it is, where a dict of columns is consolidated into a copy):
- statements as float32 (1–9 are exact): pyreadstat reads every float type as a double and
  writes each value as a double, so the file is the same as from float64, at half the size;
- for Stata the statements as objects (the letters of its extended missing values and
  shared small ints), the one block of 8 bytes a cell (130,000 × 50: 52 MB).
"""

from __future__ import annotations

import pickle
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the export's process imports this module for
    # its constants and dataclasses, and needs pandas only for a small export
    import numpy as np
    import pandas as pd

DONT_KNOW, NOT_ANSWERED = 8, 9
STATA_MISSING = {DONT_KNOW: "a", NOT_ANSWERED: "b"}
DATA_FOR_R = "svar_koder.csv"
#: The files `write_files` writes.
FILES = ("svar.sav", "svar.dta", DATA_FOR_R, "svar.R")
#: The kinds of column (`Column.kind`), in the order of the wide form.
HEAD, TEXT, STATEMENT, SCORE = "head", "text", "statement", "score"


@dataclass
class Column:
    """One column of the wide form as a file of numbers (`dtype`, numpy's code) in the
    export's column folder; a TEXT column holds numbers into `texts`."""

    name: str
    kind: str
    dtype: str
    texts: list[str] | None = None


@dataclass
class StatisticsFiles:
    """What the four files are written from: plain data (the columns are files), so that
    another process can write them while the export's process finishes the rest."""

    folder: Path  # the column files, named by their position in `columns`
    rows: int
    columns: list[Column]
    sav: dict[str, Any]  # pyreadstat.write_sav's labels, missing ranges and measures
    dta: dict[str, Any]  # pyreadstat.write_dta's labels and missing values
    r: str  # the R script

    def read(self, position: int) -> np.ndarray:
        """The numbers of column `position` (a numpy array)."""
        import numpy as np

        column = self.columns[position]
        return np.fromfile(self.folder / str(position), dtype=column.dtype, count=self.rows)

    def _block(self, kind: str, dtype: str) -> pd.DataFrame:
        """A frame of the columns of `kind` as one 2-D block of `dtype` (NaN for a
        negative code: not answered)."""
        import numpy as np
        import pandas as pd

        positions = [n for n, c in enumerate(self.columns) if c.kind == kind]
        block = np.empty((len(positions), self.rows), dtype=dtype)
        for row, position in zip(block, positions, strict=True):
            numbers = self.read(position)
            row[:] = np.where(numbers < 0, np.nan, numbers) if kind == HEAD else numbers
        names = [self.columns[n].name for n in positions]
        return pd.DataFrame(block.T, columns=names, copy=False)

    def _stata_statements(self) -> pd.DataFrame:
        """The statements with Stata's missing codes as the letters a and b."""
        import numpy as np
        import pandas as pd

        lookup = np.array([STATA_MISSING.get(v, v) for v in range(-128, 128)], dtype=object)
        positions = [n for n, c in enumerate(self.columns) if c.kind == STATEMENT]
        objects = np.empty((len(positions), self.rows), dtype=object)
        for row, position in zip(objects, positions, strict=True):
            row[:] = lookup[self.read(position).astype(np.int16) + 128]
        names = [self.columns[n].name for n in positions]
        return pd.DataFrame(objects.T, columns=names, copy=False)

    def frame(self, stata: bool = False) -> pd.DataFrame:
        """A pandas DataFrame of the codes in the order of the wide form (Stata: missing
        codes as the letters a and b)."""
        import pandas as pd

        head = self._block(HEAD, "float64")  # ids (52 bits: exact), codes with NaN, demo
        statements = self._stata_statements() if stata else self._block(STATEMENT, "float32")
        frame = pd.concat([head, statements, self._block(SCORE, "float64")], axis=1)
        for position, column in enumerate(self.columns):
            if column.kind == TEXT:
                texts = column.texts or []
                values = [texts[code] for code in self.read(position)]  # shared str objects
                frame.insert(position, column.name, values)
        return frame


def save(files: StatisticsFiles, folder: Path) -> Path:
    """`files` (the labels, the R script and where the columns are) written into `folder`
    for `write_saved`, as plain dicts and lists: unpickling a class of ours would import
    the package `survey`, which imports the app."""
    path = folder / "statistics.pickle"
    with path.open("wb") as fh:
        pickle.dump(asdict(files), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def write_saved(path: Path) -> None:
    """`write_files` from what `save` wrote (our own file in the export's temporary
    folder), into that folder."""
    with path.open("rb") as fh:
        saved = pickle.load(fh)  # noqa: S301 - written by this export a moment ago
    path.unlink()
    saved["columns"] = [Column(**column) for column in saved["columns"]]
    write_files(StatisticsFiles(**saved), path.parent)


def write_files(files: StatisticsFiles, folder: Path) -> None:
    """svar.sav, svar.dta, and for R the codes as CSV (8 and 9 as numbers) with a script
    that labels them, into `folder`."""
    import pyreadstat

    frame = files.frame()
    pyreadstat.write_sav(frame, str(folder / "svar.sav"), **files.sav)
    frame.to_csv(folder / DATA_FOR_R, index=False, encoding="utf-8", na_rep="")
    del frame  # one frame at a time
    pyreadstat.write_dta(files.frame(stata=True), str(folder / "svar.dta"), **files.dta)
    (folder / "svar.R").write_text(files.r, encoding="utf-8")


def main(job: str) -> None:
    """The entry of the export's second process. pandas imports pyarrow when it can (for
    Arrow-backed columns, which this frame does not use): 36 MB of this process's memory,
    so here it cannot."""
    sys.modules["pyarrow"] = None  # type: ignore[assignment]
    write_saved(Path(job))


if __name__ == "__main__":
    # Run as a file (`python -P`, so that this folder, whose statistics.py would hide the
    # standard library's, is not on sys.path), not as survey.exports.statistics_writer:
    # importing the package `survey` would import the app (Flask, SQLAlchemy: 50 MB).
    main(sys.argv[1])

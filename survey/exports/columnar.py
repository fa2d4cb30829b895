"""The wide and long forms as Parquet (pyarrow), typed for pandas, R (arrow) and DuckDB,
with the `Metadata` facts as the file's key-value metadata. No Flask here.

Rows are gathered in batches of BATCH responses and written as row groups, so memory stays
flat. Statements are int8 (null for "vet ej" and for not answered in the wide form; the
long form has a row with a null value for "vet ej" and no row for a statement not
answered, as `Svar_lång`), scores float64, ids int64, `demo` int8.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import compress, repeat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from survey.exports import codebook
from survey.exports.dataset import Export, ResponseRecord

BATCH = 20_000  # responses per row group


class ParquetForms:
    """Writes `svar.parquet` (wide) and `svar_lang.parquet` (long) in one pass."""

    def __init__(self, export: Export, wide: Path, long: Path) -> None:
        q = export.q
        self.item_codes = [codebook.column(item) for item in codebook.exported_items(q)]
        text, small = pa.string(), pa.int8()
        head = [
            (codebook.ID, pa.int64()),
            (codebook.ROUND, text),
            (codebook.ASSOCIATION, text),
            (codebook.ASSOCIATION_NAME, text),
            (codebook.ROLE, text),
            (codebook.AGENCY, text),
            (codebook.DEMO, small),
        ]
        fields = head + [(code, small) for code in self.item_codes]
        fields += [(codebook.score_column(d.code), pa.float64()) for d in q.dimensions]
        self.wide_schema = pa.schema(fields)
        long_fields = [
            (codebook.LONG_HEAD[0], pa.int64()),
            (codebook.LONG_HEAD[1], pa.dictionary(pa.int16(), text)),
            (codebook.LONG_HEAD[2], small),
            (codebook.DEMO, small),
        ]
        self.long_schema = pa.schema(long_fields)
        self.wide = pq.ParquetWriter(wide, self.wide_schema)
        self.long = pq.ParquetWriter(long, self.long_schema)
        self._reset()

    def _reset(self) -> None:
        self.rows: list[tuple[object, ...]] = []  # the batch's wide rows, as they come
        self.long_rows: list[list[object]] = [[] for _ in self.long_schema]

    def add(self, record: ResponseRecord) -> None:
        self.rows.append((*record.head, *record.values, *record.scores))
        ids, codes, values, demos = self.long_rows
        answered = record.answered
        count = len(codes)
        codes.extend(compress(self.item_codes, answered))
        values.extend(compress(record.values, answered))
        count = len(codes) - count
        ids.extend(repeat(record.head[0], count))
        demos.extend(repeat(record.head[-1], count))
        if len(self.rows) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        """Rows turned into columns in one step (zip in C) rather than cell by cell."""
        if self.rows:
            columns = [list(column) for column in zip(*self.rows, strict=True)]
            self.wide.write_table(pa.table(columns, schema=self.wide_schema))
        if self.long_rows[0]:
            self.long.write_table(pa.table(self.long_rows, schema=self.long_schema))
        self._reset()

    def close(self, metadata: Mapping[str, object]) -> None:
        """Writes what is left and the facts of `Metadata` as key-value metadata."""
        self._flush()
        facts = {key: str(value) for key, value in metadata.items()}
        self.wide.add_key_value_metadata(facts)
        self.long.add_key_value_metadata(facts)
        self.wide.close()
        self.long.close()

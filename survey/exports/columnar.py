"""The wide and long forms as Parquet (pyarrow), typed for pandas, R (arrow) and DuckDB,
with the `Metadata` facts as the file's key-value metadata. No Flask here.

The rows are not gathered again: every BATCH responses, a row group of each file is cut
from the compact code arrays the statistics files are written from
(survey.exports.statistics.CodedColumns), by numpy, and handed to Arrow as buffers, so
memory stays flat and no Python object is made per cell. (`pyarrow.array` would import
pandas, 45 MB, to check whether it was given a pandas object; `Array.from_buffers` does
not.) Statements are int8 (null for "vet ej" and for not answered in the wide form; the
long form has a row with a null value for "vet ej" and no row for a statement not answered,
as `Svar_lång`), scores float64, ids int64, `demo` int8.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from survey.exports import codebook
from survey.exports.dataset import Export
from survey.exports.statistics import DONT_KNOW, NOT_ANSWERED, CodedColumns, Texts

BATCH = 5_000  # responses per row group


def _numbers(values: np.ndarray, kind: pa.DataType, valid: np.ndarray | None = None) -> pa.Array:
    """A numeric Arrow array over `values` (null where `valid` is False)."""
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    data = np.ascontiguousarray(values)
    return pa.Array.from_buffers(kind, len(data), [bitmap, pa.py_buffer(data)])


def _strings(texts: Sequence[str | None]) -> pa.Array:
    """A (short) list of texts as an Arrow string array; None as an empty string."""
    encoded = [(text or "").encode("utf-8") for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(raw) for raw in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


def _decoded(codes: np.ndarray, texts: Sequence[str | None]) -> pa.Array:
    """Plain strings from numbers into `texts` (a negative number: null; None in `texts`:
    an empty string), their buffers gathered by numpy: Arrow's `dictionary_decode` would
    import pyarrow.compute (8 MB) for it."""
    valid = codes >= 0
    encoded = [(text or "").encode("utf-8") for text in texts]
    lengths = np.array([len(raw) for raw in encoded], dtype=np.int32)
    starts = np.cumsum(lengths) - lengths  # of each text in `joined`
    picked = np.where(valid, codes, 0)
    sizes = np.where(valid, lengths[picked], 0)
    offsets = np.zeros(len(codes) + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    joined = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    at = np.arange(offsets[-1]) + np.repeat(starts[picked] - offsets[:-1], sizes)
    bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    buffers = [bitmap, pa.py_buffer(offsets), pa.py_buffer(joined[at])]
    return pa.Array.from_buffers(pa.string(), len(codes), buffers)


def _part(column: array, kind: type) -> np.ndarray:
    """A copy of `column`: a view would keep the array from being emptied (`spill`)."""
    return np.frombuffer(column, dtype=kind).copy()


def _texts(column: Texts) -> pa.Array:
    return _decoded(_part(column.codes, np.int32), column.texts)


class ParquetForms:
    """Writes `svar.parquet` (wide) and `svar_lang.parquet` (long) from `columns` as they
    fill: `follow()` after each record, `close()` at the end."""

    def __init__(self, export: Export, wide: Path, long: Path, columns: CodedColumns) -> None:
        q = export.q
        self.columns = columns
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
        # Arrow's default pool (mimalloc) keeps what the writer frees mapped for reuse:
        # 27 MB from the first row group on, never given back; the C library's malloc
        # returns it. (Global, but the exports are the app's only use of Arrow.)
        pa.set_memory_pool(pa.system_memory_pool())
        self.wide = pq.ParquetWriter(wide, self.wide_schema)
        self.long = pq.ParquetWriter(long, self.long_schema)

    def follow(self) -> None:
        """Writes a row group once BATCH responses are waiting."""
        if len(self.columns.ids) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Writes the responses waiting as a row group (the last may be shorter), then has
        the columns spill them to disk."""
        if len(self.columns.ids):
            wide, long = self._batch()
            self.wide.write_table(pa.Table.from_arrays(wide, schema=self.wide_schema))
            self.long.write_table(pa.Table.from_arrays(long, schema=self.long_schema))
        self.columns.spill()

    def _batch(self) -> tuple[list[pa.Array], list[pa.Array]]:
        """The columns of both forms for the responses held."""
        c = self.columns
        ids = _part(c.ids, np.int64)
        demo = _part(c.demo, np.int8)
        coded = {
            name: _decoded(_part(codes, np.int16), c.texts_of(name))
            for name, codes in c.coded.items()
        }
        raw = np.stack([_part(v, np.int8) for v in c.values], axis=1)
        values = [_numbers(v, pa.int8(), (v != DONT_KNOW) & (v != NOT_ANSWERED)) for v in raw.T]
        scores = [_part(s, np.float64) for s in c.scores]
        wide = [
            _numbers(ids, pa.int64()),
            _texts(c.rounds),
            coded[codebook.ASSOCIATION],
            _texts(c.names),
            coded[codebook.ROLE],
            coded[codebook.AGENCY],
            _numbers(demo, pa.int8()),
            *values,
            *(_numbers(s, pa.float64(), ~np.isnan(s)) for s in scores),
        ]
        rows, items = np.nonzero(raw != NOT_ANSWERED)  # response by response, item order
        answers = raw[rows, items]
        codes = _numbers(items.astype(np.int16), pa.int16())
        long = [
            _numbers(ids[rows], pa.int64()),
            pa.DictionaryArray.from_arrays(codes, _strings(self.item_codes)),
            _numbers(answers, pa.int8(), answers != DONT_KNOW),
            _numbers(demo[rows], pa.int8()),
        ]
        return wide, long

    def close(self, metadata: Mapping[str, object]) -> None:
        """Writes what is left and the facts of `Metadata` as key-value metadata."""
        self.flush()
        facts = {key: str(value) for key, value in metadata.items()}
        self.wide.add_key_value_metadata(facts)
        self.long.add_key_value_metadata(facts)
        self.wide.close()
        self.long.close()

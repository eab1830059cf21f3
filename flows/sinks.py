"""Parquet writers (atomic part files) and the output schema.

``OUT/kept/part-<shard>.parquet`` and ``OUT/rejected/part-<shard>.parquet``
share one typed schema (``rejected`` adds ``reject_reason`` and
``reject_detail``); every column is documented in ``docs/schema.md``.  A part
is written to a temporary name in the same folder and renamed when complete,
so a reader never sees half a file and a killed run leaves no partial part.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cleaners.document import CleanResult, Document
from cleaners.signals import SIGNAL_NAMES
from flows.storage import Store

EDIT_TYPE = pa.struct([
    ("step", pa.string()), ("rule", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
    ("before", pa.string()), ("after", pa.string()), ("note", pa.string()),
])
QUALITY_TYPE = pa.struct([(name, pa.float64()) for name in SIGNAL_NAMES])

BASE_FIELDS: list[pa.Field] = [
    pa.field("id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_record", pa.int64(), nullable=False),
    pa.field("record_id", pa.string()),
    pa.field("url", pa.string()),
    pa.field("title", pa.string()),
    pa.field("published_at", pa.string()),
    pa.field("tags", pa.list_(pa.string())),
    pa.field("text", pa.string()),
    pa.field("lang", pa.string()),
    pa.field("lang_prob", pa.float64()),
    pa.field("lang_second", pa.string()),
    pa.field("script", pa.string()),
    pa.field("script_in", pa.string()),
    pa.field("quality_score", pa.float64()),
    pa.field("quality_label", pa.string()),
    pa.field("quality", QUALITY_TYPE),
    pa.field("flags", pa.list_(pa.string())),
    pa.field("edits", pa.list_(EDIT_TYPE)),
    pa.field("n_edits", pa.int32()),
    pa.field("source_encoding", pa.string()),
    pa.field("n_chars_in", pa.int64()),
    pa.field("n_chars_out", pa.int64()),
    pa.field("dup_of", pa.string()),
    pa.field("metadata", pa.string()),  # JSON object: everything else the readers and steps learned
]
KEPT_SCHEMA = pa.schema(BASE_FIELDS)
REJECTED_SCHEMA = pa.schema(BASE_FIELDS + [pa.field("reject_reason", pa.string(), nullable=False),
                                           pa.field("reject_detail", pa.string())])

_META_COLUMNS = {"url", "title", "published_at", "tags", "record_id", "quality_label", "source_encoding"}
_PRIVATE = ("_reject",)


def _safe(s: str | None) -> str | None:
    """Parquet strings must be valid UTF-8: lone surrogates become U+FFFD."""
    if s is None:
        return None
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


def result_row(res: CleanResult) -> dict[str, Any]:
    """A kept-or-rejected row for one cleaned document."""
    md = res.metadata
    extra = {k: v for k, v in md.items() if k not in _META_COLUMNS and k not in _PRIVATE}
    tags = md.get("tags")
    row = {
        "id": res.doc.id,
        "source": _safe(res.doc.source),
        "source_record": res.doc.source_record,
        "record_id": _safe(_str_or_none(md.get("record_id"))),
        "url": _safe(_str_or_none(md.get("url"))),
        "title": _safe(_str_or_none(md.get("title"))),
        "published_at": _safe(_str_or_none(md.get("published_at"))),
        "tags": [_safe(str(t)) for t in tags] if isinstance(tags, list | tuple) else None,
        "text": _safe(res.text),
        "lang": res.lang,
        "lang_prob": round(float(res.lang_prob), 6),
        "lang_second": md.get("lang_second"),
        "script": res.script,
        "script_in": res.script_in,
        "quality_score": float(res.quality_score),
        "quality_label": md.get("quality_label"),
        "quality": {name: _float_or_none(res.signals.get(name)) for name in SIGNAL_NAMES},
        "flags": list(res.flags),
        # Edit.as_row()'s fields, the strings made safe as the dict is built (27,000 edits per 4,000 documents)
        "edits": [{"step": e.step, "rule": _safe(e.rule), "start": e.start, "end": e.end, "before": _safe(e.before),
                   "after": _safe(e.after), "note": _safe(e.note)} for e in res.edits],
        "n_edits": len(res.edits),
        "source_encoding": res.source_encoding,
        "n_chars_in": len(res.text_in),
        "n_chars_out": len(res.text),
        "dup_of": md.get("dup_of"),
        "metadata": _safe(json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)) if extra else None,
    }
    if not res.verdict.keep:
        row["reject_reason"] = res.verdict.reason or "rejected"
        row["reject_detail"] = _safe(res.verdict.detail) or None
    return row


def reader_reject_row(doc: Document, reason: str, detail: str) -> dict[str, Any]:
    """A rejected row for a record the reader could not turn into text."""
    md = {k: v for k, v in doc.metadata.items() if k not in _PRIVATE}
    extra = {k: v for k, v in md.items() if k not in _META_COLUMNS}
    return {
        "id": doc.id, "source": _safe(doc.source), "source_record": doc.source_record,
        "record_id": _safe(_str_or_none(md.get("record_id"))), "url": _safe(_str_or_none(md.get("url"))),
        "title": _safe(_str_or_none(md.get("title"))), "published_at": None, "tags": None,
        "text": None, "lang": "und", "lang_prob": 0.0, "lang_second": None, "script": "unknown",
        "script_in": "unknown", "quality_score": 0.0, "quality_label": "low", "quality": None,
        "flags": [], "edits": [], "n_edits": 0, "source_encoding": md.get("source_encoding"),
        "n_chars_in": 0, "n_chars_out": 0, "dup_of": None,
        "metadata": _safe(json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)) if extra else None,
        "reject_reason": reason, "reject_detail": _safe(detail),
    }


def _str_or_none(v: Any) -> str | None:
    return None if v is None else str(v)


def _float_or_none(v: Any) -> float | None:
    return None if v is None else float(v)


CHUNK_ROWS = 200  # Python rows buffered before they become an Arrow chunk


class PartWriter:
    """Writes rows to one Parquet part in row groups of ``row_group_rows``;
    atomic on ``close``.

    Rows arrive one by one (:meth:`add`, as dicts) or as Arrow tables
    (:meth:`add_table`), in order.  Every ``CHUNK_ROWS`` dict rows become an
    Arrow chunk, and a row group is written when the chunks hold
    ``row_group_rows``: memory is the Arrow size of one row group (about
    7 KB a row on the benchmark corpus) instead of a row group of dicts
    (several times that).

    ``store`` is the output root (:class:`flows.storage.Store`, local or
    remote) and ``rel`` the part's path inside it.  Nothing is created until
    the first row arrives, so a shard with no rejected rows leaves no empty
    part.
    """

    def __init__(self, store: Store, rel: str, schema: pa.Schema, *, row_group_rows: int, compression: str,
                 file_metadata: dict[str, str], dictionary: bool = True):
        self.store = store
        self.rel = rel
        self.schema = schema.with_metadata({k.encode(): v.encode() for k, v in file_metadata.items()})
        self.row_group_rows = row_group_rows
        self.compression = None if compression == "none" else compression
        self.dictionary = dictionary  # dictionary-encode the columns (Parquet's default)
        self._rows: list[dict[str, Any]] = []      # Python rows not yet in Arrow form
        self._chunks: list[pa.Table] = []          # Arrow rows not yet written
        self._pending = 0                          # rows in ``_chunks``
        self._writer: pq.ParquetWriter | None = None
        self._tmp: str | None = None
        self.n_rows = 0                            # rows written (all of them after ``close``)

    def add(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= CHUNK_ROWS:
            self._convert()

    def add_table(self, table: pa.Table) -> None:
        """Append rows already in Arrow form (same columns), after the rows added before."""
        self._convert()
        self._append(table.cast(self.schema))

    def _convert(self) -> None:
        """Turn the buffered Python rows into an Arrow chunk: a row takes
        several times less memory in Arrow form, so a row group waits there."""
        if self._rows:
            table = pa.Table.from_pylist(self._rows, schema=self.schema)
            self._rows = []
            self._append(table)

    def _append(self, table: pa.Table) -> None:
        if table.num_rows:
            self._chunks.append(table)
            self._pending += table.num_rows
        while self._pending >= self.row_group_rows:
            self._write(self.row_group_rows)

    def _open(self) -> None:
        if self._writer is None:
            self._tmp = self.store.temp_file(self.rel, ".parquet")
            self._writer = pq.ParquetWriter(self._tmp, self.schema, compression=self.compression,
                                            use_dictionary=self.dictionary)

    def _write(self, n: int | None = None) -> None:
        """Write the first ``n`` pending rows (all when None) as one row group."""
        if not self._pending:
            return
        table = pa.concat_tables(self._chunks)
        rest = None
        if n is not None and n < table.num_rows:
            table, rest = table.slice(0, n), table.slice(n)
        self._open()
        assert self._writer is not None
        self._writer.write_table(table, row_group_size=self.row_group_rows)
        self.n_rows += table.num_rows
        self._chunks = [rest] if rest is not None else []
        self._pending = rest.num_rows if rest is not None else 0
        del table
        pa.default_memory_pool().release_unused()  # the group's buffers, not kept for the next one

    def close(self) -> None:
        self._convert()
        self._write()
        if self._writer is not None:
            self._writer.close()
            assert self._tmp is not None
            self.store.commit(self._tmp, self.rel)
            self._writer = None

    def abort(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            finally:
                if self._tmp and os.path.exists(self._tmp):
                    os.unlink(self._tmp)
                self._writer = None

"""PartWriter: row groups of the configured size, rows in the order they came, whatever mix of dict rows and
Arrow tables they came as."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from cleaners.document import Document
from flows import sinks
from flows.sinks import KEPT_SCHEMA, PartWriter, reader_reject_row
from flows.storage import Store


def _row(i: int) -> dict:
    row = reader_reject_row(Document.make("s.jsonl", i, f"第{i}行"), "x", "y")
    row.pop("reject_reason")
    row.pop("reject_detail")
    row["text"] = f"第{i}篇"
    return row


def test_row_groups_and_order_with_mixed_rows_and_tables(tmp_path, monkeypatch):
    monkeypatch.setattr(sinks, "CHUNK_ROWS", 7)
    store = Store(str(tmp_path))
    w = PartWriter(store, "kept/part-a.parquet", KEPT_SCHEMA, row_group_rows=50, compression="zstd",
                   file_metadata={"qingxi.shard": "a"})
    n = 0
    for block in range(6):
        for _ in range(13 + block):
            w.add(_row(n))
            n += 1
        table = pa.Table.from_pylist([_row(n + k) for k in range(9 * block)], schema=KEPT_SCHEMA)
        w.add_table(table)
        n += table.num_rows
    assert w.n_rows <= n  # rows still buffered are not counted until written
    w.close()
    assert w.n_rows == n
    pf = pq.ParquetFile(tmp_path / "kept" / "part-a.parquet")
    sizes = [pf.metadata.row_group(i).num_rows for i in range(pf.metadata.num_row_groups)]
    assert sizes == [50] * (n // 50) + ([n % 50] if n % 50 else [])
    assert pf.read().column("text").to_pylist() == [f"第{i}篇" for i in range(n)]
    assert pf.schema_arrow.metadata[b"qingxi.shard"] == b"a"


def test_no_rows_no_file(tmp_path):
    store = Store(str(tmp_path))
    w = PartWriter(store, "rejected/part-b.parquet", KEPT_SCHEMA, row_group_rows=10, compression="none",
                   file_metadata={})
    w.add_table(pa.Table.from_pylist([], schema=KEPT_SCHEMA))
    w.close()
    assert w.n_rows == 0
    assert not (tmp_path / "rejected" / "part-b.parquet").exists()

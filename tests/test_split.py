"""Big files split into parts (flows.sources.split_file): every part starts at a
record, record ids do not depend on the split, and a run's rows are the same
split or whole."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from cleaners.config import CleanerConfig
from flows.runner import Shard, plan, run_local, update_ledger
from flows.sources import MIN_SHARD_BYTES, Part, SourceFile, read, shard_target, split_file

SENTENCES = [
    "今年秋天，市里新修的城市绿道全线贯通，沿河步行一圈大约需要两个小时。",
    "图书馆延长了周末的开放时间，自习区的座位经常在上午就被占满。",
    "社区食堂推出了老年人午餐优惠，每份套餐包括两荤一素和一碗汤。",
    "這家老字號茶行已經開了六十多年，店裡仍然用傳統的方法烘焙茶葉。",
    "The riverside market reopened after the renovation, with twice as many stalls as before.",
    "气象台提醒，本周后半段将有一次明显降温过程，早晚出行注意添衣。",
]


def _record(i: int) -> dict:
    body = "".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3 + i % 4))
    return {"id": f"r{i}", "text": f"第{i}条。{body}", "url": f"https://news.example.cn/{i % 7}/{i}.html"}


def _lines(n: int) -> list[bytes]:
    """JSONL lines with the damage a reader must keep in place: blank and invalid
    lines, a line far longer than the others, an exact duplicate, CRLF endings."""
    out = []
    for i in range(n):
        if i % 37 == 5:
            out.append(b"\n")
        elif i % 41 == 7:
            out.append(b'{"id": "broken", "text": "unterminated\n')
        elif i == n // 3:
            out.append(json.dumps({"id": "long", "text": "很长的一行。" * 3000}, ensure_ascii=False).encode() + b"\n")
        elif i % 29 == 3:
            out.append(json.dumps(_record(1), ensure_ascii=False).encode() + b"\r\n")  # a duplicate of record 1
        else:
            out.append(json.dumps(_record(i), ensure_ascii=False).encode() + b"\n")
    return out


def _file(p: Path) -> SourceFile:
    st = p.stat()
    return SourceFile(str(p), st.st_size, st.st_mtime_ns)


def _docs(files: list[SourceFile]) -> list[tuple]:
    cfg = CleanerConfig().input
    return [(d.source, d.source_record, d.text, d.metadata.get("_reject"), d.metadata.get("record_id"))
            for f in files for d in read(f, cfg)]


@pytest.mark.parametrize("tail", [b"", b"\n"])
@pytest.mark.parametrize("target", [700, 4096, 50_000])
def test_jsonl_parts_start_at_lines_and_read_as_the_whole(tmp_path, target, tail):
    lines = _lines(300)
    raw = b"".join(lines).rstrip(b"\n") + tail
    p = tmp_path / "big.jsonl"
    p.write_bytes(raw)
    whole = _file(p)
    parts = split_file(whole, target)
    assert len(parts) > 1
    spans = [(f.part.start, f.part.stop) for f in parts]
    assert spans[0][0] == 0 and spans[-1][1] == len(raw)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    for f in parts:
        assert f.part.start == 0 or raw[f.part.start - 1:f.part.start] == b"\n"
        assert f.part.first_record == raw[:f.part.start].count(b"\n")
        assert f.fingerprint() == whole.fingerprint() and f.label.startswith(str(p) + " (bytes ")
    assert sum(f.n_bytes for f in parts) == whole.size
    assert _docs(parts) == _docs([whole])


@pytest.mark.parametrize("parts_wanted", [2, 3, 5, 8])
def test_parts_come_in_a_power_of_two(tmp_path, parts_wanted):
    p = tmp_path / "even.jsonl"
    p.write_bytes(b"".join(json.dumps(_record(i), ensure_ascii=False).encode() + b"\n" for i in range(2000)))
    parts = split_file(_file(p), -(-p.stat().st_size // parts_wanted))
    assert len(parts) == {2: 2, 3: 4, 5: 8, 8: 8}[parts_wanted]
    sizes = [f.n_bytes for f in parts]
    assert max(sizes) - min(sizes) < 2 * max(len(json.dumps(_record(i), ensure_ascii=False).encode()) for i in range(9))


def test_one_long_line_across_several_cut_points_makes_no_empty_part(tmp_path):
    p = tmp_path / "one-long.jsonl"
    p.write_text('{"text": "短。"}\n' + json.dumps({"text": "长" * 20000}) + '\n{"text": "尾。"}\n', encoding="utf-8")
    parts = split_file(_file(p), 4096)
    assert all(f.part.n_bytes > 0 for f in parts)
    assert [d[1] for d in _docs(parts)] == [0, 1, 2]


def test_files_that_cannot_be_split_stay_whole(tmp_path):
    body = b"".join(_lines(200))
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(body))
    (tmp_path / "b.txt").write_bytes(body)
    (tmp_path / "c.jsonl").write_bytes(body[:2000])  # not bigger than a part
    pq.write_table(pa.table({"text": ["一段文字。" * 50] * 400}), tmp_path / "d.parquet", row_group_size=1000)
    (tmp_path / "e.parquet").write_bytes(b"not parquet" * 1000)
    for name in ("a.jsonl.gz", "b.txt", "c.jsonl", "d.parquet", "e.parquet"):
        f = _file(tmp_path / name)
        assert split_file(f, 2048) == [f], name


def test_parquet_parts_are_row_groups_and_read_as_the_whole(tmp_path):
    rows = [_record(i) for i in range(400)]
    p = tmp_path / "big.parquet"
    pq.write_table(pa.Table.from_pylist(rows), p, row_group_size=50)
    whole = _file(p)
    parts = split_file(whole, whole.size // 3)
    assert len(parts) == 4  # three of a third each, rounded up to a power of two
    assert [f.part.first_record for f in parts] == [50 * f.part.start for f in parts]
    assert parts[0].part.start == 0 and parts[-1].part.stop == 8
    assert sum(f.n_bytes for f in parts) == whole.size
    assert _docs(parts) == _docs([whole])


def test_shard_target_only_lowers_the_configured_size():
    mb = 1 << 20
    for total in (0, 1, 5 * mb, 19 * mb, 64 * mb, 100 * mb, 10 * 1024 * mb):
        t = shard_target(total, 16 * mb)
        assert MIN_SHARD_BYTES <= t <= 16 * mb and t & (t - 1) == 0
        assert shard_target(total, 2048) == 2048
    # an input of 16 times a target or more gets that target
    assert shard_target(256 * mb, 64 * mb) == 16 * mb and shard_target(257 * mb, 64 * mb) == 16 * mb


def test_plan_splits_a_big_file_and_keys_its_parts(tmp_path):
    p = tmp_path / "big.jsonl"
    p.write_bytes(b"".join(_lines(300)))
    cfg = CleanerConfig().replace(output={"shard_bytes": 8192})
    shards = plan([str(p)], cfg)
    assert len(shards) > 4 and all(len(s.files) == 1 and s.files[0].part for s in shards)
    assert len({s.key for s in shards}) == len(shards)
    assert [s.key for s in plan([str(p)], cfg)] == [s.key for s in shards]  # deterministic: resume finds them


@pytest.fixture(scope="module")
def split_and_whole(tmp_path_factory):
    d = tmp_path_factory.mktemp("split")
    src = d / "in"
    src.mkdir()
    (src / "big.jsonl").write_bytes(b"".join(_lines(400)))
    (src / "small.jsonl").write_bytes(b"".join(_lines(20)))
    runs = {}
    for name, shard_bytes, workers in (("whole", 16 << 20, 1), ("split", 8192, 2)):
        cfg = CleanerConfig().replace(output={"shard_bytes": shard_bytes})
        runs[name] = (d / name, run_local([str(src)], str(d / name), cfg, workers=workers))
    return runs


def _rows(out: Path, part: str) -> list[dict]:
    rows = ds.dataset(out / part).to_table().to_pylist()
    return sorted(rows, key=lambda r: (r["source"], r["source_record"]))


def test_a_split_run_writes_the_rows_of_a_whole_one(split_and_whole):
    (whole, mw), (split, ms) = split_and_whole["whole"], split_and_whole["split"]
    assert len(mw["shards"]) == 1 and len(ms["shards"]) > 8
    for part in ("kept", "rejected"):
        assert _rows(split, part) == _rows(whole, part), part
    assert ms["rejected_by_reason"] == mw["rejected_by_reason"]
    assert ms["rejected_by_reason"]["duplicate"] >= 10  # duplicates across parts are found run-wide
    assert ms["reconciled"] and ms["records_in"] == 420


def test_a_file_enters_the_ledger_only_when_all_its_parts_are_done(tmp_path):
    a = SourceFile("in/a.jsonl", 100, 1, Part(0, 50, 0, 50))
    b = SourceFile("in/a.jsonl", 100, 1, Part(50, 100, 3, 50))
    c = SourceFile("in/c.jsonl", 10, 1)
    shards = [Shard(0, (a,), "k0"), Shard(1, (b,), "k1"), Shard(2, (c,), "k2")]
    update_ledger(str(tmp_path), shards, [{"key": "k0"}, {"key": "k2"}], "2026-11-22")
    ledger = json.loads((tmp_path / "_ledger.json").read_text(encoding="utf-8"))
    assert [e["path"] for e in ledger["files"]] == ["in/c.jsonl"]
    update_ledger(str(tmp_path), shards, [{"key": "k0"}, {"key": "k1"}], "2026-11-23")
    ledger = json.loads((tmp_path / "_ledger.json").read_text(encoding="utf-8"))
    assert sorted(e["path"] for e in ledger["files"]) == ["in/a.jsonl", "in/c.jsonl"]

"""The local recipe end to end on data/samples, read back by pyarrow, DuckDB and Polars."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from conftest import SAMPLES, assert_same_parts

from cleaners.config import CleanerConfig
from cleaners.document import Edit, replay
from flows.runner import run_local
from flows.sinks import KEPT_SCHEMA, REJECTED_SCHEMA
from flows.sources import InputError


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("samples-out")
    manifest = run_local([str(SAMPLES)], str(out), CleanerConfig(), workers=1)
    return out, manifest


def test_manifest_reconciles(sample_run):
    out, manifest = sample_run
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["reconciled"]
    kept = ds.dataset(out / "kept").count_rows()
    rejected = ds.dataset(out / "rejected").count_rows()
    assert manifest["kept"] == kept and manifest["rejected"] == rejected
    assert manifest["records_in"] == kept + rejected
    assert sum(manifest["rejected_by_reason"].values()) == rejected
    # the JSONL sample holds an invalid line, a record without text and one whose text is a number
    assert manifest["rejected_by_reason"].get("invalid_record", 0) >= 3
    assert manifest["rejected_by_reason"].get("empty", 0) >= 1  # 16_empty.txt
    assert manifest["rejected_by_reason"].get("duplicate", 0) >= 1  # records r7 = r1, and a .txt with r1's text
    assert set(manifest["step_seconds"]) >= {"ftfy", "markup", "whitespace", "quality"}


def test_every_input_record_has_one_row(sample_run):
    out, manifest = sample_run
    rows = (ds.dataset(out / "kept").to_table(columns=["source", "source_record"]).to_pylist()
            + ds.dataset(out / "rejected").to_table(columns=["source", "source_record"]).to_pylist())
    keys = [(r["source"], r["source_record"]) for r in rows]
    assert len(keys) == len(set(keys)) == manifest["records_in"]
    sources = {r["source"] for r in rows}
    assert {Path(s).name for s in sources} == {p.name for p in SAMPLES.iterdir() if p.is_file()}


def test_schema_is_typed(sample_run):
    out, _ = sample_run
    kept = ds.dataset(out / "kept").schema
    rejected = ds.dataset(out / "rejected").schema
    assert kept.remove_metadata() == KEPT_SCHEMA.remove_metadata()
    assert rejected.remove_metadata() == REJECTED_SCHEMA.remove_metadata()
    assert kept.field("source_record").type == pa.int64()
    assert kept.field("quality_score").type == pa.float64()
    assert pa.types.is_struct(kept.field("quality").type)
    assert pa.types.is_list(kept.field("edits").type)
    meta = ds.dataset(out / "kept").files[0]
    import pyarrow.parquet as pq

    md = pq.read_schema(meta).metadata
    assert b"qingxi.version" in md and b"qingxi.config_hash" in md


def test_edits_replay_to_text(sample_run):
    out, _ = sample_run
    table = ds.dataset(out / "kept").to_table(columns=["source", "source_record", "text", "edits"])
    from flows.sources import SourceFile, read

    originals = {}
    for p in SAMPLES.iterdir():
        if p.is_file():
            st = p.stat()
            for doc in read(SourceFile(str(p), st.st_size, st.st_mtime_ns), CleanerConfig().input):
                originals[(doc.source, doc.source_record)] = doc.text
    checked = 0
    for row in table.to_pylist():
        edits = [Edit(**e) for e in row["edits"]]
        src = originals[(row["source"], row["source_record"])]
        assert replay(src, edits) == row["text"], row["source"]
        checked += 1
    assert checked >= 8


def test_duplicates_are_rejected_with_dup_of(sample_run):
    out, _ = sample_run
    rejected = ds.dataset(out / "rejected").to_table().to_pylist()
    kept_ids = set(ds.dataset(out / "kept").to_table(columns=["id"]).column("id").to_pylist())
    dups = [r for r in rejected if r["reject_reason"] == "duplicate"]
    assert dups and all(r["dup_of"] in kept_ids for r in dups)


def test_duckdb_and_polars_read_output(sample_run):
    duckdb = pytest.importorskip("duckdb")
    pl = pytest.importorskip("polars")
    out, manifest = sample_run
    con = duckdb.connect()
    n, = con.execute(f"SELECT count(*) FROM read_parquet('{out}/kept/*.parquet')").fetchone()
    assert n == manifest["kept"]
    row = con.execute(
        f"SELECT lang, quality.han_share, len(edits), flags FROM read_parquet('{out}/kept/*.parquet') LIMIT 1"
    ).fetchone()
    assert isinstance(row[1], float) and isinstance(row[2], int) and isinstance(row[3], list)
    reasons = dict(con.execute(
        f"SELECT reject_reason, count(*) FROM read_parquet('{out}/rejected/*.parquet') GROUP BY 1").fetchall())
    assert reasons == manifest["rejected_by_reason"]
    df = pl.read_parquet(f"{out}/kept/*.parquet")
    assert df.height == manifest["kept"]
    assert df.schema["quality_score"] == pl.Float64
    assert df.schema["source_record"] == pl.Int64


def test_resume_skips_finished_shards_and_gives_same_bytes(tmp_path):
    cfg = CleanerConfig().replace(output={"shard_bytes": 4096})
    first = run_local([str(SAMPLES)], str(tmp_path / "a"), cfg, workers=1)
    assert len(first["shards"]) > 1
    again = run_local([str(SAMPLES)], str(tmp_path / "a"), cfg, workers=1)
    assert all(s["resumed"] for s in again["shards"])
    fresh = run_local([str(SAMPLES)], str(tmp_path / "b"), cfg, workers=1)
    assert not any(s["resumed"] for s in fresh["shards"]) and fresh["kept"] == again["kept"]
    assert_same_parts(tmp_path / "a", tmp_path / "b")


def test_process_pool_gives_same_bytes_as_serial(tmp_path):
    cfg = CleanerConfig().replace(output={"shard_bytes": 4096})
    run_local([str(SAMPLES)], str(tmp_path / "serial"), cfg, workers=1)
    m = run_local([str(SAMPLES)], str(tmp_path / "pool"), cfg, workers=2)
    assert m["reconciled"] and not m["failed_shards"]
    for sub in ("kept", "rejected"):
        for p in (tmp_path / "serial" / sub).glob("*.parquet"):
            assert p.read_bytes() == (tmp_path / "pool" / sub / p.name).read_bytes()


def test_stale_parts_of_other_inputs_are_removed(tmp_path):
    one = tmp_path / "in1"
    one.mkdir()
    shutil.copy(SAMPLES / "01_news_hans.txt", one)
    out = tmp_path / "out"
    run_local([str(one)], str(out), CleanerConfig(), workers=1)
    (one / "01_news_hans.txt").write_text("这篇稿件已经改过：市图书馆周末延长开放时间，读者可以晚上九点前借还图书。", encoding="utf-8")
    m = run_local([str(one)], str(out), CleanerConfig(), workers=1)
    assert ds.dataset(out / "kept").count_rows() == m["kept"] == 1
    assert len(list((out / "kept").glob("*.parquet"))) == 1


def test_missing_input_is_an_error_before_anything_runs(tmp_path):
    with pytest.raises(InputError, match="not found"):
        run_local([str(tmp_path / "nope")], str(tmp_path / "out"), CleanerConfig())
    assert not (tmp_path / "out").exists()


BODIES = [
    "市图书馆周末延长开放时间，读者可以晚上九点前借还图书。馆方表示，自习室座位也将增加一百个。",
    "城东新建的社区食堂开业，六十岁以上老人凭证就餐可享受八折优惠，菜品以清淡为主。",
    "今年秋季学期起，本市中小学将全面推行课后服务，家长可以自愿选择是否参加。",
    "地铁三号线延长线试运行，沿线居民通勤时间预计缩短二十分钟，正式开通时间另行公布。",
    "受冷空气影响，本周末气温将下降八度左右，气象部门提醒市民及时添加衣物。",
    "市博物馆推出夜间开放活动，每周五晚上开放至九点，并提供免费讲解服务。",
    "新建的城市绿道全长十二公里，串联起三个公园，周末吸引了大批市民骑行散步。",
    "本市启动老旧小区加装电梯工作，首批五十个小区已完成意见征集，年内开工。",
]


def test_lines_repeated_across_a_site_are_removed_run_wide(tmp_path):
    site = tmp_path / "in" / "news.example.cn"
    small = tmp_path / "in" / "blog.example.cn"
    site.mkdir(parents=True)
    small.mkdir(parents=True)
    for i, body in enumerate(BODIES):
        (site / f"p{i}.txt").write_text(f"首页 | 新闻 | 视频 | 登录\n{body}\n相关阅读：更多精彩内容\n", encoding="utf-8")
    for i, body in enumerate(["博客第一篇：周末去郊外爬山，山顶的风景很好，拍了很多照片。",
                              "博客第二篇：最近在学做面包，第三次终于烤出了松软的吐司。",
                              "博客第三篇：推荐几本今年读过的好书，其中两本是关于城市历史的。"]):
        (small / f"b{i}.txt").write_text(f"首页 | 新闻 | 视频 | 登录\n{body}\n", encoding="utf-8")
    out = tmp_path / "out"
    cfg = CleanerConfig().replace(quality={"min_score": None})  # this test is about the run-wide pass only
    m = run_local([str(tmp_path / "in")], str(out), cfg, workers=1)
    rows = {Path(r["source"]).name: r for r in ds.dataset(out / "kept").to_table().to_pylist()}
    for i, body in enumerate(BODIES):
        r = rows[f"p{i}.txt"]
        assert r["text"] == body, r["text"]
        assert "repeated_lines" in r["flags"]
        rebuilt = [e for e in r["edits"] if e["rule"] == "boilerplate:repeated_line"]
        assert [e["before"].strip() for e in rebuilt] == ["首页 | 新闻 | 视频 | 登录", "相关阅读：更多精彩内容"]
    # three documents are too few to call a line the site's chrome
    assert rows["b0.txt"]["text"].startswith("首页 | 新闻")
    assert m["rules"]["boilerplate:repeated_line"]["count"] == 16
    assert m["reconciled"]
    # the edit log still replays to the text
    from cleaners.document import Edit, replay

    r = rows["p0.txt"]
    src = (site / "p0.txt").read_text(encoding="utf-8")
    assert replay(src, [Edit(**e) for e in r["edits"]]) == r["text"]


def test_adding_a_file_changes_only_its_shard():
    from flows.sources import SourceFile, shard_files

    files = [SourceFile(f"landing/{i:05d}.jsonl", 1000, 1) for i in range(2000)]
    before = shard_files(files, 10**9, 64)
    after = shard_files(files[:700] + [SourceFile("landing/00700a.jsonl", 1000, 1)] + files[700:], 10**9, 64)
    key = lambda g: tuple(f.path for f in g)  # noqa: E731
    changed = {key(g) for g in after} - {key(g) for g in before}
    assert len(before) > 10 and len(changed) == 1


def test_incremental_runs_process_only_new_or_changed_files(tmp_path):
    src = tmp_path / "landing"
    src.mkdir()
    for i, body in enumerate(BODIES[:4]):
        (src / f"d{i}.txt").write_text(body, encoding="utf-8")
    out = tmp_path / "out"
    cfg = CleanerConfig().replace(quality={"min_score": None})
    day1 = run_local([str(src)], str(out), cfg, workers=1, run_date="2026-11-20")
    assert day1["records_in"] == 4
    (src / "d4.txt").write_text(BODIES[4], encoding="utf-8")
    (src / "d0.txt").write_text(BODIES[5], encoding="utf-8")  # changed
    day2 = run_local([str(src)], str(out), cfg, workers=1, run_date="2026-11-21")
    texts = sorted(ds.dataset(out / "run_date=2026-11-21" / "kept").to_table().column("text").to_pylist())
    assert day2["records_in"] == 2 and texts == sorted([BODIES[4], BODIES[5]])
    # the same day again resumes and keeps its partition whole
    again = run_local([str(src)], str(out), cfg, workers=1, run_date="2026-11-21")
    assert again["records_in"] == 2 and all(s["resumed"] for s in again["shards"])
    ledger = json.loads((out / "_ledger.json").read_text(encoding="utf-8"))
    assert {e["run_date"] for e in ledger["files"]} == {"2026-11-20", "2026-11-21"}
    # a file arriving on day 3 with the text day 1 kept is a duplicate of it, across runs
    (src / "d9.txt").write_text(BODIES[1], encoding="utf-8")
    day3 = run_local([str(src)], str(out), cfg, workers=1, run_date="2026-11-22")
    assert day3["records_in"] == 1 and day3["rejected_by_reason"] == {"duplicate": 1}
    dup = ds.dataset(out / "run_date=2026-11-22" / "rejected").to_table().to_pylist()[0]
    day1_ids = ds.dataset(out / "run_date=2026-11-20" / "kept").to_table().column("id").to_pylist()
    assert dup["dup_of"] in day1_ids
    # analysts read every day at once with hive partitioning
    both = ds.dataset(out, format="parquet", partitioning="hive",
                      exclude_invalid_files=True).to_table(filter=ds.field("reject_reason").is_null()
                                                           if False else None)
    assert both.num_rows >= 6

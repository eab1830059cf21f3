"""Bad input, crashes and restarts lose nothing (issue: reliability).

The corpus of bad inputs is generated here; the run must complete and account
for every record, in kept/ or in rejected/ with a reason."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from conftest import ROOT

from cleaners.config import CleanerConfig
from flows.runner import run_local

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + bytes(range(256)) * 4
ZH = "数据中心的能耗问题日益突出，记者走访了三家数据中心，发现制冷用电占到总用电量的四成左右。"
ZH_LONG = (ZH + "\n业内人士建议，新建机房应优先采用液冷和余热回收技术，老机房可以通过改造气流组织降低能耗。"
           "\n专家表示，下一步还要完善能效标准，让绿色数据中心的评价更加透明。")
ZH_T = ("颱風過後，農民搶收高麗菜，希望減少損失。農業部門表示，蔬菜價格短期內可能上漲。"
        "\n一位種菜三十年的農民說，這幾年極端天氣越來越頻繁，他已經開始嘗試設置防護網。")


def rows(out: Path) -> list[dict]:
    got = []
    for sub in ("kept", "rejected"):
        d = out / sub
        if d.is_dir() and any(d.glob("*.parquet")):
            got += ds.dataset(d).to_table().to_pylist()
    return got


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    rnd = random.Random(7)
    (d / "random.txt").write_bytes(bytes(rnd.randrange(256) for _ in range(4096)))
    (d / "image.txt").write_bytes(PNG)
    (d / "empty.txt").write_bytes(b"")
    (d / "spaces.txt").write_bytes(b"   \n\t\n")
    (d / "gbk.txt").write_bytes(ZH_LONG.encode("gbk"))
    (d / "big5.txt").write_bytes(ZH_T.encode("big5"))
    (d / "utf16.txt").write_bytes(("市图书馆周末延长开放时间，读者可以在晚上九点前借还图书。\n"
                                   "馆方表示，新增的一百个自习座位将在下个月投入使用，并提供免费的无线网络。\n"
                                   "数据中心").encode("utf-16"))
    (d / "nul.txt").write_bytes(("本市启动老旧小区加装电梯工作，首批五十个小区已经完成意见征集。\x00\x00"
                                 "街道负责人介绍，年内将有二十部电梯开工建设。").encode("utf-8"))
    (d / "huge.txt").write_bytes(("很长的一行文字。" * 20000).encode("utf-8"))
    other = ["地铁三号线延长线今天开始试运行，沿线居民的通勤时间预计可以缩短二十分钟左右。",
             "受冷空气影响，本周末气温将下降八度左右，气象部门提醒市民及时添加衣物，注意保暖。",
             "新建的城市绿道全长十二公里，串联起三个公园，周末吸引了大批市民前来骑行和散步。"]
    lines = [json.dumps({"text": ZH}), "not json", json.dumps({"id": 3}), json.dumps({"text": ["list"]}),
             json.dumps([1, 2]), "", '{"text": "\\ud800 lone surrogate ' + other[0] + '"}',
             json.dumps({"text": other[1] + "\u0000"}),
             json.dumps({"html": "<html><body><p>" + other[2] + "</p></body></html>"})]
    (d / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines_gz = [json.dumps({"text": f"{ZH} 第{i}条，编号{rnd.randrange(10**12)}。"}, ensure_ascii=False)
                for i in range(400)]
    full = gzip.compress(("\n".join(lines_gz) + "\n").encode())
    (d / "truncated.jsonl.gz").write_bytes(full[: len(full) // 2])
    (d / "nested.html").write_text("<html><body>" + "<div>" * 50000 + "<p>" + ZH + "</p>" + "</div>" * 50000
                                   + "</body></html>", encoding="utf-8")
    (d / "huge_attr.html").write_text('<html><body><p title="' + "x" * 2_000_000 + '">' + ZH + "</p></body></html>",
                                      encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def bad_run(bad_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("bad-out")
    cfg = CleanerConfig().replace(limits={"max_chars": 100_000})
    t0 = time.perf_counter()
    manifest = run_local([str(bad_corpus)], str(out), cfg, workers=1)
    return out, manifest, time.perf_counter() - t0


def test_bad_inputs_are_all_accounted_for(bad_run, bad_corpus):
    out, m, _ = bad_run
    got = rows(out)
    assert m["reconciled"] and len(got) == m["records_in"]
    assert len({(r["source"], r["source_record"]) for r in got}) == len(got)
    by_file: dict[str, list[dict]] = {}
    for r in got:
        by_file.setdefault(Path(r["source"]).name, []).append(r)
    assert set(by_file) == {p.name for p in bad_corpus.iterdir()}

    def reason(name: str, i: int = 0) -> str | None:
        return sorted(by_file[name], key=lambda r: r["source_record"])[i].get("reject_reason")

    assert reason("random.txt") == "undecodable"
    assert reason("image.txt") == "undecodable"
    assert reason("empty.txt") == "empty" and reason("spaces.txt") == "empty"
    assert reason("huge.txt") == "too_long"
    for name in ("gbk.txt", "big5.txt", "utf16.txt"):
        r = by_file[name][0]
        assert r.get("reject_reason") is None, (name, r.get("reject_reason"), r.get("reject_detail"))
        assert "数据中心" in r["text"] or "農民" in r["text"] or "农民" in r["text"], name
    assert by_file["gbk.txt"][0]["source_encoding"] == "gb18030"
    assert by_file["big5.txt"][0]["source_encoding"] == "big5"
    assert "\x00" not in by_file["nul.txt"][0]["text"] and "nul_bytes" in by_file["nul.txt"][0]["flags"]
    recs = sorted(by_file["records.jsonl"], key=lambda r: r["source_record"])
    # (record 0 repeats sentences found elsewhere in this corpus: kept, or rejected as their duplicate)
    assert recs[0].get("reject_reason") in (None, "duplicate")
    assert [r.get("reject_reason") for r in recs][1:6] == ["invalid_record"] * 5
    assert recs[6].get("reject_reason") is None and "\ud800" not in recs[6]["text"]
    assert recs[8].get("reject_reason") is None and "城市绿道" in recs[8]["text"]
    trunc = sorted(by_file["truncated.jsonl.gz"], key=lambda r: r["source_record"])
    assert trunc[-1]["reject_reason"] == "unreadable_source"
    assert len(trunc) > 2 and all(r.get("reject_reason") in (None, "duplicate") for r in trunc[:-1])
    for name in ("nested.html", "huge_attr.html"):
        assert len(by_file[name]) == 1


def test_bad_inputs_run_reports_every_file_in_the_manifest(bad_run, bad_corpus):
    _, m, _ = bad_run
    assert sum(s["files"] for s in m["shards"]) == len(list(bad_corpus.iterdir()))
    assert not m["failed_shards"] and not m["errors"]


def _corpus(d: Path, n_files: int = 60) -> None:
    d.mkdir(parents=True, exist_ok=True)
    for i in range(n_files):
        (d / f"doc{i:03d}.txt").write_text(f"第{i}篇。" + ZH * (3 + i % 5), encoding="utf-8")


def test_sigkill_midrun_then_rerun_equals_undisturbed_run(tmp_path):
    src = tmp_path / "in"
    _corpus(src)
    cmd = [sys.executable, "-m", "flows.cli", "run", str(src), "-q", "--set", "output.shard_bytes=2048",
           "--workers", "1"]
    ref = subprocess.run(cmd + ["--out", str(tmp_path / "ref")], cwd=ROOT, capture_output=True, timeout=300)
    assert ref.returncode == 0, ref.stderr
    out = tmp_path / "killed"
    proc = subprocess.Popen(cmd + ["--out", str(out)], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        markers = list((out / "_shards").glob("*.json")) if (out / "_shards").is_dir() else []
        if len(markers) >= 3 or proc.poll() is not None:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "manifest.json").exists() or proc.returncode == 0
    again = subprocess.run(cmd + ["--out", str(out)], cwd=ROOT, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert any(s["resumed"] for s in m["shards"])
    for sub in ("kept", "rejected"):
        a = sorted(p.name for p in (tmp_path / "ref" / sub).glob("*"))
        b = sorted(p.name for p in (out / sub).glob("*"))
        assert a == b, "no stray temporary or duplicate parts"
        for name in a:
            assert (tmp_path / "ref" / sub / name).read_bytes() == (out / sub / name).read_bytes()


def _group(pgid: int) -> list[int]:
    """The live processes of a process group (from /proc; zombies are gone)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process groups from /proc")
def test_ctrl_c_stops_a_pool_run_at_once_and_leaves_no_process(tmp_path):
    """SIGINT to the terminal's process group (Ctrl-C) reaches the main
    process and its forked worker mid-shard: the run ends promptly, with the
    interrupt's exit status, and no worker outlives it."""
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"text": f"第{i}篇。" + ZH_LONG * (2 + i % 3)}, ensure_ascii=False) for i in range(6000)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "flows.cli", "run", str(src), "--out", str(out), "-q", "--workers", "2",
           "--set", "output.shard_bytes=1000000"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # until both processes are cleaning
        if len(_group(proc.pid)) >= 2 and (out / "_staging").is_dir():
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)  # a hang would end here; the measured time is about 0.2 s
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, proc.stderr.read().decode(errors="replace")[-2000:]
    time.sleep(0.5)
    assert _group(proc.pid) == []
    assert not (out / "manifest.json").exists()


def test_two_runs_are_byte_identical(tmp_path):
    src = tmp_path / "in"
    _corpus(src, 10)
    run_local([str(src)], str(tmp_path / "a"), CleanerConfig(), workers=1)
    run_local([str(src)], str(tmp_path / "b"), CleanerConfig(), workers=1)
    for sub in ("kept",):
        for p in (tmp_path / "a" / sub).glob("*.parquet"):
            assert p.read_bytes() == (tmp_path / "b" / sub / p.name).read_bytes()


@pytest.mark.parametrize("name, text", [
    ("combining marks", "a" + "\u0301" * 300_000),
    ("one long line", "数据中心的能耗问题日益突出，" * 80_000),
    ("many short lines", "短行\n" * 150_000),
    ("nested tags in text", "<div>" * 50_000 + "正文" + "</div>" * 50_000),
])
def test_pathological_text_is_bounded(name, text):
    from cleaners.document import Document
    from cleaners.pipeline import clean

    res = clean(Document.make("patho", 0, text))  # completes (the suite's run time is the guard; no timing here)
    res.text.encode("utf-8")
    assert res.verdict is not None, name

"""The cleanup recipe as plain functions: plan shards, clean each, finalize.

``flows.cleanup`` wraps these same functions in Prefect tasks; the CLI runs
them directly with a local process pool so a one-off run starts in about a
second (Prefect's temporary server costs 16-27 s, see docs/architecture.md).
Both paths write the same bytes.

Resume: a shard is identified by its input fingerprint (paths, sizes,
modification times), the config hash and the qingxi version.  Its parts are
written atomically and a marker ``OUT/_shards/<key>.json`` (its stats) is
written last; a rerun skips shards whose marker exists.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from cleaners.config import CleanerConfig
from cleaners.pipeline import clean
from flows.sinks import KEPT_SCHEMA, REJECTED_SCHEMA, PartWriter, reader_reject_row, result_row, write_json_atomic
from flows.sources import REJECT, SourceFile, discover, read, shard_files, shard_key

try:
    VERSION = metadata.version("qingxi")
except metadata.PackageNotFoundError:  # running from a source tree without install
    VERSION = "0.0.0+src"

MARKERS = "_shards"
SAMPLE_CHARS = 120


@dataclass(frozen=True, slots=True)
class Shard:
    """A unit of work: consecutive input files and their cache key."""

    index: int
    files: tuple[SourceFile, ...]
    key: str

    @property
    def n_bytes(self) -> int:
        return sum(f.size for f in self.files)


def plan(inputs: list[str], config: CleanerConfig) -> list[Shard]:
    """Discover input files and group them into keyed shards (deterministic)."""
    files = discover(inputs)
    groups = shard_files(files, config.output.shard_bytes)
    chash = config.config_hash()
    return [Shard(i, tuple(g), shard_key(g, chash, VERSION)) for i, g in enumerate(groups)]


@dataclass
class ShardStats:
    """Counts one shard reports; merged run-wide by :func:`finalize`."""

    key: str
    index: int
    files: list[str]
    n_bytes: int = 0
    records_in: int = 0
    kept: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    langs: dict[str, int] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    chars_in: int = 0
    chars_out: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    resumed: bool = False

    def reject(self, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1


ProgressFn = Callable[[int], None]


def clean_shard(shard: Shard, config: CleanerConfig, out: str, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Clean every record of one shard into its kept/rejected parts; return its stats.

    Never raises for bad data: unreadable sources and records a cleaner fails
    on become rejected rows.  Returns the stats of an earlier run when the
    shard's marker exists (resume).
    """
    outp = Path(out)
    marker = outp / MARKERS / f"{shard.key}.json"
    if marker.is_file():
        try:
            done = json.loads(marker.read_text(encoding="utf-8"))
            done["resumed"] = True
            if progress:
                progress(shard.n_bytes)
            return done
        except (OSError, ValueError):
            pass  # a damaged marker: redo the shard
    t0 = time.perf_counter()
    meta = {"qingxi.version": VERSION, "qingxi.config_hash": config.config_hash(), "qingxi.shard": shard.key}
    opts = {"row_group_rows": config.output.row_group_rows, "compression": config.output.compression,
            "file_metadata": meta}
    kept = PartWriter(outp / "kept" / f"part-{shard.key}.parquet", KEPT_SCHEMA, **opts)
    rejected = PartWriter(outp / "rejected" / f"part-{shard.key}.parquet", REJECTED_SCHEMA, **opts)
    st = ShardStats(shard.key, shard.index, [f.path for f in shard.files], n_bytes=shard.n_bytes)
    try:
        for f in shard.files:
            for doc in read(f, config.input):
                st.records_in += 1
                bad = doc.metadata.get(REJECT)
                if bad:
                    rejected.add(reader_reject_row(doc, bad[0], bad[1]))
                    st.reject(bad[0])
                    continue
                try:
                    res = clean(doc, config, st.timings)
                except Exception as exc:  # a cleaner bug must not lose the record or stop the shard
                    detail = f"{type(exc).__name__}: {exc}"
                    rejected.add(reader_reject_row(doc, "cleaner_error", detail))
                    st.reject("cleaner_error")
                    if len(st.errors) < 20:
                        st.errors.append(f"{doc.source}#{doc.source_record}: {detail}\n"
                                         + traceback.format_exc(limit=4))
                    continue
                row = result_row(res)
                st.chars_in += row["n_chars_in"]
                if res.verdict.keep:
                    kept.add(row)
                    st.kept += 1
                    st.chars_out += row["n_chars_out"]
                else:
                    rejected.add(row)
                    st.reject(res.verdict.reason or "rejected")
                st.langs[res.lang] = st.langs.get(res.lang, 0) + 1
                for fl in res.flags:
                    st.flags[fl] = st.flags.get(fl, 0) + 1
                for e in res.edits:
                    r = st.rules.get(e.rule)
                    if r is None:
                        st.rules[e.rule] = {"count": 1, "chars_removed": max(0, len(e.before) - len(e.after)),
                                            "sample": _sample(e.before, e.after)}
                    else:
                        r["count"] += 1
                        r["chars_removed"] += max(0, len(e.before) - len(e.after))
            if progress:
                progress(f.size)
        kept.close()
        rejected.close()
    except BaseException:
        kept.abort()
        rejected.abort()
        raise
    st.seconds = round(time.perf_counter() - t0, 4)
    st.timings = {k: round(v, 4) for k, v in st.timings.items()}
    stats = st.__dict__.copy()
    write_json_atomic(marker, stats)
    return stats


def _sample(before: str, after: str) -> str:
    b = before if len(before) <= SAMPLE_CHARS else before[:SAMPLE_CHARS] + "…"
    a = after if len(after) <= SAMPLE_CHARS else after[:SAMPLE_CHARS] + "…"
    return f"{b!r} -> {a!r}"


def prepare_output(out: str, fresh: bool) -> None:
    """Create the output folder; ``fresh`` removes earlier parts and markers."""
    outp = Path(out)
    if fresh:
        for sub in ("kept", "rejected", MARKERS):
            shutil.rmtree(outp / sub, ignore_errors=True)
        for name in ("manifest.json",):
            (outp / name).unlink(missing_ok=True)
    outp.mkdir(parents=True, exist_ok=True)


def finalize(out: str, shards: list[Shard], results: list[dict[str, Any]], config: CleanerConfig,
             elapsed: float, failed: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Remove parts of earlier runs that this run does not own, and write the manifest."""
    outp = Path(out)
    keys = {s.key for s in shards}
    for sub in ("kept", "rejected"):
        d = outp / sub
        if d.is_dir():
            for p in d.iterdir():
                name = p.name
                stale_tmp = name.startswith(".tmp-")
                foreign = name.startswith("part-") and name[5:].split(".", 1)[0] not in keys
                if stale_tmp or foreign:
                    p.unlink(missing_ok=True)
    mdir = outp / MARKERS
    if mdir.is_dir():
        for p in mdir.iterdir():
            if p.suffix == ".json" and p.stem not in keys or p.name.startswith(".tmp-"):
                p.unlink(missing_ok=True)
    manifest = build_manifest(results, config, elapsed, failed or [])
    write_json_atomic(outp / "manifest.json", manifest)
    from flows.report import write_html

    write_html(outp, manifest)
    return manifest


def build_manifest(results: list[dict[str, Any]], config: CleanerConfig, elapsed: float,
                   failed: list[dict[str, Any]]) -> dict[str, Any]:
    rejected: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    timings: Counter[str] = Counter()
    rules: dict[str, dict[str, Any]] = {}
    records_in = kept = chars_in = chars_out = n_bytes = 0
    errors: list[str] = []
    for r in sorted(results, key=lambda r: r["index"]):
        records_in += r["records_in"]
        kept += r["kept"]
        chars_in += r["chars_in"]
        chars_out += r["chars_out"]
        n_bytes += r["n_bytes"]
        rejected.update(r["rejected"])
        langs.update(r["langs"])
        flags.update(r["flags"])
        timings.update(r["timings"])
        errors.extend(r["errors"])
        for rule, v in r["rules"].items():
            cur = rules.setdefault(rule, {"count": 0, "chars_removed": 0, "sample": v["sample"]})
            cur["count"] += v["count"]
            cur["chars_removed"] += v["chars_removed"]
    n_rejected = sum(rejected.values())
    return {
        "qingxi_version": VERSION,
        "config_hash": config.config_hash(),
        "records_in": records_in,
        "kept": kept,
        "rejected": n_rejected,
        "rejected_by_reason": dict(sorted(rejected.items())),
        "reconciled": records_in == kept + n_rejected,
        "languages": dict(langs.most_common()),
        "flags": dict(flags.most_common()),
        "rules": dict(sorted(rules.items(), key=lambda kv: (-kv[1]["count"], kv[0]))),
        "step_seconds": {k: round(v, 3) for k, v in sorted(timings.items(), key=lambda kv: -kv[1])},
        "chars_in": chars_in,
        "chars_out": chars_out,
        "bytes_in": n_bytes,
        "elapsed_seconds": round(elapsed, 3),
        "shards": [{"key": r["key"], "index": r["index"], "files": len(r["files"]), "records_in": r["records_in"],
                    "kept": r["kept"], "seconds": r["seconds"], "resumed": bool(r.get("resumed"))}
                   for r in sorted(results, key=lambda r: r["index"])],
        "failed_shards": failed,
        "errors": errors[:50],
    }


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def run_local(inputs: list[str], out: str, config: CleanerConfig, *, workers: int | None = None,
              fresh: bool = False, progress: ProgressFn | None = None,
              on_plan: Callable[[list[Shard]], None] | None = None) -> dict[str, Any]:
    """Run the whole recipe in this process or a local process pool."""
    t0 = time.perf_counter()
    shards = plan(inputs, config)
    if on_plan:
        on_plan(shards)
    prepare_output(out, fresh)
    n = min(workers or default_workers(), len(shards))
    results: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    if n <= 1:
        for s in shards:
            results.append(clean_shard(s, config, out, progress))
    else:
        results, failed = _run_pool(shards, config, out, n, progress)
    manifest = finalize(out, shards, results, config, time.perf_counter() - t0, failed)
    return manifest


def _run_pool(shards: list[Shard], config: CleanerConfig, out: str, n: int,
              progress: ProgressFn | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
    results: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
        futs = {pool.submit(clean_shard, s, config, out): s for s in shards}
        for fut in as_completed(futs):
            s = futs[fut]
            try:
                results.append(fut.result())
            except Exception as exc:
                failed.append({"key": s.key, "index": s.index, "files": [f.path for f in s.files],
                               "error": f"{type(exc).__name__}: {exc}"})
            if progress:
                progress(s.n_bytes)
    return results, failed

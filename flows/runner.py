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

import functools
import json
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cleaners.config import CleanerConfig
from cleaners.dedup import Deduper, DedupParams, fingerprints
from cleaners.document import apply_edits
from cleaners.pipeline import clean
from cleaners.repeated import line_hashes, repeated_lines, site_key, strip_repeated
from flows.sinks import KEPT_SCHEMA, REJECTED_SCHEMA, PartWriter, reader_reject_row, result_row
from flows.sources import (
    REJECT,
    SourceFile,
    discover,
    kind_of,
    read,
    shard_files,
    shard_key,
    shard_target,
    split_file,
)
from flows.storage import Store

try:
    VERSION = metadata.version("qingxi")
except metadata.PackageNotFoundError:  # running from a source tree without install
    VERSION = "0.0.0+src"

MARKERS = "_shards"
STAGING = "_staging"
SAMPLE_CHARS = 120


@dataclass(frozen=True, slots=True)
class Shard:
    """A unit of work: consecutive input files and their cache key."""

    index: int
    files: tuple[SourceFile, ...]
    key: str

    @property
    def n_bytes(self) -> int:
        return sum(f.n_bytes for f in self.files)


def plan(inputs: list[str], config: CleanerConfig, skip: set[str] | None = None) -> list[Shard]:
    """Discover input files and group them into keyed shards (deterministic):
    shards of at most ``output.shard_bytes``, smaller on a small input, a big
    JSONL or Parquet file split at record boundaries (:func:`flows.sources.shard_target`,
    :func:`flows.sources.split_file`).

    ``skip``: file fingerprints to leave out (already processed by an earlier
    incremental run, see :func:`run_local`)."""
    files = discover(inputs)
    if skip:
        files = [f for f in files if f.fingerprint() not in skip]
    target = shard_target(sum(f.size for f in files), config.output.shard_bytes)
    files = [p for f in files for p in split_file(f, target)]
    groups = shard_files(files, target, config.output.shard_boundary_every)
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
    sites: dict[str, int] = field(default_factory=dict)
    resumed: bool = False

    def reject(self, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1

    def add_rule(self, rule: str, before: str, after: str) -> None:
        r = self.rules.get(rule)
        removed = max(0, len(before) - len(after))
        if r is None:
            self.rules[rule] = {"count": 1, "chars_removed": removed, "sample": _sample(before, after)}
        else:
            r["count"] += 1
            r["chars_removed"] += removed


ProgressFn = Callable[[int], None]


def _staged(key: str, name: str, ext: str = "parquet") -> str:
    return f"{STAGING}/{key}/{name}.{ext}"


def _one_doc_per_file(source: str) -> bool:
    """Whether a source holds one document (a .txt, .md or .html file; an
    explicitly named file of unknown type is read as text)."""
    return (kind_of(source) or "text") in ("text", "html")


def clean_shard(shard: Shard, config: CleanerConfig, out: str, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Clean every record of one shard into its staged kept/rejected parts; return its stats.

    Never raises for bad data: unreadable sources and records a cleaner fails
    on become rejected rows.  Returns the stats of an earlier run when the
    shard's marker exists (resume).  Besides the rows, a shard stages what the
    run-wide pass needs: per site, how many kept documents hold each line.
    """
    store = Store(out)
    marker = f"{MARKERS}/{shard.key}.json"
    if store.exists(marker):
        try:
            done = json.loads(store.read_text(marker))
            done["resumed"] = True
            if progress:
                progress(shard.n_bytes)
            return done
        except (OSError, ValueError):
            pass  # a damaged marker: redo the shard
    t0 = time.perf_counter()
    # Staged parts are read once, by finalize: a fast codec, not the output's, and no
    # dictionaries (the same size: finalize's reads 4.7 -> 3.6 ms a shard, 0.37 -> 0.34 s a run)
    opts = {**_part_options(config, shard.key), "compression": STAGING_COMPRESSION, "dictionary": False}
    kept = PartWriter(store, _staged(shard.key, "kept"), KEPT_SCHEMA, **opts)
    rejected = PartWriter(store, _staged(shard.key, "rejected"), REJECTED_SCHEMA, **opts)
    st = ShardStats(shard.key, shard.index, [f.label for f in shard.files], n_bytes=shard.n_bytes)
    site_lines: dict[str, Counter[int]] = {}
    deduper = _DedupBatch(Deduper(_dedup_params(config))) if config.dedup.documents else None
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
                    site = site_key(row["url"], doc.source, one_doc_per_file=_one_doc_per_file(doc.source))
                    st.sites[site] = st.sites.get(site, 0) + 1
                    site_lines.setdefault(site, Counter()).update(line_hashes(res.text))
                    if st.kept % 1000 == 0:
                        _prune_lines(site_lines)
                    if deduper is not None:
                        deduper.add(doc.id, res.text, res.quality_score, (shard.index, st.records_in))
                else:
                    rejected.add(row)
                    st.reject(res.verdict.reason or "rejected")
                st.langs[res.lang] = st.langs.get(res.lang, 0) + 1
                for fl in res.flags:
                    st.flags[fl] = st.flags.get(fl, 0) + 1
                for e in res.edits:
                    st.add_rule(e.rule, e.before, e.after)
            if progress:
                progress(f.n_bytes)
        kept.close()
        rejected.close()
        _write_lines(store, shard.key, site_lines, config)
        if deduper is not None:
            deduper.flush()
            _save_deduper(store, _staged(shard.key, "dedup", "npz"), deduper.deduper)
    except BaseException:
        kept.abort()
        rejected.abort()
        raise
    release_memory()
    st.seconds = round(time.perf_counter() - t0, 4)
    st.timings = {k: round(v, 4) for k, v in st.timings.items()}
    stats = st.__dict__.copy()
    store.write_text(marker, json.dumps(stats, ensure_ascii=False, sort_keys=True))
    return stats


# Kept characters fingerprinted at a time: about 37 documents of the benchmark; 4 times that
# was slower in a run (0.46 instead of 0.33 s per 4,000 documents: page faults of the bigger arrays).
DEDUP_BATCH_CHARS = 1 << 16


class _DedupBatch:
    """A shard's kept documents on their way to its :class:`Deduper`:
    fingerprinted a batch at a time (:func:`cleaners.dedup.fingerprints`:
    0.33 instead of 0.56 s per 4,000 documents in a run, numpy's per-call
    cost paid once a batch), the batch bounded by characters so memory does
    not follow the shard's size."""

    def __init__(self, deduper: Deduper) -> None:
        self.deduper = deduper
        self._docs: list[tuple[str, str, float, tuple[int, int]]] = []
        self._chars = 0

    def add(self, doc_id: str, text: str, quality: float, order: tuple[int, int]) -> None:
        self._docs.append((doc_id, text, quality, order))
        self._chars += len(text)
        if self._chars >= DEDUP_BATCH_CHARS:
            self.flush()

    def flush(self) -> None:
        """Fingerprint the waiting documents and add them, in order."""
        if not self._docs:
            return
        fps = fingerprints([text for _, text, _, _ in self._docs], self.deduper.params)
        for (doc_id, _, quality, order), fp in zip(self._docs, fps, strict=True):
            self.deduper.add(doc_id, quality=quality, order=order, fp=fp)
        self._docs = []
        self._chars = 0


def _sample(before: str, after: str) -> str:
    b = before if len(before) <= SAMPLE_CHARS else before[:SAMPLE_CHARS] + "…"
    a = after if len(after) <= SAMPLE_CHARS else after[:SAMPLE_CHARS] + "…"
    return f"{b!r} -> {a!r}"


STAGING_COMPRESSION = "lz4"  # about 2x faster to write and read than zstd, 35% larger
READ_BATCH_ROWS = 500  # staged rows finalize handles at a time (the writer still groups them by row_group_rows)
LINE_COUNTS_CAP = 200_000  # distinct (site, line) counts a shard keeps in memory


def _prune_lines(site_lines: dict[str, Counter[int]]) -> None:
    """Keep memory bounded by batch, not by shard size (lossy counting): when
    the counters grow past the cap, lines seen in few documents are dropped,
    raising the floor until they fit.  Chrome lines occur in many documents of
    their site, far above any floor reached, so they are still found."""
    floor = 1
    while sum(len(c) for c in site_lines.values()) > LINE_COUNTS_CAP:
        for site, c in site_lines.items():
            site_lines[site] = Counter({h: n for h, n in c.items() if n > floor})
        floor += 1


def _part_options(config: CleanerConfig, key: str) -> dict[str, Any]:
    meta = {"qingxi.version": VERSION, "qingxi.config_hash": config.config_hash(), "qingxi.shard": key}
    return {"row_group_rows": config.output.row_group_rows, "compression": config.output.compression,
            "file_metadata": meta}


LINES_SCHEMA = pa.schema([("site", pa.string()), ("hash", pa.int64()), ("n_docs", pa.int32())])


def _write_lines(store: Store, key: str, site_lines: dict[str, Counter[int]], config: CleanerConfig) -> None:
    """Stage, per site, in how many kept documents of this shard each line occurs."""
    sites, hashes, counts = [], [], []
    for site in sorted(site_lines):
        for h, c in sorted(site_lines[site].items()):
            sites.append(site)
            hashes.append(h)
            counts.append(c)
    table = pa.table({"site": sites, "hash": hashes, "n_docs": counts}, schema=LINES_SCHEMA)
    tmp = store.temp_file(_staged(key, "lines"), ".parquet")
    pq.write_table(table, tmp, compression="zstd")
    store.commit(tmp, _staged(key, "lines"))


def _dedup_params(config: CleanerConfig) -> DedupParams:
    return DedupParams(threshold=config.dedup.threshold)


def _save_deduper(store: Store, rel: str, deduper: Deduper, **kw: Any) -> None:
    tmp = store.temp_file(rel, ".npz")
    deduper.save(tmp, **kw)
    store.commit(tmp, rel)


def _load_deduper(store: Store, rel: str, **kw: Any) -> Deduper | None:
    if not store.exists(rel):
        return None
    if not store.remote:
        return Deduper.load(store.url(rel), **kw)
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        local = os.path.join(d, "f.npz")
        store.fs.get_file(store._remote(rel), local)
        return Deduper.load(local, **kw)


def _duplicates(store: Store, shards: list[Shard], results: list[dict[str, Any]], config: CleanerConfig,
                state: tuple[Store, str] | None) -> dict[int, dict[str, str]]:
    """Run-wide duplicate clusters, by the shard holding the duplicate:
    {shard index: {duplicate id: id of the document kept}}.

    ``state`` (an incremental run's base output and the state file in it)
    brings the fingerprints of documents kept by earlier run dates; they win
    their clusters, and this run's kept documents are added to the state.
    """
    if not config.dedup.documents:
        return {}
    run = None
    if state is not None:
        run = _load_deduper(state[0], state[1], prior=True)
    if run is None:
        run = Deduper(_dedup_params(config))
    done = {r["key"] for r in results}
    shard_of: dict[str, int] = {}
    for s in shards:
        if s.key in done:
            part = _load_deduper(store, _staged(s.key, "dedup", "npz"))
            if part is not None:
                run.merge(part)
                shard_of.update(dict.fromkeys(part.ids, s.index))
    by_shard: dict[int, dict[str, str]] = {}
    for dup, kept in run.clusters().items():
        by_shard.setdefault(shard_of[dup], {})[dup] = kept
    if state is not None:
        _save_deduper(state[0], state[1], run, kept_only=True)
    return by_shard


def _iter_batches(store: Store, rel: str, batch_size: int):
    """Record batches of a staged Parquet file (none when it does not exist)."""
    if not store.exists(rel):
        return
    # One thread, no pre-buffering: a process per core already keeps the cores
    # busy, and both made the reader hold (and the allocator keep) more memory.
    opts = {"batch_size": batch_size, "use_threads": False}
    if store.remote:
        with store.fs.open(store._remote(rel), "rb") as fh:
            yield from pq.ParquetFile(fh, pre_buffer=False).iter_batches(**opts)
    else:
        yield from pq.ParquetFile(store.url(rel), pre_buffer=False).iter_batches(**opts)


def release_memory() -> None:
    """Give freed memory back to the system after a shard or a part: Arrow's
    allocator (mimalloc) and glibc's keep freed pages for reuse, so without
    this the peak RSS crept up with every shard a process handled."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: Arrow's release is what there is
        return None


def _read_table(store: Store, rel: str) -> pa.Table | None:
    if not store.exists(rel):
        return None
    # One thread: as in _iter_batches, threads made the reader hold more memory.
    if store.remote:
        with store.fs.open(store._remote(rel), "rb") as fh:
            return pq.read_table(fh, use_threads=False)
    return pq.read_table(store.url(rel), use_threads=False)


def prepare_output(out: str, fresh: bool) -> None:
    """Create the output folder; ``fresh`` removes earlier parts and markers."""
    store = Store(out)
    if fresh:
        for sub in ("kept", "rejected", MARKERS, STAGING):
            store.rmtree(sub)
        for name in ("manifest.json", "report.html"):
            store.remove(name)
    store.makedirs()


def _repeated(store: Store, shards: list[Shard], results: list[dict[str, Any]],
              config: CleanerConfig) -> dict[str, set[int]]:
    """Lines repeated across many documents of a site, run-wide."""
    cfg = config.boilerplate
    if not cfg.enabled or cfg.repeated_min_docs is None:
        return {}
    docs: Counter[str] = Counter()
    for r in results:
        docs.update(r.get("sites", {}))
    big = {s for s, n in docs.items() if n >= cfg.repeated_min_docs}
    if not big:
        return {}
    # Summed with numpy, site by site: a run's line counts are millions of rows
    # (Arrow's group_by took 85 MB for 155,000), its chrome hundreds of lines.
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    done = {r["key"] for r in results}
    for s in shards:
        if s.key not in done:
            continue
        t = _read_table(store, _staged(s.key, "lines"))
        if t is None or not t.num_rows:
            continue
        # site numbers, not a Python string per row
        enc = t.column("site").combine_chunks().dictionary_encode()
        names = enc.dictionary.to_pylist()
        site_no = enc.indices.to_numpy()
        hashes = t.column("hash").to_numpy()
        n_docs = t.column("n_docs").to_numpy()
        cuts = np.flatnonzero(site_no[1:] != site_no[:-1]) + 1  # rows are grouped by site (_write_lines)
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(site_no)], strict=True):
            site = names[site_no[lo]]
            if site in big:
                parts.setdefault(site, []).append((hashes[lo:hi], n_docs[lo:hi]))
    counts: dict[str, dict[int, int]] = {}
    for site, pieces in parts.items():
        uniq, inverse = np.unique(np.concatenate([h for h, _ in pieces]), return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate([n for _, n in pieces]), minlength=len(uniq))
        hot = np.flatnonzero(sums >= cfg.repeated_min_docs)
        counts[site] = dict(zip(uniq[hot].tolist(), sums[hot].astype(np.int64).tolist(), strict=True))
    return repeated_lines(counts, dict(docs), min_docs=cfg.repeated_min_docs, min_share=cfg.repeated_min_share)


def _finalize_batch(batch: pa.RecordBatch, dup_of: dict[str, str], repeated: dict[str, set[int]],
                    config: CleanerConfig, moved: Counter[str], run_rules: dict[str, dict[str, Any]],
                    kept_w: PartWriter, rej_w: PartWriter) -> None:
    """One batch of a shard's staged kept rows: duplicates move to rejected,
    repeated site lines are removed.  Only the rows that change go through
    Python objects; the others are copied as Arrow slices, in order."""
    ids = batch.column("id").to_pylist()
    changes: dict[int, list[Any] | None] = {i: None for i, d in enumerate(ids) if d in dup_of}
    if repeated:
        urls, sources = batch.column("url").to_pylist(), batch.column("source").to_pylist()
        texts = batch.column("text")
        for i in range(len(ids)):
            if i in changes:
                continue
            site = site_key(urls[i], sources[i], one_doc_per_file=_one_doc_per_file(sources[i]))
            if site in repeated:
                edits = strip_repeated(texts[i].as_py(), repeated[site])
                if edits:
                    changes[i] = edits
    table = pa.Table.from_batches([batch])
    if not changes:
        kept_w.add_table(table)
        return
    pieces: list[pa.Table] = []
    start = 0
    for i in sorted(changes):
        if i > start:
            pieces.append(table.slice(start, i - start))
        start = i + 1
        row = batch.slice(i, 1).to_pylist()[0]
        edits = changes[i]
        if edits is None:
            row["dup_of"] = dup_of[row["id"]]
            row["reject_reason"] = "duplicate"
            row["reject_detail"] = f"near or exact duplicate of {dup_of[row['id']]}"
            moved["duplicate"] += 1
            rej_w.add(row)
        elif _apply_run_wide(row, edits, config, moved, run_rules):
            pieces.append(pa.Table.from_pylist([row], schema=table.schema))
        else:
            rej_w.add(row)
    if start < len(ids):
        pieces.append(table.slice(start))
    if pieces:
        kept_w.add_table(pa.concat_tables(pieces))


def _apply_run_wide(row: dict[str, Any], edits: list[Any], config: CleanerConfig,
                    moved: Counter[str], rules: dict[str, dict[str, Any]]) -> bool:
    """Apply the repeated-line removals ``edits`` to one kept row, in place;
    return False when the row must move to rejected (nothing but site chrome
    was left)."""
    text = apply_edits(row["text"], edits)
    row["text"] = text
    row["edits"] = list(row["edits"] or []) + [e.as_row() for e in edits]
    row["n_edits"] = len(row["edits"])
    row["n_chars_out"] = len(text)
    row["flags"] = sorted(set(row["flags"] or []) | {"repeated_lines"})
    for e in edits:
        r = rules.setdefault(e.rule, {"count": 0, "chars_removed": 0, "sample": _sample(e.before, e.after)})
        r["count"] += 1
        r["chars_removed"] += len(e.before)
    min_chars = config.quality.min_chars or 1
    if len("".join(text.split())) < min_chars:
        row["reject_reason"] = "boilerplate"
        row["reject_detail"] = "nothing left but lines repeated across the site"
        moved["boilerplate"] += 1
        return False
    return True


def finalize(out: str, shards: list[Shard], results: list[dict[str, Any]], config: CleanerConfig,
             elapsed: float, failed: list[dict[str, Any]] | None = None,
             dedup_state: tuple[str, str] | None = None,
             map_shards: Callable[..., Any] | None = None) -> dict[str, Any]:
    """The run-wide pass, then the final parts, the manifest and the report.

    Reads every shard's staged parts (never modified, so a finalize that is
    killed and run again gives the same result), removes lines repeated
    across many documents of a site, writes ``kept/`` and ``rejected/``,
    removes parts of earlier runs that this run does not own.  The run-wide
    decisions are made here; rewriting each shard's parts is
    :func:`finalize_shard`, which ``map_shards`` (:meth:`flows.pool.SharedPool.map`)
    may share with a pool's workers.
    """
    store = Store(out)
    repeated = _repeated(store, shards, results, config)
    release_memory()  # the line counts just read: tens of MB on a large run
    state = (Store(dedup_state[0]), dedup_state[1]) if dedup_state else None
    dup_by_shard = _duplicates(store, shards, results, config, state)
    release_memory()
    done = {r["key"] for r in results}
    todo = [s for s in shards if s.key in done]
    args = (todo, [out] * len(todo), [config] * len(todo),
            [dup_by_shard.get(s.index, {}) for s in todo], [repeated] * len(todo))
    outcomes = (map_shards or map)(finalize_shard, *args)
    moved: Counter[str] = Counter()
    run_rules: dict[str, dict[str, Any]] = {}
    for shard_moved, shard_rules in outcomes:  # in shard order, as the samples must be
        moved.update(shard_moved)
        for rule, v in shard_rules.items():
            cur = run_rules.setdefault(rule, {"count": 0, "chars_removed": 0, "sample": v["sample"]})
            cur["count"] += v["count"]
            cur["chars_removed"] += v["chars_removed"]
    _remove_stale(store, {s.key for s in shards})
    manifest = build_manifest(results, config, elapsed, failed or [], moved, run_rules)
    store.write_text("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    from flows.report import write_html

    write_html(out, manifest)
    return manifest


def finalize_shard(s: Shard, out: str, config: CleanerConfig, dup_of: dict[str, str],
                   repeated: dict[str, set[int]]) -> tuple[Counter[str], dict[str, dict[str, Any]]]:
    """Write one shard's final parts from its staged ones: ``dup_of`` (this
    shard's duplicates: id -> id kept) move to rejected, ``repeated`` site lines
    are removed.  Returns the rows moved to rejected, by reason, and the
    run-wide rules' counts."""
    store = Store(out)
    moved: Counter[str] = Counter()
    run_rules: dict[str, dict[str, Any]] = {}
    opts = _part_options(config, s.key)
    kept_w = PartWriter(store, f"kept/part-{s.key}.parquet", KEPT_SCHEMA, **opts)
    rej_w = PartWriter(store, f"rejected/part-{s.key}.parquet", REJECTED_SCHEMA, **opts)
    try:
        # batch by batch: memory follows the row-group size, not the shard size
        for batch in _iter_batches(store, _staged(s.key, "kept"), READ_BATCH_ROWS):
            _finalize_batch(batch, dup_of, repeated, config, moved, run_rules, kept_w, rej_w)
        for batch in _iter_batches(store, _staged(s.key, "rejected"), READ_BATCH_ROWS):
            rej_w.add_table(pa.Table.from_batches([batch]))
        kept_w.close()
        rej_w.close()
    except BaseException:
        kept_w.abort()
        rej_w.abort()
        raise
    release_memory()
    if kept_w.n_rows == 0:
        store.remove(f"kept/part-{s.key}.parquet")
    if rej_w.n_rows == 0:
        store.remove(f"rejected/part-{s.key}.parquet")
    return moved, run_rules


def _remove_stale(store: Store, keys: set[str]) -> None:
    for sub in ("kept", "rejected"):
        for name in store.listdir(sub):
            stale_tmp = name.startswith(".tmp-")
            foreign = name.startswith("part-") and name[5:].split(".", 1)[0] not in keys
            if stale_tmp or foreign:
                store.remove(f"{sub}/{name}")
    for name in store.listdir(MARKERS):
        if name.startswith(".tmp-") or (name.endswith(".json") and name[:-5] not in keys):
            store.remove(f"{MARKERS}/{name}")
    for name in store.listdir(STAGING):
        if name not in keys:
            store.rmtree(f"{STAGING}/{name}")
        else:
            for inner in store.listdir(f"{STAGING}/{name}"):
                if inner.startswith(".tmp-"):
                    store.remove(f"{STAGING}/{name}/{inner}")


def build_manifest(results: list[dict[str, Any]], config: CleanerConfig, elapsed: float,
                   failed: list[dict[str, Any]], moved: Counter[str] | None = None,
                   run_rules: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
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
    for rule, v in (run_rules or {}).items():
        cur = rules.setdefault(rule, {"count": 0, "chars_removed": 0, "sample": v["sample"]})
        cur["count"] += v["count"]
        cur["chars_removed"] += v["chars_removed"]
    for reason, n in (moved or Counter()).items():
        rejected[reason] += n
        kept -= n
    n_rejected = sum(rejected.values())
    return {
        "qingxi_version": VERSION,
        "config_hash": config.config_hash(),
        "records_in": records_in,
        "kept": kept,
        "rejected": n_rejected,
        "rejected_by_reason": dict(sorted(rejected.items())),
        "reconciled": records_in == kept + n_rejected,
        "languages": dict(sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))),
        "flags": dict(sorted(flags.items(), key=lambda kv: (-kv[1], kv[0]))),
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


LEDGER = "_ledger.json"
DEDUP_STATE = "_dedup_state.npz"  # fingerprints of documents kept by earlier run dates


def run_local(inputs: list[str], out: str, config: CleanerConfig, *, workers: int | None = None,
              fresh: bool = False, progress: ProgressFn | None = None,
              on_plan: Callable[[list[Shard]], None] | None = None,
              run_date: str | None = None) -> dict[str, Any]:
    """Run the whole recipe in ``workers`` processes: this one, and
    ``workers - 1`` in a local pool whose workers share the shards with it
    (:class:`flows.pool.SharedPool`; biggest shards first).

    ``on_plan(shards)`` is called once the shards are planned and the pool's
    workers exist: a caller's threads (a progress display's) must not start
    before, as the workers fork from this process.

    ``run_date`` (``YYYY-MM-DD``) makes the run incremental: its output goes
    to ``OUT/run_date=<date>/`` and files that an earlier run date already
    processed, unchanged, are skipped (``OUT/_ledger.json`` records what was
    processed when).  Without it, ``OUT`` holds exactly this run's inputs.
    """
    t0 = time.perf_counter()
    ledger = _load_ledger(out) if run_date else {}
    skip = {fp for fp, date in ledger.items() if date != run_date}
    shards = plan(inputs, config, skip)
    target = f"{out.rstrip('/')}/run_date={run_date}" if run_date else out
    prepare_output(target, fresh)
    n = min(workers or default_workers(), len(shards))
    state = (out, DEDUP_STATE) if run_date else None
    if n <= 1:
        if on_plan:
            on_plan(shards)
        results, failed = _run_serial(shards, config, target, progress)
        manifest = finalize(target, shards, results, config, time.perf_counter() - t0, failed, state)
    else:
        with _pool(config, n) as pool:
            if on_plan:  # after the workers have forked: a progress display may start its thread now
                on_plan(shards)
            results, failed = _run_pool(pool, shards, config, target, progress)
            manifest = finalize(target, shards, results, config, time.perf_counter() - t0, failed, state,
                                map_shards=pool.map)
    if run_date:
        update_ledger(out, shards, results, run_date)
    return manifest


def _load_ledger(out: str) -> dict[str, str]:
    store = Store(out)
    if not store.exists(LEDGER):
        return {}
    data = json.loads(store.read_text(LEDGER))
    return {e["fingerprint"]: e["run_date"] for e in data.get("files", [])}


def update_ledger(out: str, shards: list[Shard], results: list[dict[str, Any]], run_date: str) -> None:
    """Record the files of this run's completed shards as processed on ``run_date``
    (a split file once every part of it is)."""
    store = Store(out)
    entries: dict[str, dict[str, Any]] = {}
    if store.exists(LEDGER):
        for e in json.loads(store.read_text(LEDGER)).get("files", []):
            entries[e["fingerprint"]] = e
    done = {r["key"] for r in results}
    unfinished = {f.fingerprint() for s in shards if s.key not in done for f in s.files}  # a part not done
    for s in shards:
        if s.key in done:
            for f in s.files:
                if f.fingerprint() in unfinished:
                    continue
                entries[f.fingerprint()] = {"fingerprint": f.fingerprint(), "path": f.path, "size": f.size,
                                            "run_date": run_date, "shard": s.key}
    files = sorted(entries.values(), key=lambda e: (e["run_date"], e["path"]))
    store.write_text(LEDGER, json.dumps({"files": files}, ensure_ascii=False, indent=1) + "\n")


def _run_serial(shards: list[Shard], config: CleanerConfig, out: str,
                progress: ProgressFn | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    results: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for s in shards:
        try:
            results.append(clean_shard(s, config, out, progress))
        except Exception as exc:  # an I/O failure: reported, the other shards go on
            failed.append(_failure(s, exc))
    return results, failed


def _failure(s: Shard, exc: BaseException) -> dict[str, Any]:
    return {"key": s.key, "index": s.index, "files": [f.label for f in s.files],
            "error": f"{type(exc).__name__}: {exc}"}


def _init_worker(config: CleanerConfig) -> None:
    """A spawned worker's initializer: load the tables before the first shard."""
    from cleaners.pipeline import warm_up

    warm_up(config)


def _pool(config: CleanerConfig, n: int) -> Any:
    """A pool of ``n - 1`` worker processes shared with this one (:class:`flows.pool.SharedPool`).

    Forked (Linux), the workers are made here, in the calling thread, once
    this process has loaded every table: each starts warm at once and shares
    the tables' memory (forked from a forkserver instead, a worker started
    0.3-0.4 s after this process, and the tree spent 0.5-1 s more CPU on its
    second import and warm-up: docs/performance.md).  Spawned, each worker
    loads them itself.
    """
    from concurrent.futures import ProcessPoolExecutor

    from cleaners.pipeline import warm_up
    from flows.pool import SharedPool, pool_context

    ctx = pool_context()
    if ctx.get_start_method() != "fork":
        return SharedPool(ProcessPoolExecutor(max_workers=n - 1, mp_context=ctx, initializer=_init_worker,
                                              initargs=(config,)), n - 1)
    warm_up(config)
    executor = ProcessPoolExecutor(max_workers=n - 1, mp_context=ctx)
    executor.submit(int)  # forks every worker now, before the executor's and the pool's threads start
    return SharedPool(executor, n - 1)


def _run_pool(pool: Any, shards: list[Shard], config: CleanerConfig, out: str,
              progress: ProgressFn | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Clean the shards in this process and the pool's workers, the biggest first."""
    order = sorted(shards, key=lambda s: -s.n_bytes)

    def done(i: int, ok: bool, value: Any, in_caller: bool) -> None:
        if progress and not in_caller:  # shards cleaned here report their files as they go
            progress(order[i].n_bytes)

    outcomes = pool.run(clean_shard, [(s, config, out) for s in order], local={"progress": progress}, done=done)
    results = [value for ok, value in outcomes if ok]
    failed = [_failure(s, value) for s, (ok, value) in zip(order, outcomes, strict=True) if not ok]
    return results, failed

"""Issue 8's memory check: peak RSS of ``qingxi run`` on a large generated input stays bounded.

Generates (once, then reuses) a JSONL corpus of ``--size-mb`` MB with
``bench/corpus.py`` (files of ``--file-mb`` MB, each its own shard), runs the
real CLI ``qingxi run DIR --out OUT --fresh --quiet`` under ``bench/measure.py`` and prints

- the peak RSS of the largest single process (``ru_maxrss``: the main process
  or one pool worker), which must stay under ``--bound-mb``, and
- the sampled peak of the whole tree's RSS (main, workers and
  multiprocessing's resource tracker together), which must stay under
  ``(workers + 1) x bound``.

What the bound rests on: a shard streams its records and buffers at most
``output.row_group_rows`` rows per part before writing a row group; the
caches of the cleaning steps are bounded; ``finalize`` streams the staged
parts by row group.  The default bound (1 GB per process) has about 30%
headroom over what the 1 GB input peaked at (docs/performance.md has the
numbers and what the peak is made of).  ``bench/run.py`` compares 1x and 10x
corpora the same way.

    .venv/bin/python bench/memory.py --size-mb 100        # about 2 minutes on 2 cores
    .venv/bin/python bench/memory.py                      # 1 GB: generate ~2 min, clean ~10 min

Exit status 1 when a bound is exceeded.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from measure import compile_project, measure

OUT = BENCH / "out"
DEFAULT_BOUND_MB = 1024


def ensure_big_corpus(size_mb: float, file_mb: float, seed: int) -> Path:
    d = OUT / f"mem-{seed}-{size_mb:g}mb"
    meta = d / "corpus.json"
    if meta.is_file():
        return d
    shutil.rmtree(d, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "corpus.py"),
            str(d),
            "--size-mb",
            str(size_mb),
            "--seed",
            str(seed),
            "--formats",
            "jsonl",
            "--file-mb",
            str(file_mb),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"generated {d} in {time.perf_counter() - t0:.0f}s", flush=True)
    return d


def main(argv: list[str] | None = None) -> int:
    compile_project()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--size-mb", type=float, default=1024, help="input size in MB of UTF-8 text (default 1024)"
    )
    ap.add_argument("--file-mb", type=float, default=64, help="MB per JSONL file (default 64)")
    ap.add_argument(
        "--workers", type=int, default=0, help="qingxi run --workers (default: the CLI's default)"
    )
    ap.add_argument(
        "--bound-mb",
        type=float,
        default=DEFAULT_BOUND_MB,
        help=f"peak RSS bound per process (default {DEFAULT_BOUND_MB})",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the output folder")
    ap.add_argument("--json", type=Path, help="save the numbers here")
    args = ap.parse_args(argv)

    corpus = ensure_big_corpus(args.size_mb, args.file_mb, args.seed)
    cmeta = json.loads((corpus / "corpus.json").read_text(encoding="utf-8"))
    out = OUT / f"mem-run-{args.size_mb:g}mb"
    shutil.rmtree(out, ignore_errors=True)
    qingxi = str(Path(sys.executable).parent / "qingxi")
    cmd = [qingxi, "run", str(corpus / "jsonl"), "--out", str(out), "--fresh", "--quiet"]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    print(
        f"running: {' '.join(cmd)}  ({cmeta['docs']} docs, {cmeta['bytes_utf8'] / 1e6:.0f} MB, "
        f"{cmeta['files']['jsonl']} files)",
        flush=True,
    )
    r = measure(cmd)
    if r.get("returncode") != 0:
        print(
            f"qingxi run failed (exit {r.get('returncode')}):\n{r.get('stderr') or r.get('error')}",
            file=sys.stderr,
        )
        return 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    workers = args.workers or os.cpu_count() or 1  # the CLI's default is one worker per core
    res = {
        "size_mb": round(cmeta["bytes_utf8"] / 1e6, 1),
        "docs": cmeta["docs"],
        "files": cmeta["files"]["jsonl"],
        "records_in": manifest["records_in"],
        "kept": manifest["kept"],
        "wall_s": r["wall_s"],
        "cpu_s": r["cpu_s"],
        "docs_per_cpu_s": round(manifest["records_in"] / r["cpu_s"], 1) if r["cpu_s"] else None,
        "max_rss_mb": r["max_rss_mb"],
        "tree_rss_mb": r.get("tree_rss_mb"),
        "max_procs": r.get("max_procs"),
        "bound_mb": args.bound_mb,
    }
    ok_proc = r["max_rss_mb"] <= args.bound_mb
    tree_bound = args.bound_mb * (workers + 1)
    ok_tree = r.get("tree_rss_mb") is None or r["tree_rss_mb"] <= tree_bound
    res["within_bound"] = ok_proc and ok_tree
    print(
        f"{res['records_in']} records ({res['size_mb']} MB) in {r['wall_s']:.0f}s wall, {r['cpu_s']:.0f}s CPU "
        f"({res['docs_per_cpu_s']} docs/CPU-s)"
    )
    print(
        f"peak RSS, largest process: {r['max_rss_mb']:.0f} MB (bound {args.bound_mb:.0f} MB: "
        f"{'ok' if ok_proc else 'EXCEEDED'})"
    )
    if r.get("tree_rss_mb") is not None:
        print(
            f"peak RSS, whole tree (sampled every 50 ms, up to {r.get('max_procs')} processes): "
            f"{r['tree_rss_mb']:.0f} MB (bound {tree_bound:.0f} MB: {'ok' if ok_tree else 'EXCEEDED'})"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return 0 if res["within_bound"] else 1


if __name__ == "__main__":
    sys.exit(main())

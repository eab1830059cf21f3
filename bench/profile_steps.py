"""Per-step time profile of ``cleaners.pipeline.clean`` in one process, and a
golden-output check for speed work.

Speed work must not change what qingxi produces.  This script cleans the
benchmark corpus in-process (no runner, no Parquet) and

* prints seconds per step (the pipeline's own ``timings``), documents per
  second, and how many documents took a second rewriting pass;
* ``--cprofile STEP|all`` runs the same under cProfile and prints the top
  functions by internal time (``all`` profiles the whole loop, a step name
  only that step's function);
* ``--save FILE`` writes one line per document: the output text's hash, the
  verdict, language, script, flags, a rounded quality score and the signals'
  hash, plus the edits' hash;
* ``--check FILE`` compares against a saved file and lists every document
  whose output differs (``--ignore-edits`` when a change only regroups edits,
  e.g. one edit per line instead of one per character run: the text, verdict
  and signals must still be identical).

    .venv/bin/python bench/corpus.py bench/out/corpus-7-2000 --docs 2000 --seed 7 --formats jsonl
    .venv/bin/python bench/profile_steps.py --docs 2000 --save bench/out/golden-2000.jsonl
    # ... change code ...
    .venv/bin/python bench/profile_steps.py --docs 2000 --check bench/out/golden-2000.jsonl
    .venv/bin/python bench/profile_steps.py --docs 2000 --cprofile language

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))


def _load(docs: int, seed: int) -> list[dict]:
    folder = BENCH / "out" / f"corpus-{seed}-{docs}" / "jsonl"
    if not folder.is_dir():
        sys.exit(f"no corpus at {folder}; make it with:\n  .venv/bin/python bench/corpus.py "
                 f"{folder.parent} --docs {docs} --seed {seed} --formats jsonl")
    out = []
    for f in sorted(folder.glob("*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            out.extend(json.loads(line) for line in fh)
    return out


def _h(obj) -> str:
    return hashlib.blake2b(json.dumps(obj, ensure_ascii=False, sort_keys=True).encode(), digest_size=8).hexdigest()


def _summary(rec: dict, res) -> dict:
    return {
        "id": rec["id"],
        "text": _h(res.text),
        "verdict": [res.verdict.keep, res.verdict.reason, res.verdict.detail],
        "lang": res.lang,
        "script": res.script,
        "flags": sorted(res.flags),
        "score": round(res.quality_score, 6),
        "signals": _h({k: round(v, 6) if isinstance(v, float) else v for k, v in res.signals.items()}),
        "edits": _h([[e.step, e.rule, e.start, e.end, e.before, e.after, e.note] for e in res.edits]),
        "n_edits": len(res.edits),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cprofile", metavar="STEP", help="a step name, or 'all'")
    ap.add_argument("--top", type=int, default=35)
    ap.add_argument("--save", type=Path)
    ap.add_argument("--check", type=Path)
    ap.add_argument("--ignore-edits", action="store_true")
    args = ap.parse_args()

    t_imp = time.perf_counter()
    from cleaners import pipeline
    from cleaners.config import CleanerConfig
    from cleaners.document import Document
    t_imp = time.perf_counter() - t_imp

    records = _load(args.docs, args.seed)
    cfg = CleanerConfig()
    # Load the lazy tables first, as pool workers do, so the first documents
    # do not carry the process's one-time set-up (about 0.1 s).
    t_warm = pipeline.warm_up(cfg)
    timings: dict[str, float] = {}
    results = []
    passes = Counter()

    prof = cProfile.Profile() if args.cprofile else None
    if prof and args.cprofile != "all":
        if args.cprofile not in pipeline.STEPS:
            sys.exit(f"unknown step {args.cprofile!r}; steps: {', '.join(pipeline.STEPS)}")
        inner = pipeline.STEPS[args.cprofile]

        def profiled(text, ctx, _inner=inner):
            return prof.runcall(_inner, text, ctx)

        pipeline.STEPS[args.cprofile] = profiled

    t0 = time.perf_counter()
    if prof and args.cprofile == "all":
        prof.enable()
    for i, rec in enumerate(records):
        res = pipeline.clean(Document.make("bench", i, rec["text"]), cfg, timings)
        passes[max((int(e.note[5:].split(";")[0]) for e in res.edits if e.note.startswith("pass=")), default=1)
               if res.edits else 0] += 1
        if args.save or args.check:
            results.append(_summary(rec, res))
    if prof and args.cprofile == "all":
        prof.disable()
    wall = time.perf_counter() - t0

    total = sum(timings.values())
    print(f"{len(records)} documents in {wall:.2f} s: {len(records) / wall:.0f} docs/s "
          f"({1000 * wall / len(records):.3f} ms/doc); imports {t_imp:.2f} s, warm-up {t_warm:.2f} s")
    print(f"documents by last pass with edits (0 = untouched): {dict(sorted(passes.items()))}")
    print(f"{'step':12s} {'seconds':>8s} {'%':>6s} {'ms/doc':>8s}")
    for k, v in sorted(timings.items(), key=lambda kv: -kv[1]):
        print(f"{k:12s} {v:8.3f} {100 * v / total:6.1f} {1000 * v / len(records):8.3f}")
    print(f"{'sum':12s} {total:8.3f}")

    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)

    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
        print(f"saved {len(results)} summaries to {args.save}")
    if args.check:
        golden = [json.loads(line) for line in args.check.read_text(encoding="utf-8").splitlines()]
        if len(golden) != len(results):
            sys.exit(f"golden has {len(golden)} documents, this run {len(results)}")
        keys = [k for k in golden[0] if k != "id" and not (args.ignore_edits and k in ("edits", "n_edits"))]
        diffs = Counter()
        shown = 0
        for i, (g, r) in enumerate(zip(golden, results, strict=True)):
            bad = [k for k in keys if g[k] != r[k]]
            for k in bad:
                diffs[k] += 1
            if bad and shown < 20:
                shown += 1
                print(f"DIFF doc {i} ({g['id']}): " + ", ".join(f"{k}: {g[k]} -> {r[k]}" for k in bad))
        if diffs:
            print(f"CHECK FAILED: {sum(1 for g, r in zip(golden, results) if any(g[k] != r[k] for k in keys))} "
                  f"documents differ; by field: {dict(diffs)}")
            sys.exit(1)
        print(f"check OK: {len(results)} documents identical to {args.check}"
              + (" (edits ignored)" if args.ignore_edits else ""))


if __name__ == "__main__":
    main()

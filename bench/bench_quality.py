"""Quality score calibration: ROC-AUC and the confusion matrix at the default threshold.

The labelled set is ``bench/data/quality_set.json`` (written for qingxi, see
``bench/make_quality_set.py``): clean articles in zh-Hans, zh-Hant, en and ja
and transcripts (``good``) against SEO, gambling, adult, navigation-only,
boilerplate-only, machine-repeated and garbled pages (``bad``).

Two modes:

* default: the ``quality`` step alone on each text (``text_in`` = the text),
  so the numbers describe the score itself;
* ``--pipeline``: the whole default pipeline (``cleaners.pipeline.clean``),
  so earlier steps (boilerplate rules, spam rules) take part; a document
  rejected by any step counts as rejected.

It prints the ROC-AUC of the score (good vs bad), the confusion matrix of the
verdict (keep / reject) at the configured thresholds, per-class score ranges
and rejection reasons, the misclassified documents and the speed.

    .venv/bin/python bench/bench_quality.py              # about 2 s
    .venv/bin/python bench/bench_quality.py --pipeline
    .venv/bin/python bench/bench_quality.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners.config import CleanerConfig  # noqa: E402
from cleaners.context import Context  # noqa: E402
from cleaners.document import Document  # noqa: E402
from cleaners.quality import score_quality  # noqa: E402

SET = ROOT / "bench" / "data" / "quality_set.json"


def load_set() -> list[dict[str, str]]:
    return json.loads(SET.read_text(encoding="utf-8"))["documents"]


def roc_auc(pos: list[float], neg: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half).

    >>> roc_auc([0.9, 0.8], [0.1, 0.8])
    0.875
    """
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / max(len(pos) * len(neg), 1)


def run_step(doc: dict[str, str], cfg: CleanerConfig) -> tuple[float, str | None, dict]:
    text = doc["text"]
    ctx = Context(Document.make("bench", 0, text), cfg, text_in=text)
    score_quality(text, ctx)
    return ctx.quality_score, (ctx.verdict.reason if ctx.verdict else None), ctx.metadata


def run_pipeline(doc: dict[str, str], cfg: CleanerConfig) -> tuple[float, str | None, dict]:
    from cleaners.pipeline import clean

    r = clean(Document.make("bench", 0, doc["text"]), cfg)
    return r.quality_score, r.verdict.reason, r.metadata


def evaluate(docs: list[dict[str, str]], cfg: CleanerConfig, pipeline: bool = False, repeat: int = 1) -> dict:
    """The report; the speed is the fastest of ``repeat`` passes (one pass of
    about 50 ms is at the mercy of a shared machine)."""
    runner = run_pipeline if pipeline else run_step
    rows = []
    t0 = time.perf_counter()
    for d in docs:
        score, reason, meta = runner(d, cfg)
        rows.append({**{k: d[k] for k in ("id", "class", "label", "lang")}, "score": score, "reason": reason,
                     "weakest": meta.get("quality_weakest", "")})
    seconds = time.perf_counter() - t0
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        for d in docs:
            runner(d, cfg)
        seconds = min(seconds, time.perf_counter() - t0)
    pos = [r["score"] for r in rows if r["label"] == "good"]
    neg = [r["score"] for r in rows if r["label"] == "bad"]
    cm = {"good_kept": 0, "good_rejected": 0, "bad_kept": 0, "bad_rejected": 0}
    for r in rows:
        cm[f"{r['label']}_{'rejected' if r['reason'] else 'kept'}"] += 1
    per_class: dict[str, dict] = defaultdict(lambda: {"n": 0, "scores": [], "reasons": defaultdict(int)})
    for r in rows:
        c = per_class[r["class"]]
        c["n"] += 1
        c["scores"].append(r["score"])
        c["reasons"][r["reason"] or "kept"] += 1
    return {
        "mode": "pipeline" if pipeline else "quality step",
        "n": len(rows),
        "roc_auc": round(roc_auc(pos, neg), 4),
        "confusion": cm,
        "precision_reject": round(cm["bad_rejected"] / max(cm["bad_rejected"] + cm["good_rejected"], 1), 4),
        "recall_reject": round(cm["bad_rejected"] / max(cm["bad_rejected"] + cm["bad_kept"], 1), 4),
        "per_class": {k: {"n": v["n"], "min": min(v["scores"]), "mean": round(sum(v["scores"]) / v["n"], 3),
                          "max": max(v["scores"]), "verdicts": dict(v["reasons"])}
                      for k, v in per_class.items()},
        "errors": [r for r in rows if (r["label"] == "good") == bool(r["reason"])],
        "docs_per_s": round(len(rows) / seconds, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pipeline", action="store_true", help="run the whole pipeline, not the quality step alone")
    ap.add_argument("--json", help="also write the report here")
    ap.add_argument("--repeat", type=int, help="timed passes, the fastest counts (default 5, 1 with --pipeline)")
    args = ap.parse_args()
    cfg = CleanerConfig()
    docs = load_set()
    evaluate(docs[:5], cfg, args.pipeline)  # warm up (class table, rule packs)
    rep = evaluate(docs, cfg, args.pipeline, args.repeat or (1 if args.pipeline else 5))
    q = cfg.quality
    print(f"{rep['mode']}: {rep['n']} documents, min_score={q.min_score}, min_chars={q.min_chars}")
    print(f"ROC-AUC {rep['roc_auc']}")
    cm = rep["confusion"]
    print("confusion (rows: label, columns: verdict)")
    print(f"  {'':6} {'kept':>6} {'rejected':>9}")
    print(f"  {'good':6} {cm['good_kept']:>6} {cm['good_rejected']:>9}")
    print(f"  {'bad':6} {cm['bad_kept']:>6} {cm['bad_rejected']:>9}")
    print(f"reject precision {rep['precision_reject']}, recall {rep['recall_reject']}")
    print(f"\n{'class':18} {'n':>3} {'min':>6} {'mean':>6} {'max':>6}  verdicts")
    for k, v in rep["per_class"].items():
        print(f"{k:18} {v['n']:>3} {v['min']:>6.3f} {v['mean']:>6.3f} {v['max']:>6.3f}  {v['verdicts']}")
    if rep["errors"]:
        print("\nmisclassified:")
        for r in rep["errors"]:
            print(f"  {r['id']:22} {r['label']:4} score={r['score']:.3f} reason={r['reason']} weakest={r['weakest']}")
    print(f"\n{rep['docs_per_s']} documents/s ({rep['mode']})")
    if args.json:
        Path(args.json).write_text(json.dumps(rep, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Encoding repair benchmark: qingxi's mojibake step against plain ftfy, in one run.

    .venv/bin/python bench/bench_encoding.py            # about 30 s on a shared 2-core machine

For every damage kind of ``tests/damage.py`` (Python's own codecs applied to
the sentences of ``tests/cases/encoding_corpus.json``) it reports the share of
sentences restored exactly and the mean character similarity, for
``cleaners.mojibake.repair_mojibake`` and for ``ftfy.fix_text`` with its
defaults.  Then the false-positive rate on clean text (sentences changed at
all) and the cost per MB on clean and on damaged text.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import ftfy  # noqa: E402
from damage import KINDS, applicable, corpus, similarity  # noqa: E402

from cleaners.config import CleanerConfig  # noqa: E402
from cleaners.context import Context  # noqa: E402
from cleaners.document import Document, apply_edits  # noqa: E402
from cleaners.mojibake import repair_mojibake  # noqa: E402

CFG = CleanerConfig()


def ours(text: str) -> str:
    ctx = Context(Document.make("bench", 0, text), CFG, text_in=text)
    return apply_edits(text, repair_mojibake(text, ctx))


def theirs(text: str) -> str:
    return ftfy.fix_text(text)


def per_mb(fn, text: str, repeat: int = 1) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn(text)
    return (time.perf_counter() - t0) / repeat / (len(text.encode("utf-8")) / 1e6)


def main() -> int:
    data = corpus()
    sentences = data["clean_simplified"] + data["clean_traditional"]
    rows = []
    damaged_all: list[str] = []
    for kind, damage in KINDS.items():
        n = ex_o = ex_f = 0
        sim_o = sim_f = 0.0
        for s in sentences:
            if not applicable(kind, s):
                continue
            bad = damage(s)
            if bad == s:
                continue
            damaged_all.append(bad)
            o, f = ours(bad), theirs(bad)
            n += 1
            ex_o += o == s
            ex_f += f == s
            sim_o += similarity(o, s)
            sim_f += similarity(f, s)
        rows.append((kind, n, ex_o / n, sim_o / n, ex_f / n, sim_f / n))

    print("Restoration per damage kind (exact share / mean character similarity)")
    print(f"{'kind':20s} {'n':>4s} {'qingxi exact':>13s} {'qingxi sim':>11s} {'ftfy exact':>11s} {'ftfy sim':>9s}")
    for kind, n, eo, so, ef, sf in rows:
        print(f"{kind:20s} {n:4d} {eo:13.2f} {so:11.3f} {ef:11.2f} {sf:9.3f}")

    clean = data["negative"] + sentences
    fp_o = sum(ours(t) != t for t in clean)
    fp_f = sum(theirs(t) != t for t in clean)
    print(f"\nFalse positives on {len(clean)} clean texts: qingxi {fp_o} ({fp_o / len(clean):.1%}), "
          f"ftfy {fp_f} ({fp_f / len(clean):.1%})")
    if fp_f:
        print("  ftfy changed:", [t for t in clean if theirs(t) != t][:5])

    def scaled(texts: list[str], size: int) -> str:
        doc = "\n".join(texts)
        return "\n".join([doc] * max(1, -(-size // len(doc.encode("utf-8")))))

    prose = scaled(sentences, 1_000_000)
    hard = scaled(data["negative"], 300_000)
    damaged_doc = scaled(damaged_all, 100_000)
    print("\nCost per MB (seconds)")
    print(f"{'text':34s} {'MB':>5s} {'qingxi s/MB':>12s} {'ftfy s/MB':>10s}")
    for label, doc in (("clean prose", prose), ("hard negatives (rare chars, Latin-1)", hard),
                       ("damaged (all kinds)", damaged_doc)):
        mb = len(doc.encode("utf-8")) / 1e6
        print(f"{label:34s} {mb:5.2f} {per_mb(ours, doc):12.3f} {per_mb(theirs, doc):10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

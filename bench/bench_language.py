"""Language identification: qingxi's detector vs plain langdetect, same documents, same run.

The documents are composed from ``bench/data/language_pool.json`` (sentences
written for qingxi, by class): every sentence is a short document, and
``--long`` documents per class join 8 sentences (rotating start), half of them
with newlines, half run together, and three more join 60 sentences (several
thousand characters, so qingxi's sampled windows are exercised).  Two damaged groups are derived at run time:
``zh-Hant-ascii`` (Traditional text whose ，。！？ became ASCII, the damage that
makes langdetect call Traditional Chinese Korean) and ``zh-Hans+terms``
(Chinese full of English product names; its label is ``zh-Hans``).

For each class it prints accuracy for documents of at least 50 characters and
below, for qingxi (``cleaners.language.identify_language``) and for plain
langdetect on the full text (seeded, labels mapped: zh-cn -> zh-Hans,
zh-tw -> zh-Hant), then documents per second for both, how many documents
qingxi sent to langdetect at all, and how many it called English by their
function words (``plainly_english``) and whether plain langdetect agrees on all
of them.

    .venv/bin/python bench/bench_language.py            # about 10 s
    .venv/bin/python bench/bench_language.py --json out.json --errors
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

from cleaners.language import identify_language, langdetect_probabilities

POOL = ROOT / "bench" / "data" / "language_pool.json"
_ASCII_PUNCT = str.maketrans({"，": ",", "。": ".", "！": "!", "？": "?", "：": ":", "；": ";"})


def build_documents(n_long: int = 10, per_long: int = 8, n_xl: int = 3) -> list[dict[str, str]]:
    """[{group, label, text}] composed deterministically from the pool."""
    pool = json.loads(POOL.read_text(encoding="utf-8"))
    pool.pop("_about", None)
    pool["zh-Hant-ascii"] = [s.translate(_ASCII_PUNCT) for s in pool["zh-Hant"]]
    docs: list[dict[str, str]] = []
    for group, sentences in pool.items():
        label = group.split("+")[0].replace("-ascii", "")
        latin = label in ("en", "fr", "de", "es")
        for s in sentences:
            docs.append({"group": group, "label": label, "text": s})
        n = len(sentences)
        for k in range(n_long):
            picked = [sentences[(k * 3 + i * 5) % n] for i in range(per_long)]
            sep = "\n" if k % 2 == 0 else (" " if latin else "")
            docs.append({"group": group, "label": label, "text": sep.join(picked)})
        for k in range(n_xl):  # several thousand characters: the sampled windows matter
            picked = [sentences[(k + i * 7) % n] for i in range(60)]
            docs.append({"group": group, "label": label, "text": ("\n" if latin else "").join(picked)})
    return docs


def plain_langdetect(text: str) -> str:
    ranked = langdetect_probabilities(text, seed=0)
    return ranked[0][0] if ranked else "und"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--long", type=int, default=10, help="long documents per class")
    ap.add_argument("--repeat", type=int, default=1, help="timing passes over the set")
    ap.add_argument("--errors", action="store_true", help="print every misclassified document")
    ap.add_argument("--json", type=Path, default=None, help="write the numbers as JSON here")
    args = ap.parse_args(argv)

    docs = build_documents(args.long)
    identify_language("预热")          # load OpenCC tables and langdetect profiles outside the timing
    plain_langdetect("warm up the profiles")

    results: dict[str, list[str]] = {"qingxi": [], "langdetect": []}
    timing: dict[str, float] = {}
    calls = 0
    by_words: list[int] = []
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        out = []
        by_words = []
        for i, d in enumerate(docs):
            det = identify_language(d["text"])
            out.append(det.lang)
            calls += det.langdetect_calls > 0
            if det.method == "words":
                by_words.append(i)
        results["qingxi"] = out
    timing["qingxi"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        results["langdetect"] = [plain_langdetect(d["text"]) for d in docs]
    timing["langdetect"] = time.perf_counter() - t0

    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for i, d in enumerate(docs):
        size = "long" if len(d["text"]) >= 50 else "short"
        for name, res in results.items():
            ok = res[i] == d["label"]
            for key in (f"{name}:{size}", f"{name}:all"):
                table[d["group"]][key][0] += ok
                table[d["group"]][key][1] += 1
                table["ALL"][key][0] += ok
                table["ALL"][key][1] += 1
            if args.errors and not ok and name == "qingxi":
                print(f"  miss {d['group']:>14} got {res[i]:<8} {d['text'][:60]!r}")

    def cell(group: str, key: str) -> str:
        ok, n = table[group][key]
        return f"{100 * ok / n:6.1f}% ({n:3d})" if n else "      -      "

    cols = ["qingxi:long", "langdetect:long", "qingxi:short", "langdetect:short"]
    print(f"{'class':>14} | " + " | ".join(f"{c:>15}" for c in ["qingxi >=50", "langdetect >=50",
                                                                  "qingxi <50", "langdetect <50"]))
    for group in [*sorted(g for g in table if g != "ALL"), "ALL"]:
        print(f"{group:>14} | " + " | ".join(f"{cell(group, c):>15}" for c in cols))
    n = len(docs) * args.repeat
    print(f"\ndocuments: {len(docs)}  (x{args.repeat})")
    for name in results:
        print(f"{name:>10}: {n / timing[name]:8.0f} docs/s  ({timing[name]:.2f} s)")
    cjk = [d for d in docs if d["label"] not in ("en", "fr", "de", "es")]
    for name, fn in (("qingxi", lambda t: identify_language(t).lang), ("langdetect", plain_langdetect)):
        t0 = time.perf_counter()
        for d in cjk:
            fn(d["text"])
        dt = time.perf_counter() - t0
        print(f"{name:>10}: {len(cjk) / dt:8.0f} docs/s on the {len(cjk)} CJK documents")
    print(f"qingxi asked langdetect for {calls / args.repeat:.0f} of {len(docs)} documents")
    # plainly_english must never call English what langdetect would not
    agree = sum(results["langdetect"][i] == "en" for i in by_words)
    print(f"qingxi called {len(by_words)} documents English by function words; "
          f"plain langdetect agrees on {agree}")
    if args.json:
        summary = {
            "docs": len(docs),
            "docs_per_s": {k: n / v for k, v in timing.items()},
            "accuracy": {g: {k: v[0] / v[1] for k, v in cols_.items() if v[1]} for g, cols_ in table.items()},
            "langdetect_share": calls / args.repeat / len(docs),
            "english_by_words": len(by_words),
            "english_by_words_langdetect_agrees": agree,
        }
        args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark ``cleaners.html.extract_html`` against trafilatura, with/without snippets.

    .venv/bin/python bench/bench_html.py [--eval DIR] [--fixtures DIR] [--no-trafilatura]
                                         [--failures] [--parsers] [--repeat N]

Two page sets, each an ``evaldata.json`` in trafilatura's format (``{key:
{"file": ..., "with": [...], "without": [...]}}``) next to a ``pages/`` folder
or the pages themselves:

* ``--eval`` (default ``../shared/external/trafilatura-eval``): 100 real pages
  from trafilatura's evaluation set, 8 of them Chinese or Japanese.  Read in
  place, never copied.  Skipped when absent.
* ``--fixtures`` (default ``tests/fixtures/html``): our own Chinese pages.

Scoring is trafilatura's (and ``score.py``'s): for each page every ``with``
snippet found in the extracted text is a true positive, every one missing a
false negative; every ``without`` snippet found is a false positive.
Whitespace is collapsed on both sides.  Precision, recall and F1 are pooled
over all snippets; ``cjk`` is the subset of pages whose snippets contain CJK.

trafilatura is run in the same invocation: imported when importable, else
through ``bench/.venv-trafilatura/bin/python`` (a separate venv, see
``docs/html.md``); it is given the same raw bytes.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaners.html import extract_html  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]")
DEFAULT_EVAL = ROOT.parent / "shared" / "external" / "trafilatura-eval"
DEFAULT_FIXTURES = ROOT / "tests" / "fixtures" / "html"
TRAF_VENV = ROOT / "bench" / ".venv-trafilatura" / "bin" / "python"

# Runs inside the trafilatura venv: reads file paths on stdin, prints {name: text} and seconds.
_TRAF_SCRIPT = r"""
import json, pathlib, sys, time
import trafilatura
paths = json.loads(sys.stdin.read())
out = {}
t0 = time.perf_counter()
for p in paths:
    out[pathlib.Path(p).name] = trafilatura.extract(pathlib.Path(p).read_bytes()) or ""
print(json.dumps({"texts": out, "seconds": time.perf_counter() - t0, "version": trafilatura.__version__}))
"""


def load_cases(folder: pathlib.Path) -> tuple[dict[str, dict], pathlib.Path]:
    cases = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages = folder / "pages" if (folder / "pages").is_dir() else folder
    return cases, pages


def is_cjk(case: dict) -> bool:
    return any(CJK.search(s) for s in case.get("with", []) + case.get("without", []))


def score(texts: dict[str, str], cases: dict[str, dict]) -> tuple[float, float, float]:
    """Pooled precision, recall and F1 of with/without snippets (trafilatura's evaluation).

    >>> score({"a.html": "x y  z"}, {"u": {"file": "a.html", "with": ["y z"], "without": ["q"]}})
    (1.0, 1.0, 1.0)
    """
    tp = fp = fn = 0
    for case in cases.values():
        text = " ".join(texts.get(case["file"], "").split())
        for s in case.get("with", []):
            if " ".join(s.split()) in text:
                tp += 1
            else:
                fn += 1
        for s in case.get("without", []):
            if " ".join(s.split()) in text:
                fp += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def run_ours(cases: dict[str, dict], pages: pathlib.Path,
             repeat: int = 1) -> tuple[dict[str, str], float, int]:
    blobs = {c["file"]: (pages / c["file"]).read_bytes() for c in cases.values()}
    texts: dict[str, str] = {}
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for name, raw in blobs.items():
            texts[name] = extract_html(raw).text
        best = min(best, time.perf_counter() - t0)
    return texts, best, sum(len(b) for b in blobs.values())


def run_trafilatura(cases: dict[str, dict], pages: pathlib.Path) -> tuple[dict[str, str], float, str] | None:
    paths = [str(pages / c["file"]) for c in cases.values()]
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
    if trafilatura is not None:
        t0 = time.perf_counter()
        texts = {pathlib.Path(p).name: trafilatura.extract(pathlib.Path(p).read_bytes()) or "" for p in paths}
        return texts, time.perf_counter() - t0, trafilatura.__version__
    if not TRAF_VENV.exists():
        return None
    proc = subprocess.run([str(TRAF_VENV), "-c", _TRAF_SCRIPT], input=json.dumps(paths), capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        print(f"trafilatura venv failed: {proc.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    out = json.loads(proc.stdout)
    return out["texts"], out["seconds"], out["version"]


def failures(texts: dict[str, str], cases: dict[str, dict]) -> list[str]:
    lines = []
    for case in cases.values():
        text = " ".join(texts.get(case["file"], "").split())
        miss = [s for s in case.get("with", []) if " ".join(s.split()) not in text]
        leak = [s for s in case.get("without", []) if " ".join(s.split()) in text]
        if miss or leak:
            lines.append(f"  {case['file']}: missed {miss} leaked {leak}")
    return lines


def parser_timing(pages: pathlib.Path, cases: dict[str, dict]) -> None:
    """Parse-only time: lxml.etree (what extract_html uses) vs BeautifulSoup(..., "lxml")."""
    import warnings

    from bs4 import BeautifulSoup
    from lxml import etree

    blobs = [(pages / c["file"]).read_bytes() for c in cases.values()]
    t0 = time.perf_counter()
    for b in blobs:
        etree.fromstring(b, parser=etree.HTMLParser(huge_tree=True, remove_comments=True))
    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XMLParsedAsHTMLWarning on XHTML pages
        for b in blobs:
            BeautifulSoup(b, "lxml")
    t2 = time.perf_counter()
    print(f"  parse only, {len(blobs)} pages: lxml.etree {t1 - t0:.2f}s, bs4+lxml {t2 - t1:.2f}s "
          f"({(t2 - t1) / (t1 - t0):.0f}x); whole extract_html run above includes the parse")


def bench(name: str, folder: pathlib.Path, args: argparse.Namespace) -> None:
    if not (folder / "evaldata.json").exists():
        print(f"{name}: {folder} absent, skipped")
        return
    cases, pages = load_cases(folder)
    cjk = {k: c for k, c in cases.items() if is_cjk(c)}
    n_snip = sum(len(c.get("with", [])) + len(c.get("without", [])) for c in cases.values())
    print(f"{name}: {len(cases)} pages ({len(cjk)} CJK), {n_snip} snippets, {folder}")
    ours, secs, nbytes = run_ours(cases, pages, args.repeat)
    results: list[tuple[str, dict[str, str], float]] = [("qingxi", ours, secs)]
    if not args.no_trafilatura:
        t = run_trafilatura(cases, pages)
        if t is None:
            print("  trafilatura: not importable and no bench/.venv-trafilatura, skipped")
        else:
            results.append((f"trafilatura {t[2]}", t[0], t[1]))
    for label, texts, seconds in results:
        p, r, f = score(texts, cases)
        _, _, fz = score(texts, cjk) if cjk else (0, 0, float("nan"))
        print(f"  {label:18s} precision={p:.3f} recall={r:.3f} f1={f:.3f} f1_cjk={fz:.3f} "
              f"time={seconds:.2f}s pages/s={len(cases) / seconds:.0f} MB/s={nbytes / seconds / 1e6:.1f}")
        if args.failures:
            print("\n".join(failures(texts, cases)))
    if args.parsers:
        parser_timing(pages, cases)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eval", type=pathlib.Path, default=DEFAULT_EVAL)
    ap.add_argument("--fixtures", type=pathlib.Path, default=DEFAULT_FIXTURES)
    ap.add_argument("--no-trafilatura", action="store_true")
    ap.add_argument("--failures", action="store_true", help="list missed and leaked snippets per page")
    ap.add_argument("--parsers", action="store_true", help="also time lxml.html vs bs4+lxml parsing")
    ap.add_argument("--repeat", type=int, default=1, help="time our extractor as the best of N runs")
    args = ap.parse_args()
    bench("trafilatura-eval", args.eval, args)
    bench("fixtures", args.fixtures, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Precision and recall of the boilerplate rule packs on labelled lines.

    .venv/bin/python bench/bench_boilerplate.py [--json] [--show-errors]

The labelled lines live in ``tests/cases/boilerplate_lines.json`` (written for
qingxi, no third-party text).  Each line is put into a neutral filler
document: boilerplate lines at the position they occur in the wild (``head``
= first line, ``tail`` = last line, ``middle``), content lines at all three
positions.  The document goes through the ``boilerplate`` step alone.

* a boilerplate line is *found* when it is removed (wholly or the matched
  span), flagged, or its document is rejected;
* a content placement is *wrong* when the line does not come out verbatim, or
  the document is flagged or rejected; a filler line that does not come out
  verbatim is *collateral* damage, counted for every placement.

Reported: recall per pack (found / labelled for that pack), precision per pack
(placements where the pack fired on a boilerplate line / all placements where
it fired on the tested line), content precision (content placements left
alone / all content placements, which must stay above 0.99), collateral
damage, document-level spam decisions and throughput.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cleaners.boilerplate import get_ruleset, strip_boilerplate  # noqa: E402
from cleaners.config import CleanerConfig  # noqa: E402
from cleaners.context import Context  # noqa: E402
from cleaners.document import Document, apply_edits  # noqa: E402

CASES = ROOT / "tests" / "cases" / "boilerplate_lines.json"
POSITIONS = ("head", "middle", "tail")


@dataclass
class Outcome:
    text: str
    label: str
    pack: str | None
    where: str
    fired: set[str]          # packs whose rules touched the tested line (or flagged/rejected the doc)
    changed: bool            # the tested line did not come out verbatim
    flagged: bool
    rejected: bool
    collateral: int          # filler lines damaged


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    spam_docs: tuple[int, int] = (0, 0)        # rejected, total
    clean_docs_rejected: int = 0
    clean_docs: int = 0
    seconds: float = 0.0
    chars: int = 0

    def summary(self) -> dict[str, object]:
        packs = sorted({o.pack for o in self.outcomes if o.pack}
                       | {p for o in self.outcomes for p in o.fired})
        per_pack: dict[str, dict[str, float | int]] = {}
        for p in packs:
            labelled = [o for o in self.outcomes if o.label == "boilerplate" and o.pack == p]
            found = [o for o in labelled if o.fired or o.changed or o.flagged or o.rejected]
            fired = [o for o in self.outcomes if p in o.fired]
            good = [o for o in fired if o.label == "boilerplate"]
            per_pack[p] = {
                "labelled": len(labelled), "found": len(found),
                "recall": round(len(found) / len(labelled), 4) if labelled else None,
                "fired": len(fired),
                "precision": round(len(good) / len(fired), 4) if fired else None,
            }
        content = [o for o in self.outcomes if o.label == "content"]
        wrong = [o for o in content if o.changed or o.flagged or o.rejected]
        bp = [o for o in self.outcomes if o.label == "boilerplate"]
        found = [o for o in bp if o.fired or o.changed or o.flagged or o.rejected]
        removals = [o for o in self.outcomes if o.changed or o.flagged or o.rejected]
        return {
            "packs": per_pack,
            "boilerplate_lines": len(bp),
            "recall": round(len(found) / len(bp), 4) if bp else None,
            "precision": round(sum(o.label == "boilerplate" for o in removals) / len(removals), 4)
            if removals else None,
            "content_placements": len(content),
            "content_wrong": len(wrong),
            "content_precision": round(1 - len(wrong) / len(content), 4) if content else None,
            "content_wrong_by_position": {w: sum(o.where == w for o in wrong) for w in POSITIONS},
            "collateral_lines": sum(o.collateral for o in self.outcomes),
            "spam_docs_rejected": f"{self.spam_docs[0]}/{self.spam_docs[1]}",
            "clean_docs_rejected": f"{self.clean_docs_rejected}/{self.clean_docs}",
            "chars_per_second": int(self.chars / self.seconds) if self.seconds else None,
        }


def _run(text: str, cfg: CleanerConfig) -> tuple[str, list, Context]:
    ctx = Context(doc=Document.make("bench", 0, text), config=cfg, text_in=text)
    edits = strip_boilerplate(text, ctx)
    return apply_edits(text, edits), edits, ctx


def _place(filler: list[str], line: str, where: str) -> tuple[list[str], int]:
    lines = list(filler)
    idx = {"head": 0, "middle": len(lines) // 2, "tail": len(lines)}[where]
    lines.insert(idx, line)
    return lines, idx


def evaluate(cases_path: Path = CASES, cfg: CleanerConfig | None = None, only: str | None = None) -> Report:
    """Run every labelled placement through the step and collect outcomes
    (``only``: restrict to the lines of one set, ``dev`` or ``holdout``)."""
    cfg = cfg or CleanerConfig()
    data = json.loads(cases_path.read_text(encoding="utf-8"))
    if only is not None:
        data["lines"] = [x for x in data["lines"] if x.get("set", "dev") == only]
    filler: list[str] = data["filler"]
    pack_of = {r.id: r.pack for r in get_ruleset(cfg.boilerplate).rules}
    report = Report()
    t0 = time.perf_counter()
    for item in data["lines"]:
        positions = POSITIONS if item["where"] == "any" else (item["where"],)
        for where in positions:
            lines, idx = _place(filler, item["text"], where)
            text = "\n".join(lines) + "\n"
            report.chars += len(text)
            out, edits, ctx = _run(text, cfg)
            start = sum(len(x) + 1 for x in lines[:idx])
            end = start + len(item["text"])
            fired = {pack_of.get(e.rule.split(":", 1)[1], "?") for e in edits
                     if e.start < end and e.end > start}
            fired |= {pack_of.get(f.split(":", 1)[1], "?") for f in ctx.flags if f.startswith("boilerplate:")}
            if ctx.verdict is not None and ctx.verdict.detail in pack_of:
                fired.add(pack_of[ctx.verdict.detail])
            out_lines = out.split("\n")
            report.outcomes.append(Outcome(
                text=item["text"], label=item["label"], pack=item.get("pack"), where=where, fired=fired,
                changed=item["text"] not in out_lines, flagged=bool(ctx.flags),
                rejected=ctx.verdict is not None,
                collateral=sum(1 for f in filler if f not in out_lines),
            ))
    # Document level: pages made of spam lines are rejected, filler pages are not.
    spam = [o["text"] for o in data["lines"] if o.get("pack") == "spam"]
    rejected = total = 0
    for k in range(len(spam)):
        doc = [spam[k], spam[(k + 1) % len(spam)], filler[k % len(filler)], spam[(k + 3) % len(spam)]]
        _, _, ctx = _run("\n".join(doc) + "\n", cfg)
        total += 1
        rejected += ctx.verdict is not None and ctx.verdict.reason == "spam"
    report.spam_docs = (rejected, total)
    content = [o["text"] for o in data["lines"] if o["label"] == "content"]
    for k in range(0, len(content), 8):
        _, _, ctx = _run("\n".join(filler[:4] + content[k:k + 8] + filler[4:]) + "\n", cfg)
        report.clean_docs_rejected += ctx.verdict is not None
        report.clean_docs += 1
    report.seconds = time.perf_counter() - t0
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--show-errors", action="store_true", help="list misses and false positives")
    ap.add_argument("--set", choices=("dev", "holdout", "holdout2"), help="only the lines of this set")
    args = ap.parse_args(argv)
    report = evaluate(only=args.set)
    s = report.summary()
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
    else:
        print(f"{'pack':<12} {'labelled':>8} {'found':>6} {'recall':>7} {'fired':>6} {'precision':>9}")
        for p, row in s["packs"].items():  # type: ignore[union-attr]
            rec = "-" if row["recall"] is None else f"{row['recall']:.3f}"
            pre = "-" if row["precision"] is None else f"{row['precision']:.3f}"
            print(f"{p:<12} {row['labelled']:>8} {row['found']:>6} {rec:>7} {row['fired']:>6} {pre:>9}")
        for k in ("boilerplate_lines", "recall", "precision", "content_placements", "content_wrong",
                  "content_precision", "content_wrong_by_position", "collateral_lines",
                  "spam_docs_rejected", "clean_docs_rejected",
                  "chars_per_second"):
            print(f"{k}: {s[k]}")
    if args.show_errors:
        for o in report.outcomes:
            hit = bool(o.fired or o.changed or o.flagged or o.rejected)
            if o.label == "boilerplate" and not hit:
                print(f"MISS  [{o.pack}/{o.where}] {o.text}")
            elif o.label == "content" and hit:
                print(f"FALSE [{','.join(sorted(o.fired))}/{o.where}] {o.text}")
            if o.collateral:
                print(f"COLLATERAL x{o.collateral} [{o.label}/{o.where}] {o.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run reports: ``OUT/report.html`` (self-contained, no network), a markdown
summary for Prefect artifacts and ``qingxi report``.

Everything is computed from ``manifest.json`` and the kept parts'
``quality_score`` column, so a report can be rebuilt from any output folder.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from flows.storage import Store

HIST_BINS = 10


def score_histogram(out: str | Path) -> list[int]:
    """Counts of kept documents per tenth of quality score."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    store = Store(str(out))
    counts = [0] * HIST_BINS
    if not any(n.endswith(".parquet") and not n.startswith(".") for n in store.listdir("kept")):
        return counts
    dset = ds.dataset(**store.dataset_args("kept"), format="parquet", exclude_invalid_files=True)
    col = dset.to_table(columns=["quality_score"]).column("quality_score")
    bins = pc.min_element_wise(pc.floor(pc.multiply(pc.fill_null(col, 0.0), HIST_BINS)), HIST_BINS - 1)
    for b in bins.to_pylist():
        counts[int(b)] += 1
    return counts


def load(out: str | Path) -> tuple[dict[str, Any], list[int]]:
    """The manifest and score histogram of an output folder."""
    store = Store(str(out))
    if not store.exists("manifest.json"):
        raise FileNotFoundError(f"{out}: no manifest.json (is this a qingxi output folder?)")
    return json.loads(store.read_text("manifest.json")), score_histogram(out)


def markdown(manifest: dict[str, Any], hist: list[int]) -> str:
    """A markdown summary: counts, reasons, languages, rules with a sample hit, time per step."""
    m = manifest
    lines = [
        "# qingxi run report", "",
        f"qingxi {m['qingxi_version']}, config `{m['config_hash']}`, {len(m['shards'])} shard(s), "
        f"{m['elapsed_seconds']:.1f} s", "",
        "| documents | count |", "|---|---:|",
        f"| in | {m['records_in']} |", f"| kept | {m['kept']} |", f"| rejected | {m['rejected']} |",
    ]
    for reason, n in m["rejected_by_reason"].items():
        lines.append(f"| rejected: {reason} | {n} |")
    lines += ["", f"Records in = kept + rejected: **{'yes' if m['reconciled'] else 'NO'}**", "",
              "## Languages", "", "| language | documents |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in m["languages"].items()]
    lines += ["", "## Quality score (kept)", "", "| score | documents |", "|---|---:|"]
    lines += [f"| {i / HIST_BINS:.1f}-{(i + 1) / HIST_BINS:.1f} | {n} |" for i, n in enumerate(hist)]
    lines += ["", "## Edits and removals per rule", "", "| rule | count | chars removed | sample |",
              "|---|---:|---:|---|"]
    for rule, v in m["rules"].items():
        sample = v["sample"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{rule}` | {v['count']} | {v['chars_removed']} | {sample} |")
    lines += ["", "## Time per step (seconds, all shards)", "", "| step | seconds |", "|---|---:|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in m["step_seconds"].items()]
    if m.get("failed_shards"):
        lines += ["", "## Failed shards", ""]
        lines += [f"- shard {f['index']}: {f['error']}" for f in m["failed_shards"]]
    return "\n".join(lines) + "\n"


def _bars(title: str, items: list[tuple[str, int]], color: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return f"<h2>{html.escape(title)}</h2><p class=empty>none</p>"
    width, bar_h, label_w = 640, 22, 220
    top = max(v for _, v in items) or 1
    h = bar_h * len(items) + 8
    rows = []
    for i, (label, v) in enumerate(items):
        y = i * bar_h + 4
        w = max(1, int((width - label_w - 70) * v / top)) if v else 0
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{html.escape(label[:34])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{bar_h - 6}" fill="{color}" rx="2"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}">{v}</text>')
    return (f'<h2>{html.escape(title)}</h2><svg role="img" aria-label="{html.escape(title)}" '
            f'width="{width}" height="{h}" viewBox="0 0 {width} {h}">{"".join(rows)}</svg>')


def html_page(manifest: dict[str, Any], hist: list[int]) -> str:
    """A self-contained page (inline CSS and SVG, no script, no network)."""
    m = manifest
    summary = [("in", m["records_in"]), ("kept", m["kept"]), ("rejected", m["rejected"])]
    cards = "".join(f'<div class=card><b>{v}</b><span>{k}</span></div>' for k, v in summary)
    hist_items = [(f"{i / HIST_BINS:.1f}-{(i + 1) / HIST_BINS:.1f}", n) for i, n in enumerate(hist)]
    rules = list(m["rules"].items())[:25]
    rule_rows = "".join(
        f"<tr><td><code>{html.escape(r)}</code></td><td>{v['count']}</td><td>{v['chars_removed']}</td>"
        f"<td>{html.escape(v['sample'])}</td></tr>" for r, v in rules)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>qingxi run report</title>
<style>
body{{font:14px/1.5 system-ui,sans-serif;margin:2em auto;max-width:900px;color:#222}}
h1{{font-size:22px}} h2{{font-size:16px;margin-top:1.6em}}
.cards{{display:flex;gap:12px}} .card{{border:1px solid #ddd;border-radius:6px;padding:10px 18px}}
.card b{{display:block;font-size:22px}} .card span{{color:#666}}
svg text{{font-size:12px;fill:#333}} table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}}
td:nth-child(2),td:nth-child(3){{text-align:right}} code{{font-size:12px}} .empty{{color:#888}}
</style></head><body>
<h1>qingxi run report</h1>
<p>qingxi {html.escape(m['qingxi_version'])}, config <code>{html.escape(m['config_hash'])}</code>,
{len(m['shards'])} shard(s), {m['elapsed_seconds']:.1f} s.
Records in = kept + rejected: <b>{'yes' if m['reconciled'] else 'NO'}</b>.</p>
<div class=cards>{cards}</div>
{_bars("Quality score of kept documents", hist_items, "#4c78a8")}
{_bars("Languages", list(m['languages'].items())[:15], "#59a14f")}
{_bars("Rejection reasons", list(m['rejected_by_reason'].items()), "#e15759")}
{_bars("Edits and removals per rule", [(r, v['count']) for r, v in rules], "#f28e2b")}
<h2>Rules with a sample hit</h2>
<table><tr><th>rule</th><th>count</th><th>chars removed</th><th>sample</th></tr>{rule_rows}</table>
{_bars("Time per step (ms)", [(k, int(v * 1000)) for k, v in m['step_seconds'].items()], "#76b7b2")}
</body></html>
"""


def write_html(out: str | Path, manifest: dict[str, Any]) -> str:
    """Write ``OUT/report.html`` atomically and return where it is."""
    store = Store(str(out))
    store.write_text("report.html", html_page(manifest, score_histogram(out)))
    return store.url("report.html")

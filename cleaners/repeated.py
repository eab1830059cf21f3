"""Lines repeated across many documents of one site: navigation leftovers,
"相关阅读", share prompts, the site's own disclaimer.

A single document cannot tell its site's chrome from its content; the run can.
Each shard lists, per kept document, the hashes of its candidate lines
(:func:`line_hashes`) with the document's site (:func:`site_key`); the run-wide
finalize step counts in how many documents of a site each line occurs
(:func:`repeated_lines`) and removes those lines (:func:`strip_repeated`),
recording every removal as an edit with rule ``boilerplate:repeated_line``.

>>> docs = [f"导航 首页 新闻\\n第{i}篇正文，内容各不相同。" for i in range(6)]
>>> counts = {}
>>> for d in docs:
...     for h in set(line_hashes(d)):
...         counts[h] = counts.get(h, 0) + 1
>>> rep = repeated_lines({"example.cn": counts}, {"example.cn": 6}, min_docs=5, min_share=0.5)
>>> [e.before for e in strip_repeated(docs[0], rep["example.cn"])]
['导航 首页 新闻\\n']
"""

from __future__ import annotations

import hashlib
import os
from urllib.parse import urlsplit

from cleaners.document import Edit

MIN_LINE = 2      # shorter lines ("1", "。") carry no site signal
MAX_LINE = 300    # longer lines are paragraphs; repeated paragraphs are the dedup step's business


def site_key(url: str | None, source: str, *, one_doc_per_file: bool) -> str:
    """The site a document belongs to: its URL's host, else the folder of its
    file (one document per file) or the file itself (one record per line).

    >>> site_key("https://www.example.cn/a/1.html", "x.jsonl", one_doc_per_file=False)
    'example.cn'
    >>> site_key(None, "crawl/site-a/p1.txt", one_doc_per_file=True)
    'crawl/site-a'
    """
    if isinstance(url, str) and "://" in url:
        host = urlsplit(url).hostname
        if host:
            return host.removeprefix("www.")
    if one_doc_per_file:
        return os.path.dirname(source) or "."
    return source


def _norm(line: str) -> str:
    """The line stripped, each run of whitespace one space (``str.split`` splits
    at the characters regex ``\\s`` matches; faster than a ``re.sub``)."""
    return " ".join(line.split())


def _hash(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little", signed=True)


def line_hashes(text: str) -> list[int]:
    """Hashes of the candidate lines of ``text`` (distinct, in order)."""
    seen: dict[int, None] = {}
    for line in text.split("\n"):
        n = _norm(line)
        if MIN_LINE <= len(n) <= MAX_LINE:
            seen.setdefault(_hash(n), None)
    return list(seen)


def repeated_lines(counts: dict[str, dict[int, int]], docs: dict[str, int], *, min_docs: int,
                   min_share: float) -> dict[str, set[int]]:
    """Per site, the line hashes found in at least ``min_docs`` documents and
    in at least ``min_share`` of the site's documents."""
    out: dict[str, set[int]] = {}
    for site, per_line in counts.items():
        n = docs.get(site, 0)
        if n < min_docs:
            continue
        need = max(min_docs, min_share * n)
        hits = {h for h, c in per_line.items() if c >= need}
        if hits:
            out[site] = hits
    return out


def strip_repeated(text: str, repeated: set[int]) -> list[Edit]:
    """Edits removing every line of ``text`` whose hash is in ``repeated``
    (with its line break)."""
    edits: list[Edit] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        n = _norm(line)
        if MIN_LINE <= len(n) <= MAX_LINE and _hash(n) in repeated:
            stop = end + 1 if end < len(text) else end
            start = pos
            if stop == end and start > 0:  # last line: take the line break before it instead
                start -= 1
            edits.append(Edit("repeated", "boilerplate:repeated_line", start, stop, text[start:stop], "",
                              "line found in many documents of this site"))
        pos = end + 1
    return _merge_adjacent(edits, text)


def _merge_adjacent(edits: list[Edit], text: str) -> list[Edit]:
    out: list[Edit] = []
    for e in edits:
        if out and out[-1].end > e.start:  # the last line's borrowed break overlaps the previous removal
            prev = out.pop()
            e = Edit(e.step, e.rule, prev.start, e.end, text[prev.start:e.end], "", e.note)
        out.append(e)
    return out

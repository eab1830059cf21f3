"""Line breaks and spaces.

Unifies line breaks (``\\r\\n``, ``\\r``, U+2028/2029, NEL) to ``\\n``, turns
exotic spaces (NBSP, thin and em spaces) into a plain space, strips trailing
spaces, collapses runs of blank lines and trims blank lines at both ends.
Leading indentation, including U+3000 paragraph indents, is kept: it is
typography, not damage.  One regex pass; every match is one edit.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> t = "\\n第一段  \\r\\n\\r\\n\\r\\n\\u3000\\u3000第二段\\xa0end\\n\\n"
>>> apply_edits(t, normalize_whitespace(t, Context(Document.make("t", 0, t), CleanerConfig())))
'第一段\\n\\n\\u3000\\u3000第二段 end'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cleaners.document import Edit

if TYPE_CHECKING:
    from cleaners.context import Context

_WS = "[ \\t\u3000\u00a0\u2000-\u200a\u202f\u205f]"
_BREAK = "(?:\r\n|[\n\r\u2028\u2029\x85\x0b\x0c])"
_PATTERN = re.compile(
    f"(?P<eol>{_WS}*{_BREAK}(?:{_WS}*{_BREAK})*(?:{_WS}+\\Z)?)"  # a line end, blank lines after it
    f"|(?P<end>{_WS}+\\Z)"                           # spaces at the very end
    "|(?P<space>[\u00a0\u2000-\u200a\u202f\u205f]+)"  # exotic spaces inside a line
)
_SUSPECT = re.compile(f"[\r\u2028\u2029\x85\x0b\x0c\u00a0\u2000-\u200a\u202f\u205f]|{_WS}\n|\n\n\n|^\\s|\\s\\Z")
_ODD = re.compile("[\r\u2028\u2029\x85\x0b\x0c\u00a0\u2000-\u200a\u202f\u205f]")
_BREAK_RE = re.compile(_BREAK)


def _suspect(text: str) -> bool:
    """``_SUSPECT.search(text)``, several times faster: a regex alternation is
    tried at every position, a character class and substring tests are not.
    (The other spaces of ``_WS`` before a line break are in ``_ODD``.)"""
    return bool(text) and (
        text[0].isspace() or text[-1].isspace() or "\n\n\n" in text or " \n" in text
        or ("\t" in text and "\t\n" in text) or ("\u3000" in text and "\u3000\n" in text)
        or _ODD.search(text) is not None)


def normalize_whitespace(text: str, ctx: Context) -> list[Edit]:
    """Normalize line breaks and spaces; see the module docstring."""
    cfg = ctx.config.whitespace
    if not _suspect(text):
        return []
    keep = cfg.max_blank_lines + 1
    n = len(text)
    edits: list[Edit] = []
    for m in _PATTERN.finditer(text):
        s = m.group(0)
        if m.lastgroup == "eol":
            if m.start() == 0 or m.end() == n:
                new, rule = "", "whitespace:edge_blank_lines"
            else:
                breaks = len(_BREAK_RE.findall(s))
                new = "\n" * min(breaks, keep)
                rule = "whitespace:blank_lines" if breaks > keep else "whitespace:line_end"
            if not cfg.strip_trailing and m.start() != 0 and m.end() != n:
                # keep trailing spaces of the line itself
                lead = re.match(_WS + "*", s)
                new = (lead.group(0) if lead else "") + new
        elif m.lastgroup == "end":
            new, rule = "", "whitespace:edge_blank_lines"
        else:
            new, rule = " ", "whitespace:unicode_space"
        if new != s:
            edits.append(Edit("whitespace", rule, m.start(), m.end(), s, new))
    if cfg.strip_leading:
        lead = re.match(_WS + "+", text)
        if lead and (not edits or edits[0].start >= lead.end()):
            edits.insert(0, Edit("whitespace", "whitespace:leading", 0, lead.end(), lead.group(0), ""))
    return edits

"""HTML leftovers and invisible characters in extracted text.

Text extracted badly from HTML keeps entities (``&nbsp;``, ``&#8220;``, the
double-escaped ``&amp;quot;``), stray tags (``</p>``, ``<br/>``) and characters
nobody can see (ZWSP, BOM, soft hyphen, C0/C1 controls).  Each is one edit with
its own rule id.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> t = "他说&amp;quot;好&amp;quot;</p>\\u200b下一段"
>>> apply_edits(t, strip_markup(t, Context(Document.make("t", 0, t), CleanerConfig())))
'他说"好"\\n下一段'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.entities import html5
from typing import TYPE_CHECKING

from cleaners.document import Edit

if TYPE_CHECKING:
    from cleaners.context import Context

# An entity, possibly escaped once more (&amp;quot;).  Named entities are only
# taken when HTML5 knows the name with its semicolon, so "AT&T;" stays.
_ENTITY = re.compile(r"&(?:amp;)*(?P<body>#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")

# HTML tag names that appear as leftovers; anything else in angle brackets
# (List<String>, <stdio.h>, 《书名》 written with <>) is content.
_TAGS = (
    "a|abbr|article|aside|b|blockquote|body|br|center|code|div|em|font|footer|h[1-6]|head|header|hr|html|i|"
    "iframe|img|input|label|li|link|meta|nav|ol|p|pre|script|section|small|source|span|strong|style|sub|"
    "sup|table|tbody|td|th|thead|title|tr|u|ul|video|wbr"
)
_ATTR = r"""\s+[A-Za-z_:][-\w:.]{0,40}(?:\s*=\s*(?:"[^"<>]{0,2000}"|'[^'<>]{0,2000}'|[^\s"'<>=`]{1,2000}))?"""
_TAG = re.compile(rf"<!--.{{0,5000}}?-->|</?(?:{_TAGS})(?:{_ATTR}){{0,30}}\s*/?>", re.IGNORECASE | re.DOTALL)
_BLOCK_CLOSE = re.compile(r"</(?:p|div|li|h[1-6]|tr|table|ul|ol|section|article|blockquote)\s*>|<br\s*/?>|<hr\s*/?>",
                          re.IGNORECASE)

# Invisible and control characters (\t \n \r are kept).  ZWJ (U+200D) is kept
# between emoji, where it builds one glyph.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200c\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff]+|\u200d(?![\U0001f000-\U0001faff\u2600-\u27bf])"
    "|[\ud800-\udfff]"
)
_INVISIBLE_NAMES = {"\u00ad": "soft_hyphen", "\ufeff": "bom", "\u200b": "zero_width", "\u200c": "zero_width",
                    "\u200d": "zero_width", "\u2060": "zero_width"}
_SUSPECT = re.compile(r"[&<\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
                      "\u2060-\u2069\ufeff\ufff9-\uffff\ud800-\udfff]")


def _entity_repl(body: str) -> str | None:
    if body[0] != "#" and body not in html5:
        return None
    value = html.unescape("&" + body)
    if value == "\xa0":
        return " "  # &nbsp; in running text is a plain space
    if not value or any(0xD800 <= ord(c) <= 0xDFFF or ord(c) < 9 for c in value):
        return ""
    return value


def strip_markup(text: str, ctx: Context) -> list[Edit]:
    """Unescape entities, drop stray tags, remove invisible characters (one pass)."""
    cfg = ctx.config.markup
    if not _SUSPECT.search(text):
        return []
    pattern = _combined(cfg.strip_tags, cfg.unescape_entities, cfg.remove_invisible)
    if pattern is None:
        return []
    edits: list[Edit] = []
    for m in _matches(pattern, text):
        kind = m.lastgroup
        s = m.group(0)
        if kind == "tag":
            new = ""
            if _BLOCK_CLOSE.fullmatch(s):
                nxt = text[m.end():m.end() + 1]
                prev = text[m.start() - 1:m.start()] if m.start() else "\n"
                new = "" if nxt in ("", "\n", "\r") or prev == "\n" else "\n"
            rule = "markup:comment" if s.startswith("<!--") else "markup:tag"
        elif kind == "ent":
            value = _entity_repl(m.group("body"))
            if value is None or value == s:
                continue
            new = value
            rule = "markup:double_escaped_entity" if s.startswith("&amp;") and s != "&amp;" else "markup:entity"
        else:
            new = ""
            name = _INVISIBLE_NAMES.get(s[0])
            if name is None:
                name = "surrogate" if 0xD800 <= ord(s[0]) <= 0xDFFF else "control"
                if "\x00" in s:
                    ctx.flag("nul_bytes")
            rule = f"markup:{name}"
        edits.append(Edit("markup", rule, m.start(), m.end(), s, new))
    return edits


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, jumping from one ``_SUSPECT`` character to the next.

    Every alternative of the combined pattern starts with such a character
    (``<``, ``&``, an invisible one), so no match is skipped; and a regex that
    starts with a character class is scanned for fast, where an alternation of
    whole patterns is tried at every position (4x slower on pages with tags).
    """
    pos = 0
    while (s := _SUSPECT.search(text, pos)) is not None:
        m = pattern.match(text, s.start())
        if m is None:
            pos = s.start() + 1
        else:
            yield m
            pos = m.end()       # (no alternative matches the empty string)


_COMBINED: dict[tuple[bool, bool, bool], re.Pattern[str] | None] = {}


def _combined(tags: bool, entities: bool, invisible: bool) -> re.Pattern[str] | None:
    key = (tags, entities, invisible)
    if key not in _COMBINED:
        parts = []
        if tags:
            parts.append(f"(?P<tag>{_TAG.pattern})")
        if entities:
            parts.append(f"(?P<ent>{_ENTITY.pattern})")
        if invisible:
            parts.append(f"(?P<inv>{_INVISIBLE.pattern})")
        _COMBINED[key] = re.compile("|".join(parts), re.IGNORECASE | re.DOTALL) if parts else None
    return _COMBINED[key]

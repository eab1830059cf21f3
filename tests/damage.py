"""Damage clean text the way real pipelines do, with Python's own codecs.

Used by ``tests/test_mojibake.py`` and ``bench/bench_encoding.py``.  Each kind
is ``name -> function(text) -> damaged text``; see ``/shared/guide/damage.md``
for how each kind happens in the wild.

>>> KINDS["utf8_as_gb18030"]("今天")
'浠婂ぉ'
>>> KINDS["gbk_as_latin1"]("中文")
'ÖÐÎÄ'
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "cases" / "encoding_corpus.json"


def corpus() -> dict[str, list[str]]:
    """The clean and negative sentences (``tests/cases/encoding_corpus.json``)."""
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _wrong(enc: str, dec: str) -> Callable[[str], str]:
    def damage(text: str) -> str:
        return text.encode(enc).decode(dec, "replace")
    damage.__name__ = f"{enc}_as_{dec}"
    return damage


def _qmark(enc: str, dec: str) -> Callable[[str], str]:
    """Decoded with replacement, then saved through a codec that turns U+FFFD into '?'."""
    def damage(text: str) -> str:
        return text.encode(enc).decode(dec, "replace").replace("\ufffd", "?")
    return damage


def shifted(text: str, at: float = 0.3, codec: str = "gbk") -> str:
    """A GBK stream that lost one byte: the byte at ``at`` (share of the length) is cut."""
    raw = text.encode(codec)
    cut = _lead_at(raw, int(len(raw) * at))
    return (raw[:cut] + raw[cut + 1:]).decode("cp936", "replace")


def inserted(text: str, at: float = 0.3, codec: str = "gbk") -> str:
    """A GBK stream with one stray byte inserted before a character."""
    raw = text.encode(codec)
    cut = _lead_at(raw, int(len(raw) * at))
    return (raw[:cut] + b"\xb0" + raw[cut:]).decode("cp936", "replace")


def _lead_at(raw: bytes, pos: int) -> int:
    """The start of the multi-byte character at or after byte ``pos``."""
    i = 0
    while i < len(raw):
        if i >= pos and raw[i] >= 0x81:
            return i
        i += 2 if raw[i] >= 0x81 else 1
    return max(0, len(raw) - 2)


KINDS: dict[str, Callable[[str], str]] = {
    "utf8_as_gbk": _wrong("utf-8", "gbk"),
    "utf8_as_gb18030": _wrong("utf-8", "gb18030"),
    "utf8_as_gbk_qmark": _qmark("utf-8", "gbk"),
    "utf8_as_big5": _wrong("utf-8", "big5"),
    "gbk_as_big5": _wrong("gbk", "cp950"),
    "big5_as_gbk": _wrong("big5", "gbk"),
    "big5_as_gb18030": _wrong("big5", "gb18030"),
    "gbk_as_latin1": _wrong("gbk", "latin-1"),
    "gbk_as_cp1252": _wrong("gbk", "cp1252"),
    "big5_as_latin1": _wrong("big5", "latin-1"),
    "big5_as_cp1252": _wrong("big5", "cp1252"),
    "gbk_shifted": shifted,
    "gbk_inserted": inserted,
}

#: kinds that only apply to text the source codec can encode
SOURCE = {"gbk": "gbk", "big5": "big5", "utf8": "utf-8"}

#: kinds whose damage loses too much to be repaired (flagged instead)
UNRECOVERABLE = {"utf8_as_big5"}


def applicable(kind: str, text: str) -> bool:
    """Whether ``kind`` can damage ``text`` (Big5 cannot encode Simplified-only characters)."""
    src = kind.split("_as_")[0] if "_as_" in kind else "gbk"
    try:
        text.encode(SOURCE.get(src, "gbk"))
    except UnicodeEncodeError:
        return False
    return True


def similarity(a: str, b: str) -> float:
    """Character-level similarity (difflib ratio), 1.0 for identical strings.

    >>> similarity("数据中心", "数据中心")
    1.0
    """
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()

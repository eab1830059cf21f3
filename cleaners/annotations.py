"""Pinyin ruby annotations and citation markers left in running text.

Sites that convert Simplified to Traditional sometimes glue a reading after
characters: ``全聯(lián)接``, ``企業(yè)``, ``網(wǎng)易``.  The annotation goes
only when it is a reading of the character before it (pypinyin's data,
heteronyms included; tone-insensitive as a fallback), so ``华为(Huawei)``,
``(注)`` and ``(2025)`` stay.  Citation markers (``[5]``, ``[1][3]``) go when
they close a clause: after Han text or closing punctuation and before
punctuation or the end of the line; ``a[1]`` in code and reference-list lines
(``[1] 张三, 2020``) stay.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> t = "全聯(lián)接大會，企業(yè)瓶颈[5]。华为(Huawei)"
>>> apply_edits(t, strip_annotations(t, Context(Document.make("t", 0, t), CleanerConfig())))
'全聯接大會，企業瓶颈。华为(Huawei)'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cleaners.document import Edit

if TYPE_CHECKING:
    from cleaners.context import Context

STEP = "annotations"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PY_LETTERS = "a-zA-ZüÜāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ\u0300\u0301\u0304\u030c\u0308"
# X(pinyin) or X（pinyin）: one syllable with tone marks or a tone number
_PINYIN = re.compile(f"(?<=[{_HAN}])([(（])([{_PY_LETTERS}]{{1,7}}[1-5]?)([)）])")
# the damaged form: the annotated character and "(" went with a lost byte ("?yōu)", "(?yōu)")
_PINYIN_DAMAGED = re.compile(f"(\\(?)[?\ufffd]([{_PY_LETTERS}]{{1,7}}[1-5]?)\\)")
_CITE = re.compile(
    f"(?<=[{_HAN}，。；：！？、）)】」』”’》.,;:!?])"
    r"((?:\[\d{1,3}(?:\s*[,，、–-]\s*\d{1,3})*\])+)"
    r"(?=[，。；：！？、,.;:!?）)」』”’]|[ \t]*$)",
    re.MULTILINE,
)
def _han_parenthesis(text: str, close: int) -> bool:
    """Whether the ASCII parenthesis closing at ``close`` holds Han text (so it
    ends a Chinese clause, as its fullwidth form would after punctuation repair)."""
    line_start = text.rfind("\n", 0, close) + 1
    open_ = text.rfind("(", line_start, close)
    return open_ >= 0 and re.search(f"[{_HAN}]", text[open_:close]) is not None


_TONES = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}


def _toned(syllable: str) -> tuple[str, str]:
    """``(toneless, tone)`` of a syllable written with marks or a number; ü becomes v.

    >>> _toned("lián"), _toned("lian2"), _toned("lǜ"), _toned("ma")
    (('lian', '2'), ('lian', '2'), ('lv', '4'), ('ma', ''))
    """
    s = syllable.strip().lower()
    tone = ""
    if s and s[-1] in "12345":
        tone, s = s[-1], s[:-1]
        if tone == "5":
            tone = ""
    base = []
    for ch in unicodedata.normalize("NFD", s):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch == "\u0308":
            if base and base[-1] == "u":
                base[-1] = "v"
        else:
            base.append(ch)
    return "".join(base).replace("ü", "v"), tone


@functools.cache
def _pinyin_dict() -> dict[int, str]:
    """pypinyin's reading table, ``code point -> "lián,liǎn"`` (see :func:`_pinyin_arrays`)."""
    from cleaners import tablecache as tc

    z = _pinyin_arrays()
    return dict(zip(z["cps"].tolist(), tc.array_to_strings(z["readings"]), strict=True))


@functools.cache
def _pinyin_arrays() -> dict[str, np.ndarray]:
    """pypinyin's reading table and the toneless syllables it holds, as arrays.

    Running pypinyin's ``pinyin_dict`` module takes about 40 ms and collecting
    the syllables 60 ms, so both are derived once (:func:`_derive_pinyin`) and
    then read from the table cache (:mod:`cleaners.tablecache`) in a few ms.
    """
    from cleaners import tablecache as tc

    folder = _pypinyin_folder()
    return tc.load_or_build("pinyin", _derive_pinyin, modules=("annotations.py",),
                            packages=(folder,) if folder is not None else ())


def _pypinyin_folder() -> str | None:
    """pypinyin's package folder, found without running the package."""
    from importlib import util

    spec = util.find_spec("pypinyin")
    folders = (spec.submodule_search_locations or []) if spec is not None else []
    return folders[0] if folders else None


def _derive_pinyin() -> dict[str, np.ndarray]:
    """:func:`_pinyin_arrays` from pypinyin.

    Its ``pinyin_dict`` module is loaded on its own when it can be: importing
    the package also loads pypinyin's phrase dictionary, which this step never
    uses and which costs about 0.25 s and some 190,000 objects that the garbage
    collector then walks on every full collection for the rest of the run.
    The table is the same either way.
    """
    import sys
    from importlib import util

    from cleaners import tablecache as tc

    module = sys.modules.get("pypinyin.pinyin_dict")
    folder = _pypinyin_folder()
    if module is None and folder is not None:
        path = Path(folder) / "pinyin_dict.py"
        if path.is_file():
            own = util.spec_from_file_location("_qingxi_pinyin_dict", path)
            if own is not None and own.loader is not None:
                module = util.module_from_spec(own)
                own.loader.exec_module(module)
    table = getattr(module, "pinyin_dict", None)
    if not isinstance(table, dict) or not table:
        from pypinyin.pinyin_dict import pinyin_dict as table
    syllables = {_toned(r)[0] for raw in table.values() for r in raw.split(",")}
    return {"cps": np.array(list(table), dtype=np.uint32), "readings": tc.strings_to_array(table.values()),
            "syllables": tc.strings_to_array(sorted(syllables))}


@functools.lru_cache(maxsize=65536)
def readings(ch: str) -> frozenset[tuple[str, str]]:
    """Every reading of ``ch`` in pypinyin's data, as ``(toneless, tone)`` pairs.

    >>> sorted(readings("為"))
    [('wei', '2'), ('wei', '4')]
    """
    raw = _pinyin_dict().get(ord(ch))
    if not raw:
        return frozenset()
    return frozenset(_toned(r) for r in raw.split(","))


@functools.cache
def _syllables() -> frozenset[str]:
    """The toneless syllables of pypinyin's readings."""
    from cleaners import tablecache as tc

    return frozenset(tc.array_to_strings(_pinyin_arrays()["syllables"]))


def is_reading(annotation: str, ch: str) -> bool:
    """Whether ``annotation`` is a reading of ``ch`` (exact tone, or tone-insensitive).

    >>> is_reading("lián", "聯"), is_reading("lian2", "聯"), is_reading("Huawei", "为")
    (True, True, False)
    """
    base, tone = _toned(annotation)
    rs = readings(ch)
    if not rs or not base:
        return False
    if (base, tone) in rs:
        return True
    return any(b == base for b, _ in rs)


def strip_annotations(text: str, ctx: Context) -> list[Edit]:
    """Remove pinyin glued after the character it reads, and clause-final citation markers.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.context import Context
    >>> from cleaners.document import Document
    >>> t = "a[1] = 2; 注(zhù)"
    >>> [(e.rule, e.before) for e in strip_annotations(t, Context(Document.make("t", 0, t), CleanerConfig()))]
    [('annotations:pinyin', '(zhù)')]
    """
    cfg = ctx.config.annotations
    edits: list[Edit] = []
    if cfg.pinyin and ("(" in text or "（" in text or ")" in text):
        for m in _PINYIN.finditer(text):
            ch = text[m.start() - 1]
            if is_reading(m.group(2), ch):
                edits.append(Edit(STEP, f"{STEP}:pinyin", m.start(), m.end(), m.group(0), "",
                                  f"reading of {ch}"))
        taken = [(e.start, e.end) for e in edits]
        for m in _PINYIN_DAMAGED.finditer(text):
            base, tone = _toned(m.group(2))
            if not tone or base not in _syllables():
                continue    # only a toned, real syllable: "?x)" in code or prose stays
            if m.start() == 0 or ord(text[m.start() - 1]) < 0x80:
                continue    # the lost character was non-ASCII text
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            edits.append(Edit(STEP, f"{STEP}:pinyin_damaged", m.start(), m.end(), m.group(0), "",
                              "annotation whose character was lost"))
    if cfg.citations and "[" in text:
        taken = [(e.start, e.end) for e in edits]
        for m in _CITE.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            if text[m.start() - 1] == ")" and not _han_parenthesis(text, m.start() - 1):
                continue  # f(x)[1] in code; only a Chinese parenthetical ends a clause here
            edits.append(Edit(STEP, f"{STEP}:citation", m.start(1), m.end(1), m.group(1), ""))
    if edits:
        ctx.signals["annotations_removed"] = float(len(edits))
    return sorted(edits, key=lambda e: e.start)

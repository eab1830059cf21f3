"""How plausible a piece of text is as real writing: a per-character cost.

Mojibake and mis-decoded bytes are made of characters that are rare in real
text (``鏇欏厜瀛樺``, ``Êï¹â´æ``, PUA code points); the repaired text reads as
common characters that form common pairs.  This module turns that into a
number: ``cost(text)`` is roughly ``-log10 P(text)`` under a character
unigram model with a bonus for known adjacent pairs.  The Han part comes from
``cleaners/data/han_freq.tsv`` and ``han_bigram.tsv`` (built once from
jieba's word list by ``cleaners/data/build_han_freq.py``; see the file
headers); other characters get a cost by script and class.

>>> cost("数据中心") < cost("鏇欏厜瀛")
True
>>> char_cost("的") < char_cost("曙") < char_cost("鏇")
True

Costs are in log10 units per character: common Han characters cost about 2-3,
rare ones 5-7, code points never seen in text (PUA, U+FFFD, C1 controls) 10.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from bisect import bisect_left, bisect_right
from importlib import resources

import numpy as np

UNSEEN_HAN = 8.0          # a CJK ideograph absent from the table
JUNK = 10.0               # PUA, U+FFFD, controls: never part of real text

# Punctuation that real Chinese text is made of, cheapest first.  These are
# the *good* characters a repair may produce (a rule as data, not a list of
# bad characters): a lost byte inside ``。`` is guessed back as ``。``.
CJK_PUNCT: dict[str, float] = {}
for _chars, _cost in (("，。", 1.6), ("、“”：", 2.2), ("；！？（）《》‘’", 2.6),
                      ("「」『』【】…—·～", 3.0)):
    for _c in _chars:
        CJK_PUNCT[_c] = _cost
_ASCII_PUNCT_COST = 2.6
_PINYIN_LETTERS = frozenset("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙ")


def _is_han_cp(o: int) -> bool:
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x2FA1F)


def is_han(ch: str) -> bool:
    """True for a CJK unified or compatibility ideograph.

    >>> is_han("中"), is_han("a"), is_han("の")
    (True, False, False)
    """
    return len(ch) == 1 and _is_han_cp(ord(ch))


def _load(name: str) -> dict[str, int]:
    table: dict[str, int] = {}
    text = resources.files("cleaners.data").joinpath(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, score = line.partition("\t")
        table[key] = int(score)
    return table


@functools.cache
def _tables() -> dict[str, np.ndarray]:
    """The two tables and the pair bonuses as arrays, parsed and derived once,
    then read from the table cache (:mod:`cleaners.tablecache`): parsing the
    files and deriving the bonuses took 0.1 s of every process's start."""
    from cleaners import tablecache as tc

    return tc.load_or_build("plausibility", _derive_tables,
                            modules=("plausibility.py", "data/han_freq.tsv", "data/han_bigram.tsv"))


def _derive_tables() -> dict[str, np.ndarray]:
    """:func:`_tables`: code points and scores in file order, each pair's bonus
    (see :func:`pair_bonus`), the pairs' order by first and by second
    character (stable: file order among equals, see :func:`_pair_index`) and
    their distinct first characters."""
    from cleaners import tablecache as tc

    han = _load("han_freq.tsv")
    pairs = _load("han_bigram.tsv")
    bonus = [1.0 + min(3.0, max(0.0, (han.get(p[0], 80) + han.get(p[1], 80) - s) / 10.0))
             for p, s in pairs.items()]
    cps = np.array([[ord(p[0]), ord(p[1])] for p in pairs], dtype=np.uint32).reshape(-1, 2)
    return {"han": np.array([ord(c) for c in han], dtype=np.uint32),
            "han_score": np.array(list(han.values()), dtype=np.int32),
            "pairs": cps,
            "pair_score": np.array(list(pairs.values()), dtype=np.int32),
            "bonus": np.array(bonus, dtype=np.float64),
            "by_first": np.argsort(cps[:, 0], kind="stable"),
            "by_second": np.argsort(cps[:, 1], kind="stable"),
            "heads": tc.chars_to_array({p[0] for p in pairs})}


def _chars(cps: np.ndarray) -> str:
    """Code points as one string (iterating it gives the characters)."""
    return cps.astype("<u4").tobytes().decode("utf-32-le")


def _pairs() -> list[str]:
    """The pairs of the table as strings, in file order."""
    return np.ascontiguousarray(_tables()["pairs"], dtype="<u4").view("<U2").ravel().tolist()


@functools.cache
def han_scores() -> dict[str, int]:
    """``char -> round(-10*log10 p)`` for the Han characters in the table."""
    t = _tables()
    return dict(zip(_chars(t["han"]), t["han_score"].tolist(), strict=True))


@functools.cache
def pair_scores() -> dict[str, int]:
    """``pair -> round(-10*log10 p)`` for the most frequent adjacent Han pairs."""
    return dict(zip(_pairs(), _tables()["pair_score"].tolist(), strict=True))


@functools.cache
def _pair_index() -> tuple[str, str, str, str]:
    """The pairs' first and second characters ordered by first character, then
    both ordered by second character (stable: file order among equals), so that
    the characters around one character are one slice, found by bisection."""
    t = _tables()
    by_first, by_second = t["pairs"][t["by_first"]], t["pairs"][t["by_second"]]
    return (_chars(by_first[:, 0]), _chars(by_first[:, 1]),
            _chars(by_second[:, 1]), _chars(by_second[:, 0]))


def chars_after(ch: str) -> tuple[str, ...]:
    """Characters that commonly follow ``ch`` (from the pair table)."""
    firsts, seconds = _pair_index()[:2]
    lo = bisect_left(firsts, ch)
    return tuple(seconds[lo:bisect_right(firsts, ch, lo)])


def chars_before(ch: str) -> tuple[str, ...]:
    """Characters that commonly precede ``ch`` (from the pair table)."""
    seconds, firsts = _pair_index()[2:]
    lo = bisect_left(seconds, ch)
    return tuple(firsts[lo:bisect_right(seconds, ch, lo)])


@functools.cache
def common_chars(limit: int = 400) -> tuple[str, ...]:
    """The ``limit`` most common Han characters plus common CJK punctuation."""
    han = sorted(han_scores().items(), key=lambda kv: kv[1])[:limit]
    return tuple(c for c, _ in han) + tuple(CJK_PUNCT)


def han_score(ch: str) -> int | None:
    """The table score of a Han character (lower is more common), ``None`` if unseen."""
    return han_scores().get(ch)


@functools.lru_cache(maxsize=65536)
def char_cost(ch: str) -> float:
    """Context-free cost of one character (log10 units, higher is less plausible)."""
    o = ord(ch)
    if o < 0x80:
        if ch.isalnum():
            return 2.0
        if ch == " ":
            return 1.5
        if ch in "\t\n\r":
            return 1.5
        if o < 0x20 or o == 0x7F:
            return JUNK
        return _ASCII_PUNCT_COST
    s = han_scores().get(ch)
    if s is not None:
        return s / 10.0
    if _is_han_cp(o):
        return UNSEEN_HAN
    c = CJK_PUNCT.get(ch)
    if c is not None:
        return c
    if 0x80 <= o < 0xA0:
        return JUNK                      # C1 controls
    if 0xE000 <= o <= 0xF8FF or o == 0xFFFD or 0xF0000 <= o:
        return JUNK                      # private use, replacement character
    if ch in _PINYIN_LETTERS:
        return 4.0
    if 0xC0 <= o <= 0xFF and o not in (0xD7, 0xF7):
        return 3.5                       # Latin-1 letters (context lowers them, see cost())
    if 0xA0 <= o <= 0xFF:
        return 5.5                       # Latin-1 symbols ¹´¸±×²
    if 0x3040 <= o <= 0x30FF:
        return 3.5                       # kana (context lowers runs, see cost())
    if 0xAC00 <= o <= 0xD7AF:
        return 3.0                       # Hangul syllables
    if o == 0x3000:
        return 3.5
    if 0xFF01 <= o <= 0xFF5E:
        return 4.0                       # fullwidth ASCII
    cat = unicodedata.category(ch)
    if cat[0] == "C":
        return JUNK
    if 0x1F000 <= o <= 0x1FAFF:
        return 4.0                       # emoji
    if cat[0] == "L":
        if 0x0370 <= o <= 0x04FF:
            return 4.5                   # Greek, Cyrillic
        return 5.0
    if cat[0] in "PZ":
        return 4.0
    if cat == "So" and 0x2500 <= o <= 0x25FF:
        return 5.5                       # box drawing, geometric shapes
    return 5.0


def _script_run(ch: str) -> str:
    o = ord(ch)
    if 0x3040 <= o <= 0x30FF:
        return "kana"
    if 0xC0 <= o <= 0x24F and o not in (0xD7, 0xF7) or (o < 0x80 and ch.isalpha()):
        return "latin"
    if 0xAC00 <= o <= 0xD7AF:
        return "hangul"
    return ""


@functools.cache
def _pair_bonuses() -> dict[str, float]:
    """The bonus of every pair in the table (see :func:`pair_bonus`), computed once."""
    return dict(zip(_pairs(), _tables()["bonus"].tolist(), strict=True))


@functools.cache
def _script_runs() -> dict[str, str]:
    """``char -> run`` for every character :func:`_script_run` puts in one."""
    out: dict[str, str] = {}
    for lo, hi in ((0x41, 0x7A), (0xC0, 0x24F), (0x3040, 0x30FF), (0xAC00, 0xD7AF)):
        for o in range(lo, hi + 1):
            if run := _script_run(chr(o)):
                out[chr(o)] = run
    return out


@functools.cache
def _pair_heads() -> frozenset[str]:
    """The characters that can earn a pair bonus as the first of a pair: first
    characters of known pairs and characters of a script run (see
    :func:`pair_bonus`).  Mojibake is made of rare characters that start no
    known pair; :func:`cost` skips their pair lookups (half of the 340,000 in
    the mojibake step of the 4,000-document benchmark)."""
    return frozenset(_chars(_tables()["heads"])) | frozenset(_script_runs())


# cost()'s pairs repeat (the text around damage): 2^15 entries, 5 MB full (2^18 held 40 MB)
@functools.lru_cache(maxsize=1 << 15)
def pair_bonus(a: str, b: str) -> float:
    """How much a known adjacent pair lowers the cost (0 for unknown pairs).

    A known Han pair earns 1 plus its pointwise mutual information (capped), so
    ``中心`` earns more than ``一心`` although ``一`` is the commoner character.
    (:func:`pair_bonuses` weighs many pairs at once, without this cache.)

    >>> pair_bonus("中", "心") > pair_bonus("一", "心") > 0 == pair_bonus("鏇", "欏")
    True
    """
    bonus = _pair_bonuses().get(a + b)
    if bonus is not None:
        return bonus
    run = _script_runs().get(a)
    if run is not None and a != b and run == _script_runs().get(b):
        return 1.0                       # kana next to kana, accented letters inside a word
    return 0.0


def pair_bonuses(left: str, chars: list[str], right: str) -> list[tuple[float, float]]:
    """``(pair_bonus(left, ch), pair_bonus(ch, right))`` for each of ``chars``
    (single characters; 0 on a side whose neighbour is empty), in one call: how
    the mojibake step weighs the candidates for a lost byte, hundreds of pairs
    seen once each.

    >>> pair_bonuses("中", ["心", "欏"], "") == [(pair_bonus("中", "心"), 0.0), (0.0, 0.0)]
    True
    """
    runs = _script_runs()
    run_l = runs.get(left)
    run_r = runs.get(right)
    after = _bonuses_beside(left, True) if left else {}
    before = _bonuses_beside(right, False) if right else {}
    out: list[tuple[float, float]] = []
    for ch in chars:
        bl = br = 0.0
        if left:
            bl = after.get(ch)
            if bl is None:
                bl = 1.0 if run_l is not None and left != ch and run_l == runs.get(ch) else 0.0
        if right:
            br = before.get(ch)
            if br is None:
                br = 1.0 if run_r is not None and ch != right and runs.get(ch) == run_r else 0.0
        out.append((bl, br))
    return out


@functools.lru_cache(maxsize=4096)
def _bonuses_beside(ch: str, after: bool) -> dict[str, float]:
    """``other -> bonus`` of the known pairs ``ch + other`` (``after``) or ``other + ch``."""
    known = _pair_bonuses()
    if after:
        return {o: known[ch + o] for o in chars_after(ch)}
    return {o: known[o + ch] for o in chars_before(ch)}


def cost(text: str, left: str = "", right: str = "") -> float:
    """Cost of ``text`` given the characters around it (pairs across the edges count).

    >>> round(cost(""), 1)
    0.0
    """
    total = 0.0
    prev = left[-1:]
    heads = _pair_heads()
    for ch in text:
        total += char_cost(ch)
        if prev in heads:       # (else the bonus is 0: subtracting it changes nothing)
            total -= pair_bonus(prev, ch)
        prev = ch
    if right and prev in heads:
        total -= pair_bonus(prev, right[0])
    return total


def mean_cost(text: str) -> float:
    """Average cost per non-space character (``inf`` for empty text).

    >>> mean_cost("今天天气很好") < 4 < mean_cost("锟斤拷烫烫烫")
    True
    """
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return math.inf
    return cost("".join(chars)) / len(chars)

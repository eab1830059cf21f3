"""CJK mojibake repair: bytes decoded with the wrong Chinese codec (runs BEFORE ftfy).

ftfy repairs UTF-8 read as Latin-1/cp1252.  Chinese web text has its own
families, which this step repairs run by run (never a whole document at once):

=========================  ===================================  ======================
rule id                    damage                               round trip
=========================  ===================================  ======================
``mojibake:utf8_as_gbk``   UTF-8 read as GBK/GB18030/cp936      encode gb18030, decode UTF-8
``mojibake:utf8_as_big5``  UTF-8 read as Big5                   encode cp950, decode UTF-8
``mojibake:gbk_as_big5``   GBK read as Big5                     encode cp950, decode GBK
``mojibake:big5_as_gbk``   Big5 read as GBK                     encode gb18030, decode Big5
``mojibake:gbk_as_latin1`` GBK read as Latin-1/cp1252           encode latin-1, decode GBK
``mojibake:big5_as_latin1`` Big5 read as Latin-1/cp1252         encode latin-1, decode Big5
``mojibake:gbk_shifted``   a GBK stream that lost (or gained)   encode gb18030, add or
                           one byte: every later pair is wrong  drop one byte, decode GBK
=========================  ===================================  ======================

How a run is found and judged:

1. A fast pre-check over the whole document: one regex scan for clusters of
   characters that are rare in real text (computed from the Han frequency
   table, plus private-use code points and U+FFFD; two within a few
   characters, or one marker) and one for runs of Latin-1 high characters.
   Only lines where a cluster reads badly or such a run occurs go further
   (:func:`_lines_to_repair`).  Clean text stops here.
2. Around each suspicious cluster, the characters are turned back into the
   bytes the wrong decoder saw and decoded with the right codec.  Decoded
   characters are aligned with the original ones in *blocks* (the smallest
   spans whose byte boundaries agree on both sides).
3. A lost byte (``�`` from a decoder, ``?`` from an encoder, or nothing at
   all in the shifted case) is a gap: the bytes around it tell what is
   missing (``e5 89 ??`` is one UTF-8 character); the missing character is
   guessed from common characters and the pairs they form with their
   neighbours, or the junk is dropped.  Either way the document is flagged
   ``lossy_mojibake``.
4. Each block's gain is its cost before minus its cost after (see
   :mod:`cleaners.plausibility`), less ``min_gain`` per repaired character;
   the best stretch of blocks (maximum sum) is repaired when the result is
   plausible text and the gain is clear.  Clean text, rare characters and
   all, stays byte-identical.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> bad = "今天上午".encode("utf-8").decode("gb18030")
>>> bad
'浠婂ぉ涓婂崍'
>>> ctx = Context(Document.make("t", 0, bad), CleanerConfig(), text_in=bad)
>>> apply_edits(bad, repair_mojibake(bad, ctx))
'今天上午'
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from cleaners import plausibility as P
from cleaners.document import Edit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cleaners.config import MojibakeConfig
    from cleaners.context import Context

STEP = "mojibake"
UNK = -1                    # a byte that was lost (a gap in the byte stream)
QMARK = -2                  # a "?" that may stand for lost bytes, or may be a real question mark
RARE_SCORE = 50             # table score at or above which a Han character is "rare" (p < 1e-5)
ABS_MIN_GAIN = 4.0          # a repair must also gain this much in total (log10 units)
PLAUSIBLE_MEAN = 4.0        # repaired text must read like text: mean cost per character at most this
MAX_GUESS_RATIO = 0.3       # at most this share of a repaired run may be unconfirmed guesses
#                             (a guess is confirmed when it forms a known pair with a neighbour or is punctuation)
MAX_MARKER_RATIO = 0.4      # a window with more U+FFFD than this share is left alone
MAX_DROP_RATIO = 0.34       # at most this share of a repaired run's bytes may be dropped as junk
DROP_PENALTY = 4.0          # cost of a byte dropped as unrecoverable
GUESS_PENALTY = 1.0         # extra cost of a character guessed for lost bytes
MAX_GUESS_COST = 5.0       # a guessed character must be at least this plausible in context, else dropped
EDGE_CHARGE = 1.0           # per repaired character, so that a stretch does not grow into neutral text
EXTEND_TOLERANCE = 1.5      # a repaired stretch takes in neighbours that read at most this much worse
MAX_WINDOW = 2000           # characters examined around one cluster (bounded work)
SHIFT_START_COST = 3.3      # ... and its first character is at least this uncommon
CLUSTER_MEAN_COST = 3.6     # a cluster of rare characters is examined only when it reads this badly
MAX_SHIFT_STARTS = 24       # shifted-run starts tried per cluster
MAX_SHIFT_RUN = 400         # characters a shifted run may span before the stream realigns
SHIFT_BACK = 6              # the shifted run may start this many characters before its first rare one
CLUSTER_GAP = 6             # seeds at most this far apart form one cluster

# ---------------------------------------------------------------- pre-check


@functools.cache
def _rare_class() -> str:
    common = {ord(c) for c, s in P.han_scores().items() if s < RARE_SCORE}
    parts: list[str] = []
    for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xE000, 0xF8FF)):
        start = None
        for cp in range(lo, hi + 2):
            if cp <= hi and cp not in common:
                if start is None:
                    start = cp
            elif start is not None:
                end = cp - 1
                parts.append(chr(start) if start == end else f"{chr(start)}-{chr(end)}")
                start = None
    return "[" + "".join(parts) + "\U00020000-\U0002FA1F\ufffd]"


@functools.cache
def _seed_re() -> re.Pattern[str]:
    """Characters that are rare in real text: the seeds of a CJK mojibake run."""
    return re.compile(_rare_class())


@functools.lru_cache(maxsize=8)
def _cluster_re(min_run: int) -> re.Pattern[str]:
    """A seed inside a cluster that :func:`_clusters` keeps: a lost-byte marker
    or private-use character, or the first of ``min_run`` seeds, each at most
    ``CLUSTER_GAP`` characters after the one before, on one line.  It starts
    with the seed class, so the regex engine scans for seeds fast."""
    seed = _rare_class()
    marker = "(?<=[\ufffd\ue000-\uf8ff])"        # the seed just matched is one
    chain = f"(?:[^\n]{{0,{CLUSTER_GAP - 1}}}{seed}){{{min_run - 1}}}"
    return re.compile(f"{seed}(?:{marker}|{chain})")


# cp1252 letters and symbols that stand for bytes 0x80-0x9F
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_LATIN_RUN = re.compile(f"[\u0080-\u00ff{_CP1252_HIGH}]{{2,}}")
# Two characters of U+0080-U+00FF inside one such run: the only runs the
# Latin-1 families examine (runs of cp1252 punctuation alone, the "……" and
# "——" of Chinese prose, are skipped).  Starts with a character class, so the
# regex engine scans for it fast.
_LATIN1_PAIR = re.compile(f"[\u0080-\u00ff][\u0080-\u00ff{_CP1252_HIGH}]*?[\u0080-\u00ff]")
_UNRECOVERABLE = ("\ufffd", "锟斤拷", "烫烫烫", "屯屯屯")     # substrings: str.find beats a regex scan
_MARKERS = "\ufffd?"
# What lost bytes turn into downstream: U+FFFD's UTF-8 bytes read as GBK (锟斤拷), and
# the fill patterns of uninitialised buffers (0xCC, 0xCD) read as GBK.  Flagged, not removed:
# an article may discuss them once; real damage repeats them.
_JUNK_RUN = re.compile("锟斤拷|烫烫烫|屯屯屯")

# ---------------------------------------------------------------- codecs


# Caches and tables below are bounded by their domain or by maxsize: full, the
# earlier 2^17-entry caches of byte pairs held about 50 MB per process.
@functools.lru_cache(maxsize=1 << 15)
def _wrong_bytes(kind: str, ch: str) -> bytes | None:
    """The bytes a wrong decoder of ``kind`` turned into ``ch`` (None: it never makes ``ch``)."""
    o = ord(ch)
    if kind == "latin1":
        if o < 0x100:
            return bytes([o])
        try:
            return ch.encode("cp1252")
        except UnicodeEncodeError:
            return None
    if o < 0x80:
        return bytes([o])
    if kind == "gbk":
        if ch == "€":
            return b"\x80"           # cp936 decodes the single byte 0x80 as €
        try:
            b = ch.encode("gb18030")
        except UnicodeEncodeError:
            return None
        return b if len(b) == 2 else None
    for codec in ("cp950", "big5hkscs"):
        try:
            return ch.encode(codec)
        except UnicodeEncodeError:
            continue
    return None


@functools.lru_cache(maxsize=1 << 15)
def _right_bytes(kind: str, ch: str) -> bytes | None:
    """``ch`` encoded with the right codec (used to match guesses against known bytes)."""
    if kind == "utf8":
        return ch.encode("utf-8", "surrogatepass")
    b = _wrong_bytes("gbk" if kind == "gbk" else "big5", ch)
    return b


def _decode_pair(kind: str, b1: int, b2: int) -> str | None:
    """What the right codec of ``kind`` reads for the pair (the definition; rows use
    :func:`_decode_lead`, the same pairs decoded in one call)."""
    raw = bytes([b1, b2])
    codecs = ("gb18030",) if kind == "gbk" else ("cp950", "big5hkscs")
    for codec in codecs:
        try:
            s = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if s and all(ord(c) >= 0x80 for c in s):
            return s
    return None


# Building a row pair by pair cost ~0.5 ms (256 decodes, most raising): about 0.25 s per
# process for the rows and reject rows the benchmark corpus needs.  One decode of the 256
# pairs, each followed by "\n", gives the same pieces: "\n" is neither a lead nor a trail
# byte of these codecs, so it ends every pair's error or character, and a decoding error
# leaves U+FFFD (errors="replace", handled inside the codec) in its pair's piece, which no
# pair of these codecs decodes to.  tests/test_mojibake.py compares every row with the
# pair-by-pair definition.
_LEAD_PAIRS: dict[int, bytes] = {}


def _decode_lead(codec: str, b1: int) -> list[str | None] | None:
    """``bytes([b1, b2]).decode(codec)`` for each ``b2`` (None where it raises), in one
    decode; None when the pieces do not line up (then the caller decodes pair by pair)."""
    data = _LEAD_PAIRS.get(b1)
    if data is None:
        buf = bytearray(b"\n" * 768)       # b1 b2 "\n" for each b2
        buf[0::3] = bytes([b1]) * 256
        buf[1::3] = bytes(range(256))
        data = _LEAD_PAIRS[b1] = bytes(buf)
    pieces = data.decode(codec, "replace").split("\n")
    # b2 = 0x0A is a pair that fails ("b1" alone, then its "\n") and one empty piece more
    if len(pieces) != 258 or "\ufffd" not in pieces[10] or pieces[11] or pieces[257]:
        return None
    del pieces[11]
    return [None if "\ufffd" in x else x for x in pieces[:256]]


# kind -> row per lead byte (None until built); _dbcs_greedy reads it directly, one index per pair
_DBCS_ROWS: dict[str, list[tuple[str | None, ...] | None]] = {"gbk": [None] * 256, "big5": [None] * 256}


def _dbcs_row(kind: str, b1: int) -> tuple[str | None, ...]:
    """What the right codec of ``kind`` reads for lead byte ``b1`` and each trail byte
    (None: not one non-ASCII text).  Built per lead byte on first use: at most
    2 x 256 rows of 256, where a cache of pairs kept a key per pair."""
    rows = _DBCS_ROWS[kind]
    row = rows[b1]
    if row is None:
        row = rows[b1] = _build_dbcs_row(kind, b1)
    return row


def _build_dbcs_row(kind: str, b1: int) -> tuple[str | None, ...]:
    """``_decode_pair(kind, b1, b2)`` for every ``b2``, one decode per codec."""
    row: list[str | None] = [None] * 256
    for codec in ("gb18030",) if kind == "gbk" else ("cp950", "big5hkscs"):
        got = _decode_lead(codec, b1)
        if got is None:
            return tuple(_decode_pair(kind, b1, b2) for b2 in range(256))
        for b2, s in enumerate(got):
            # (a piece of one character is almost always the case: one comparison for it)
            if s and row[b2] is None and (s >= "\x80" if len(s) == 1 else all(ord(c) >= 0x80 for c in s)):
                row[b2] = s
    return tuple(row)


def _dbcs_pair(kind: str, b1: int, b2: int) -> str | None:
    return _dbcs_row(kind, b1)[b2]


# ---------------------------------------------------------------- parsing bytes into units


@dataclass(slots=True)
class _Unit:
    """A decoded piece: tokens ``[i, j)`` became ``text``.

    ``kind``: ``ok`` (decoded), ``guess`` (``pattern`` has lost bytes to fill),
    ``bad`` (bytes that decode to nothing: dropped), ``gap`` (a lost-byte
    marker that stands for nothing recoverable: dropped).
    """

    i: int
    j: int
    kind: str
    text: str = ""
    pattern: tuple[int, ...] = ()
    follow: tuple[int, ...] = ()    # per pattern position: the byte that followed a lost one (-1: unknown)


def _gap(toks: Sequence[int], i: int, j: int) -> _Unit:
    """Gap tokens that no character needs: ``?`` marks were real question marks, ``�`` is junk."""
    if all(t == QMARK for t in toks[i:j]):
        return _Unit(i, j, "ok", "?" * (j - i))
    return _Unit(i, j, "gap")


def _utf8_need(b: int) -> int:
    if 0xC2 <= b <= 0xDF:
        return 1
    if 0xE0 <= b <= 0xEF:
        return 2
    if 0xF0 <= b <= 0xF4:
        return 3
    return -1


def _is_cont(b: int) -> bool:
    return 0x80 <= b <= 0xBF


def _parse_utf8(toks: Sequence[int]) -> list[_Unit]:
    """UTF-8 is self-synchronising: the bytes around a gap say exactly what is missing."""
    units: list[_Unit] = []
    n = len(toks)
    i = 0
    while i < n:
        b = toks[i]
        if b < 0:
            k = 0
            while i + 1 + k < n and k < 3 and toks[i + 1 + k] >= 0 and _is_cont(toks[i + 1 + k]):
                k += 1
            if k:   # the lead byte was lost
                units.append(_Unit(i, i + 1 + k, "guess", pattern=(UNK, *toks[i + 1:i + 1 + k]),
                                   follow=(toks[i + 1], *([-1] * k))))
            else:
                units.append(_gap(toks, i, i + 1))
            i += 1 + k
            continue
        if b < 0x80:
            units.append(_Unit(i, i + 1, "ok", chr(b)))
            i += 1
            continue
        need = _utf8_need(b)
        if need < 0:
            units.append(_Unit(i, i + 1, "bad"))
            i += 1
            continue
        j = i + 1
        conts: list[int] = []
        while j < n and len(conts) < need and toks[j] >= 0 and _is_cont(toks[j]):
            conts.append(toks[j])
            j += 1
        if len(conts) == need:
            try:
                units.append(_Unit(i, j, "ok", bytes([b, *conts]).decode("utf-8")))
            except UnicodeDecodeError:
                units.append(_Unit(i, i + 1, "bad"))
                j = i + 1
            i = j
            continue
        if j < n and toks[j] < 0:
            # lost continuation byte(s): the continuation bytes after the gap finish the character
            g = j + 1
            while g < n and toks[g] < 0 and g - j < need - len(conts):
                g += 1
            after: list[int] = []
            while g < n and len(conts) + 1 + len(after) <= need and toks[g] >= 0 and _is_cont(toks[g]):
                after.append(toks[g])
                g += 1
            missing = need - len(conts) - len(after)
            if missing >= 1:
                pattern = (b, *conts, *([UNK] * missing), *after)
                follow = [-1] * len(pattern)
                if not after and g < n and toks[g] >= 0:
                    follow[-1] = toks[g]      # the byte the decoder saw after the lost one
                units.append(_Unit(i, g, "guess", pattern=pattern, follow=tuple(follow)))
                i = g
                continue
        units.append(_Unit(i, j, "bad"))
        i = j
    return units


def _dbcs_greedy(toks: Sequence[int], start: int, end: int, kind: str) -> list[_Unit]:
    """Python-like greedy decoding of ``toks[start:end]`` (no gaps inside)."""
    units: list[_Unit] = []
    rows = _DBCS_ROWS[kind]
    i = start
    while i < end:
        b = toks[i]
        if b < 0x80:
            units.append(_Unit(i, i + 1, "ok", chr(b)))
            i += 1
            continue
        if b == 0x80 and kind == "gbk":
            units.append(_Unit(i, i + 1, "ok", "€"))
            i += 1
            continue
        if i + 1 < end:
            s = (rows[b] or _dbcs_row(kind, b))[toks[i + 1]]
            if s is not None:
                units.append(_Unit(i, i + 2, "ok", s))
                i += 2
                continue
        units.append(_Unit(i, i + 1, "bad"))
        i += 1
    return units


def _is_trail(kind: str, b: int) -> bool:
    if kind == "gbk":
        return 0x40 <= b <= 0xFE and b != 0x7F
    return 0x40 <= b <= 0x7E or 0xA1 <= b <= 0xFE


def _parse_dbcs(toks: Sequence[int], fam: Family, left_ctx: str = "") -> list[_Unit]:
    """Decode a double-byte stream with gaps.

    Around a gap, a lead byte may have lost its trail (``l ?``), the next pair
    may have lost its lead (``? t``), or whole characters may be gone; each
    reading is scored (lost bytes guessed, unused gaps charged) and the best
    one kept.
    """
    kind = fam.right
    units: list[_Unit] = []
    n = len(toks)
    i = 0
    while i < n:
        nxt = i
        while nxt < n and toks[nxt] >= 0:
            nxt += 1
        if nxt > i:
            units.extend(_dbcs_greedy(toks, i, nxt, kind))
            i = nxt
            continue
        g = i
        while g < n and toks[g] < 0:
            g += 1
        nxt = g
        while nxt < n and toks[nxt] >= 0:
            nxt += 1
        left = _last_text(units) or left_ctx[-1:]
        free = i
        head: list[_Unit] = []
        last = units[-1] if units else None
        if (last is not None and last.kind == "bad" and last.j == i and toks[i - 1] >= 0x81):
            # a lead byte whose trail was lost
            units.pop()
            nb = toks[i + 1] if i + 1 < n else -1
            head.append(_Unit(last.i, i + 1, "guess", pattern=(toks[i - 1], UNK), follow=(-1, nb)))
            free = i + 1
        options: list[list[_Unit]] = []
        nb = toks[g] if g < n else -1
        tails: list[tuple[int, list[_Unit]]] = [(g, _dbcs_greedy(toks, g, nxt, kind))]
        if free < g and g < nxt and _is_trail(kind, toks[g]):
            # the gap swallowed the lead byte of the next pair: realign after it
            realigned = _dbcs_greedy(toks, g + 1, nxt, kind)
            tails.append((g - 1, [_Unit(g - 1, g + 1, "guess", pattern=(UNK, toks[g]), follow=(toks[g], -1)),
                                  *realigned]))
        for end, tail in tails:
            options.append(head + ([_gap(toks, free, end)] if end > free else []) + tail)
            if end - free == 2:
                # two lost bytes: maybe one whole character
                whole = _Unit(free, end, "guess", pattern=(UNK, UNK), follow=(-1, nb if end == g else -1))
                options.append(head + [whole] + tail)
        at_gap = nxt < n
        best = min(options, key=lambda o: _option_cost(o, fam, left, at_gap))
        units.extend(best)
        i = nxt
    return units


def _last_text(units: list[_Unit]) -> str:
    for u in reversed(units):
        if u.text:
            return u.text[-1]
    return ""


def _option_cost(units: list[_Unit], fam: Family, left: str, at_gap: bool = False) -> float:
    """Cost of one reading of the bytes after a gap (guesses resolved, lost bytes charged)."""
    total = 0.0
    prev = left
    for k, u in enumerate(units):
        if u.kind == "ok":
            total += P.cost(u.text, prev)
            prev = u.text[-1:]
        elif u.kind == "guess":
            right = next((v.text[:1] for v in units[k + 1:k + 2] if v.kind == "ok"), "")
            g = _guess(fam, u, prev, right)
            if g is None or g[1] > MAX_GUESS_COST:
                total += DROP_PENALTY * sum(1 for t in u.pattern if t != UNK) + DROP_PENALTY
            else:
                u.text = g[0]
                total += g[1] + GUESS_PENALTY
                prev = g[0]
        elif at_gap and k == len(units) - 1 and u.kind == "bad" and u.j - u.i == 1:
            total += 3.0 + GUESS_PENALTY      # a lead byte before the next gap: its trail will be guessed
        else:
            total += DROP_PENALTY * (u.j - u.i)
    return total


# ---------------------------------------------------------------- guessing lost bytes

_CP1252_UNDEFINED = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))


def _wrong_rejects(wrong: str, x: int, y: int) -> bool:
    """Could the wrong decoder have lost byte ``x`` (followed by ``y``, -1 if unknown)?

    Python's decoders replace one byte per error: a byte is lost when it does
    not start a valid character with the byte after it.  Latin-1 loses
    nothing; cp1252 loses its five undefined bytes.
    """
    if wrong == "latin1":
        return x in _CP1252_UNDEFINED
    if x < 0x80:
        return False
    if y < 0:
        return True
    return _reject_row(wrong, x)[y]


_REJECT_ROWS: dict[tuple[str, int], tuple[bool, ...]] = {}


def _reject_row(wrong: str, x: int) -> tuple[bool, ...]:
    """Per trail byte: does the wrong double-byte decoder reject ``x`` followed by it?
    Built per lead byte on first use (at most 2 x 128 rows)."""
    row = _REJECT_ROWS.get((wrong, x))
    if row is None:
        codec = "gbk" if wrong == "gbk" else "big5"
        got = _decode_lead(codec, x)      # one decode for the row (see _LEAD_PAIRS)
        row = _REJECT_ROWS[(wrong, x)] = (tuple(s is None for s in got) if got is not None else
                                          tuple(_rejects(codec, bytes([x, y])) for y in range(256)))
    return row


def _rejects(codec: str, raw: bytes) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return True
    return False


_BYTES = [bytes((x,)) for x in range(256)]      # each byte as a bytes object, for the fillings below


@functools.lru_cache(maxsize=1024)
def _pattern_chars(kind: str, pattern: tuple[int, ...]) -> tuple[tuple[str, bytes], ...]:
    """Every character the right codec gives for ``pattern`` with its one lost byte filled in.

    Read from the byte-pair rows (double-byte codecs) or from one decode of all
    the fillings (UTF-8): byte by byte (the definition, which
    tests/test_mojibake.py compares with this) each of the
    ~650 patterns of the benchmark cost up to 128 decodes, most of them raising."""
    k = pattern.index(UNK)
    if kind != "utf8":
        if len(pattern) != 2:
            return ()
        if k:           # the trail byte was lost: one row
            b1 = pattern[0]
            if b1 < 0x81:
                return ()
            row = _dbcs_row(kind, b1)
            return tuple((ch, bytes((b1, x))) for x in range(0x80, 0x100)
                         if (ch := row[x]) is not None and len(ch) == 1)
        b2 = pattern[1]     # the lead byte was lost: one column of the rows
        return tuple((ch, bytes((x, b2))) for x in range(0x81, 0x100)
                     if (ch := _dbcs_row(kind, x)[b2]) is not None and len(ch) == 1)
    # (one lost byte: the bytes around it are joined to each filling, no generator per filling)
    head, tail = bytes(pattern[:k]), bytes(pattern[k + 1:])
    raws = [head + _BYTES[x] + tail for x in (range(0x80, 0x100) if k else range(0xC2, 0xF5))]
    # The fillings joined by "\n", which is no UTF-8 lead or continuation byte (the
    # pattern's bytes are all >= 0x80): each piece decodes as it would alone, and
    # surrogateescape turns an undecodable byte into U+DC80-U+DCFF, which no valid
    # UTF-8 decodes to.
    pieces = b"\n".join(raws).decode("utf-8", "surrogateescape").split("\n")
    return tuple((ch, raw) for ch, raw in zip(pieces, raws, strict=True)
                 if len(ch) == 1 and not "\udc80" <= ch <= "\udcff")


def _could_lose(wrong: str, pattern: tuple[int, ...], follow: tuple[int, ...], b: bytes) -> bool:
    """Whether the wrong decoder would have lost every byte of ``b`` that ``pattern`` marks lost."""
    return all(_wrong_rejects(wrong, b[k], follow[k] if follow[k] >= 0 or k + 1 >= len(b) else b[k + 1])
               for k in range(len(b)) if pattern[k] == UNK)


@functools.lru_cache(maxsize=1024)
def _lost_byte_chars(right: str, wrong: str, pattern: tuple[int, ...],
                     follow: tuple[int, ...]) -> tuple[tuple[str, bytes], ...]:
    """:func:`_pattern_chars` that :func:`_could_lose` keeps: what ``_guess``
    weighs for one lost byte, computed once per pattern instead of per guess."""
    cands = _pattern_chars(right, pattern)
    if pattern.count(UNK) != 1:
        return tuple((ch, b) for ch, b in cands if _could_lose(wrong, pattern, follow, b))
    # one lost byte: the byte after it (what _could_lose asks about) is the same for every candidate
    k = pattern.index(UNK)
    nxt = follow[k] if follow[k] >= 0 or k + 1 >= len(pattern) else pattern[k + 1]
    rejected = _rejects_before(wrong, nxt)
    return tuple((ch, b) for ch, b in cands if rejected[b[k]])


_REJECT_COLUMNS: dict[tuple[str, int], tuple[bool, ...]] = {}


def _rejects_before(wrong: str, y: int) -> tuple[bool, ...]:
    """``_wrong_rejects(wrong, x, y)`` for each byte ``x``, built once per ``(wrong, y)``.

    The candidates for one lost byte have as many different lost bytes ``x``
    (lead bytes, when the lead was lost): asked one by one, they built a reject
    row for nearly every lead byte.  One decode of the pairs ``x y`` (x >= 0x80;
    below it nothing is lost), each followed by ``"\n"`` as in :func:`_decode_lead`,
    answers for all of them; the pair-by-pair definition when the pieces do not
    line up."""
    col = _REJECT_COLUMNS.get((wrong, y))
    if col is None:
        pieces: list[str] = []
        if wrong != "latin1" and 0 <= y != 0x0A:
            data = b"".join(bytes((x, y, 0x0A)) for x in range(0x80, 0x100))
            pieces = data.decode("gbk" if wrong == "gbk" else "big5", "replace").split("\n")
        if len(pieces) == 129 and not pieces[128]:
            col = (False,) * 0x80 + tuple("\ufffd" in s for s in pieces[:128])
        else:
            col = tuple(_wrong_rejects(wrong, x, y) for x in range(256))
        _REJECT_COLUMNS[(wrong, y)] = col
    return col


def _guess(fam: Family, u: _Unit, left: str, right: str) -> tuple[str, float, bool] | None:
    """The most plausible character whose bytes (right codec) match the unit's pattern
    and whose lost bytes the wrong decoder would indeed have lost; with its cost in context."""
    if not fam.guess:
        return None
    return _guess_lost(fam, u.pattern, u.follow, left, right)


# Nearly half of the guesses repeat one made just before: each reading of the bytes
# after a gap is weighed in _parse_dbcs (the same lost byte between the same
# neighbours in several readings), and _blocks guesses the chosen reading's lost
# bytes again.  Keys are a pattern and two single characters: 4096 hold under 1 MB.
@functools.lru_cache(maxsize=4096)
def _guess_lost(fam: Family, pattern: tuple[int, ...], follow: tuple[int, ...], left: str,
                right: str) -> tuple[str, float, bool] | None:
    """:func:`_guess` for a unit's ``pattern`` and ``follow``."""
    follow = follow or (-1,) * len(pattern)
    checked = not fam.shifted           # candidates already filtered by _could_lose
    if pattern.count(UNK) == 1:
        cands = (_lost_byte_chars(fam.right, fam.wrong, pattern, follow) if checked
                 else _pattern_chars(fam.right, pattern))
    else:
        checked = False
        # several lost bytes: only punctuation or characters that form a known pair with a neighbour
        pool: set[str] = set(P.CJK_PUNCT)
        if left:
            pool.update(P.chars_after(left))
        if right:
            pool.update(P.chars_before(right))
        cands = tuple((ch, b) for ch in pool
                      if (b := _right_bytes(fam.right, ch)) is not None and len(b) == len(pattern)
                      and all(p == UNK or p == q for p, q in zip(pattern, b, strict=True)))
    best: str | None = None
    best_cost = math.inf
    best_pair = False
    if not checked and not fam.shifted:
        cands = tuple((ch, b) for ch, b in cands if _could_lose(fam.wrong, pattern, follow, b))
    # the pairs each candidate forms with its neighbours, weighed in one call: hundreds of
    # pairs per guess, most seen once (through pair_bonus's cache they would only flush it)
    bonuses = P.pair_bonuses(left, [ch for ch, _ in cands], right)
    for (ch, _b), (bl, br) in zip(cands, bonuses, strict=True):
        if fam.shifted and not (bl or br) and not (pattern[0] != UNK and ch in P.CJK_PUNCT):
            continue            # a byte may have been lost or inserted: guess only what its neighbours confirm
        c = P.char_cost(ch) - bl - br
        if c < best_cost or (c == best_cost and best is not None and ch < best):
            best, best_cost, best_pair = ch, c, bool(bl or br)
    if best is None:
        return None
    return best, best_cost, best_pair or best in P.CJK_PUNCT


# ---------------------------------------------------------------- blocks and the repair decision


@dataclass(slots=True)
class _Block:
    cs: int                 # first original character (index in the window)
    ce: int                 # one past the last
    units: list[_Unit] = field(default_factory=list)
    text: str = ""
    dropped: int = 0        # bytes dropped as junk
    guessed: int = 0        # characters guessed for lost bytes
    unconfirmed: int = 0    # ... of which neither a known pair nor punctuation
    gain: float = 0.0
    nbytes: int = 0
    same: bool = False      # decodes to itself (ASCII, or realigned text after a shifted run)


@dataclass(slots=True)
class Repair:
    """A repair candidate: ``text[start:end]`` (line offsets) becomes ``after``."""

    start: int
    end: int
    after: str
    rule: str
    gain: float
    dropped: int
    guessed: int
    pieces: tuple[tuple[int, int, str, float], ...] = ()   # (start, end, after, gain) per block

    def trimmed(self, lo: int, hi: int) -> Repair | None:
        """This repair without the blocks that reach outside ``[lo, hi)`` (None if nothing is left)."""
        keep = [p for p in self.pieces if p[0] >= lo and p[1] <= hi]
        while keep and keep[0][2] == "":
            keep.pop(0)
        if not keep or keep == list(self.pieces):
            return None if not keep else self
        gain = sum(p[3] for p in keep)
        if gain < ABS_MIN_GAIN or not any(ord(c) > 0x7F for p in keep for c in p[2]):
            return None
        return Repair(keep[0][0], keep[-1][1], "".join(p[2] for p in keep), self.rule, gain,
                      self.dropped, self.guessed, tuple(keep))


@dataclass(frozen=True, slots=True)
class Family:
    """One damage family: ``wrong`` turned bytes into characters, ``right`` is how to read them."""

    name: str
    wrong: str      # "gbk" | "big5" | "latin1"
    right: str      # "utf8" | "gbk" | "big5"
    shifted: bool = False
    guess: bool = True  # guess characters for lost bytes (else drop them)


FAMILIES: tuple[Family, ...] = (
    Family("utf8_as_gbk", "gbk", "utf8"),
    Family("big5_as_gbk", "gbk", "big5"),
    Family("utf8_as_big5", "big5", "utf8"),
    Family("gbk_as_big5", "big5", "gbk"),
    Family("gbk_as_latin1", "latin1", "gbk"),
    Family("big5_as_latin1", "latin1", "big5"),
    Family("gbk_shifted", "gbk", "gbk", shifted=True),
)


# The families that share a wrong decoder (utf8_as_gbk and big5_as_gbk, utf8_as_big5 and
# gbk_as_big5) turn the same window into the same bytes, one after the other: a few
# recent windows are kept (read-only tuples).
@functools.lru_cache(maxsize=16)
def _tokens(window: str, kind: str, lead_gap: bool) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The bytes the wrong decoder ``kind`` saw for ``window`` (``UNK``/``QMARK`` for
    lost-byte markers), and for each byte the index of its character."""
    toks: list[int] = []
    owner: list[int] = []
    if lead_gap:
        toks.append(UNK)
        owner.append(0)
    for ci, ch in enumerate(window):
        if ch == "\ufffd" or (ch == "?" and _marker_context(window, ci)):
            toks.append(UNK if ch == "\ufffd" else QMARK)
            owner.append(ci)
            continue
        b = _wrong_bytes(kind, ch)
        if b is None:
            return None
        toks.extend(b)
        owner.extend([ci] * len(b))
    return tuple(toks), tuple(owner)


def _marker_context(window: str, ci: int) -> bool:
    """A ``?`` right after a non-ASCII character (or after such a ``?``) may stand for lost bytes."""
    k = ci - 1
    while k >= 0 and window[k] == "?":
        k -= 1
    return k >= 0 and ord(window[k]) > 0x7F


def _blocks(window: str, fam: Family, lead_gap: bool, left: str = "") -> list[_Block] | None:
    tk = _tokens(window, fam.wrong, lead_gap)
    if tk is None:
        return None
    toks, owner = tk
    units = _parse_utf8(toks) if fam.right == "utf8" else _parse_dbcs(toks, fam, left)
    blocks: list[_Block] = []
    cur: _Block | None = None       # blocks[-1]
    for u in units:
        first, last = owner[u.i], owner[u.j - 1]
        if cur is not None and first < cur.ce:
            if last >= cur.ce:
                cur.ce = last + 1
            cur.units.append(u)
        else:
            start = cur.ce if cur is not None else 0
            if start < first:          # characters that produced no unit (cannot happen, but keep spans whole)
                blocks.append(_Block(start, first))
            cur = _Block(first, last + 1, [u])
            blocks.append(cur)
    if cur is not None and cur.ce < len(window):
        blocks.append(_Block(cur.ce, len(window)))
    # fill the decoded text, guessing lost characters from their neighbours
    prev = left[-1:]
    for bi, blk in enumerate(blocks):
        if len(blk.units) == 1 and blk.units[0].kind == "ok":
            u = blk.units[0]            # most blocks: one decoded character
            blk.nbytes = u.j - u.i
            blk.text = u.text
            prev = u.text or prev
            continue
        parts: list[str] = []
        for ui, u in enumerate(blk.units):
            blk.nbytes += u.j - u.i
            if u.kind == "ok":
                parts.append(u.text)
            elif u.kind == "guess":
                left = (parts[-1] if parts else prev)[-1:]
                right = _next_text(blocks, bi, ui)
                g = _guess(fam, u, left, right)
                if g is None or g[1] > MAX_GUESS_COST:
                    blk.dropped += sum(1 for t in u.pattern if t != UNK)
                else:
                    parts.append(g[0])
                    blk.guessed += 1
                    blk.unconfirmed += not g[2]
            else:       # bad bytes, and lost-byte markers nothing could use
                blk.dropped += u.j - u.i
        blk.text = "".join(parts)
        if blk.text:
            prev = blk.text
    return blocks


def _next_text(blocks: list[_Block], bi: int, ui: int) -> str:
    for u in blocks[bi].units[ui + 1:]:
        if u.kind == "ok":
            return u.text[:1]
        if u.kind == "guess":
            return ""
    for blk in blocks[bi + 1:bi + 2]:
        for u in blk.units:
            if u.kind == "ok":
                return u.text[:1]
            return ""
    return ""


def _non_ascii(text: str) -> int:
    """How many characters of ``text`` are not ASCII (one encode in C, no loop per character)."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _charged(text: str) -> int:
    """How many characters of a block's repaired ``text`` pay ``EDGE_CHARGE``: the ones
    that are not ASCII, at least one.  Most blocks hold at most one character (1 either
    way); longer ones are counted with one encode in C, no loop per character."""
    if len(text) < 2:
        return 1
    return _non_ascii(text) or 1


def _score_blocks(window: str, blocks: list[_Block], left: str, right: str,
                  orig_costs: dict[tuple[int, int], float] | None = None, w0: int = 0) -> None:
    """Each block's gain: its cost as it stands minus its cost repaired (see the module docstring).

    A block's original characters and their neighbours are the line's
    ``[w0 + cs - 1, w0 + ce]``, whatever the family and window: ``orig_costs``
    (per line, keyed by line offsets) keeps their cost for the other families
    and windows over the same characters (about half of the blocks)."""
    # ~70,000 blocks per 4,000 benchmark documents: the neighbours are looked up
    # only for the blocks that are scored, with a plain loop (no generator per block)
    if orig_costs is None:
        orig_costs = {}
    prev_o = left[-1:]
    prev_d = left[-1:]
    right1 = right[:1]
    last = len(blocks) - 1
    for bi, blk in enumerate(blocks):
        orig = window[blk.cs:blk.ce]
        text = blk.text
        if orig == text and not blk.dropped:
            blk.gain = 0.0
            blk.same = True
        elif not text and all(u.kind == "gap" for u in blk.units):
            blk.gain = 0.0      # dropping a marker alone is no evidence for this reading
        else:
            nxt_o = window[blk.ce:blk.ce + 1] or right1
            # the first character of the next two blocks' texts (indexed: no slice per block)
            nxt_d = blocks[bi + 1].text[:1] if bi < last else ""
            if not nxt_d and bi + 1 < last:
                nxt_d = blocks[bi + 2].text[:1]
            key = (w0 + blk.cs, w0 + blk.ce)
            before = orig_costs.get(key)
            if before is None:
                before = orig_costs[key] = P.cost(orig, prev_o, nxt_o)
            after = P.cost(text, prev_d, nxt_d or right1) + DROP_PENALTY * blk.dropped + GUESS_PENALTY * blk.guessed
            blk.gain = before - after - EDGE_CHARGE * _charged(text)
        prev_o = orig[-1:] or prev_o
        prev_d = text[-1:] or prev_d


def _best_stretch(blocks: list[_Block], lo: int, hi: int) -> tuple[int, int, float] | None:
    """Maximum-sum run of block gains in ``blocks[lo:hi]`` (Kadane), trimmed of unchanged ends."""
    best: tuple[int, int, float] | None = None
    cur = 0.0
    start = lo
    for k in range(lo, hi):
        if cur <= 0:
            cur = 0.0
            start = k
        cur += blocks[k].gain
        if blocks[k].gain > 0 and (best is None or cur > best[2]):
            best = (start, k + 1, cur)
    if best is None:
        return None
    s, e, g = best
    while s < e and blocks[s].same:
        s += 1
    return (s, e, g) if s < e else None


def _candidates(line: str, w0: int, w1: int, fam: Family, cfg: MojibakeConfig, lead_gap: bool = False,
                orig_costs: dict[tuple[int, int], float] | None = None) -> list[Repair]:
    window = line[w0:w1]
    if window.count("\ufffd") > MAX_MARKER_RATIO * len(window):
        return []               # most bytes are gone: any "repair" would be invented (flagged instead)
    if "\ufffd" not in window and _non_ascii(window) < cfg.min_run:
        return []               # _accept takes no stretch of it (fewer than min_run damaged characters)
    blocks = _blocks(window, fam, lead_gap, line[max(0, w0 - 1):w0])
    if not blocks:
        return []
    _score_blocks(window, blocks, line[:w0], line[w1:], orig_costs, w0)
    out: list[Repair] = []
    stack = [(0, len(blocks))]
    while stack:
        lo, hi = stack.pop()
        if hi <= lo:
            continue
        found = _best_stretch(blocks, lo, hi)
        if found is None:
            continue
        s, e, gain = found
        # the stretch's neighbours decoded with the same codec: take them when they read about as well
        while s > lo and _extendable(blocks[s - 1]):
            gain += blocks[s - 1].gain
            s -= 1
        while e < hi and _extendable(blocks[e]):
            gain += blocks[e].gain
            e += 1
        stack.append((lo, s))
        stack.append((e, hi))
        rep = _accept(line, w0, window, blocks[s:e], fam, gain, cfg)
        if rep is not None:
            out.append(rep)
        elif e - s > 1:
            # rejected as a whole: split at the worst block and judge the halves
            m = min(range(s, e), key=lambda k: blocks[k].gain)
            stack.append((s, m))
            stack.append((m + 1, e))
    return out


def _extendable(blk: _Block) -> bool:
    return (not blk.same and blk.gain >= -EXTEND_TOLERANCE
            and all(P.char_cost(c) < 6.0 for c in blk.text) and not blk.dropped and not blk.guessed and blk.text != ""
            and any(ord(c) > 0x7F for c in blk.text) and not any(u.kind != "ok" for u in blk.units))


def _accept(line: str, w0: int, window: str, blks: list[_Block], fam: Family, gain: float,
            cfg: MojibakeConfig) -> Repair | None:
    before = window[blks[0].cs:blks[-1].ce]
    after = "".join(b.text for b in blks)
    if before == after:
        return None
    if after.isascii():
        return None             # only markers or junk removed: not a repair
    changed = [c for c in after if ord(c) > 0x7F]
    raw_gain = gain + EDGE_CHARGE * sum(_charged(b.text) for b in blks if not b.same)
    if raw_gain < max(ABS_MIN_GAIN, cfg.min_gain * max(1, len(changed))):
        return None
    guessed = sum(b.guessed for b in blks)
    if sum(b.unconfirmed for b in blks) > MAX_GUESS_RATIO * max(1, len(changed)):
        return None
    n_fffd = before.count("\ufffd")
    if _non_ascii(before) - n_fffd < cfg.min_run:
        # a lone lost-byte marker: only a confirmed guess of Han text or punctuation may replace it
        if not n_fffd or any(b.unconfirmed for b in blks):
            return None
        if not all(P.is_han(c) or c in P.CJK_PUNCT for c in changed):
            return None
    if changed:
        # (most stretches the split in _candidates judges end here: the costs are read once)
        costs = list(map(P.char_cost, changed))
        if max(costs) >= P.JUNK:
            return None
        if P.mean_cost("".join(changed)) > PLAUSIBLE_MEAN:
            return None
        if sum(c >= P.UNSEEN_HAN for c in costs) > len(changed) // 20:
            return None         # characters real text never uses: a wrong reading
    dropped = sum(b.dropped for b in blks)
    nbytes = sum(b.nbytes for b in blks) or 1
    if dropped / nbytes > MAX_DROP_RATIO or dropped > 1 + len(changed) // 4:
        return None
    if sum(1 for c in changed if P.is_han(c) or c in P.CJK_PUNCT) * 2 < len(changed):
        return None                 # a repair gives back Chinese text, not symbols or letters
    if fam.wrong == "latin1":
        raw = b"".join(_wrong_bytes("latin1", c) or b"" for c in before)
        try:
            raw.decode("utf-8")
            return None             # valid UTF-8: ftfy's case (UTF-8 read as Latin-1), not ours
        except UnicodeDecodeError:
            pass
    pieces = tuple((w0 + b.cs, w0 + b.ce, b.text, b.gain) for b in blks)
    return Repair(w0 + blks[0].cs, w0 + blks[-1].ce, after, f"{STEP}:{fam.name}", raw_gain,
                  dropped, guessed, pieces)


# ---------------------------------------------------------------- windows


class _Spans:
    """The spans of one line that each wrong decoder could have produced.

    :meth:`span` is asked per family and seed (and per shifted start): the
    families that share a wrong decoder ask for the same spans, and the seeds
    of one cluster mostly lie in one span.  Each maximal run is walked once per
    decoder and kept for the line, so a character is tested once per decoder
    instead of once per question (185,000 tests in the 4,000-document
    benchmark before).
    """

    def __init__(self, line: str) -> None:
        self.line = line
        self.runs: dict[str, list[tuple[int, int]]] = {}    # kind -> maximal runs found so far

    def span(self, pos: int, kind: str) -> tuple[int, int]:
        """The maximal span around ``pos`` of characters the wrong decoder could have
        produced, at most ``MAX_WINDOW`` characters each side (``hi == pos`` when
        ``line[pos]`` is not one of them)."""
        runs = self.runs.setdefault(kind, [])
        for lo, hi in runs:
            # (pos == hi: line[pos] is what ended the run, so the run is also pos's answer;
            # seeds the decoder cannot produce ask for the run before them, often twice)
            if lo <= pos <= hi:
                break
        else:
            lo, hi = _encodable_run(self.line, pos, kind)
            if hi > lo:
                runs.append((lo, hi))
        return max(lo, pos - MAX_WINDOW), min(hi, pos + MAX_WINDOW)


def _encodable_run(line: str, pos: int, kind: str) -> tuple[int, int]:
    """The maximal run around ``pos`` of characters the wrong decoder could have
    produced (unbounded: :meth:`_Spans.span` cuts it to the window)."""
    lo = pos
    while lo > 0 and ((ch := line[lo - 1]) in _MARKERS or _wrong_bytes(kind, ch) is not None):
        lo -= 1
    hi = pos
    while hi < len(line) and ((ch := line[hi]) in _MARKERS or _wrong_bytes(kind, ch) is not None):
        hi += 1
    return lo, hi


def _clusters(line: str, positions: list[int], min_run: int, gap: int = CLUSTER_GAP) -> list[list[int]]:
    """Group seed positions closer than ``gap``; keep groups with ``min_run`` seeds or a U+FFFD."""
    out: list[list[int]] = []
    group: list[int] = []
    for p in positions:
        if group and p - group[-1] > gap:
            if _keep(line, group, min_run):
                out.append(group)
            group = []
        group.append(p)
    if group and _keep(line, group, min_run):
        out.append(group)
    return out


def _keep(line: str, group: list[int], min_run: int) -> bool:
    return len(group) >= min_run or any(line[p] == "\ufffd" or 0xE000 <= ord(line[p]) <= 0xF8FF for p in group)


def _suspicious(line: str, group: list[int]) -> bool:
    """Cheap test before any round trip: the cluster reads badly as it stands."""
    if any(P.char_cost(line[p]) >= P.JUNK for p in group):
        return True             # a lost-byte marker or a private-use character
    lo, hi = max(0, group[0] - 2), min(len(line), group[-1] + 3)
    return P.mean_cost(line[lo:hi]) >= CLUSTER_MEAN_COST


@functools.lru_cache(maxsize=32)
def _families(names: tuple[str, ...], guess: bool) -> tuple[Family, ...]:
    return tuple(dataclasses.replace(f, guess=guess) for f in FAMILIES if not names or f.name in names)


# Letters of scripts that GBK/Big5-read-as-Latin-1 damage never produces: a
# line holding them (Greek, Cyrillic, Arabic, Indic, Thai...) is another
# language's text, whose Latin-1-looking runs are ftfy's business.
_OTHER_SCRIPTS = re.compile("[\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u0590-\u05ff\u0600-\u06ff"
                            "\u0900-\u0dff\u0e00-\u0e7f\u10a0-\u10ff]")


@functools.lru_cache(maxsize=1)
def _ftfy_utf8_config():
    import ftfy

    # only the "UTF-8 read as a single-byte codepage" detector; decode_inconsistent_utf8
    # stays off because it rewrites pairs of GBK-read-as-Latin-1 text
    return ftfy.TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_encoding=True, restore_byte_a0=True,
        replace_lossy_sequences=True, decode_inconsistent_utf8=False, fix_c1_controls=False,
        fix_latin_ligatures=False, fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False,
        fix_surrogates=False, remove_control_chars=False, normalization=None, explain=False)


def _latin_family_plausible(line: str) -> bool:
    """Whether Latin-1-looking runs on this line may be GBK/Big5 read as
    Latin-1: not when the line holds letters of other scripts, and not when
    ftfy reads it as UTF-8 mojibake (its case, which runs next)."""
    if _OTHER_SCRIPTS.search(line) and not _HAN_RE.search(line):
        return False            # (GBK has Greek and Cyrillic rows: with Han around, they may be damage too)
    import ftfy

    # ftfy maps C1 controls to their cp1252 characters on the way; that alone is no UTF-8 reading
    line = line.translate(_C1_AS_CP1252)
    return ftfy.fix_encoding(line, _ftfy_utf8_config()) == line


def _reads_as_utf8(run: str) -> bool:
    """Whether ftfy reads this Latin-1-looking run as UTF-8 mojibake.

    The line-level check in :func:`_latin_family_plausible` cannot see it when
    the run sits inside Chinese text (ftfy does not re-encode a whole line
    that holds real Han), and repairing pieces of the run as GBK would leave
    ftfy nothing to fix: "上半å¹´æ–°" became "上半å¹存–°"."""
    import ftfy

    run = run.translate(_C1_AS_CP1252)
    if ftfy.fix_encoding(run, _ftfy_utf8_config()) != run:
        return True
    # real quotes and dashes of the Chinese text around it can end up in the run
    core = run.strip("\u201c\u201d\u2018\u2019\u2026\u2014\u2013\u00b7")
    return core != run and len(core) >= 2 and ftfy.fix_encoding(core, _ftfy_utf8_config()) != core


_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_C1_AS_CP1252 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
                 if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


_KANA, _HAN, _JOINABLE, _PARTICLE = 1, 2, 4, 8


@functools.cache
def _ja_classes() -> np.ndarray:
    """Per BMP code point, the bits :func:`_looks_japanese` counts: kana
    (U+3040-U+30FF), Han (U+3400-U+4DBF, U+4E00-U+9FFF), what a particle joins
    (kana, U+3400-U+9FFF) and the particles."""
    table = np.zeros(0x10000, dtype=np.uint8)
    table[0x3040:0x3100] |= _KANA | _JOINABLE
    table[0x3400:0x4DC0] |= _HAN
    table[0x4E00:0xA000] |= _HAN
    table[0x3400:0xA000] |= _JOINABLE
    table[[ord(c) for c in "のはをがにでとへもやた"]] |= _PARTICLE
    return table


def _looks_japanese(text: str) -> bool:
    """Japanese prose: kana make at least a fifth of the kana and Han, and
    particles join words, a particle followed by kana or U+3400-U+9FFF (damage
    scatters kana without that grammar).

    Counted with one table lookup per UTF-16 code unit (numpy): three regex
    scans, which made a string of every kana and Han character, took 0.2 ms
    per Japanese text, and every text with a suspicious cluster asks.  The
    classes lie in the BMP; a character outside it is two surrogates, in none
    of them, as it is itself.  (tests/test_mojibake.py compares this with the
    regex counts.)

    >>> _looks_japanese("駅前商店街に新しい図書コーナーが開設された。"), _looks_japanese("扺嫖湔揣萵軞笛桲")
    (True, False)
    """
    cls = _ja_classes()[np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype="<u2")]
    kana = int(np.count_nonzero(cls & _KANA))
    if kana < 5:
        return False
    if kana < 0.2 * (kana + int(np.count_nonzero(cls & _HAN))):
        return False
    particles = np.count_nonzero((cls[:-1] & _PARTICLE).astype(bool) & (cls[1:] & _JOINABLE).astype(bool))
    return int(particles) >= max(2, kana // 20)


def _line_repairs(line: str, cfg: MojibakeConfig, latin_only: bool = False) -> list[Repair]:
    families = _families(tuple(cfg.families), cfg.guess_lost_bytes)
    if latin_only:
        families = tuple(f for f in families if f.wrong == "latin1")
    cands: list[Repair] = []
    seeds = [m.start() for m in _seed_re().finditer(line)]
    clusters = [g for g in (_clusters(line, seeds, cfg.min_run) if seeds else []) if _suspicious(line, g)]
    done: set[tuple[str, int, int]] = set()
    spans = _Spans(line)
    orig_costs: dict[tuple[int, int], float] = {}      # see _score_blocks
    for group in clusters:
        for fam in families:
            if fam.wrong == "latin1" or fam.shifted:
                continue
            covered = -1
            for p in group:
                if p < covered:
                    continue
                lo, hi = spans.span(p, fam.wrong)
                covered = hi
                if hi <= lo or lo > p or (fam.name, lo, hi) in done:
                    continue
                done.add((fam.name, lo, hi))
                cands.extend(_candidates(line, lo, hi, fam, cfg, orig_costs=orig_costs))
    # a shifted stream: tried only where no other family explains the seeds
    shifted = next((f for f in families if f.shifted), None)
    if shifted is None or line.count("\ufffd") > 0.1 * len(line):
        clusters = []           # a stream this broken is not one lost byte
    for group in clusters:
        starts: list[int] = []
        for p in group:
            if any(r.start <= p < r.end for r in cands):
                continue
            for back in range(SHIFT_BACK + 1):
                s = p - back
                if s < 0 or s in starts:
                    continue
                if ord(line[s]) < 0x80 or (line[s] not in _MARKERS and P.char_cost(line[s]) < SHIFT_START_COST):
                    continue        # a shifted run starts with a mis-paired (so uncommon) character
                starts.append(s)
        for s in starts[:MAX_SHIFT_STARTS]:
            lo, hi = spans.span(s, "gbk")
            if lo > s or hi <= s:
                continue
            assert shifted is not None
            cands.extend(_shifted_candidates(line, s, min(hi, s + MAX_SHIFT_RUN), shifted, cfg, orig_costs))
    latin_ok = _LATIN_RUN.search(line) is not None and _latin_family_plausible(line)
    for m in (_LATIN_RUN.finditer(line) if latin_ok else ()):
        if sum(1 for c in m.group() if 0x80 <= ord(c) <= 0xFF) < 2:
            continue
        if _reads_as_utf8(m.group()):
            continue    # UTF-8 read as cp1252 inside Chinese text: ftfy repairs the run next
        for fam in families:
            if fam.wrong != "latin1":
                continue
            lo, hi = spans.span(m.start(), "latin1")
            key = (fam.name, lo, hi)
            if key in done:
                continue
            done.add(key)
            cands.extend(_candidates(line, lo, hi, fam, cfg, orig_costs=orig_costs))
    # keep the best non-overlapping candidates
    chosen: list[Repair] = []
    for r in sorted(cands, key=lambda r: (-r.gain, r.start, r.rule)):
        for c in chosen:
            if r is None or r.end <= c.start or r.start >= c.end:
                continue
            # overlapping a better repair: keep what lies on one side of it
            left = r.trimmed(r.start, c.start)
            right = r.trimmed(c.end, r.end)
            r = max((x for x in (left, right) if x is not None), key=lambda x: x.gain, default=None)
        if r is not None and all(r.end <= c.start or r.start >= c.end for c in chosen):
            chosen.append(r)
    return sorted(chosen, key=lambda r: r.start)


# A lost-byte marker left just before a shifted run, with the tail of a pinyin
# annotation whose "(" went with the lost byte: "?yōu)" in "轉變?yōu)榱艘粋€".
_SHIFT_JUNK = re.compile("[?\ufffd](?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[1-5]?\\))?$")


def _shifted_candidates(line: str, s: int, hi: int, fam: Family, cfg: MojibakeConfig,
                        orig_costs: dict[tuple[int, int], float] | None = None) -> list[Repair]:
    reps = [r for r in _candidates(line, s, hi, fam, cfg, lead_gap=True, orig_costs=orig_costs) if r.start == s]
    out = []
    for r in reps:
        m = _SHIFT_JUNK.search(line, max(0, s - 12), s)
        if m is not None and m.end() == s:
            r = Repair(m.start(), r.end, r.after, r.rule, r.gain, r.dropped + 1, r.guessed,
                       ((m.start(), r.end, r.after, r.gain),))
        out.append(r)
    return out


def _lines_to_repair(text: str, cfg: MojibakeConfig):
    """The lines of ``text`` on which :func:`_line_repairs` can find a repair,
    as ``(offset, line, latin_only)`` in text order; one scan of the whole
    text per kind of evidence, no per-line regex work on clean lines.

    A line yields candidates only from a seed cluster that :func:`_clusters`
    keeps and :func:`_suspicious` passes, or from a Latin-1-looking run with
    two characters of U+0080-U+00FF (``_line_repairs`` skips the others), so
    every other line would give nothing.  Lines are split at ``\\n`` only; seeds
    and runs never contain one.  Japanese prose (kana and kanji that the
    GBK/Big5 round trips would "repair" into Han) gets only the Latin-1
    families, whose damage never looks like Japanese; on a line without a
    suspicious cluster only those families can find anything either way.
    """
    found: dict[int, list] = {}     # line offset -> [line end, has a suspicious cluster, has a Latin-1 run]
    cluster_re = _cluster_re(cfg.min_run)
    seed_re = _seed_re()
    japanese = False
    pos = 0
    while (m := cluster_re.search(text, pos)) is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.start())
        end = len(text) if end < 0 else end
        line = text[start:end]
        seeds = [s.start() for s in seed_re.finditer(line)]
        if any(_suspicious(line, g) for g in _clusters(line, seeds, cfg.min_run)):
            if not found and _looks_japanese(text):
                # Japanese prose: no line gets the cluster families, so the other lines'
                # clusters need no look (most of the step's time on clean Japanese)
                japanese = True
                break
            found[start] = [end, True, False]
        pos = end + 1
    # most texts hold no U+0080-U+00FF at all: one encode in C tells (5x faster than the scan)
    pos = 0 if not text.encode("latin-1", "ignore").isascii() else len(text)
    while (m := _LATIN1_PAIR.search(text, pos)) is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        found.setdefault(start, [end, False, False])[2] = True
        pos = end + 1
    if not found:
        return
    for start in sorted(found):
        end, cluster, latin = found[start]
        if cluster and not japanese:
            yield start, text[start:end], False
        elif latin:
            yield start, text[start:end], True


# ---------------------------------------------------------------- the step


def repair_mojibake(text: str, ctx: Context) -> list[Edit]:
    """Repair CJK mojibake runs (see the module docstring); flags lossy and unrecoverable damage.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.context import Context
    >>> from cleaners.document import Document
    >>> t = "曙光存储副总裁"
    >>> repair_mojibake(t, Context(Document.make("t", 0, t), CleanerConfig()))
    []
    """
    cfg = ctx.config.mojibake
    if not cfg.enabled or not text:
        return []
    edits: list[Edit] = []
    if not text.isascii():          # (ASCII text has no seed, no Latin-1 run, no U+FFFD)
        for start, line, latin_only in _lines_to_repair(text, cfg):
            for r in _line_repairs(line, cfg, latin_only=latin_only):
                note = []
                if r.guessed:
                    note.append(f"guessed={r.guessed}")
                if r.dropped:
                    note.append(f"dropped_bytes={r.dropped}")
                note.append(f"gain={r.gain:.1f}")
                edits.append(Edit(STEP, r.rule, start + r.start, start + r.end, line[r.start:r.end],
                                  r.after, ";".join(note)))
    repaired = sum(e.end - e.start for e in edits)
    lost = 0
    for e in edits:
        for part in e.note.split(";"):
            if part.startswith(("guessed=", "dropped_bytes=")):
                lost += int(part.split("=", 1)[1])
    if edits:
        ctx.signals["mojibake_runs"] = float(len(edits))
        ctx.signals["mojibake_repaired_chars"] = float(repaired)
        if lost:
            ctx.signals["mojibake_lost_bytes"] = float(lost)
            ctx.flag("lossy_mojibake")
    _check_unrecoverable(text, edits, ctx)
    return edits


def _check_unrecoverable(text: str, edits: list[Edit], ctx: Context) -> None:
    # (every text passes here: a marker's first character is looked for first, a 3x faster
    # search than the whole marker's, and found in few texts)
    if not any(mark[0] in text and mark in text for mark in _UNRECOVERABLE):
        return
    junk = len(_JUNK_RUN.findall(text))
    fffd = text.count("\ufffd") - sum(e.before.count("\ufffd") for e in edits)
    if fffd:
        ctx.signals["replacement_chars"] = float(fffd)
    if junk >= 2 or fffd >= 3 and fffd / max(1, len(text)) > 0.002:
        ctx.flag("unrecoverable_mojibake")

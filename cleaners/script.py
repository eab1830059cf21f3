"""Script normalization (OpenCC) and punctuation width, for Chinese text only.

Two steps live here:

- :func:`convert_script` (step ``script``) converts Chinese documents to the
  configured script (``ScriptConfig.target``: ``s`` by default) with the OpenCC
  C++ binding, *only in the direction needed*: a document already written in the
  target script is never run through the opposite converter (``t2s`` over
  Simplified text turns 昇腾 into 升腾), only its stray characters of the other
  script are converted.  Japanese and Korean are never touched.
- :func:`normalize_punctuation` (step ``punctuation``) turns ASCII ``, . ! ? : ; ( )``
  that sit in Chinese context into their fullwidth forms and fullwidth letters and
  digits into ASCII; ASCII inside Latin runs, numbers, times, URLs, e-mails and
  inline code stays as it is.

The character sets that tell Simplified from Traditional (:func:`han_sets`) are
derived once per process from OpenCC's own tables (see the function), and are
shared with :mod:`cleaners.language`.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> text = "華為發布了新的伺服器,性能提升(約30%)。"
>>> ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
>>> ctx.lang, ctx.script_in = "zh-Hant", "Hant"
>>> text = apply_edits(text, convert_script(text, ctx))
>>> apply_edits(text, normalize_punctuation(text, ctx))
'华为发布了新的伺服器，性能提升（约30%）。'
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import opencc

from cleaners.context import Context
from cleaners.document import Edit
from cleaners.edits import iter_lines

# --------------------------------------------------------------------------
# Character classes (shared with cleaners.language)
# --------------------------------------------------------------------------

#: CJK unified ideographs (BMP, extension A, compatibility block, supplementary planes).
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: Hiragana and katakana letters.  The katakana middle dot U+30FB and the
#: prolonged-sound mark U+30FC are left out on purpose: Chinese text uses ・ in
#: foreign names and a stray ー after a damaged dash, neither says "Japanese".
KANA_CLASS = "\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fd\u30fe\u31f0-\u31ff\uff66-\uff6f\uff71-\uff9d"
#: Hangul syllables and jamo.
HANGUL_CLASS = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"

HAN_RE = re.compile(f"[{HAN_CLASS}]")
KANA_RE = re.compile(f"[{KANA_CLASS}]")
HANGUL_RE = re.compile(f"[{HANGUL_CLASS}]")
KANA_OR_HANGUL_RE = re.compile(f"[{KANA_CLASS}{HANGUL_CLASS}]")

# The BMP ranges scanned when the Simplified/Traditional sets are derived.
_SCAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000))


def _encodable(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@cache
def get_converter(config: str) -> opencc.OpenCC:
    """The OpenCC converter for a config name (``t2s``, ``s2twp``...), built once per process.

    >>> get_converter("t2s").convert("漢字")
    '汉字'
    >>> get_converter("t2s") is get_converter("t2s")
    True
    """
    return opencc.OpenCC(config)


@dataclass(frozen=True)
class HanSets:
    """Characters that tell the scripts apart, derived from OpenCC.

    - ``t2s_changes`` / ``s2t_changes``: every character the converter rewrites
      when it stands alone (this includes characters valid in both scripts, such
      as 後 乾 於 昇, which t2s rewrites).
    - ``trad_only``: rewritten by t2s *and* outside GB 2312 (the Simplified
      national character set) and not a Japanese shinjitai form: a character a
      Simplified text does not use (發 說 臺 們 ...).
    - ``simp_only``: rewritten by s2t *and* outside Big5: a character a
      Traditional text does not use (发 说 们 ...).  后 干 里 万 are in Big5 and so
      are not counted: they are real Traditional characters too.
    - ``jp_only``: Japanese shinjitai forms (jp2t rewrites them) that are in
      neither GB 2312 nor Big5: 図 駅 広 売 気 労 変 ...
    """

    t2s_changes: frozenset[str]
    s2t_changes: frozenset[str]
    trad_only: frozenset[str]
    simp_only: frozenset[str]
    jp_only: frozenset[str]

    @property
    def trad_only_re(self) -> re.Pattern[str]:
        return _set_regex(self.trad_only)

    @property
    def simp_only_re(self) -> re.Pattern[str]:
        return _set_regex(self.simp_only)

    @property
    def jp_only_re(self) -> re.Pattern[str]:
        return _set_regex(self.jp_only)

    @property
    def t2s_re(self) -> re.Pattern[str]:
        return _set_regex(self.t2s_changes)


@lru_cache(maxsize=16)
def _set_regex(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(chars)) + "]")


@lru_cache(maxsize=1)
def han_sets() -> HanSets:
    """:class:`HanSets`, derived from OpenCC (0.1 s) once per installation and
    then read from the table cache (:mod:`cleaners.tablecache`).

    Each BMP ideograph is converted alone (one per line, so no phrase rule
    fires) with t2s, s2t and jp2t; the national character sets GB 2312 and Big5
    (Python's codecs) remove the characters both scripts share.

    >>> s = han_sets()
    >>> "發" in s.trad_only, "发" in s.simp_only, "後" in s.trad_only, "后" in s.simp_only
    (True, True, False, False)
    >>> "図" in s.jp_only, "図" in s.trad_only
    (True, False)
    """
    from cleaners import tablecache as tc

    z = tc.load_or_build("han_sets", _derive_han_sets, modules=("script.py",),
                         packages=(os.path.dirname(opencc.__file__),))
    return HanSets(*(tc.array_to_chars(z[k]) for k in ("t2s", "s2t", "trad", "simp", "jp")))


def _derive_han_sets() -> dict[str, np.ndarray]:
    """:func:`han_sets` from OpenCC (its ``s2t`` converter alone loads in 0.1 s;
    the result is cached on disk, see :mod:`cleaners.tablecache`)."""
    from cleaners import tablecache as tc

    chars = [chr(c) for lo, hi in _SCAN_RANGES for c in range(lo, hi)]
    blob = "\n".join(chars)

    def changed(config: str) -> frozenset[str]:
        out = get_converter(config).convert(blob).split("\n")
        if len(out) != len(chars):  # never seen; fall back to one call per character
            out = [get_converter(config).convert(c) for c in chars]
        return frozenset(c for c, o in zip(chars, out, strict=True) if o != c)

    t2s, s2t, jp2t = changed("t2s"), changed("s2t"), changed("jp2t")
    jp_only = frozenset(c for c in jp2t if not _encodable(c, "gb2312") and not _encodable(c, "big5"))
    trad = frozenset(c for c in t2s if not _encodable(c, "gb2312")) - jp_only
    simp = frozenset(c for c in s2t if not _encodable(c, "big5"))
    both = trad & simp
    sets = {"t2s": t2s, "s2t": s2t, "trad": trad - both, "simp": simp - both, "jp": jp_only - both}
    return {k: tc.chars_to_array(v) for k, v in sets.items()}


def count_script_chars(text: str) -> tuple[int, int]:
    """(Simplified-only, Traditional-only) character counts of ``text``.

    >>> count_script_chars("我们说中文")
    (2, 0)
    >>> count_script_chars("我們說中文")
    (0, 2)
    """
    return _script_counts(text)


@lru_cache(maxsize=1)
def _script_table() -> np.ndarray:
    """uint8 per BMP code point: 1 Simplified-only, 2 Traditional-only, 3 kana
    or hangul (:data:`KANA_OR_HANGUL_RE`), else 0."""
    s = han_sets()
    tab = np.zeros(0x10000, dtype=np.uint8)
    tab[[ord(c) for c in s.simp_only]] = 1
    tab[[ord(c) for c in s.trad_only]] = 2
    for cls in (KANA_CLASS, HANGUL_CLASS):
        for m in re.finditer(r"(.)(?:-(.))?", cls):
            lo, hi = m.group(1), m.group(2) or m.group(1)
            tab[ord(lo):ord(hi) + 1] = 3
    return tab


def _table_counts(text: str) -> np.ndarray:
    """Counts of the :func:`_script_table` classes in ``text`` (length 4:
    other, Simplified-only, Traditional-only, kana or hangul).

    One table lookup over the code points, cheaper than a regex findall per
    class; the classes are BMP characters, so code points past U+FFFF (clipped
    to U+FFFF, class 0) count nothing.
    """
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.bincount(_script_table().take(cps, mode="clip"), minlength=4)


def _script_counts(text: str) -> tuple[int, int]:
    c = _table_counts(text)
    return int(c[1]), int(c[2])


# --------------------------------------------------------------------------
# Step "script"
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    full: str            # converter for a document (or passage) in the other script
    stray: str           # converter for stray characters of the other script
    variant: str | None  # converter applied to text already in the target script (regional variants)
    script: str          # script label of the output


_TARGETS: dict[str, _Target] = {
    "s": _Target("t2s", "t2s", None, "Hans"),
    "t": _Target("s2t", "s2t", None, "Hant"),
    "tw": _Target("s2tw", "s2tw", "t2tw", "Hant"),
    "twp": _Target("s2twp", "s2tw", "t2tw", "Hant"),
    "hk": _Target("s2hk", "s2hk", "t2hk", "Hant"),
}

# A line of a document in the target script is treated as a passage in the
# other script (converted whole) when it holds at least this many characters
# only the other script uses, and more of them than of the target's own.
_PASSAGE_MIN_CHARS = 2

# Converters used to find the other spellings of a protected term.
_VARIANT_CONFIGS = ("t2s", "s2t", "s2tw", "s2hk", "t2tw", "t2hk")


def is_chinese(ctx: Context) -> bool:
    """True when the language step called the document Chinese (``zh-*``), or
    bilingual (flag ``mixed``) with Chinese as the second language and neither
    Japanese nor Korean as the first.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.document import Document
    >>> ctx = Context(doc=Document.make("t", 0, ""), config=CleanerConfig())
    >>> ctx.lang = "ja"; is_chinese(ctx)
    False
    >>> ctx.lang = "zh-Hant"; is_chinese(ctx)
    True
    """
    if ctx.lang.startswith("zh"):
        return True
    return ("mixed" in ctx.flags and (ctx.lang_second or "").startswith("zh")
            and ctx.lang not in ("ja", "ko"))


@lru_cache(maxsize=32)
def _protected(terms: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Regex over every spelling of the protected terms, and spelling -> term.

    The spellings come from six OpenCC converters (0.1 s to load, ``s2t`` and
    ``s2tw`` most of it), so they go through the table cache
    (:mod:`cleaners.tablecache`), one entry per list of terms.
    """
    from hashlib import sha256

    from cleaners import tablecache as tc

    terms = tuple(t for t in terms if t)
    if not terms:
        return None, {}

    def build() -> dict[str, np.ndarray]:
        spelling: dict[str, str] = {}
        for term in terms:
            spelling.setdefault(term, term)
            for cfg in _VARIANT_CONFIGS:
                v = get_converter(cfg).convert(term)
                if len(v) == len(term):
                    spelling.setdefault(v, term)
        return {"spellings": tc.strings_to_array(spelling), "terms": tc.strings_to_array(spelling.values()),
                "of": tc.strings_to_array(terms)}

    digest = sha256("\0".join(terms).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    z = tc.load_or_build(f"spellings-{digest}", build, modules=("script.py",),
                         packages=(os.path.dirname(opencc.__file__),))
    if tc.array_to_strings(z["of"]) != list(terms):   # a digest collision: derive them here
        z = build()
    spelling = dict(zip(tc.array_to_strings(z["spellings"]), tc.array_to_strings(z["terms"]), strict=True))
    alts = sorted(spelling, key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in alts)), spelling


def _convert_full(conv: str) -> Callable[[str], str]:
    c = get_converter(conv)
    return c.convert


def _convert_stray(conv: str, stray: frozenset[str], stray_re: re.Pattern[str]) -> Callable[[str], str]:
    """Convert only the characters in ``stray`` and their direct Han neighbours.

    The converter still sees the whole piece, so its phrase rules pick the right
    character; a change is kept only on a stray character or next to one (後來:
    來 is Traditional-only, 後 is not, both go), any other change is dropped.
    """
    c = get_converter(conv)

    def fn(piece: str) -> str:
        if not stray_re.search(piece):
            return piece
        out = c.convert(piece)
        if len(out) != len(piece):
            return "".join(c.convert(ch) if ch in stray else ch for ch in piece)
        keep = set()
        for m in stray_re.finditer(piece):
            p = m.start()
            keep.add(p)
            for q in (p - 1, p + 1):
                if 0 <= q < len(piece) and HAN_RE.match(piece[q]):
                    keep.add(q)
        return "".join(o if i in keep else ch for i, (ch, o) in enumerate(zip(piece, out, strict=True)))

    return fn


def _compose(*fns: Callable[[str], str] | None) -> Callable[[str], str]:
    real = [f for f in fns if f is not None]

    def fn(piece: str) -> str:
        for f in real:
            piece = f(piece)
        return piece

    return fn


def _apply_protected(line: str, fn: Callable[[str], str], pattern: re.Pattern[str] | None,
                     spelling: dict[str, str]) -> str:
    """``fn(line)``, except inside protected terms: a character the term spells
    the same way stays verbatim; a differing one (騰 in 昇騰) is converted alone."""
    if pattern is None:
        return fn(line)
    matches = list(pattern.finditer(line))
    if not matches:
        return fn(line)
    out: list[str] = []
    pos = 0
    for m in matches:
        out.append(fn(line[pos:m.start()]))
        term = spelling[m.group(0)]
        out.append("".join(ch if ch == t else fn(ch) for ch, t in zip(m.group(0), term, strict=True)))
        pos = m.end()
    out.append(fn(line[pos:]))
    return "".join(out)


def convert_script(text: str, ctx: Context) -> list[Edit]:
    """Step ``script``: convert a Chinese document to ``ScriptConfig.target``.

    Policy (target ``s``; the Traditional targets mirror it):

    - only documents the language step called Chinese (:func:`is_chinese`);
      lines holding kana or hangul (a Japanese or Korean quotation) are skipped;
    - the document's script is the majority of its Simplified-only vs
      Traditional-only characters (:func:`count_script_chars`);
    - a Traditional document: every line goes through t2s (rule ``script:t2s``);
    - a Simplified document is never run through t2s as a whole.  A line that is
      a Traditional passage (at least two Traditional-only characters, and more
      of them than Simplified-only ones) is converted whole; elsewhere only the
      Traditional-only characters and their direct neighbours are converted
      (rule ``script:t2s_stray``; the converter sees the whole line for its
      phrase rules, but only those characters may change: 後來 becomes 后来),
      so 昇腾, 乾隆 or 於 elsewhere in Simplified text stay as they are.
      ``ScriptConfig.convert_stray=False`` leaves those stray characters alone;
    - protected terms (``ScriptConfig.protected_terms``) are never converted, in
      any of their spellings: in 昇騰 the 昇 stays and only 騰 becomes 腾;
    - for ``tw``/``twp``/``hk``, text already Traditional also gets OpenCC's
      regional variants (t2tw, t2hk).

    One edit per changed line, spanning its first to its last changed
    character.  ``ctx.script`` becomes the output script.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.document import Document, apply_edits
    >>> def run(text, lang, script):
    ...     ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
    ...     ctx.lang, ctx.script_in, ctx.script = lang, script, script
    ...     return apply_edits(text, convert_script(text, ctx)), ctx.script
    >>> run("昇騰芯片的發展", "zh-Hant", "Hant")
    ('昇腾芯片的发展', 'Hans')
    >>> run("乾隆年间，他们在臺北开会。", "zh-Hans", "Hans")
    ('乾隆年间，他们在台北开会。', 'Hans')
    >>> run("東京の天気は晴れです。", "ja", "Jpan")
    ('東京の天気は晴れです。', 'Jpan')
    """
    cfg = ctx.config.script
    if cfg.target == "keep" or not is_chinese(ctx) or not HAN_RE.search(text):
        return []
    target = _TARGETS[cfg.target]
    sets = han_sets()
    if target.script == "Hans":
        other, own = 1, 0          # index of the other script's count in (simp, trad)
        stray_set, stray_re = sets.trad_only, sets.trad_only_re
    else:
        other, own = 0, 1
        stray_set, stray_re = sets.simp_only, sets.simp_only_re
    # Target "s" and no Traditional-only character: the document is Simplified
    # (its source script is the target's) and no line has anything to convert,
    # so OpenCC is never called.  This is most Chinese documents.
    to_simplified = target.script == "Hans" and target.variant is None
    if to_simplified and not _trad_kana_hangul_re().search(text):
        _set_script(ctx, target)   # no kana or hangul either: every line with Han takes part
        return []
    # Lines holding kana or hangul are skipped; most documents have none, and
    # then every line with Han takes part.
    table_counts = _table_counts(text)      # simp-only, trad-only, kana/hangul
    mixed = bool(table_counts[3])
    if to_simplified and not table_counts[2]:
        if any(HAN_RE.search(line) and not KANA_OR_HANGUL_RE.search(line) for _, line in iter_lines(text)):
            _set_script(ctx, target)
        return []
    lines = [(off, line) for off, line in iter_lines(text)
             if line and HAN_RE.search(line) and not (mixed and KANA_OR_HANGUL_RE.search(line))]
    if not lines:
        return []
    line_counts: dict[int, tuple[int, int]] = {}   # by offset, when already counted
    if mixed:
        line_counts = {off: _script_counts(line) for off, line in lines}
        simp_total = sum(s for s, _ in line_counts.values())
        trad_total = sum(t for _, t in line_counts.values())
    else:   # the sets hold Han characters only: lines without Han count nothing
        simp_total, trad_total = int(table_counts[1]), int(table_counts[2])
    source = "Hant" if trad_total > simp_total else "Hans"
    pattern, spelling = _protected(tuple(cfg.protected_terms))
    if pattern is not None and not pattern.search(text):
        pattern = None             # no protected term anywhere: no line needs the split

    full = _convert_full(target.full)
    variant = _convert_full(target.variant) if target.variant else None
    stray = _convert_stray(target.stray, stray_set, stray_re) if cfg.convert_stray else None
    edits: list[Edit] = []
    for off, line in lines:
        if source != target.script:
            fn, rule, note = full, f"script:{target.full}", f"{source} document"
        elif variant is None and not stray_re.search(line):
            continue               # nothing of the other script, no regional variants
        else:
            cnt = line_counts.get(off) or _script_counts(line)
            if cnt[other] >= _PASSAGE_MIN_CHARS and cnt[other] > cnt[own]:
                fn, rule, note = full, f"script:{target.full}", f"{'Hant' if other else 'Hans'} passage"
            elif cnt[other] and stray is not None:
                fn = _compose(stray, variant)
                rule, note = f"script:{target.stray}_stray", "stray characters of the other script"
            elif variant is not None:
                fn, rule, note = variant, f"script:{target.variant}", "regional variants"
            else:
                continue
        new = _apply_protected(line, fn, pattern, spelling)
        if new != line:
            # One edit per changed line, from its first to its last changed
            # character (docs/language.md, "Edits").
            p, end_old, end_new = _changed_span(line, new)
            edits.append(Edit("script", rule, off + p, off + end_old, line[p:end_old], new[p:end_new], note))
    _set_script(ctx, target)
    if edits:
        ctx.count("script.chars", sum(len(e.before) for e in edits))
    return edits


@lru_cache(maxsize=1)
def _trad_kana_hangul_re() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(han_sets().trad_only)) + KANA_CLASS + HANGUL_CLASS + "]")


def _set_script(ctx: Context, target: _Target) -> None:
    if ctx.script_in in ("Hans", "Hant", "unknown") or ctx.script in ("Hans", "Hant"):
        ctx.script = target.script


def _changed_span(before: str, after: str) -> tuple[int, int, int]:
    """``(p, end_before, end_after)``: the smallest single span that differs,
    ``before[p:end_before]`` -> ``after[p:end_after]`` (common prefix and suffix
    left out; ``before != after``).

    >>> _changed_span("這個軟體很好", "这个软体很好")
    (0, 4, 4)
    >>> _changed_span("乾隆年間，" + "好" * 30, "乾隆年间，" + "好" * 30)
    (3, 4, 4)
    """
    lb, la = len(before), len(after)
    m = min(lb, la)
    # Converted lines usually differ within a few characters of each end: a
    # short scan decides; a long unchanged stretch is measured by halving
    # (slice comparisons run in C, not one Python step per character).
    p = 0
    quick = min(m, 8)
    while p < quick and before[p] == after[p]:
        p += 1
    if p == 8:
        hi = m
        while p < hi:
            mid = (p + hi + 1) // 2
            if before[p:mid] == after[p:mid]:
                p = mid
            else:
                hi = mid - 1
    s = 0
    limit = m - p
    quick = min(limit, 8)
    while s < quick and before[lb - 1 - s] == after[la - 1 - s]:
        s += 1
    if s == 8:
        hi = limit
        while s < hi:
            mid = (s + hi + 1) // 2
            if before[lb - mid:lb - s] == after[la - mid:la - s]:
                s = mid
            else:
                hi = mid - 1
    return p, lb - s, la - s


# --------------------------------------------------------------------------
# Step "punctuation"
# --------------------------------------------------------------------------

_FULLWIDTH_ALNUM_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
_FULLWIDTH_TABLE = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))
                    for c in range(*r)}
_CANDIDATE_RE = re.compile(r"[,.!?:;()（）]")
_MARK_RE = re.compile(r"[,.!?:;]")
_PAREN_RE = re.compile(r"[()（）]")
_CJK_ANY_RE = re.compile(f"[{HAN_CLASS}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")

# Spans whose ASCII punctuation is never touched: inline code, URLs, e-mails.
_URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%"
_PROTECT_RE = re.compile(
    r"`[^`\n]*`"
    rf"|(?:https?|ftp|file)://[{_URL_CHARS}]+(?:\([{_URL_CHARS}]*\)[{_URL_CHARS}]*)*"
    rf"|www\.[{_URL_CHARS}]+"
    r"|[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
)
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
# Characters skipped when looking for the context of a punctuation mark:
# quotes and dashes are used by both languages and say nothing.
_TRANSPARENT = frozenset(" \t\u3000“”‘’\"'—…·")
_FULLWIDTH = {",": "，", ".": "。", "!": "！", "?": "？", ":": "：", ";": "；", "(": "（", ")": "）"}
_RULES = {",": "comma", ".": "period", "!": "exclamation", "?": "question", ":": "colon",
          ";": "semicolon", "(": "parenthesis", ")": "parenthesis"}


def _is_cjk(ch: str | None) -> bool:
    if ch is None:
        return False
    o = ord(ch)
    if 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF0F or 0xFF1A <= o <= 0xFF20 \
            or 0xFF3B <= o <= 0xFF40 or 0xFF5B <= o <= 0xFF65:
        return True
    return bool(HAN_RE.match(ch))


_NUMBER_CHARS = frozenset("0123456789.,:%/-")
# What can start a punctuation edit, and what _may_convert looks through on the left
# (fullwidth digits count: the step reads them as ASCII digits).
_TRIGGER_RE = re.compile("[,.!?:;()\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_MARKS = frozenset(",.!?:;")
_PARENS = frozenset("()")
_LEFT_SKIP = _TRANSPARENT | _NUMBER_CHARS | frozenset(chr(c) for c in range(0xFF10, 0xFF1A))


def _prev_ctx(view: list[str], i: int) -> str | None:
    """The character that gives the mark at ``i`` its context: quotes, dashes and
    spaces are looked through, and so is a number (下跌2.6%, -> 跌)."""
    j = i - 1
    while j >= 0 and view[j] in _TRANSPARENT:
        j -= 1
    if j >= 0 and (view[j].isdigit() or view[j] == "%"):
        while j >= 0 and view[j] in _NUMBER_CHARS:
            j -= 1
        while j >= 0 and view[j] in _TRANSPARENT:
            j -= 1
    return view[j] if j >= 0 else None


def _next_ctx(view: list[str], i: int) -> str | None:
    j = i + 1
    while j < len(view) and view[j] in _TRANSPARENT:
        j += 1
    return view[j] if j < len(view) else None


def _spaces_after(line: str, i: int) -> int:
    j = i + 1
    while j < len(line) and line[j] == " ":
        j += 1
    return j - i - 1


def _protected_mask(line: str) -> list[bool]:
    mask = [False] * len(line)
    for m in _PROTECT_RE.finditer(line):
        end = m.end()
        if m.group(0)[0] != "`":   # trailing sentence punctuation is not part of a URL
            while end > m.start() and line[end - 1] in ".,;:!?'":
                end -= 1
        for k in range(m.start(), end):
            mask[k] = True
    return mask


def _paren_pairs(line: str, mask: list[bool]) -> list[tuple[int, int]]:
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for m in _PAREN_RE.finditer(line):
        i, ch = m.start(), m.group(0)
        if mask[i]:
            continue
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            pairs.append((stack.pop(), i))
    return pairs


def _paren_edits(line: str, mask: list[bool], view: list[str]) -> dict[int, str]:
    """Positions of ASCII parentheses to make fullwidth (also written into ``view``)."""
    out: dict[int, str] = {}
    for i, j in _paren_pairs(line, mask):
        a, b = line[i], line[j]
        if a == "（" and b == "）":
            continue
        content = line[i + 1:j]
        if a == "（" or b == "）":          # half-converted pair: finish it
            convert = True
        elif not content.strip() or content[:1] in "\"'":
            convert = False                  # empty, or a call with a string literal: code
        elif HAN_RE.search(content):
            convert = True
        else:
            before = line[i - 1] if i > 0 else None
            after = line[j + 1] if j + 1 < len(line) else None
            convert = ((before is None or _is_cjk(before)) and (after is None or _is_cjk(after))
                       and (_is_cjk(before) or _is_cjk(after)))
        if convert:
            for k in (i, j):
                if line[k] in "()":
                    out[k] = _FULLWIDTH[line[k]]
                    view[k] = out[k]
    return out


def _punct_decision(line: str, view: list[str], i: int) -> tuple[bool, int]:
    """(convert?, number of following spaces swallowed) for the mark at ``i``."""
    ch = line[i]
    prev, nxt = _prev_ctx(view, i), _next_ctx(view, i)
    p_cjk, n_cjk = _is_cjk(prev), _is_cjk(nxt)
    sp = _spaces_after(line, i)
    raw_prev = line[i - 1] if i > 0 else ""
    raw_next = line[i + 1] if i + 1 < len(line) else ""
    if ch in ",;":
        if raw_prev.isdigit() and raw_next.isdigit():
            return False, 0                  # 1,000
        if sp == 0:
            return p_cjk or n_cjk, 0
        return p_cjk and n_cjk, sp           # "a, b" is a Latin list unless both sides are Chinese
    if ch == ":":
        if raw_prev.isdigit() and raw_next.isdigit():
            return False, 0                  # 18:11, 3:2
        if raw_next and raw_next in "()/-":
            return False, 0                  # :) :/ and scheme-like
        if p_cjk:
            return True, sp if nxt is not None else 0
        return sp == 0 and n_cjk and prev is not None, 0
    if ch == ".":
        if raw_prev == "." or raw_next == "." or (raw_prev.isdigit() and raw_next.isdigit()):
            return False, 0                  # ellipsis ..., 3.14
        if raw_prev.isdigit() and _prev_ctx(view, i) is None:
            return False, 0                  # "1. item" at the start of a line
        if not p_cjk:
            return False, 0                  # 3.14, U.S., v2.0, "1. item"
        if nxt is None:
            return True, 0
        return (True, sp) if n_cjk else (False, 0)
    return False, 0


def _punct_line(line: str, off: int, parens: bool) -> list[Edit]:
    mask = _protected_mask(line)
    view = list(line)
    for m in _FULLWIDTH_ALNUM_RE.finditer(line):
        for k in range(m.start(), m.end()):
            view[k] = chr(_FULLWIDTH_TABLE[ord(line[k])])
    edits: list[Edit] = []
    if parens:
        for k, new in _paren_edits(line, mask, view).items():
            edits.append(Edit("punctuation", "punctuation:parenthesis", off + k, off + k + 1, line[k], new))
    n = len(line)
    pos = 0                                  # everything before pos is decided
    for m in _MARK_RE.finditer(line):
        i = m.start()
        ch = line[i]
        if i < pos or mask[i]:
            continue
        if ch in "!?":                      # a run like ?! or !!! is decided as one
            j = i
            while j < n and line[j] in "!?" and not mask[j]:
                j += 1
            pos = j
            if _is_cjk(_prev_ctx(view, i)):
                sp = _spaces_after(line, j - 1)
                sp = sp if _is_cjk(_next_ctx(view, j - 1)) else 0
                for k in range(i, j):
                    end = k + 1 + (sp if k == j - 1 else 0)
                    edits.append(Edit("punctuation", f"punctuation:{_RULES[line[k]]}", off + k, off + end,
                                      line[k:end], _FULLWIDTH[line[k]]))
                    view[k] = _FULLWIDTH[line[k]]
                pos = j + sp
            continue
        convert, sp = _punct_decision(line, view, i)
        if convert:
            end = i + 1 + sp
            edits.append(Edit("punctuation", f"punctuation:{_RULES[ch]}", off + i, off + end,
                              line[i:end], _FULLWIDTH[ch]))
            view[i] = _FULLWIDTH[ch]
            pos = end
    return edits


def normalize_punctuation(text: str, ctx: Context) -> list[Edit]:
    """Step ``punctuation``: fullwidth punctuation in Chinese context, ASCII letters and digits.

    Chinese documents only (:func:`is_chinese`); lines holding kana or hangul
    and fenced code blocks are skipped.  In the other lines:

    - ``, ;`` become ``，；`` when no space follows and either neighbour is
      Chinese (``华为,中科曙光``); with a space after (``arXiv, 搜狐``) only when both
      neighbours are Chinese, and the space goes.  ``1,000`` stays.
    - ``:`` becomes ``：`` after a Chinese character (the spaces after it go), or
      before one with no space; ``18:11`` and ``3:2`` stay.
    - ``! ?`` (and runs such as ``?!``) become fullwidth after a Chinese character.
    - ``.`` becomes ``。`` after a Chinese character when the line ends or Chinese
      follows; ``2.6%``, ``1.“标题”``, ``U.S.``, ``...`` stay.
    - ``( )`` pairs become ``（ ）`` when they hold a Chinese character, or when they
      sit between Chinese characters or a line edge (``华为(Huawei)发布``, ``(1)第一``);
      ``f(x)``, ``(Huawei)`` after Latin and ``print("你好")`` stay
      (``PunctuationConfig.parentheses``).
    - fullwidth letters and digits become ASCII (``PunctuationConfig.fullwidth_ascii``),
      also in Latin lines of a Chinese document.

    Quotes and dashes (“ ” ‘ ’ — …) are looked through when judging the context.
    URLs, e-mail addresses and `inline code` are never touched.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.document import Document, apply_edits
    >>> def run(text):
    ...     ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
    ...     ctx.lang = "zh-Hans"
    ...     return apply_edits(text, normalize_punctuation(text, ctx))
    >>> run("华为,中科曙光,神州数码(AI框架)发布了!")
    '华为，中科曙光，神州数码（AI框架）发布了！'
    >>> run("时间: 18:11, 价格3.14元, 见 https://a.cn/x?a=1,2 和 Ａ股")
    '时间：18:11，价格3.14元，见 https://a.cn/x?a=1,2 和 A股'
    >>> run("He said: (see f(x), 1,000 items).")
    'He said: (see f(x), 1,000 items).'
    """
    cfg = ctx.config.punctuation
    if not cfg.enabled or not is_chinese(ctx):
        return []
    # One scan for what can change at all: an ASCII parenthesis, an ASCII mark
    # with Chinese context (:func:`_may_convert`), a fullwidth letter or digit.
    # Only the lines holding one are looked at; most documents have none.
    starts: set[int] = set()
    for m in _TRIGGER_RE.finditer(text):
        i = m.start()
        ch = text[i]
        if ch in _PARENS:
            if not cfg.parentheses:
                continue
        elif ch in _MARKS:
            if not _may_convert(text, i):
                continue
        elif not cfg.fullwidth_ascii:
            continue
        starts.add(text.rfind("\n", 0, i) + 1)
    if not starts:
        return []
    if "```" in text or "~~~" in text:      # fenced code blocks: follow every line
        lines: Iterable[tuple[int, str]] = iter_lines(text)
    else:
        lines = [(off, _line_at(text, off)) for off in sorted(starts)]
    edits: list[Edit] = []
    in_fence = False
    for off, line in lines:
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or off not in starts or not line or KANA_OR_HANGUL_RE.search(line):
            continue
        has_punct = _CANDIDATE_RE.search(line) is not None and _CJK_ANY_RE.search(line) is not None
        if has_punct:
            edits.extend(_punct_line(line, off, cfg.parentheses))
        if cfg.fullwidth_ascii:
            for m in _FULLWIDTH_ALNUM_RE.finditer(line):
                edits.append(Edit("punctuation", "punctuation:fullwidth_ascii", off + m.start(),
                                  off + m.end(), m.group(0), m.group(0).translate(_FULLWIDTH_TABLE)))
    edits.sort(key=lambda e: e.start)
    if edits:
        ctx.count("punctuation.edits", len(edits))
    return edits


def _line_at(text: str, off: int) -> str:
    """The line starting at ``off``, as :func:`cleaners.edits.iter_lines` gives it."""
    end = text.find("\n", off)
    line = text[off:] if end < 0 else text[off:end]
    return line.removesuffix("\r")


def _may_convert(text: str, i: int) -> bool:
    """Whether the ASCII mark ``text[i]`` could become fullwidth, judged on the
    raw text: a cheap necessary condition of :func:`_punct_decision`, which
    converts a mark only when its context (:func:`_prev_ctx` /
    :func:`_next_ctx`) on one side is Chinese.  ``, . : ;`` between digits
    never change.  Looking left, numbers are skipped whatever they are followed
    by, so this says yes more often than the real decision, never less; within
    a line, the first mark that changes always passes (a later one may follow
    a mark made fullwidth before it, but its line is looked at anyway).

    >>> _may_convert("华为,中科", 2), _may_convert("1,000", 1), _may_convert("a, b", 1)
    (True, False, False)
    >>> _may_convert("下跌2.6%,abc", 6)   # looks through the number: 跌
    True
    """
    n = len(text)
    if text[i] in ",.:;" and 0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
        return False
    j = i + 1
    while j < n and text[j] in _TRANSPARENT:
        j += 1
    if j < n and _is_cjk(text[j]):
        return True
    j = i - 1
    while j >= 0 and text[j] in _LEFT_SKIP:
        j -= 1
    return j >= 0 and _is_cjk(text[j])

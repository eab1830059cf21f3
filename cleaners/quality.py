"""Quality signals, the score and the verdict.

Every signal below is measured on the clean text and stored (the ``quality``
struct column, :data:`SIGNALS`); the score combines them into a number in
[0, 1]; the verdict applies ``quality.min_chars`` and ``quality.min_score``.
``docs/quality.md`` gives the sources of the thresholds and the numbers
measured on the labelled set (``bench/bench_quality.py``).

Signals (shares are of non-space characters unless said otherwise)
-------------------------------------------------------------------
* ``n_chars``, ``n_lines`` (non-blank), ``mean_line_chars``, ``short_line_share``
  (lines under 10 characters in CJK text, under 30 in other text).
* ``han_share``, ``cjk_share`` (Han, kana, hangul), ``letter_share`` (letters of
  any script), ``digit_share``, ``symbol_share``.  A *symbol* is a character of
  a Unicode ``S*`` category (``© ■ ★ → $ | + =``, emoji) or one of ``# * @ \\ _ • ※ §``;
  Han, kana, hangul and punctuation (CJK punctuation included) are never
  symbols, unlike data-juicer's list, which counts 一 and ，。 as special.
* ``line_punct_share``: share of the line characters that are in lines ending
  in sentence punctuation (``。！？….!?；：`` or a closing quote or bracket),
  so that short headings and list items weigh little and paragraphs much.
* ``run_on_share``: CJK text only: characters in runs of more than 60 CJK
  characters with no punctuation or space (word salad, keyword soup).
* ``dup_line_share`` / ``dup_line_char_share``: repeated lines (beyond their
  first occurrence) by count / by characters; ``dup_para_share``: the same for
  paragraphs (blocks between blank lines), or the share the ``dedup`` step
  removed as repeated paragraphs, whichever is larger.
* ``top_ngram_share``: characters covered by the repeats (occurrences after
  the first) of the most frequent n-gram, so that a short text naming its
  subject twice is not stuffing;
  ``dup_ngram_share``: characters covered by n-grams that occur more than once
  (Gopher's repetition signals).  CJK text counts character n-grams (4 for top,
  10 for dup, about 2 and 5 words), other text word n-grams (2 and 5).
* ``stopword_hits`` and ``stopword_share``: function words (的 了 是 在 和...
  among Han characters; の は が を に で と も among CJK characters of Japanese
  text; the/and/of/... plus common French, German and Spanish ones among words).
* ``url_share``: characters inside URLs and e-mail addresses.
* ``removed_share``: the share of the input's non-space characters that the
  cleaning steps removed (``ctx.text_in`` against the clean text).
* ``spam_line_share``: lines hit by the boilerplate step's spam rules
  (``ctx.signals["spam_rule_hits"]``, 0 when that step did not run) per input line.
* ``chrome_line_share``: site-chrome markers (版权所有, ©, ICP备, 经营许可证,
  举报电话, "联系我们 |", "All rights reserved", "Privacy Policy"...) found on
  lines under 80 characters, per line: pages made only of footer and legal
  lines (:data:`CHROME_MARKERS`).
* ``mojibake_share``: residual damage markers: U+FFFD, private-use characters,
  锟斤拷, 烫烫烫/屯屯屯, and runs of three or more Latin-1 characters in Chinese text.
* ``wrapped``: 1 for hard-wrapped text (at least 8 lines, most of one width,
  few ending in punctuation, commas inside (CJK) or continuing in lower case
  (Latin): a plain-text book wrapped at 70 columns); the structure factor does
  not judge it.
* ``transcript``: 1 for line-per-phrase text without punctuation that reads as
  speech (a video or podcast transcript): at least 6 lines, few ending in
  punctuation, short lines, no repeats, function words present, no symbols or
  URLs.  Such text is content: the structure factor does not punish it.

Score
-----
``score = Π factor_k ** weight_k`` over the factors below, each in [0, 1], so
one bad factor is enough to sink a document while every signal stays visible.
``ramp_up(x, bad, good)`` is 0 at or below ``bad``, 1 at or above ``good`` and
linear between; ``ramp_down(x, good, bad)`` is its mirror; ``floor + (1 -
floor) * ramp`` keeps a factor that alone must not reject above ``floor``.
Weights (``quality.weights``, default 1, 0 turns a factor off) and the
(good, bad) endpoints (``quality.ramps``) are configurable by factor name.

=============  ==============================================  ============  =====
factor         definition                                      (good, bad)   floor
=============  ==============================================  ============  =====
length         ramp_up(log n_chars) between log bad and good   (150, 20)     0.5
letters        ramp_up(letter_share)                           (0.7, 0.45)   0
symbols        ramp_down(symbol_share)                         (0.05, 0.25)  0
digits         ramp_down(digit_share)                          (0.25, 0.6)   0
repetition     ramp_down(max of the dup_* char shares)         (0.2, 0.6)    0
stuffing       ramp_down(top_ngram_share)                      (0.12, 0.35)  0
stopwords      ramp_up(stopword_share); zh / ja / other        see below     0.1
structure      ramp_up(line_punct_share); 1 for transcripts,   (0.5, 0.1)    0.3
               hard-wrapped text and texts of under 3 lines;
               at most ``run_on`` = ramp_down(run_on_share)    (0.2, 0.8)    0.3
urls           ramp_down(url_share)                            (0.1, 0.4)    0
mojibake       ramp_down(mojibake_share)                       (0.0, 0.05)   0
spam           ramp_down(spam_line_share)                      (0.1, 0.4)    0
chrome         ramp_down(chrome_line_share)                    (0.2, 0.6)    0
cleaning       ramp_down(removed_share)                        (0.6, 1.0)    0.5
=============  ==============================================  ============  =====

``stopwords`` uses ``stopwords_zh`` (0.06, 0.01) for Chinese, ``stopwords_ja``
(0.08, 0.02) for Japanese and ``stopwords_latin`` (0.25, 0.08) for text in
Latin letters; it is 1 for other scripts (no list yet).

Verdict: ``too_short`` below ``quality.min_chars`` non-space characters; below
``quality.min_score`` the reason is ``spam`` when the weakest factor is
``spam``, ``stuffing`` or ``urls``, else ``low_quality``.  The weakest factor
goes to ``ctx.metadata["quality_weakest"]`` and the label (``high`` /
``medium`` / ``low``) to ``ctx.metadata["quality_label"]``.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document
>>> t = "今天天气很好，我们去公园散步。路上的行人也很多，大家都在晒太阳。"
>>> ctx = Context(Document.make("t", 0, t), CleanerConfig(), text_in=t)
>>> score_quality(t, ctx), ctx.verdict, ctx.metadata["quality_label"]
([], None, 'medium')
>>> round(ctx.signals["han_share"], 2), ctx.signals["stopword_hits"], ctx.metadata["quality_weakest"]
(0.88, 8.0, 'length')
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

import ahocorasick
import numpy as np

from cleaners.document import Edit

if TYPE_CHECKING:
    from cleaners.config import QualityConfig
    from cleaners.context import Context

#: Every signal the step writes, in the order of the ``quality`` struct column.
SIGNALS: tuple[str, ...] = (
    "n_chars", "n_lines", "mean_line_chars", "short_line_share",
    "han_share", "cjk_share", "letter_share", "digit_share", "symbol_share",
    "line_punct_share", "run_on_share", "dup_line_share", "dup_line_char_share", "dup_para_share",
    "top_ngram_share", "dup_ngram_share", "stopword_hits", "stopword_share",
    "url_share", "removed_share", "spam_line_share", "mojibake_share", "chrome_line_share", "transcript", "wrapped",
    "f_length", "f_letters", "f_symbols", "f_digits", "f_repetition", "f_stuffing",
    "f_stopwords", "f_structure", "f_urls", "f_mojibake", "f_spam", "f_chrome", "f_cleaning",
)

# ---------------------------------------------------------------------------
# Character classes: one lookup table over all code points, so that counting
# every class of a text is one encode, one take and one bincount (no Python
# loop over characters).
SPACE, HAN, HAN_STOP, KANA, KANA_PART, HANGUL, LATIN, LATIN1, LETTER, DIGIT, PUNCT, SYMBOL, PUA, FFFD, \
    OTHER = range(15)
_N_CLASSES = 15

#: Chinese function characters (particles, pronouns, conjunctions, measure
#: word 个), Simplified and Traditional: dense in prose, rare in keyword lists.
ZH_STOP = ("的了是在和有我你他她它们这那也就都不而与及或被把对从着过吗呢吧啊很还又但所因为如之其个到说会"
           "能让给没得地么們這與對從著過嗎還為個說會讓給沒麼")
#: Japanese case particles (hiragana).
JA_PARTICLES = "のはがをにでとも"
#: Languages whose function words ``LATIN_STOP`` covers.
STOPWORD_LANGS = frozenset({"en", "fr", "de", "es"})
#: Function words of English, French, German and Spanish (lower case).
LATIN_STOP = frozenset("""
the and of to a in is that for it on with as was be by at this are from or have an they which you not he
she we but his her has had were their will would can there been if its so more about also than into
who what when our your them all one out up do no some could these other such only may then
le la les de des et un une est que qui dans pour pas sur au du en ce il elle ne se plus par avec son sont
der die das und ist nicht ein eine zu den mit von auf für sich dem des im auch es sie ich wir aber
el los las y en un una es por con para no se del al lo como más pero su le ha este esta
""".split())

_SYMBOL_EXTRA = "#*@\\_•※§¶†‡"


@cache
def _class_table() -> np.ndarray:
    """uint8 class of every code point (built once, about 30 ms)."""
    tab = np.full(0x110000, LETTER, dtype=np.uint8)
    tab[0xD800:0xE000] = OTHER
    for lo, hi, c in ((0x3400, 0x4DBF, HAN), (0x4E00, 0x9FFF, HAN), (0xF900, 0xFAFF, HAN),
                      (0x20000, 0x323AF, HAN), (0x2F800, 0x2FA1F, HAN), (0x3040, 0x30FF, KANA),
                      (0x31F0, 0x31FF, KANA), (0xFF66, 0xFF9F, KANA), (0xAC00, 0xD7AF, HANGUL),
                      (0x1100, 0x11FF, HANGUL), (0x3130, 0x318F, HANGUL), (0xE000, 0xF8FF, PUA),
                      (0xF0000, 0x10FFFF, PUA), (0x1F000, 0x1FAFF, SYMBOL)):
        tab[lo:hi + 1] = c
    done = (tab == HAN) | (tab == HANGUL) | (tab == PUA) | (tab == KANA)
    for cp in range(0x10000):
        if done[cp]:
            continue
        ch = chr(cp)
        if ch.isspace():
            tab[cp] = SPACE
            continue
        cat = unicodedata.category(ch)
        if ch in _SYMBOL_EXTRA or cat[0] == "S":
            tab[cp] = SYMBOL
        elif cat[0] == "P":
            tab[cp] = PUNCT
        elif cat[0] == "N":
            tab[cp] = DIGIT
        elif cat[0] in "LM":
            if 0xC0 <= cp <= 0xFF:
                tab[cp] = LATIN1
            elif cp < 0x250 or 0x1E00 <= cp <= 0x1EFF or 0xFF21 <= cp <= 0xFF5A:
                tab[cp] = LATIN
            else:
                tab[cp] = LETTER
        else:
            tab[cp] = OTHER
    tab[0x30FB] = tab[0x30A0] = PUNCT  # ・ and ゠ inside the kana block
    tab[0xFFFD] = FFFD
    tab[0x3007] = tab[0x3005] = HAN  # 〇 and the iteration mark 々
    for ch in ZH_STOP:
        tab[ord(ch)] = HAN_STOP
    for ch in JA_PARTICLES:
        tab[ord(ch)] = KANA_PART
    return tab


#: By class: a token of the CJK n-grams (not space, not punctuation) / a break of a run-on run.
_TOKEN = np.ones(_N_CLASSES, dtype=bool)
_TOKEN[[SPACE, PUNCT]] = False
_BREAK = np.zeros(_N_CLASSES, dtype=bool)
_BREAK[[SPACE, PUNCT, SYMBOL]] = True


def char_classes(text: str) -> np.ndarray:
    """The class of every character of ``text`` (``numpy.uint8``).

    >>> [int(c) for c in char_classes("一a，1★ ")] == [HAN, LATIN, PUNCT, DIGIT, SYMBOL, SPACE]
    True
    """
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _class_table()[cps]


# ---------------------------------------------------------------------------
# Patterns, compiled once.
_SENT_END = frozenset("。！？!?.…；;：:”’」』）)\"'～~")
_PARA_SPLIT = re.compile(r"\n[ \t\u3000]*\n")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'，。、）】」]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.I)
#: Markers of site chrome (copyright, licence numbers, legal links), matched in
#: lower case on lines under 80 characters; an article may name one or two,
#: a page made of nothing else is not text.
CHROME_MARKERS = ("版权所有", "版權所有", "©", "all rights reserved", "icp备", "icp證", "icp证", "公网安备",
                  "公網安備", "经营许可证", "經營許可證", "举报电话", "舉報電話", "网站地图", "網站地圖",
                  "sitemap", "privacy policy", "cookie policy", "terms of use", "terms of service",
                  "联系我们|", "联系我们 |", "|联系我们", "| 联系我们", "联系我们｜", "｜联系我们",
                  "聯絡我們|", "聯絡我們 |", "| 聯絡我們")
_MOJI = re.compile(r"(?:锟斤拷)+|[烫屯]{3,}")
_LATIN1_RUN = re.compile(r"[\u00a1-\u00ff]{3,}")
_RUN_ON = 60            # CJK characters without punctuation or space that make a run-on
_MAX_TOKENS = 100_000   # n-gram repetition is measured on the first 100k tokens (bounded work)
_P = np.uint64(0x100000001B3)


def _ngram_hashes(tok: np.ndarray, n: int, memo: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """Hash of every n-gram of ``tok``: ``sum(tok[i + k] * P ** (n - 1 - k))``
    modulo 2**64.

    Built by doubling, ``H[a + b](i) = H[a](i) * P**b + H[b](i + a)`` (exact in
    uint64 arithmetic), so about log2(n) array operations instead of n;
    ``memo`` (``{1: tok}``) shares the smaller n-grams between two calls.

    >>> tok = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], dtype=np.uint64)
    >>> ref = [sum(int(t) * 0x100000001B3 ** (9 - k) for k, t in enumerate(tok[i:i + 10])) % 2 ** 64
    ...        for i in range(2)]
    >>> [int(x) for x in _ngram_hashes(tok, 10)] == ref
    True
    """
    if memo is None:
        memo = {1: tok}
    h = memo.get(n)
    if h is not None:
        return h
    m = len(tok) - n + 1
    if n % 2:
        h = _ngram_hashes(tok, n - 1, memo)[:m] * _P
        h += tok[n - 1:n - 1 + m]
    else:
        a = n // 2
        half = _ngram_hashes(tok, a, memo)
        h = half[:m] * _pow_p(a)
        h += half[a:a + m]
    memo[n] = h
    return h


@cache
def _pow_p(k: int) -> np.uint64:
    return np.uint64(pow(int(_P), k, 1 << 64))


def _repetition(tok: np.ndarray, weight: np.ndarray | None, n_top: int, n_dup: int) -> tuple[float, float]:
    """(top n-gram share, duplicate n-gram share) by weight (characters).

    >>> tok = np.array([1, 2, 3, 1, 2, 3, 4, 5], dtype=np.uint64)
    >>> _repetition(tok, None, 2, 3)
    (0.25, 0.75)
    """
    total = float(weight.sum()) if weight is not None else float(len(tok))
    if total <= 0:
        return 0.0, 0.0
    top = dup = 0.0
    memo = {1: tok}
    if len(tok) >= 2 * n_top:
        h = _ngram_hashes(tok, n_top, memo)
        s = np.sort(h)
        # run lengths of equal hashes: the edges of the runs, both ends included,
        # in one boolean array (fewer small-array calls than boundaries plus end cases)
        edge = np.empty(len(s) + 1, dtype=bool)
        edge[0] = edge[-1] = True
        np.not_equal(s[1:], s[:-1], out=edge[1:-1])
        bounds = edge.nonzero()[0]
        runs = bounds[1:] - bounds[:-1]
        k = int(runs.argmax())
        best = int(runs[k])
        if best > 1:
            if weight is None:
                w = float(n_top)
            else:
                # of equally frequent n-grams, weigh the first in sorted order, else
                # the last, else the first of the others (the choice of the scores so far)
                if runs[0] != best and runs[-1] == best:
                    k = len(runs) - 1
                at = int((h == s[bounds[k]]).argmax())
                w = float(weight[at:at + n_top].sum())
            top = min(1.0, (best - 1) * w / total)
    if len(tok) >= 2 * n_dup:
        h = _ngram_hashes(tok, n_dup, memo)
        s = np.sort(h)
        eq = s[1:] == s[:-1]
        if np.count_nonzero(eq):
            dv = s[1:][eq]  # sorted; repeats are harmless to searchsorted
            idx = np.minimum(np.searchsorted(dv, h), len(dv) - 1)
            starts = (dv[idx] == h).nonzero()[0]
            size = len(tok) + 1
            delta = np.bincount(starts, minlength=size) - np.bincount(starts + n_dup, minlength=size)
            mask = np.cumsum(delta)[:len(tok)] > 0
            dup = float(mask.sum() if weight is None else weight[mask].sum()) / total
    return top, dup


@cache
def _chrome_automaton() -> ahocorasick.Automaton:
    a = ahocorasick.Automaton()
    for m in CHROME_MARKERS:
        a.add_word(m, m)
    a.make_automaton()
    return a


def _nonspace_len(s: str) -> int:
    return len(s) - sum(map(s.count, " \n\t\r\u3000\xa0"))


def measure(text: str, *, short_line_cjk: int = 10, short_line_other: int = 30) -> dict[str, float]:
    """The text-only signals of one text (no context, no config, no factors).

    >>> s = measure("首页\\n新闻\\n首页\\n体育")
    >>> s["n_lines"], s["dup_line_share"], s["line_punct_share"]
    (4.0, 0.25, 0.0)
    >>> round(measure("The cat sat on the mat. It was happy.")["stopword_share"], 2)
    0.56
    """
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = _class_table().take(cps)
    cnt = np.bincount(cls, minlength=_N_CLASSES)
    n = int(len(cls) - cnt[SPACE])
    d = max(n, 1)
    han = int(cnt[HAN] + cnt[HAN_STOP])
    kana = int(cnt[KANA] + cnt[KANA_PART])
    cjk = han + kana + int(cnt[HANGUL])
    latin = int(cnt[LATIN] + cnt[LATIN1])
    letters = cjk + latin + int(cnt[LETTER])

    # lines and paragraphs
    pieces = text.split("\n")
    lines = [s for s in map(str.strip, pieces) if s]
    n_lines = len(lines)
    lens = list(map(len, lines))
    line_chars = sum(lens)
    cjk_mode = cjk > 0 and 2 * cjk >= latin and cjk >= int(cnt[LETTER])
    short_at = short_line_cjk if cjk_mode else short_line_other
    # (a set is cheaper than a Counter, and most texts repeat no line)
    dup_lines = n_lines - len(set(lines))
    dup_line_chars = sum(len(s) * (c - 1) for s, c in Counter(lines).items() if c > 1) if dup_lines else 0
    # a paragraph break is a blank line between two others, so a text without
    # blank lines needs no regex search
    if n_lines < len(pieces) and ("\n\n" in text or _PARA_SPLIT.search(text)):
        paras = [p for p in (p.strip() for p in _PARA_SPLIT.split(text)) if p]
        pc = Counter(paras)
        dup_para = sum(len(p) * (c - 1) for p, c in pc.items() if c > 1) / max(sum(map(len, paras)), 1)
    else:
        dup_para = dup_line_chars / max(line_chars, 1)

    # n-gram repetition and stopwords
    words: list[str] = []
    run_on = 0.0
    if cjk_mode:
        tok = cps.compress(_TOKEN.take(cls))[:_MAX_TOKENS].astype(np.uint64)
        top, dup = _repetition(tok, None, 4, 10)
        # lengths of the runs between breaks (space, punctuation, symbol), text ends included
        brk = _BREAK.take(cls).nonzero()[0]
        edges = np.empty(len(brk) + 2, dtype=np.int64)
        edges[0], edges[-1] = -1, len(cls)
        edges[1:-1] = brk
        runs = edges[1:] - edges[:-1] - 1
        if runs.max() > _RUN_ON:  # rare: one reduction instead of a mask, a gather and a sum
            run_on = float(runs[runs > _RUN_ON].sum()) / d
        if kana * 5 >= cjk:   # Japanese: particles among CJK characters
            stop_hits = int(cnt[KANA_PART])
            stop_share = stop_hits / max(cjk, 1)
        else:
            stop_hits = int(cnt[HAN_STOP])
            stop_share = stop_hits / max(han, 1)
    else:
        words = _WORD.findall(text.lower())[:_MAX_TOKENS]
        if words:
            # word ids in order of first occurrence (the n-gram hashes depend on them)
            wc = Counter(words)
            index = dict(zip(wc, range(len(wc))))
            ids = np.fromiter(map(index.__getitem__, words), dtype=np.uint64, count=len(words))
            wl = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
            top, dup = _repetition(ids, wl, 2, 5)
            stop_hits = sum(wc[w] for w in LATIN_STOP.intersection(wc))
            stop_share = stop_hits / len(words)
        else:
            top = dup = stop_share = 0.0
            stop_hits = 0

    # URLs and residual mojibake
    url_chars = sum(len(m) for m in _URL.findall(text)) if ("." in text and ("@" in text or "/" in text
                                                                              or "www" in text)) else 0
    moji = int(cnt[FFFD] + cnt[PUA])
    if han:
        # (one character first: a single-character search is several times cheaper)
        if ("锟" in text and "锟斤拷" in text) or ("烫" in text and "烫烫烫" in text) \
                or ("屯" in text and "屯屯屯" in text):
            moji += sum(len(m) for m in _MOJI.findall(text))
        if cnt[LATIN1] and han * 10 >= 3 * d:
            moji += sum(len(m) for m in _LATIN1_RUN.findall(text))

    ended = [s for s in lines if s[-1] in _SENT_END]
    ends = len(ended)
    end_chars = sum(map(len, ended))
    short = "\n".join([s for s in lines if len(s) < 80]).lower()
    chrome = sum(1 for _ in _chrome_automaton().iter(short)) if short else 0
    wrapped = 0.0
    if n_lines >= 8 and ends < 0.4 * n_lines:
        if cjk_mode:
            m, k = Counter(lens).most_common(1)[0]
            if (m >= 16 and k >= 0.6 * n_lines
                    and sum(1 for s in lines if "，" in s or "。" in s or "、" in s) >= 0.6 * n_lines):
                wrapped = 1.0  # fixed-width lines of prose (commas inside)
        else:
            mx = max(lens)
            if (40 <= mx <= 100 and sum(1 for x in lens if x >= 0.8 * mx) >= 0.6 * n_lines
                    and sum(1 for s in lines if s[-1].islower() or s[-1] == ",") >= 0.4 * n_lines):
                wrapped = 1.0
    return {
        "n_chars": float(n),
        "n_lines": float(n_lines),
        "mean_line_chars": line_chars / max(n_lines, 1),
        "short_line_share": sum(1 for x in lens if x < short_at) / max(n_lines, 1),
        "han_share": han / d,
        "cjk_share": cjk / d,
        "letter_share": letters / d,
        "digit_share": int(cnt[DIGIT]) / d,
        "symbol_share": int(cnt[SYMBOL]) / d,
        "line_punct_share": end_chars / max(line_chars, 1),
        "run_on_share": run_on,
        "dup_line_share": dup_lines / max(n_lines, 1),
        "dup_line_char_share": dup_line_chars / max(line_chars, 1),
        "dup_para_share": dup_para,
        "top_ngram_share": top,
        "dup_ngram_share": dup,
        "stopword_hits": float(stop_hits),
        "stopword_share": stop_share,
        "url_share": min(1.0, url_chars / d),
        "mojibake_share": min(1.0, moji / d),
        "wrapped": wrapped,
        "chrome_line_share": min(1.0, chrome / max(n_lines, 1)),
        "cjk_mode": 1.0 if cjk_mode else 0.0,
        "ja_mode": 1.0 if cjk_mode and kana * 5 >= cjk else 0.0,
        "latin_mode": 1.0 if not cjk_mode and latin >= int(cnt[LETTER]) else 0.0,
    }


# ---------------------------------------------------------------------------
# Factors.  name -> (signal, direction, good, bad, floor); "log" ramps compare logs.
FACTORS: dict[str, tuple[str, str, float, float, float]] = {
    "length": ("n_chars", "log", 150.0, 20.0, 0.5),
    "letters": ("letter_share", "up", 0.7, 0.45, 0.0),
    "symbols": ("symbol_share", "down", 0.05, 0.25, 0.0),
    "digits": ("digit_share", "down", 0.25, 0.6, 0.0),
    "repetition": ("repetition", "down", 0.2, 0.6, 0.0),
    "stuffing": ("top_ngram_share", "down", 0.12, 0.35, 0.0),
    "stopwords_zh": ("stopword_share", "up", 0.06, 0.01, 0.1),
    "stopwords_ja": ("stopword_share", "up", 0.08, 0.02, 0.1),
    "stopwords_latin": ("stopword_share", "up", 0.25, 0.08, 0.1),
    "structure": ("line_punct_share", "up", 0.5, 0.1, 0.3),
    "run_on": ("run_on_share", "down", 0.2, 0.8, 0.3),
    "urls": ("url_share", "down", 0.1, 0.4, 0.0),
    "mojibake": ("mojibake_share", "down", 0.0, 0.05, 0.0),
    "spam": ("spam_line_share", "down", 0.1, 0.4, 0.0),
    "chrome": ("chrome_line_share", "down", 0.2, 0.6, 0.0),
    "cleaning": ("removed_share", "down", 0.6, 1.0, 0.5),
}
#: Names accepted in ``quality.weights`` (the factors of the score).
FACTOR_NAMES: tuple[str, ...] = ("length", "letters", "symbols", "digits", "repetition", "stuffing",
                                 "stopwords", "structure", "urls", "mojibake", "spam", "chrome", "cleaning")
_SPAM_FACTORS = ("spam", "stuffing", "urls")
# SIGNALS split into the measured ones and (``f_<factor>``, factor), the factor rounded; the measured
# ones come first in SIGNALS, so copying the two groups in turn keeps the column order.
_MEASURED = tuple(k for k in SIGNALS if not k.startswith("f_"))
_FACTOR_SIGNALS = tuple((k, k[2:]) for k in SIGNALS if k.startswith("f_"))
assert SIGNALS == _MEASURED + tuple(k for k, _ in _FACTOR_SIGNALS)


def _ramp(sig: dict[str, float], spec: tuple[str, str, float, float, float]) -> float:
    """The factor ``spec`` = (signal, kind, good, bad, floor) of :data:`FACTORS` on ``sig``."""
    name, kind, good, bad, floor = spec
    x = sig[name]
    if kind == "log":
        x, good, bad = math.log(max(x, 1.0)), math.log(max(good, 1.0)), math.log(max(bad, 1.0))
    if good == bad:
        r = 1.0 if (x >= good if kind != "down" else x <= good) else 0.0
    else:
        r = (x - bad) / (good - bad)
        r = 0.0 if r < 0 else 1.0 if r > 1 else r
    return floor + (1.0 - floor) * r


def _resolved(cfg: QualityConfig | None) -> tuple[dict[str, tuple[str, str, float, float, float]],
                                                   dict[str, float]]:
    if cfg is None:
        return FACTORS, {}
    key = id(cfg)
    hit = _RESOLVED.get(key)
    if hit is not None and hit[0] is cfg:
        return hit[1], hit[2]
    table = dict(FACTORS)
    for name, (good, bad) in cfg.ramps.items():
        sig, kind, _, _, floor = table[name]
        table[name] = (sig, kind, float(good), float(bad), floor)
    weights = dict(cfg.weights)
    if len(_RESOLVED) > 64:
        _RESOLVED.clear()
    _RESOLVED[key] = (cfg, table, weights)
    return table, weights


_RESOLVED: dict[int, tuple[QualityConfig, dict, dict]] = {}


#: Minimum function-word share of a transcript: speech is denser in them than
#: prose (the transcripts of the labelled set: zh 0.20-0.38, en 0.36-0.38,
#: ja 0.2-0.3; gambling and adult ad lines: 0.01-0.18).
TRANSCRIPT_MIN_STOP = {"zh": 0.15, "ja": 0.12, "latin": 0.3}


def is_transcript(sig: dict[str, float]) -> bool:
    """Line-per-phrase speech without punctuation (see the module docstring).

    >>> s = measure("\\n".join(["大家好我们今天来聊一聊", "这个问题其实很简单", "你只要记住三点就好了",
    ...                          "第一是要多看", "第二是要多问", "第三是要多写"]))
    >>> is_transcript(s)
    True
    """
    if sig["ja_mode"]:
        lang, lo, hi = "ja", 4.0, 30.0
    elif sig["cjk_mode"]:
        lang, lo, hi = "zh", 4.0, 25.0
    elif sig["latin_mode"]:
        lang, lo, hi = "latin", 12.0, 80.0
    else:
        return False
    return (sig["n_lines"] >= 6 and sig["line_punct_share"] <= 0.35
            and lo <= sig["mean_line_chars"] <= hi and sig["dup_line_share"] <= 0.2
            and sig["stopword_share"] >= TRANSCRIPT_MIN_STOP[lang] and sig["digit_share"] <= 0.05
            and sig["symbol_share"] <= 0.02 and sig["url_share"] <= 0.01 and sig["letter_share"] >= 0.75)


def factors(sig: dict[str, float], cfg: QualityConfig | None = None) -> dict[str, float]:
    """The score's factors from the signals (see the table in the module docstring).

    Needs the context signals too (``removed_share``, ``spam_line_share``); a
    missing one counts as 0.  Sets ``sig["transcript"]``.

    >>> f = factors(measure("北京装修公司 装修公司哪家好 装修公司价格 装修公司排名 装修公司电话"))
    >>> f["stopwords"], f["stuffing"]
    (0.1, 0.0)
    """
    table, _ = _resolved(cfg)
    sig.setdefault("removed_share", 0.0)
    sig.setdefault("spam_line_share", 0.0)
    sig["repetition"] = max(sig["dup_line_char_share"], sig["dup_para_share"], sig["dup_ngram_share"])
    out = {name: _ramp(sig, table[name])
           for name in ("length", "letters", "symbols", "digits", "repetition", "stuffing")}
    if sig.get("ja_mode"):
        out["stopwords"] = _ramp(sig, table["stopwords_ja"])
    elif sig.get("cjk_mode"):
        out["stopwords"] = _ramp(sig, table["stopwords_zh"])
    elif sig.get("latin_mode"):
        out["stopwords"] = _ramp(sig, table["stopwords_latin"])
    else:
        out["stopwords"] = 1.0
    transcript = is_transcript(sig)
    sig["transcript"] = 1.0 if transcript else 0.0
    exempt = transcript or sig["n_lines"] < 3 or sig.get("wrapped", 0.0)
    out["structure"] = min(1.0 if exempt else _ramp(sig, table["structure"]), _ramp(sig, table["run_on"]))
    for name in ("urls", "mojibake", "spam", "chrome", "cleaning"):
        out[name] = _ramp(sig, table[name])
    del sig["repetition"]
    return out


def combine(fac: dict[str, float], weights: dict[str, float] | None = None) -> float:
    """``Π factor ** weight``, rounded to 4 places.

    >>> combine({"a": 0.5, "b": 0.8}), combine({"a": 0.5, "b": 0.8}, {"a": 0})
    (0.4, 0.8)
    """
    w = weights or {}
    s = 1.0
    for name, f in fac.items():
        e = w.get(name, 1.0)
        if e:
            s *= f ** e
    return round(s, 4)


def label(score_value: float, high: float, medium: float) -> str:
    """``high`` / ``medium`` / ``low`` by the configured cut points.

    >>> label(0.8, 0.7, 0.4), label(0.5, 0.7, 0.4), label(0.1, 0.7, 0.4)
    ('high', 'medium', 'low')
    """
    return "high" if score_value >= high else "medium" if score_value >= medium else "low"


def context_signals(text: str, ctx: Context) -> dict[str, float]:
    """Signals that need the context: ``removed_share`` and ``spam_line_share``."""
    src = ctx.text_in or ""
    removed = 0.0
    if src != text:  # most texts come out as they came in: nothing removed, nothing to count
        n_in = _nonspace_len(src)
        removed = 1.0 - _nonspace_len(text) / n_in if n_in else 0.0
    hits = float(ctx.signals.get("spam_rule_hits", 0.0) or 0.0)
    spam = 0.0
    if hits:
        lines_in = sum(1 for ln in src.split("\n") if ln.strip()) or 1
        spam = min(1.0, hits / lines_in)
    return {"removed_share": min(1.0, max(0.0, removed)), "spam_line_share": spam}


#: Languages whose stopwords factor counts (``und``: judged by the list of the text's script).
_LISTED_LANGS = STOPWORD_LANGS | {"zh", "ja", "und"}


def assess(text: str, ctx: Context | None = None, cfg: QualityConfig | None = None
           ) -> tuple[dict[str, float], dict[str, float], float]:
    """(signals, factors, score) of a text; ``ctx`` adds the context signals.

    >>> sig, fac, s = assess("Buy cheap pills online cheap pills cheap pills best price cheap pills")
    >>> s < 0.2, min(fac, key=fac.get)
    (True, 'stuffing')
    """
    sig = measure(text)
    extra = context_signals(text, ctx) if ctx is not None else {}
    para_removed = ctx.signals.get("para_dup_removed_share", 0.0) if ctx is not None else 0.0
    if para_removed > sig["dup_para_share"]:
        sig["dup_para_share"] = para_removed
    sig.update(extra)
    base = ctx.lang.split("-")[0] if ctx is not None else ""
    if ctx is not None and sig.get("latin_mode") and base not in STOPWORD_LANGS:
        # our function-word list covers en/fr/de/es; a Polish or Portuguese recipe
        # must not look like keyword stuffing for lack of them (stopwords factor: neutral)
        sig["latin_mode"] = 0.0
    fac = factors(sig, cfg)
    if base == "ko" or (base and base not in _LISTED_LANGS and not sig.get("latin_mode")):
        # no function-word list for Korean (or Russian, Arabic...): the Chinese list
        # would judge hangul prose as stuffing, so this factor stays neutral
        fac["stopwords"] = 1.0
    _, weights = _resolved(cfg)
    return sig, fac, combine(fac, weights)


def score_quality(text: str, ctx: Context) -> list[Edit]:
    """Pipeline step ``quality``: measure, score and judge; never edits.

    Rejects ``too_short``, ``spam`` or ``low_quality`` (see the module
    docstring), flags ``residual_mojibake`` when damage markers remain.
    """
    cfg = ctx.config.quality
    sig, fac, score_value = assess(text, ctx, cfg)
    signals = ctx.signals
    signals.update(zip(_MEASURED, map(sig.__getitem__, _MEASURED)))
    for k, factor in _FACTOR_SIGNALS:
        signals[k] = round(fac[factor], 4)
    ctx.quality_score = score_value
    ctx.metadata["quality_label"] = label(score_value, cfg.high, cfg.medium)
    _, weights = _resolved(cfg)
    active = {k: v for k, v in fac.items() if weights.get(k, 1.0)}
    weakest = min(active, key=active.__getitem__) if active else ""
    ctx.metadata["quality_weakest"] = weakest
    if sig["mojibake_share"] > 0:
        ctx.flag("residual_mojibake")
    if sig["transcript"]:
        ctx.flag("transcript")
    if cfg.min_chars is not None and sig["n_chars"] < cfg.min_chars:
        ctx.reject("too_short", f"{int(sig['n_chars'])} characters < quality.min_chars={cfg.min_chars}")
    elif cfg.min_score is not None and score_value < cfg.min_score:
        reason = "spam" if weakest in _SPAM_FACTORS else "low_quality"
        ctx.reject(reason, f"score {score_value} < quality.min_score={cfg.min_score}; "
                           f"weakest {weakest}={fac.get(weakest, 0):.2f}")
    return []

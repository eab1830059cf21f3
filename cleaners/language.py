"""Language identification: script counts first, seeded langdetect where they cannot decide.

langdetect is slow (about 3 ms per 1,000 characters, most of a naive
pipeline's time) and weak exactly where qingxi's input is hard: a short text,
Traditional Chinese whose punctuation was damaged (it calls that Korean),
Japanese with few kana.  So the step counts scripts first (Han, kana, hangul,
Latin, other letters; Simplified-only and Traditional-only Han characters from
:func:`cleaners.script.han_sets`) and only asks langdetect what the scripts
cannot settle:

- Han text with no kana and no hangul is Chinese: ``zh-Hans`` or ``zh-Hant`` by
  the Simplified-only vs Traditional-only counts.  No langdetect call.
- hangul is Korean, plenty of kana is Japanese.  No langdetect call.
- a little kana (or a few Japanese-only shinjitai such as 図 駅 広; not the
  Hong Kong standard forms 説 閲, see :func:`japanese_only`) next to Han:
  langdetect, on the CJK part, decides between ``ja`` and ``zh``.
- text without CJK (Latin, Cyrillic, Arabic...): plain English prose is told by
  its function words (:func:`plainly_english`, no langdetect call); anything
  else goes to langdetect on a bounded sample (``LanguageConfig.sample_chars``,
  in windows spread over the document).
- a document where a second language carries at least
  ``LanguageConfig.mixed_share`` of the text is flagged ``mixed`` and gets
  ``ctx.lang_second``.  Han characters weigh 3 Latin letters (the same content
  takes about three times as many letters in English), and Latin words count
  only in runs of four or more, so a Chinese article full of product names is
  still plainly Chinese.

Labels are BCP-47 style: ``zh-Hans``, ``zh-Hant``, ``ja``, ``ko``, ``en``, ``fr``...
(langdetect's ``zh-cn``/``zh-tw`` are mapped), ``und`` when the text is too
short or too mixed to call.

>>> identify_language("这是一个简单的中文句子，用来测试语言识别。").lang
'zh-Hans'
>>> identify_language("這是一個簡單的中文句子,用來測試語言識別.").lang
'zh-Hant'
>>> identify_language("今日は天気がいいので、公園を散歩しました。").lang
'ja'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from cleaners.config import LanguageConfig
from cleaners.context import Context
from cleaners.document import Edit
from cleaners.script import (
    HAN_CLASS,
    HAN_RE,
    HANGUL_CLASS,
    HANGUL_RE,
    KANA_CLASS,
    KANA_RE,
    get_converter,
    han_sets,
)

if TYPE_CHECKING:
    import numpy as np
    from langdetect.detector_factory import DetectorFactory

# --------------------------------------------------------------------------
# Tunables (documented in docs/language.md; not config, they are properties of
# the scripts, not of a corpus)
# --------------------------------------------------------------------------

#: A Han character weighs this many Latin letters when shares are compared.
CJK_WEIGHT = 3
#: Kana share of Han+kana from which a text is Japanese without asking langdetect
#: (kanji-heavy news headlines still have 10-15 %; Chinese text has ~0).
KANA_SURE = 0.10
#: Below KANA_SURE but at least this kana share (or JP_KANJI_MIN Japanese-only
#: kanji): ask langdetect to choose between ja and zh.
KANA_MAYBE = 0.02
JP_KANJI_MIN = 2
#: Kana share typical of Japanese prose; below it, a text with kana is also
#: checked line by line for Chinese lines quoting Japanese ones.
KANA_PROSE = 0.3
#: Hangul share of the CJK characters from which a text is Korean.
HANGUL_SURE = 0.3
#: Script statistics are computed on at most this many sample windows' worth of text.
STATS_FACTOR = 10
#: Number of windows a long text is sampled in.
WINDOWS = 4

_LATIN_CLASS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a"
# Runs, not single characters: counting ``sum(map(len, rx.findall(text)))`` over
# runs is three times faster than one match per character.
_HAN_RUNS = re.compile(f"[{HAN_CLASS}]+")
_KANA_RUNS = re.compile(f"[{KANA_CLASS}]+")
_HANGUL_RUNS = re.compile(f"[{HANGUL_CLASS}]+")
_LATIN_RUNS = re.compile(f"[{_LATIN_CLASS}]+")
# Letters of any other script (Cyrillic, Greek, Arabic, Thai...); the CJK
# iteration and length marks 々〆〇・ー are not letters of a language here.
_OTHER_RUNS = re.compile(
    f"[^\\W\\d_{_LATIN_CLASS}{HAN_CLASS}{KANA_CLASS}{HANGUL_CLASS}\u3005-\u3007\u30fb\u30fc\u309b\u309c]+")
_CJK_RE = re.compile(f"[{HAN_CLASS}{KANA_CLASS}{HANGUL_CLASS}]")
# Four or more Latin words in a row: a sentence, not a product name inside Chinese text.
_LATIN_RUN_RE = re.compile(
    f"[{_LATIN_CLASS}'’]+(?:[ \t,;:()\"“”'’\\-]+[{_LATIN_CLASS}'’]+){{3,}}")
_OTHER_SCRIPTS = (
    ("Cyrl", re.compile("[\u0400-\u052f]")),
    ("Grek", re.compile("[\u0370-\u03ff\u1f00-\u1fff]")),
    ("Arab", re.compile("[\u0600-\u06ff\u0750-\u077f]")),
    ("Hebr", re.compile("[\u0590-\u05ff]")),
    ("Deva", re.compile("[\u0900-\u097f]")),
    ("Thai", re.compile("[\u0e00-\u0e7f]")),
)
_LANGDETECT_LABELS = {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}

# English by its function words, before langdetect (see plainly_english).
#: Frequent English function words that are not frequent words of another
#: language langdetect knows ("a", "in", "is", "was", "will", "to", "on", "an",
#: "at", "for", "as", "we", "her"... are left out for that reason).
_EN_WORDS = frozenset({
    "the", "and", "of", "that", "this", "with", "from", "have", "has", "had", "were", "which",
    "their", "they", "them", "been", "would", "could", "should", "there", "these", "those",
    "what", "when", "who", "into", "about", "than", "then", "its", "our", "your", "you", "she",
    "his", "him", "not", "but", "are", "it", "be", "by",
})
#: Frequent function words of other Latin-script languages (French, German,
#: Spanish, Italian, Portuguese, Dutch, Scandinavian, Indonesian, Tagalog) that
#: English text hardly uses; words that English text does use ("die", "per",
#: "van", "un", "et", "e", "os", "par", "dan") are left out.
_FOREIGN_WORDS = frozenset({
    # French
    "le", "la", "les", "des", "une", "du", "que", "qui", "dans", "pour", "pas", "sur", "au",
    "aux", "avec", "ce", "il", "elle", "ne", "se", "sont", "est",
    # German
    "der", "und", "das", "ist", "nicht", "ein", "eine", "zu", "mit", "sich", "auf", "dem", "im",
    "von", "für", "auch", "es", "sie",
    # Spanish
    "el", "los", "las", "y", "en", "una", "por", "con", "para", "del", "al", "lo", "como", "su",
    # Italian
    "di", "che", "della", "delle", "gli", "sono", "nel",
    # Portuguese
    "em", "um", "uma", "não", "dos", "na", "ao", "da",  # and "das" (German)
    # Dutch
    "het", "een", "dat", "niet", "zijn", "voor", "ook", "maar", "op", "ik",
    # Danish, Norwegian, Swedish
    "och", "att", "det", "som", "är", "på", "og", "er", "til", "jeg", "ikke", "af",
    # Indonesian, Tagalog
    "yang", "ini", "itu", "dengan", "untuk", "ang", "ng", "sa", "mga",  # and "di" (Italian)
})
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: plainly_english needs at least this many words in the sample...
EN_MIN_WORDS = 40
#: ... at least this share of them English function words (English prose: 0.2-0.4;
#: the most for a CJK-free text in another language in plainly_english's checks:
#: 0.095, a Hungarian page quoting English commands) ...
EN_MIN_SHARE = 0.15
#: ... at most this share of other languages' function words ...
EN_MAX_FOREIGN = 0.03
#: ... and at most this share of words with a letter outside ASCII.
EN_MAX_NON_ASCII = 0.02


# --------------------------------------------------------------------------
# Script statistics
# --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ScriptStats:
    """Character counts by script (see :func:`script_stats`)."""

    han: int = 0
    kana: int = 0
    hangul: int = 0
    latin: int = 0          # every Latin letter
    latin_runs: int = 0     # Latin letters inside runs of four or more words
    other: int = 0          # letters of other scripts (Cyrillic, Arabic, Thai...)
    simp_only: int = 0      # Han characters only Simplified text uses
    trad_only: int = 0      # Han characters only Traditional text uses
    jp_only: int = 0        # Japanese shinjitai absent from Chinese sets, Hong Kong forms excepted

    @property
    def cjk(self) -> int:
        return self.han + self.kana + self.hangul

    @property
    def letters(self) -> int:
        return self.cjk + self.latin + self.other


def _count(runs: re.Pattern[str], text: str) -> int:
    return sum(map(len, runs.findall(text)))


@lru_cache(maxsize=1)
def japanese_only() -> frozenset[str]:
    """:attr:`HanSets.jp_only <cleaners.script.HanSets>` less the Hong Kong
    standard forms: the characters OpenCC's ``hk2t`` rewrites (its HKVariants
    table, read backwards), such as 説 and 閲, which Hong Kong Traditional text
    writes for 說 and 閱.  They are Japanese shinjitai too, but a Traditional
    page from Hong Kong is full of them, so they say nothing about Japanese.

    >>> jp = japanese_only()
    >>> "図" in jp, "気" in jp, "説" in jp, "閲" in jp
    (True, True, False, False)
    """
    jp = sorted(han_sets().jp_only)
    hk2t = get_converter("hk2t")
    out = hk2t.convert("\n".join(jp)).split("\n")
    if len(out) != len(jp):  # never seen; fall back to one call per character
        out = [hk2t.convert(c) for c in jp]
    return frozenset(c for c, o in zip(jp, out, strict=True) if o == c)


@lru_cache(maxsize=1)
def _jp_only_re() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(japanese_only())) + "]")


# One table lookup per character instead of eight regex scans.  Every BMP code
# point gets a byte: its script class in the low three bits (the _CLASSES order
# below, 0 = none of them), and one bit each for Simplified-only,
# Traditional-only and Japanese-only.  The classes are taken from the run
# regexes themselves, so the counts are the regexes' counts exactly.
_CLASSES = (_HAN_RUNS, _KANA_RUNS, _HANGUL_RUNS, _LATIN_RUNS, _OTHER_RUNS)
_SIMP_BIT, _TRAD_BIT, _JP_BIT = 8, 16, 32
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]+")


@lru_cache(maxsize=1)
def _count_table() -> tuple[np.ndarray, np.ndarray]:
    """(byte per BMP code point, 8 x 64 matrix from byte histogram to counts), about 0.03 s."""
    import numpy as np

    bmp = np.arange(0x10000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    table = np.zeros(0x10000, dtype=np.uint8)
    for code, runs in enumerate(_CLASSES, start=1):
        for m in runs.finditer(bmp):
            table[m.start():m.end()] = code
    sets = han_sets()
    for bit, chars in ((_SIMP_BIT, sets.simp_only), (_TRAD_BIT, sets.trad_only), (_JP_BIT, japanese_only())):
        table[np.fromiter(map(ord, chars), dtype=np.int64, count=len(chars))] |= bit
    to_counts = np.zeros((8, 64), dtype=np.int64)
    for b in range(64):
        if b & 7:
            to_counts[(b & 7) - 1, b] = 1
        for row, bit in ((5, _SIMP_BIT), (6, _TRAD_BIT), (7, _JP_BIT)):
            if b & bit:
                to_counts[row, b] = 1
    return table, to_counts


def _class_counts(text: str) -> list[int]:
    """[han, kana, hangul, latin, other, simp_only, trad_only, jp_only] of ``text``."""
    import numpy as np

    table, to_counts = _count_table()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    try:
        return (to_counts @ np.bincount(table[codes], minlength=64)).tolist()
    except IndexError:   # emoji, extension-B ideographs...: the regexes count those
        pass
    astral = "".join(_ASTRAL_RE.findall(text))
    counts = (to_counts @ np.bincount(table[codes[codes <= 0xFFFF]], minlength=64)).tolist()
    for k, runs in enumerate(_CLASSES):
        counts[k] += _count(runs, astral)
    return counts   # the Simplified/Traditional/Japanese sets are BMP characters only


def script_stats(text: str) -> ScriptStats:
    """Count the characters of ``text`` by script.

    >>> st = script_stats("华为发布Atlas 950,性能很强。")
    >>> st.han, st.latin, st.latin_runs, st.simp_only, st.trad_only
    (8, 5, 0, 4, 0)
    """
    return _script_stats(text, latin_runs=True)


def _script_stats(text: str, latin_runs: bool) -> ScriptStats:
    # latin_runs=False leaves ScriptStats.latin_runs at 0 when the text has no
    # CJK: the decision only weighs Latin runs against CJK (the run regex is
    # most of the counting time on an English page).
    han, kana, hangul, latin, other, simp, trad, jp = _class_counts(text)
    runs = 0
    if latin >= 12 and (latin_runs or han or kana or hangul):
        runs = _count(_LATIN_RUNS, " ".join(_LATIN_RUN_RE.findall(text)))
    return ScriptStats(han, kana, hangul, latin, runs, other, simp, trad, jp)


def sample_text(text: str, budget: int, windows: int = WINDOWS) -> str:
    """At most about ``budget`` characters of ``text``: the whole text when it is
    short, else ``windows`` windows spread evenly from head to tail (cut at
    whitespace where one is near), joined by newlines.

    >>> sample_text("abc", 100)
    'abc'
    >>> s = sample_text("x" * 1000 + "MIDDLE" + "y" * 1000, 400)
    >>> len(s) <= 400 + 4, s.startswith("x"), s.endswith("y")
    (True, True, True)
    """
    n = len(text)
    if n <= budget:
        return text
    w = max(1, budget // windows)
    parts: list[str] = []
    for k in range(windows):
        start = (n - w) * k // max(1, windows - 1)
        end = start + w
        if k:  # move the start to just after a nearby whitespace, so no word is cut in two
            ws = text.find(" ", start, start + 24)
            nl = text.find("\n", start, start + 24)
            cut = min((x for x in (ws, nl) if x >= 0), default=-1)
            if cut >= 0:
                start = cut + 1
        parts.append(text[start:min(end, n)])
    return "\n".join(parts)


# --------------------------------------------------------------------------
# langdetect, seeded and loaded once
# --------------------------------------------------------------------------

class _ProbMap(dict):
    """langdetect's ``word_lang_prob_map`` (n-gram -> one probability per
    language), stored sparsely.

    langdetect keeps a list of 55 floats for each of its 87,598 n-grams: 64 MB
    and 0.15 s to build in every process, although an n-gram occurs in two
    languages on average and a detection looks up a few thousand.  Here the
    dict maps an n-gram to its row, the probabilities sit in flat arrays, and
    ``map[word]`` builds the row's list on demand (kept in a bounded cache).
    The values are those langdetect computes, in its order of languages, so
    its detections are unchanged.
    """

    CACHE = 20_000  # rows kept as lists (about 10 MB when full)

    def __init__(self, rows: dict[str, int], start: list[int], langs: list[int], probs: list[float],
                 langsize: int):
        super().__init__(rows)
        self._start, self._langs, self._probs, self._langsize = start, langs, probs, langsize
        self._lists: dict[int, list[float]] = {}

    def __getitem__(self, word: str) -> list[float]:
        row = dict.__getitem__(self, word)
        out = self._lists.get(row)
        if out is None:
            out = [0.0] * self._langsize
            for k in range(self._start[row], self._start[row + 1]):
                out[self._langs[k]] = self._probs[k]
            if len(self._lists) >= self.CACHE:
                self._lists.clear()
            self._lists[row] = out
        return out


def _profile_arrays(directory: str) -> dict[str, np.ndarray]:
    """langdetect's languages and probabilities as its
    ``DetectorFactory.load_profile`` computes them (the same files in the same
    ``os.listdir`` order, the same division for each probability), as the
    arrays of a sparse map (see :class:`_ProbMap`): the n-grams in first-seen
    order, then per n-gram its languages and probabilities from ``start[row]``
    to ``start[row + 1]``."""
    import json
    import os

    import numpy as np

    from cleaners import tablecache as tc

    names = os.listdir(directory)
    langlist: list[str] = []
    words: list[str] = []           # every (n-gram, language) pair, profile by profile
    langs: list[np.ndarray] = []
    probs: list[np.ndarray] = []
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as fh:
            profile = json.load(fh)
        freq = profile["freq"]
        lengths = np.fromiter(map(len, freq), dtype=np.int64, count=len(freq))
        ok = (lengths >= 1) & (lengths <= 3)
        n_words = np.asarray([1.0, *map(float, profile["n_words"][:3])])
        # float(freq) / float(n_words[len - 1]): langdetect's 1.0 * freq / n, the same division
        p = np.fromiter(freq.values(), dtype=np.float64, count=len(freq)) / n_words[np.where(ok, lengths, 0)]
        words.extend(freq)
        langs.append(np.where(ok, len(langlist), -1))
        probs.append(p)
        langlist.append(profile["name"])
    rows = dict(zip(dict.fromkeys(words), range(len(words)), strict=False))  # first-seen order
    row_of = np.fromiter(map(rows.__getitem__, words), dtype=np.int64, count=len(words))
    lang_of = np.concatenate(langs)
    prob_of = np.concatenate(probs)
    keep = lang_of >= 0                          # n-grams longer than 3 get no probability
    row_of, lang_of, prob_of = row_of[keep], lang_of[keep], prob_of[keep]
    order = np.argsort(row_of, kind="stable")    # by row, languages in profile order
    return {"langlist": tc.strings_to_array(langlist), "words": tc.strings_to_array(rows),
            "start": np.searchsorted(row_of[order], np.arange(len(rows) + 1)),
            "langs": lang_of[order].astype(np.int16), "probs": prob_of[order],
            "langsize": np.asarray(len(names))}


def _prob_map(z: dict[str, np.ndarray]) -> tuple[list[str], _ProbMap]:
    """The language list and the map from :func:`_profile_arrays`' arrays."""
    from cleaners import tablecache as tc

    words = tc.array_to_strings(z["words"])
    rows = dict(zip(words, range(len(words)), strict=True))
    return tc.array_to_strings(z["langlist"]), _ProbMap(rows, z["start"].tolist(), z["langs"].tolist(),
                                                        z["probs"].tolist(), int(z["langsize"]))


def _load_profiles(directory: str) -> tuple[list[str], _ProbMap]:
    """langdetect's languages and probability map, derived afresh."""
    return _prob_map(_profile_arrays(directory))


def _cached_profiles(directory: str) -> tuple[list[str], _ProbMap]:
    """:func:`_load_profiles`, through the table cache (:mod:`cleaners.tablecache`):
    reading the arrays back takes a fifth of parsing langdetect's 55 JSON files."""
    from cleaners import tablecache as tc

    return _prob_map(tc.load_or_build("langdetect_profiles", lambda: _profile_arrays(directory),
                                      modules=("language.py",), packages=(directory,)))


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.langlist, factory.word_lang_prob_map = _cached_profiles(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def langdetect_probabilities(text: str, seed: int = 0) -> list[tuple[str, float]]:
    """langdetect's ranked guesses for ``text`` with qingxi's labels; deterministic.

    A fresh detector is built per call from a factory loaded once per process,
    and seeded, so the same text always gets the same answer.  An empty list
    means langdetect found no feature to judge by.

    >>> langdetect_probabilities("The committee will publish its report next week.")[0][0]
    'en'
    >>> langdetect_probabilities("12345")
    []
    """
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.seed = seed
    detector.append(text)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return []
    return [(_LANGDETECT_LABELS.get(r.lang, r.lang), float(r.prob)) for r in ranked]


# --------------------------------------------------------------------------
# Decision
# --------------------------------------------------------------------------

@dataclass(slots=True)
class Detection:
    """What :func:`identify_language` found."""

    lang: str = "und"
    prob: float = 0.0
    script: str = "unknown"
    second: str | None = None
    mixed: bool = False
    method: str = "none"            # script | words | langdetect | script+langdetect | none
    langdetect_calls: int = 0
    signals: dict[str, float] = field(default_factory=dict)


def _han_label(st: ScriptStats) -> tuple[str, str]:
    if st.trad_only > st.simp_only:
        return "zh-Hant", "Hant"
    return "zh-Hans", "Hans"


def _split_zh_ja(text: str) -> tuple[int, int]:
    """(Chinese weight, Japanese weight) by line: a line with kana, or with a
    Japanese-only kanji, is Japanese; a Han line without either is Chinese."""
    jp_only = _jp_only_re()
    zh = ja = 0
    for line in text.splitlines():
        han = len(HAN_RE.findall(line))
        kana = len(KANA_RE.findall(line))
        if kana or jp_only.search(line):
            ja += han + kana
        elif han and not HANGUL_RE.search(line):
            zh += han
    return zh, ja


def _cjk_language(st: ScriptStats, text: str, cfg: LanguageConfig,
                  det: Detection) -> tuple[str, float, str, str | None, float]:
    """Language of the CJK part: (label, confidence 0..1, script, second label, its share)."""
    if st.hangul / st.cjk >= HANGUL_SURE:
        return "ko", 1.0, "Kore", None, 0.0
    hk = st.han + st.kana
    kana_share = st.kana / hk if hk else 0.0
    if st.kana and kana_share < KANA_PROSE and "\n" in text:
        zh, ja = _split_zh_ja(text)
        if zh > ja:   # a Chinese text quoting Japanese lines
            lang, script = _han_label(st)
            return lang, 1.0, script, "ja", ja / (zh + ja)
    if (kana_share >= KANA_SURE and (st.kana >= 2 or kana_share >= 0.3)) or (st.kana and st.jp_only):
        return "ja", 1.0, "Jpan", None, 0.0   # plenty of kana, or kana next to a Japanese-only kanji
    if kana_share >= KANA_MAYBE or st.jp_only >= JP_KANJI_MIN:
        sample = sample_text("".join(_CJK_RE.findall(text)) if st.latin else text, cfg.sample_chars)
        det.langdetect_calls += 1
        probs = dict(langdetect_probabilities(sample, cfg.seed))
        p_ja = probs.get("ja", 0.0)
        p_zh = probs.get("zh-Hans", 0.0) + probs.get("zh-Hant", 0.0)
        if p_ja >= p_zh and p_ja > 0:
            return "ja", max(p_ja, 0.5), "Jpan", None, 0.0
        lang, script = _han_label(st)
        return lang, max(p_zh, 0.5), script, None, 0.0
    lang, script = _han_label(st)
    return lang, 1.0, script, None, 0.0


def _non_cjk_script(st: ScriptStats, text: str) -> str:
    if st.latin >= st.other:
        return "Latn" if st.latin else "unknown"
    best, n = "unknown", 0
    for name, rx in _OTHER_SCRIPTS:
        k = len(rx.findall(text))
        if k > n:
            best, n = name, k
    return best


def plainly_english(sample: str) -> bool:
    """Whether ``sample`` is English beyond doubt, by its function words alone.

    langdetect spends 3-5 ms on a 2,000-character sample; English prose is
    settled in a few microseconds per word by counting words such as "the",
    "and", "which", "would" that no other language uses often: at least ``EN_MIN_WORDS``
    words, ``EN_MIN_SHARE`` of them English function words, at most
    ``EN_MAX_FOREIGN`` function words of another language and
    ``EN_MAX_NON_ASCII`` words with a letter outside ASCII.  The caller also
    requires that the document has no CJK and no letters of another script.

    It must never say True where langdetect would not say ``en``.  On the
    10,000-document benchmark corpus (``bench/corpus.py``, seed 7: 983 English
    and 67 Russian documents among the rest), bench_language.py's set, and 2,818
    chunks of real text in 30 languages (vim's tutor in every translation,
    English commands included, vim's help files, Debian copyright files) it says
    True for 2,720 documents, and for every one of them langdetect said ``en``
    with the same probability (1.0 to 4 decimals) as this step reports.

    >>> plainly_english("The committee said that the report, which was published "
    ...                 "by the ministry, would be reviewed again. " * 4)
    True
    >>> plainly_english("Le comité a dit que le rapport, publié par le ministère, "
    ...                 "sera examiné de nouveau the next week. " * 4)
    False
    >>> plainly_english("Thank you very much")
    False
    """
    words = _WORD_RE.findall(sample.lower())
    n = len(words)
    if n < EN_MIN_WORDS:
        return False
    return (sum(map(_EN_WORDS.__contains__, words)) >= EN_MIN_SHARE * n
            and sum(map(_FOREIGN_WORDS.__contains__, words)) <= EN_MAX_FOREIGN * n
            and n - sum(map(str.isascii, words)) <= EN_MAX_NON_ASCII * n)


def _non_cjk_language(text: str, st: ScriptStats, cfg: LanguageConfig,
                      det: Detection, sample: str | None = None) -> tuple[str, float]:
    if sample is None:
        sample = sample_text(text, cfg.sample_chars)
    if st.cjk:
        sample = _CJK_RE.sub(" ", sample)
    det.langdetect_calls += 1
    ranked = [(lang, p) for lang, p in langdetect_probabilities(sample, cfg.seed)
              if lang not in ("zh-Hans", "zh-Hant", "ja", "ko")]
    if not ranked or ranked[0][1] < cfg.min_prob:
        return "und", ranked[0][1] if ranked else 0.0
    return ranked[0]


def identify_language(text: str, config: LanguageConfig | None = None) -> Detection:
    """Identify the language of ``text`` (see the module docstring for the method).

    >>> d = identify_language("華為發布了新一代AI算力集群,性能全球最強!")
    >>> d.lang, d.script, d.method
    ('zh-Hant', 'Hant', 'script')
    >>> identify_language("안녕하세요. 오늘은 날씨가 정말 좋네요.").lang
    'ko'
    >>> identify_language("ok").lang
    'und'
    """
    cfg = config or LanguageConfig()
    stats_text = sample_text(text, cfg.sample_chars * STATS_FACTOR, windows=2 * WINDOWS)
    st = _script_stats(stats_text, latin_runs=False)
    det = Detection()
    letters = st.letters
    if letters:
        det.signals = {
            "lang_han_share": round(st.han / letters, 4),
            "lang_kana_share": round(st.kana / letters, 4),
            "lang_hangul_share": round(st.hangul / letters, 4),
            "lang_latin_share": round(st.latin / letters, 4),
            "lang_other_share": round(st.other / letters, 4),
        }
        if st.simp_only + st.trad_only:
            det.signals["script_hant_share"] = round(st.trad_only / (st.simp_only + st.trad_only), 4)
    if not letters:
        return det
    cjk_w = CJK_WEIGHT * st.cjk
    rest_w = (st.latin_runs if st.cjk else st.latin) + st.other
    share_cjk = cjk_w / (cjk_w + rest_w) if cjk_w + rest_w else 0.0
    det.signals["lang_cjk_weight_share"] = round(share_cjk, 4)

    if st.cjk and share_cjk >= 1 - cfg.mixed_share:
        # The scripts settle it (langdetect only for the ja/zh borderline).
        if st.cjk < 2:
            det.script = "Hani" if st.han else "unknown"
            return det
        lang, conf, script, second, second_share = _cjk_language(st, stats_text, cfg, det)
        det.lang, det.script = lang, script
        det.prob = round(share_cjk * conf * (1 - second_share), 4)
        det.method = "script+langdetect" if det.langdetect_calls else "script"
        if second is not None and second_share * share_cjk >= cfg.mixed_share:
            det.second, det.mixed, det.script = second, True, "mixed"
        return det

    if letters < cfg.min_chars:
        det.script = _non_cjk_script(st, stats_text) if not st.cjk else "mixed"
        return det

    if not st.cjk or share_cjk <= cfg.mixed_share:
        sample = sample_text(text, cfg.sample_chars)
        if not st.cjk and not st.other and plainly_english(sample):
            lang, p, det.method = "en", 1.0, "words"
        else:
            lang, p = _non_cjk_language(text, st, cfg, det, sample)
            det.method = "langdetect"
        det.lang, det.prob = lang, round(p * (1 - share_cjk), 4)
        det.script = _non_cjk_script(st, stats_text)
        return det

    # Bilingual: both parts carry at least mixed_share of the text.
    c_lang, c_conf, c_script, _, _ = _cjk_language(st, stats_text, cfg, det)
    o_lang, o_p = _non_cjk_language(text, st, cfg, det)
    det.method = "script+langdetect"
    det.script = "mixed"
    if share_cjk >= 0.5:
        det.lang, det.prob, det.second = c_lang, round(share_cjk * c_conf, 4), o_lang
    else:
        det.lang, det.prob, det.second = o_lang, round((1 - share_cjk) * o_p, 4), c_lang
    if det.second == "und" or det.lang == "und":
        det.second = None
        det.script = c_script if det.lang == c_lang else _non_cjk_script(st, stats_text)
    else:
        det.mixed = True
    return det


def _allowed(lang: str, allowed: tuple[str, ...]) -> bool:
    # "zh" allows zh-Hans and zh-Hant; "zh-Hans" only itself.
    return any(lang == a or lang.startswith(a + "-") for a in allowed)


def detect_language(text: str, ctx: Context) -> list[Edit]:
    """Step ``language``: set ``ctx.lang``, ``lang_prob``, ``lang_second``,
    ``script_in`` and ``script``, the ``mixed`` flag and ``lang_*`` signals;
    reject ``wrong_language`` when ``LanguageConfig.allowed`` is set and does not
    cover the language (an entry ``zh`` covers ``zh-Hans`` and ``zh-Hant``; ``und``
    is rejected unless listed).  Never edits the text.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.document import Document
    >>> text = "這篇報導說明了新的政策,內容相當詳細."
    >>> ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
    >>> detect_language(text, ctx)
    []
    >>> ctx.lang, ctx.script_in, ctx.lang_prob
    ('zh-Hant', 'Hant', 1.0)
    """
    cfg = ctx.config.language
    det = identify_language(text, cfg)
    ctx.lang = det.lang
    ctx.lang_prob = det.prob
    ctx.lang_second = det.second
    ctx.script_in = det.script
    ctx.script = det.script
    if det.mixed:
        ctx.flag("mixed")
    ctx.signals.update(det.signals)
    ctx.count(f"language.method.{det.method}")
    if det.langdetect_calls:
        ctx.count("language.langdetect_calls", det.langdetect_calls)
    if cfg.allowed is not None and not _allowed(det.lang, tuple(cfg.allowed)):
        ctx.reject("wrong_language", f"{det.lang} not in {list(cfg.allowed)}")
    return []

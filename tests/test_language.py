"""Step ``language``: cases in tests/cases/language.json, determinism, sampling, rejection.

In language.json ``expected`` is the language label; optional ``script``,
``mixed`` and ``second`` must match ``Detection.script``, ``.mixed`` and ``.second``.
"""

from __future__ import annotations

import random
import re
import time

import pytest
from conftest import case_params

from cleaners import language
from cleaners.config import CleanerConfig, LanguageConfig
from cleaners.context import Context
from cleaners.document import Document
from cleaners.language import (
    detect_language,
    identify_language,
    japanese_only,
    langdetect_probabilities,
    plainly_english,
    sample_text,
    script_stats,
)
from cleaners.script import get_converter, han_sets


def run_step(text: str, config: CleanerConfig | None = None) -> tuple[Context, list]:
    ctx = Context(doc=Document.make("t", 0, text), config=config or CleanerConfig(), text_in=text)
    return ctx, detect_language(text, ctx)


@pytest.mark.parametrize("case", case_params("language"))
def test_language_case(case: dict) -> None:
    det = identify_language(case["input"])
    assert det.lang == case["expected"], (det.lang, det.method)
    for key, attr in (("script", "script"), ("mixed", "mixed"), ("second", "second")):
        if key in case:
            assert getattr(det, attr) == case[key], key


def test_step_sets_context_and_never_edits() -> None:
    text = "華為發布了新一代AI算力集群,性能全球最強!"
    ctx, edits = run_step(text)
    assert edits == []
    assert (ctx.lang, ctx.script_in, ctx.script) == ("zh-Hant", "Hant", "Hant")
    assert ctx.lang_prob > 0.9 and ctx.lang_second is None
    assert ctx.signals["lang_han_share"] > 0.7
    assert ctx.verdict is None
    # the script settles it: langdetect is not called at all
    assert ctx.counters.get("language.method.script") == 1
    assert "language.langdetect_calls" not in ctx.counters


def test_mixed_flag_and_second_language() -> None:
    zh = "华为今天发布了新一代服务器芯片，性能比上一代提升了三成，价格保持不变。"
    en = ("Huawei released a new generation of server chips today, and the company says they "
          "are about thirty percent faster than the previous generation.")
    ctx, _ = run_step(zh + "\n" + en)
    assert "mixed" in ctx.flags
    assert {ctx.lang, ctx.lang_second} == {"zh-Hans", "en"}
    assert ctx.script_in == "mixed"
    ctx, _ = run_step(zh * 3)
    assert "mixed" not in ctx.flags and ctx.lang_second is None


@pytest.mark.parametrize("text", [
    "The committee will publish its report next week after the final review.",   # langdetect path
    "東京株式市場で日経平均が反落。",                                                  # ja/zh borderline
    "Le conseil municipal a voté la prolongation de la piste cyclable.",
    "這項新政策從下個月開始實施,我們會繼續關注.",
])
def test_deterministic(text: str) -> None:
    results = {(d.lang, d.prob, d.script, d.second) for d in (identify_language(text) for _ in range(3))}
    assert len(results) == 1
    assert len({tuple(langdetect_probabilities(text)) for _ in range(3)}) == 1


def test_long_text_is_sampled_over_the_whole_document() -> None:
    # a long English preface before a much longer Chinese body: windows from the
    # whole text see the Chinese, the head alone would not
    head = "This preface was written in English for the international edition of the book. " * 20
    body = "这本书讲述了一个普通家庭三代人的故事，从乡村到城市，从贫穷到富裕。" * 3000
    t0 = time.perf_counter()
    det = identify_language(head + body)
    assert time.perf_counter() - t0 < 1.0
    assert det.lang == "zh-Hans"
    s = sample_text(head + body, 2000)
    assert len(s) <= 2000 + 8 and s.startswith("This") and s.endswith("。")


def test_latin_sample_is_bounded() -> None:
    text = "The river floods every spring and the farmers move their animals uphill. " * 5000
    cfg = LanguageConfig(sample_chars=500)
    t0 = time.perf_counter()
    assert identify_language(text, cfg).lang == "en"
    assert time.perf_counter() - t0 < 1.0


def test_script_stats_counts() -> None:
    st = script_stats("我們说中文。東京の天気。서울")
    # 們東 / 说 / の / 서울 / 気
    assert (st.trad_only, st.simp_only, st.kana, st.hangul, st.jp_only) == (2, 1, 1, 2, 1)
    # Hong Kong forms are not Japanese-only
    assert script_stats("他説這個説法,閲讀").jp_only == 0


def _reference_stats(text: str) -> tuple[int, ...]:
    """The counts by their definition: one regex scan per class and per set."""
    sets = han_sets()
    jp = re.compile("[" + "".join(sorted(japanese_only())) + "]")
    classes = [language._count(rx, text) for rx in
               (language._HAN_RUNS, language._KANA_RUNS, language._HANGUL_RUNS,
                language._LATIN_RUNS, language._OTHER_RUNS)]
    runs = sum(language._count(language._LATIN_RUNS, m.group(0))
               for m in language._LATIN_RUN_RE.finditer(text)) if classes[3] >= 12 else 0
    return (*classes, runs, len(sets.simp_only_re.findall(text)), len(sets.trad_only_re.findall(text)),
            len(jp.findall(text)))


def test_script_stats_table_equals_the_regexes() -> None:
    # the one-pass lookup table must count exactly what the class regexes match,
    # astral characters (emoji, extension B) and lone surrogates included
    rng = random.Random(7)
    pool = ([chr(c) for c in range(0x20, 0x250)] + [chr(c) for c in range(0x3000, 0x3100)]
            + list("们們说說説閲図気発东東这這後后乾昇") + [chr(c) for c in range(0x4E00, 0x4E80)]
            + [chr(c) for c in range(0xAC00, 0xAC40)]
            + list("\U0001F600\U00020000\U0002A6D6\U0003134F\U00031350\U0001D400\ud800ＡａｱДжאกअ々ー・\u309b"))
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 120)))
        st = script_stats(text)
        got = (st.han, st.kana, st.hangul, st.latin, st.other, st.latin_runs, st.simp_only, st.trad_only, st.jp_only)
        assert got == _reference_stats(text), text


def test_hong_kong_forms_are_not_japanese() -> None:
    jp = japanese_only()
    assert {"説", "閲"}.isdisjoint(jp) and {"説", "閲"} <= han_sets().jp_only
    assert {"図", "駅", "広", "売", "気"} <= jp
    # every Hong Kong standard form OpenCC knows (hk2t rewrites it) is out
    assert all(get_converter("hk2t").convert(c) == c for c in jp)
    # a Hong Kong page is settled by its script: no langdetect call
    text = get_converter("s2hk").convert("据说这项新政策从下个月开始实施，他们说会继续关注它对中小企业的影响，阅读报告的人很多。")
    assert "説" in text and "閲" in text
    det = identify_language(text)
    assert (det.lang, det.method, det.langdetect_calls, det.prob) == ("zh-Hant", "script", 0, 1.0)
    # ...even with one stray kana (e.g. left by mojibake), which used to make it ja
    det = identify_language(text + "ヤ")
    assert det.lang == "zh-Hant"
    # Japanese keeps its Japanese-only kanji
    assert identify_language("大手自動車会社、電気自動車の国内生産拡大を正式決定").lang == "ja"


_ENGLISH = ("The committee said on Tuesday that the new rules, which were drafted after a long public "
            "consultation, would come into force next year. Members of the public who have already applied "
            "for a permit will not have to apply again, but they should check that their details are correct. ")


@pytest.mark.parametrize("text, english", [
    (_ENGLISH, True),
    (_ENGLISH * 20, True),
    ("Thank you very much", False),                                   # too few words
    ("The report said that the rules would apply. " * 2, False),     # 16 words < EN_MIN_WORDS
    # French quoting English: French function words
    ("Le conseil a dit que les règles, qui ont été écrites avec le public, sont dans la loi. "
     "« The rules of the city have been clear about that » " * 3, False),
    # English words, but many accented words: not plainly English
    (_ENGLISH.replace("e", "é"), False),
    # German, Dutch, Spanish prose
    ("Der Stadtrat hat beschlossen, dass die neuen Regeln, die nach einer langen Beratung entworfen "
     "wurden, im nächsten Jahr in Kraft treten und nicht geändert werden. " * 3, False),
    ("De gemeenteraad heeft besloten dat de nieuwe regels, die na een lange openbare raadpleging zijn "
     "opgesteld, volgend jaar van kracht worden en niet meer veranderen. " * 3, False),
    ("El ayuntamiento dijo el martes que las nuevas normas, que fueron redactadas tras una larga "
     "consulta pública, entrarán en vigor el próximo año. " * 3, False),
])
def test_plainly_english(text: str, english: bool) -> None:
    assert plainly_english(text) is english
    if english:   # and langdetect agrees, on the same sample
        assert langdetect_probabilities(sample_text(text, 2000))[0][0] == "en"


def test_english_by_function_words_skips_langdetect() -> None:
    det = identify_language(_ENGLISH * 3)
    assert (det.lang, det.prob, det.script, det.method, det.langdetect_calls) == ("en", 1.0, "Latn", "words", 0)
    # with CJK or another script in the document, langdetect still decides
    det = identify_language(_ENGLISH * 3 + "华为")
    assert det.method == "langdetect" and det.lang == "en"
    det = identify_language(_ENGLISH * 3 + " Москва")
    assert det.method == "langdetect" and det.lang == "en"


@pytest.mark.parametrize("allowed, text, rejected", [
    (("zh-Hans", "zh-Hant"), "这是一段简体中文的文字，用来测试语言过滤。", False),
    (("zh",), "這是一段繁體中文的文字,用來測試語言過濾。", False),
    (("zh-Hans",), "這是一段繁體中文的文字,用來測試語言過濾。", True),
    (("zh",), "The committee will publish its report next week after the final review.", True),
    (("zh",), "ok", True),                      # und is rejected unless allowed
    (("zh", "und"), "ok", False),
])
def test_allowed_languages(allowed: tuple[str, ...], text: str, rejected: bool) -> None:
    cfg = CleanerConfig(language=LanguageConfig(allowed=allowed))
    ctx, _ = run_step(text, cfg)
    if rejected:
        assert ctx.verdict is not None and ctx.verdict.reason == "wrong_language"
    else:
        assert ctx.verdict is None


def test_short_text_is_und_unless_script_settles() -> None:
    assert identify_language("Thank you").lang == "und"
    assert identify_language("谢谢").lang == "zh-Hans"
    assert identify_language("好").lang == "und"
    assert identify_language("ありがとう").lang == "ja"


@pytest.mark.shared
@pytest.mark.parametrize("seed, lang", [("000", "zh-Hans"), ("001", "zh-Hans"), ("002", "zh-Hant")])
def test_shared_samples(shared_dir, seed: str, lang: str) -> None:
    files = sorted((shared_dir / "samples").glob(f"{seed}_*.txt"))
    if not files:
        pytest.skip(f"sample {seed} absent")
    text = files[0].read_text(encoding="utf-8")
    det = identify_language(text)
    assert det.lang == lang and det.method == "script" and not det.mixed
    # the damaged Traditional sample is what plain langdetect gets wrong
    if seed == "002":
        stripped = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùü]+\)", "", text)
        assert identify_language(stripped).lang == "zh-Hant"


def test_the_sparse_profile_map_is_langdetects_own():
    """Every n-gram's probabilities, the languages and their order are what
    langdetect's DetectorFactory.load_profile builds (so detections agree)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    from cleaners.language import _load_profiles

    ref = DetectorFactory()
    ref.load_profile(PROFILES_DIRECTORY)
    langs, probs = _load_profiles(PROFILES_DIRECTORY)
    assert langs == ref.langlist
    assert probs.keys() == ref.word_lang_prob_map.keys()
    assert all(probs[w] == v for w, v in ref.word_lang_prob_map.items())
    assert "zzzz" not in probs

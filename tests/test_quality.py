"""Quality signals, score and verdict (cleaners/quality.py); cases in tests/cases/quality.json."""

from __future__ import annotations

import json
import math

import pytest
from conftest import ROOT, SAMPLES, case_params

from cleaners.config import CleanerConfig, ConfigError, load_config
from cleaners.context import Context
from cleaners.document import Document
from cleaners.pipeline import clean
from cleaners.quality import SIGNALS, assess, measure, score_quality


def judge(text: str, config: CleanerConfig | None = None, text_in: str | None = None,
          signals: dict | None = None) -> Context:
    ctx = Context(Document.make("case", 0, text), config or CleanerConfig(),
                  text_in=text if text_in is None else text_in)
    ctx.signals.update(signals or {})
    assert score_quality(text, ctx) == []
    return ctx


@pytest.mark.parametrize("case", case_params("quality"))
def test_quality_case(case):
    ctx = judge(case["input"])
    got = ctx.verdict.reason if ctx.verdict else "keep"
    assert got == case["expected"], (ctx.quality_score, ctx.metadata.get("quality_weakest"))
    if "quality_label" in case:
        assert ctx.metadata["quality_label"] == case["quality_label"]
    for f in case.get("flags", []):
        assert f in ctx.flags


def test_every_signal_is_written_and_finite():
    ctx = judge("今天天气很好，我们去公园散步。")
    for name in SIGNALS:
        assert name in ctx.signals, name
        assert isinstance(ctx.signals[name], float) and math.isfinite(ctx.signals[name]), name
    assert 0.0 <= ctx.quality_score <= 1.0


@pytest.mark.parametrize("text", ["", " \n ", "\ufffd", "a", "一", "😀😀", "\n\n\n"])
def test_degenerate_texts(text):
    sig, fac, s = assess(text)
    assert 0.0 <= s <= 1.0 and all(0.0 <= v <= 1.0 for v in fac.values())


def test_cjk_is_not_symbol():
    # data-juicer counts 一 and CJK punctuation as special characters; we must not
    s = measure("一二三，上下。士兵「说」：好！")
    assert s["symbol_share"] == 0.0
    assert measure("★★★ ■■■ →→→")["symbol_share"] == 1.0


def test_han_share_counts_stopword_characters():
    assert measure("的了是在和")["han_share"] == 1.0


def test_removed_share_from_text_in():
    ctx = judge("正文还在这里，其他都删掉了。", text_in="正文还在这里，其他都删掉了。" + "广告" * 40)
    assert ctx.signals["removed_share"] > 0.8


def test_spam_rule_hits_sink_the_score():
    text = "早上去市场买了菜。\n中午在家做了红烧鱼。\n下午带孩子去公园散步。\n晚上一家人一起看电影。"
    calm = judge(text)
    spammy = judge(text, signals={"spam_rule_hits": 3.0})
    assert spammy.signals["spam_line_share"] == 0.75
    assert spammy.quality_score < calm.quality_score
    assert spammy.verdict is not None and spammy.verdict.reason == "spam"


def test_removed_repeated_paragraphs_count_as_repetition():
    text = "这是一段完整的正文内容，讲的是一件很普通的事情，写得也很通顺。"
    ctx = judge(text, signals={"para_dup_removed_share": 0.8})
    assert ctx.signals["dup_para_share"] == 0.8
    assert ctx.signals["f_repetition"] == 0.0


def test_weights_and_ramps():
    text = "北京装修公司哪家好，北京装修公司价格，北京装修公司排名，北京装修公司电话，北京装修公司推荐。"
    base = judge(text)
    off = judge(text, CleanerConfig().replace(quality={"weights": {"stuffing": 0, "stopwords": 0}}))
    assert off.quality_score > base.quality_score
    lax = judge(text, CleanerConfig().replace(quality={"ramps": {"stuffing": (0.9, 1.0)}}))
    assert lax.signals["f_stuffing"] == 1.0


def test_unknown_factor_is_an_error():
    with pytest.raises(ConfigError):
        load_config(overrides={"quality": {"weights": {"lenght": 1.0}}})
    with pytest.raises(ConfigError):
        load_config(overrides={"quality": {"ramps": {"nope": [0, 1]}}})


def test_thresholds_off():
    ctx = judge("好", CleanerConfig().replace(quality={"min_chars": None, "min_score": None}))
    assert ctx.verdict is None


def test_labelled_set_calibration():
    """The calibration gate: the score separates the labelled set and keeps every good document."""
    docs = json.loads((ROOT / "bench" / "data" / "quality_set.json").read_text(encoding="utf-8"))["documents"]
    good, bad, good_rejected = [], [], []
    for d in docs:
        ctx = judge(d["text"])
        (good if d["label"] == "good" else bad).append(ctx.quality_score)
        if d["label"] == "good" and ctx.verdict is not None:
            good_rejected.append(d["id"])
    wins = sum(1.0 if g > b else 0.5 if g == b else 0.0 for g in good for b in bad)
    auc = wins / (len(good) * len(bad))
    assert auc >= 0.99, auc
    assert good_rejected == []
    assert sum(1 for b in bad if b < CleanerConfig().quality.min_score) >= 0.9 * len(bad)


CLEAN_SAMPLES = ["01_news_hans.txt", "02_news_hant.txt", "03_english.txt", "04_japanese.txt",
                 "05_transcript.txt", "06_pinyin_glued_hant.txt", "07_promo_tail.txt", "08_ad_head.txt",
                 "09_entities_tags.txt", "10_front_matter.md"]


@pytest.mark.parametrize("name", CLEAN_SAMPLES)
def test_clean_samples_keep_a_high_score(name):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    r = clean(Document.make(name, 0, text))
    assert r.verdict.keep, r.verdict
    assert r.metadata["quality_label"] == "high", (r.quality_score, r.metadata.get("quality_weakest"))


def test_languages_without_a_stopword_list_are_not_stuffing():
    """Korean prose was rejected low_quality: the Chinese function-word list judged it."""
    from cleaners.document import Document
    from cleaners.pipeline import clean

    for text in ["서울시는 오늘 새로운 도서관을 열었다. 시민들은 주말에도 책을 빌릴 수 있으며, 어린이를 위한 "
                 "독서 프로그램도 마련되었다. 도서관 관계자는 많은 시민이 이용하기를 바란다고 말했다.",
                 "Городская библиотека продлила часы работы по выходным. Читатели могут брать книги до девяти "
                 "вечера, а для детей открыт новый зал."]:
        res = clean(Document.make("t", 0, text))
        assert res.verdict.keep and res.quality_score >= 0.7, (res.lang, res.quality_score)

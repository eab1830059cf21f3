"""Property-based tests over the whole cleaning pipeline (hypothesis):
never raises, output is valid UTF-8 without controls, idempotent, edits replay,
clean text is left alone."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaners.config import CleanerConfig
from cleaners.document import Document, replay
from cleaners.pipeline import clean

CFG = CleanerConfig().replace(quality={"min_chars": None, "min_score": None})
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

# Building blocks that look like web text: CJK, kana, hangul, Latin, digits,
# punctuation of both widths, entities, tags, mojibake bits, pinyin annotations.
PIECES = st.sampled_from([
    "数据中心", "的", "能耗", "问题", "，", "。", "！", "（", "）", "“", "”", "：", "　", "\n", "\n\n", " ",
    "華為", "聯(lián)接", "企業(yè)", "產(chǎn)品", "の", "です", "한국어", "Hello", "world", "3.14", "1,000",
    "&nbsp;", "&amp;quot;", "</p>", "<br/>", "\u200b", "\ufeff", "Ã©", "â€”", "鏇欏厜", "锟斤拷", "�",
    "[1]", "(注)", "https://example.com/a?b=1", "a@b.com", "**", "### ", "- ", ",", ".", ":", "(", ")",
])
TEXTS = st.one_of(st.lists(PIECES, max_size=40).map("".join), st.text(max_size=200))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _clean(text: str):
    return clean(Document.make("prop", 0, text), CFG)


@SETTINGS
@given(TEXTS)
def test_never_raises_and_output_is_clean_utf8(text):
    res = _clean(text)
    res.text.encode("utf-8")  # no lone surrogates
    if res.verdict.keep:  # a rejected `empty` text is kept as it came, for the record
        assert not CONTROLS.search(res.text)


@SETTINGS
@given(TEXTS)
def test_edits_replay_to_output(text):
    res = _clean(text)
    assert replay(res.text_in, res.edits) == res.text


@SETTINGS
@given(TEXTS)
# found by hypothesis: the control goes in pass 1, the repair to 盡 comes in
# pass 2, and only a new language reading there lets the script step convert it
@example("\x8dºÉ𠀀")
# a third pass: ftfy fixes Ã© in pass 1, a guessed repair in pass 2 gives the
# context in which the remaining U+FFFD is guessed too
@example("数据中心数据中心�Ã©��")
def test_idempotent(text):
    once = _clean(text).text
    assert _clean(once).text == once


CLEAN_SENTENCES = st.sampled_from([
    "今天天气很好，我们去公园散步。", "记者走访了三家数据中心，发现制冷用电占到总用电量的四成左右。",
    "The library will stay open until 9 p.m. on Saturdays.", "駅前商店街に新しい図書コーナーが開設された。",
    "华为昇腾芯片在多个场景中得到应用。", "价格为3.14元，同比增长1,000%。", "他说：“明天见。”",
])


@SETTINGS
@given(st.lists(CLEAN_SENTENCES, min_size=1, max_size=8, unique=True))  # repeats are not clean text
def test_clean_text_is_left_alone(sentences):
    text = "\n".join(sentences)
    res = _clean(text)
    assert res.text == text, [e.rule for e in res.edits]

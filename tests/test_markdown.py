"""Tests for the markdown step: front matter to metadata, markdown syntax out,
plain text untouched.  Cases are data in ``tests/cases/markdown.json``
(label, comment, input, expected, expect, optional ``metadata``)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import case_params

from cleaners.config import CleanerConfig, MarkdownConfig
from cleaners.context import Context
from cleaners.document import Document, apply_edits, replay
from cleaners.markdown import (
    MARKDOWN_THRESHOLD,
    front_matter_metadata,
    markdown_evidence,
    parse_front_matter,
    strip_markdown,
)

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "cases" / "markdown.json").read_text(encoding="utf-8"))
SHARED = Path(__file__).resolve().parents[2] / "shared" / "samples"


def run(text: str, cfg: CleanerConfig | None = None) -> tuple[str, list, Context]:
    ctx = Context(doc=Document.make("t", 0, text), config=cfg or CleanerConfig(), text_in=text)
    edits = strip_markdown(text, ctx)
    return apply_edits(text, edits), edits, ctx


@pytest.mark.parametrize("case", case_params("markdown"))
def test_case(case):
    out, edits, ctx = run(case["input"])
    assert out == case["expected"], case["comment"]
    assert replay(case["input"], edits) == out
    for e in edits:
        assert case["input"][e.start:e.end] == e.before
        assert e.step == "markdown" and e.rule.startswith("markdown:") and e.after == ""
    for key, value in case.get("metadata", {}).items():
        assert ctx.metadata[key] == value


def test_hard_negatives_are_byte_identical():
    negatives = [c for c in CASES if c["input"] == c["expected"]]
    assert len(negatives) >= 6
    for case in negatives:
        assert run(case["input"])[1] == []


def test_disabled():
    text = "## 一\n\n**甲**\n\n## 二\n"
    assert run(text, CleanerConfig(markdown=MarkdownConfig(enabled=False)))[1] == []


def test_front_matter_can_stay():
    text = "---\ntitle: x\n---\n## 一\n正文\n## 二\n"
    out, _, ctx = run(text, CleanerConfig(markdown=MarkdownConfig(front_matter=False)))
    assert out.startswith("---\ntitle: x\n---\n") and "title" not in ctx.metadata


def test_ordered_numbers_can_stay():
    text = "## 步骤\n\n1. 下载\n2. 安装\n\n## 完\n"
    out, _, _ = run(text, CleanerConfig(markdown=MarkdownConfig(strip_ordered=False)))
    assert "1. 下载\n2. 安装" in out


def test_existing_metadata_wins():
    text = "---\ntitle: 来自前言\nauthor: 某人\n---\n正文。\n"
    ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
    ctx.metadata["title"] = "来自记录"
    strip_markdown(text, ctx)
    assert ctx.metadata["title"] == "来自记录"
    assert ctx.metadata["front_matter"] == {"author": "某人"}


def test_front_matter_values():
    fm = parse_front_matter("---\ndate: 2025-07-02\ntags: AI, 芯片\nn: 3\nwhen: 2025-07-02 10:00:00\n---\n")
    assert fm is not None
    meta = front_matter_metadata(fm.fields)
    assert meta == {"published_at": "2025-07-02", "tags": ["AI", "芯片"],
                    "front_matter": {"n": 3, "when": "2025-07-02 10:00:00"}}
    json.dumps(meta, ensure_ascii=False)   # metadata must be JSON-able
    assert parse_front_matter("text\n---\ntitle: x\n---\n") is None          # not at the very start
    assert parse_front_matter("---\ntitle: x\nno closing line\n") is None
    assert parse_front_matter("---\n- a\n- b\n---\n") is None                # not a mapping


def test_evidence_threshold():
    assert markdown_evidence("![]()\n正文") < MARKDOWN_THRESHOLD
    assert markdown_evidence("# 标题\n正文") < MARKDOWN_THRESHOLD
    assert markdown_evidence("# 标题\n[链接](https://e.com)") >= MARKDOWN_THRESHOLD
    assert markdown_evidence("**一** **二** **三** **四**") >= MARKDOWN_THRESHOLD


ALPHABET = "这是中文文本，价格*2，数量*3。2*3*4 a * b 1.“双向脱钩”加速\n-#>_`[]()!"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(ALPHABET)), max_size=80))
def test_plain_text_only_loses_images(text):
    """Below the evidence threshold the only change is dropping `![..](..)`."""
    if markdown_evidence(text) >= MARKDOWN_THRESHOLD or text.startswith("---"):
        return
    out, edits, _ = run(text)
    assert replay(text, edits) == out
    assert all(e.rule == "markdown:image" for e in edits)


# --------------------------------------------------------------------------- real samples


def _sample(sid: str) -> str:
    found = sorted(SHARED.glob(f"{sid}_*.txt"))
    if not found:
        pytest.skip("shared samples not present")
    return found[0].read_text(encoding="utf-8")


def _fold(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


@pytest.mark.shared
def test_sample_000_markdown_report():
    text = _sample("000")
    out, edits, ctx = run(text)
    assert ctx.metadata["title"].startswith("07-02日报")
    assert ctx.metadata["published_at"] == "2025-07-02T20:12:11.630+08:00"
    assert ctx.metadata["tags"][:2] == ["AI算力", "版权判例"]
    assert ctx.metadata["front_matter"]["selected_article_count"] == 6
    folded = _fold(out)
    for s in ("---", "###", "**", "*", "title:", "summary:", "featured_image", "[AI内参日报]"):
        assert _fold(s) not in folded, s
    present = (SHARED / "000.must_present.txt").read_text(encoding="utf-8").splitlines()
    for s in filter(None, (p.strip() for p in present)):
        # the gold has 升腾 for 昇腾 (OpenCC runs later); fold that like score.py does
        assert _fold(s).replace("升", "昇") in folded.replace("升", "昇"), s
    assert out.splitlines()[0].startswith("今天是2025年07月02日")


@pytest.mark.shared
def test_sample_002_plain_text():
    text = _sample("002")
    out, edits, _ = run(text)
    assert [e.rule for e in edits] == ["markdown:image"]
    assert out == text[len("![]()\n"):]
    assert "1.“雙向脫鉤”加速" in out


@pytest.mark.shared
def test_sample_001_untouched():
    text = _sample("001")
    assert run(text)[1] == []


# --------------------------------------------------------------------------- fast paths (same results as the plain ones)


def _reference_evidence(text: str) -> int:
    """markdown_evidence as first written: every regex on every text."""
    from cleaners import markdown as md

    score = 2 * min(len(md._HEADING.findall(text)), 2)
    score += min(len(md._BOLD.findall(text)), 4)
    score += 2 * min(len(md._LINK.findall(text)), 2)
    if any(not m.group(0).endswith("]()") for m in md._IMAGE.finditer(text)):
        score += 2
    score += 2 if len(md._BULLET.findall(text)) >= 3 else 0
    score += 2 if len(md._FENCE.findall(text)) >= 2 else 0
    score += 1 if md._QUOTE.search(text) else 0
    score += 2 if md._TABLE_SEP.search(text) else 0
    return score


_MD_PIECES = ["#", "## ", "**", "__", "](", "![", "[a](http://x)", "![i](u.png)", "![]()", "- ", "* ", "+ ",
              "\t-\t", "```", "~~~", ">", "> q", "---", "|---|---|", ":---:", "\n", "\n\n", " ", "\t", "中文",
              "abc", "_", "*", "-", "!", "[", "]", "(", ")", "`", "~", "\u3000", "\r\n", "a_b_c", "2*3*4"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_MD_PIECES), max_size=40))
def test_evidence_prechecks_change_nothing(pieces):
    # markdown_evidence skips a regex when the text lacks a marker every match holds
    text = "".join(pieces)
    assert markdown_evidence(text) == _reference_evidence(text)


def test_evidence_prechecks_on_the_cases():
    for case in CASES:
        assert markdown_evidence(case["input"]) == _reference_evidence(case["input"]), case["label"]


# --------------------------------------------------------------------------- whitespace pre-check


def _whitespace_samples() -> list[str]:
    odd = [chr(c) for c in range(0x110000) if chr(c).isspace()] + ["\u200b", "\ufeff", "a", "中", ""]
    out = []
    for ch in odd:
        out += [ch, "a" + ch, ch + "a", ch + "\n", "a" + ch + "\nb", "a\n" + ch + "\n\nb", ch * 3]
    return out + ["a\n\n\nb", "a\n\nb", "\u3000\u3000正文", "x \ny", "x\t\ny", "x\u3000\ny"]


def test_whitespace_precheck_equals_the_regex():
    # normalize_whitespace's cheap pre-check must say yes exactly when _SUSPECT matches
    from cleaners.whitespace import _SUSPECT, _suspect

    for text in _whitespace_samples():
        assert _suspect(text) == bool(_SUSPECT.search(text)), repr(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\n\r\u3000\u00a0\u2003\u2028\u2029\x85\x0b\x0c\x1c\u200b中a")),
               max_size=12))
def test_whitespace_precheck_equals_the_regex_random(text):
    from cleaners.whitespace import _SUSPECT, _suspect

    assert _suspect(text) == bool(_SUSPECT.search(text))

"""Pinyin annotations and citation markers (tests/cases/annotations.json)."""

from __future__ import annotations

import pytest
from conftest import case_params, load_cases

from cleaners.annotations import is_reading, readings, strip_annotations
from cleaners.config import CleanerConfig
from cleaners.context import Context
from cleaners.document import Document, apply_edits


def run(text: str, config: CleanerConfig | None = None) -> tuple[str, list]:
    ctx = Context(Document.make("t", 0, text), config or CleanerConfig(), text_in=text)
    edits = strip_annotations(text, ctx)
    return apply_edits(text, edits), edits


@pytest.mark.parametrize("case", case_params("annotations"))
def test_case(case):
    out, edits = run(case["input"])
    assert out == case["expected"]
    if case["input"] == case["expected"]:
        assert edits == []
    if "rules" in case:
        assert set(case["rules"]) <= {e.rule for e in edits}
    for e in edits:
        assert e.step == "annotations" and e.rule.startswith("annotations:")


@pytest.mark.parametrize("case", load_cases("annotations"), ids=lambda c: c["label"])
def test_idempotent(case):
    out, _ = run(case["input"])
    assert run(out) == (out, [])


def test_switches():
    t = "企業(yè)瓶颈[5]。"
    assert run(t, CleanerConfig().replace(annotations={"pinyin": False}))[0] == "企業(yè)瓶颈。"
    assert run(t, CleanerConfig().replace(annotations={"citations": False}))[0] == "企業瓶颈[5]。"


def test_readings_include_traditional_and_heteronyms():
    assert ("lian", "2") in readings("聯")
    assert is_reading("háng", "行") and is_reading("xíng", "行")
    assert not is_reading("huawei", "为")


@pytest.mark.shared
def test_sample_002_annotations(shared_dir):
    raw = (shared_dir / "samples" / "002_1110d360e7397345.txt").read_text(encoding="utf-8")
    out, edits = run(raw)
    for junk in ("(lián)", "(yè)", "(zhàn)", "(tài)", "(xù)", "(chuàng)", "(guī)", "(fā)", "(chǎn)"):
        assert junk not in out
    assert {e.rule for e in edits} <= {"annotations:pinyin", "annotations:pinyin_damaged"}

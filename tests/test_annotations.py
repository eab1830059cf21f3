"""Pinyin annotations and citation markers (tests/cases/annotations.json)."""

from __future__ import annotations

from pathlib import Path

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


def test_reading_table_is_pypinyins_without_the_package():
    """The table is pypinyin's own, loaded without importing the package (and its
    phrase dictionary, 190,000 objects the garbage collector would walk all run)."""
    import subprocess
    import sys

    code = ("import sys; from cleaners.annotations import _pinyin_dict, readings; readings('中'); "
            "print(len(_pinyin_dict()), 'pypinyin' in sys.modules)")
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=root).stdout.split()
    from pypinyin.pinyin_dict import pinyin_dict

    from cleaners.annotations import _pinyin_dict

    assert _pinyin_dict() == pinyin_dict
    assert out == [str(len(pinyin_dict)), "False"]

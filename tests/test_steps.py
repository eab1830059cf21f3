"""Data-driven cases for single steps (tests/cases/steps.json)."""

from __future__ import annotations

import pytest
from conftest import case_params

from cleaners.config import CleanerConfig
from cleaners.context import Context
from cleaners.document import Document, apply_edits
from cleaners.pipeline import STEPS


def run_step(name: str, text: str, config: CleanerConfig | None = None) -> tuple[str, list]:
    cfg = config or CleanerConfig()
    ctx = Context(Document.make("case", 0, text), cfg, text_in=text)
    edits = STEPS[name](text, ctx)
    return apply_edits(text, edits), edits


@pytest.mark.parametrize("case", case_params("steps"))
def test_step_case(case):
    out, edits = run_step(case["step"], case["input"])
    assert out == case["expected"]
    if case["input"] == case["expected"]:
        assert edits == [], "a negative case must produce no edit at all"
    # every edit names its step and a rule of that step
    for e in edits:
        assert e.step == case["step"] and e.rule.startswith(case["step"] + ":")


@pytest.mark.parametrize("case", case_params("steps"))
def test_step_is_idempotent(case):
    out, _ = run_step(case["step"], case["input"])
    again, edits = run_step(case["step"], out)
    assert again == out and edits == []

"""Data-driven cases for single steps (tests/cases/steps.json)."""

from __future__ import annotations

import pytest
from conftest import case_params

from cleaners.config import CleanerConfig
from cleaners.context import Context
from cleaners.document import Document, Verdict, apply_edits
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


def _clean_with_full_passes(text: str, cfg: CleanerConfig):
    """The oracle for the pipeline's pass shortcut: every later pass re-runs
    every rewriting step (what ``clean`` did before the shortcut)."""
    from cleaners import pipeline

    ctx = Context(Document.make("case", 0, text), cfg, text_in=text)
    names = cfg.step_names()
    text, _ = pipeline._run([n for n in names if n not in pipeline._FINAL], text, ctx, {}, 1)
    for pass_no in range(2, cfg.max_passes + 1):
        if ctx.verdict is not None or not ctx.edits:
            break
        signals, before = dict(ctx.signals), text
        relabelled: set[str] = set()
        text, _ = pipeline._run([n for n in names if n not in pipeline._FINAL and n not in pipeline._ONCE],
                                text, ctx, {}, pass_no, relabelled=relabelled)
        for k in relabelled:
            signals.pop(k, None)
        ctx.signals.update(signals)
        if text == before:
            break
    text, _ = pipeline._run([n for n in names if n in pipeline._FINAL], text, ctx, {}, 1)
    return text, ctx


def _all_case_inputs() -> list[str]:
    import json

    from conftest import ROOT, SAMPLES

    texts = []
    for f in sorted((ROOT / "tests" / "cases").glob("*.json")):
        for case in json.loads(f.read_text(encoding="utf-8")):
            if isinstance(case, dict) and isinstance(case.get("input"), str):
                texts.append(case["input"])
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(SAMPLES.glob("*.txt"))]
    # an escaped tag is unescaped in the first pass and removed in the second
    texts.append("今天的会议上，代表们发言。&lt;br&gt;第二段的内容也很重要，大家认真讨论。")
    texts.append("會議&lt;br&gt;討論了雲計算的發展, 代表們發言。")
    return texts


@pytest.mark.parametrize("max_passes", [2, 3])
def test_pass_shortcut_equals_full_passes(max_passes):
    """Skipping the steps after the last editing one in a later pass changes
    nothing: text, edits, verdict and signals equal the full re-run's, on every
    case input and sample (damaged ones need two or three passes)."""
    from cleaners.pipeline import clean

    cfg = CleanerConfig(max_passes=max_passes)
    texts = _all_case_inputs()
    assert len(texts) > 250
    multi = reran = 0
    for text in texts:
        res = clean(Document.make("case", 0, text), cfg)
        ref_text, ref = _clean_with_full_passes(text, cfg)
        assert res.text == ref_text, text[:80]
        assert res.edits == ref.edits and res.verdict == (ref.verdict or Verdict.ok()) and res.signals == ref.signals, text[:80]
        multi += any(e.note.startswith("pass=") for e in res.edits)
        reran += bool(res.edits) and res.verdict.keep
    assert multi >= 2 and reran >= 50, "the inputs must include documents that run and need a second pass"

"""Deduplication (cleaners/dedup.py): run-wide clusters and repeated paragraphs; cases in tests/cases/dedup.json."""

from __future__ import annotations

import importlib.util
import pickle

import numpy as np
import pytest
from conftest import ROOT, case_params, load_cases

from cleaners.config import CleanerConfig
from cleaners.context import Context
from cleaners.dedup import (
    DEFAULT,
    Deduper,
    DedupParams,
    _shingles,
    fingerprint,
    jaccard_estimate,
    normalized_codepoints,
    remove_repeated_paragraphs,
)
from cleaners.document import Document, apply_edits


def _params(kind: str) -> list:
    return [p for p in case_params("dedup") if p.values[0]["kind"] == kind]


@pytest.mark.parametrize("case", _params("pair"))
def test_pair_case(case):
    a, b = case["input"]
    d = Deduper()
    d.add("a", a, quality=0.5, order=0)
    d.add("b", b, quality=0.5, order=1)
    got = "duplicate" if d.clusters() else "distinct"
    assert got == case["expected"]


def run_step(text: str, config: CleanerConfig | None = None) -> tuple[str, list, Context]:
    ctx = Context(Document.make("case", 0, text), config or CleanerConfig(), text_in=text)
    edits = remove_repeated_paragraphs(text, ctx)
    return apply_edits(text, edits), edits, ctx


@pytest.mark.parametrize("case", _params("paragraphs"))
def test_paragraph_case(case):
    # the cases were written for a 20-character floor; the default is more cautious (50)
    cfg = CleanerConfig().replace(quality={"paragraph_min_chars": case.get("min_chars", 20)})
    out, edits, ctx = run_step(case["input"], cfg)
    assert out == case["expected"]
    if case["input"] == case["expected"]:
        assert edits == [] and ctx.signals["para_dup_removed_share"] == 0.0
    else:
        assert ctx.signals["para_dup_removed_share"] > 0
    assert all(e.step == "dedup" and e.rule == "dedup:paragraph" for e in edits)
    again, edits2, _ = run_step(out, cfg)
    assert again == out and edits2 == []


def test_case_file_has_both_kinds():
    kinds = {c["kind"] for c in load_cases("dedup")}
    assert kinds == {"pair", "paragraphs"}


def test_paragraph_dedup_off():
    text = "同一段很长的文字内容在这里出现两次。\n\n同一段很长的文字内容在这里出现两次。"
    out, edits, _ = run_step(text, CleanerConfig().replace(quality={"paragraph_min_chars": None}))
    assert out == text and edits == []


BODY = "。".join(f"第{i}段讲的是城市里第{i}条街道这些年的变化和居民的生活" for i in range(10))


def test_kept_rule_quality_then_order_then_id():
    d = Deduper()
    d.add("low", BODY, quality=0.2, order=0)
    d.add("high", BODY + "。", quality=0.9, order=5)
    d.add("tie", BODY + "！", quality=0.9, order=9)
    assert d.clusters() == {"low": "high", "tie": "high"}
    e = Deduper()
    e.add("b", BODY, quality=0.5, order=(0, 2))
    e.add("a", BODY, quality=0.5, order=(0, 2))
    e.add("c", BODY, quality=0.5, order=(0, 1))
    assert e.clusters() == {"a": "c", "b": "c"}


def test_state_across_runs(tmp_path):
    run1 = Deduper()
    run1.add("old", BODY, quality=0.3, order=(0, 0))
    run1.add("old-copy", BODY, quality=0.1, order=(0, 1))
    run1.add("other", "完全不同的一篇文章，讲的是乡村学校的孩子们怎样学习画画。" * 3, quality=0.8, order=(0, 2))
    assert run1.clusters() == {"old-copy": "old"}
    state = tmp_path / "dedup-state.npz"
    run1.save(state, kept_only=True)

    run2 = Deduper.load(state, prior=True)
    assert sorted(run2.ids) == ["old", "other"]
    run2.add("new-copy", BODY, quality=0.99, order=(1, 0))      # better, but the old one was written already
    run2.add("other", "完全不同的一篇文章，讲的是乡村学校的孩子们怎样学习画画。" * 3, quality=0.8, order=(1, 1))
    assert run2.clusters() == {"new-copy": "old"}                # re-cleaned "other" is not its own duplicate


def test_save_load_roundtrip_and_merge(tmp_path):
    shard_a, shard_b = Deduper(), Deduper()
    shard_a.add("a1", BODY, quality=0.4, order=(0, 0))
    shard_a.add("a2", "这是一篇短文。" * 8, quality=0.4, order=(0, 1))
    shard_b.add("b1", BODY + "（完）", quality=0.7, order=(1, 0))
    shard_b.add("b2", "", quality=0.0, order=(1, 1))              # no shingles: exact hash only
    shard_a.save(tmp_path / "a.npz")
    shard_b.save(tmp_path / "b.npz")
    run = Deduper()
    for p in ("a.npz", "b.npz"):
        run.merge(Deduper.load(tmp_path / p))
    assert run.clusters() == {"a1": "b1"}
    assert Deduper.load(tmp_path / "a.npz").order == [(0, 0), (0, 1)]
    with pytest.raises(ValueError):
        Deduper(DedupParams(threshold=0.9)).merge(Deduper.load(tmp_path / "a.npz"))


def test_same_id_twice_in_one_run_is_an_error():
    d = Deduper()
    d.add("x", BODY)
    with pytest.raises(ValueError):
        d.add("x", BODY)


def test_fingerprint_is_picklable_and_deterministic():
    fp = fingerprint(BODY)
    back = pickle.loads(pickle.dumps(fp))
    assert back.exact == fp.exact and np.array_equal(back.minhash, fp.minhash)
    assert np.array_equal(fingerprint(BODY).minhash, fp.minhash)
    assert fingerprint("").minhash is None


def test_params_validation():
    with pytest.raises(ValueError):
        DedupParams(num_perm=100)
    with pytest.raises(ValueError):
        DedupParams(bands=40, rows=4)


def _true_jaccard(a: str, b: str) -> float:
    sa = set(_shingles(*normalized_codepoints(a), DEFAULT).tolist())
    sb = set(_shingles(*normalized_codepoints(b), DEFAULT).tolist())
    return len(sa & sb) / len(sa | sb)


@pytest.mark.parametrize("cut", [0, 20, 60, 120, 200])
def test_jaccard_estimate_tracks_the_truth(cut):
    a = BODY
    b = BODY[cut:] + "后来又补充了一些新的内容，讲到了公园和学校。"
    est = jaccard_estimate(fingerprint(a).minhash, fingerprint(b).minhash)
    assert abs(est - _true_jaccard(a, b)) <= 0.12


def test_word_shingles_for_latin_text():
    a = "The quick brown fox jumps over the lazy dog near the river bank every single morning."
    assert _true_jaccard(a, a.replace("quick", "slow")) < 1.0
    assert _true_jaccard(a, a.upper()) == 1.0


def test_generated_set_precision_and_recall():
    """bench/bench_dedup.py's set: no false merges (shared boilerplate included), exact copies all found."""
    spec = importlib.util.spec_from_file_location("bench_dedup", ROOT / "bench" / "bench_dedup.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    docs = mod.build_set()
    d = Deduper()
    for i, doc in enumerate(docs):
        d.add(doc["id"], doc["text"], quality=0.5, order=i)
    rep = mod.pair_scores(docs, d.groups())
    assert rep["false_merges"] == []
    assert rep["recall_exact_copies"] == 1.0
    assert rep["recall"] >= 0.75

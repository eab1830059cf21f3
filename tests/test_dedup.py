"""Deduplication (cleaners/dedup.py): run-wide clusters and repeated paragraphs; cases in tests/cases/dedup.json."""

from __future__ import annotations

import importlib.util
import itertools
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
    fingerprints,
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


def test_fingerprints_of_a_batch_are_each_texts_own():
    """Texts fingerprinted together (as a shard does) get what each gets alone: no shingle
    or word spans two texts, whatever their lengths and scripts (short, empty, mixed)."""
    texts = ["", BODY, "。", "one two", "abc", BODY[:3], "The quick brown fox jumps over the lazy dog.",
             "一二三四五", "x" + BODY, "ＡＢc，d 你好", BODY + " end", "word"]
    for batch in (texts, texts[::-1]):
        for text, fp in zip(batch, fingerprints(batch), strict=True):
            alone = fingerprint(text)
            assert (fp.exact, fp.n_shingles) == (alone.exact, alone.n_shingles)
            assert (fp.minhash is None) == (alone.minhash is None)
            assert fp.minhash is None or np.array_equal(fp.minhash, alone.minhash)


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


# --------------------------------------------------------------------------- fast paths (same results as the plain ones)


def _reference_minhash(hashes: np.ndarray, params=DEFAULT):
    """minhash as first written: sort, then the first hash of each bin."""
    from cleaners.dedup import _donors, _seed_mask

    if len(hashes) == 0:
        return None
    k = params.num_perm
    b = k.bit_length() - 1
    h = np.sort(hashes ^ _seed_mask(params.seed))
    bins = (h >> np.uint64(64 - b)).astype(np.int64)
    first = np.ones(len(h), dtype=bool)
    first[1:] = bins[1:] != bins[:-1]
    sig = np.zeros(k, dtype=np.uint32)
    filled = np.zeros(k, dtype=bool)
    sig[bins[first]] = ((h[first] << np.uint64(b)) >> np.uint64(32)).astype(np.uint32)
    filled[bins[first]] = True
    if not filled.all():
        empty = np.flatnonzero(~filled)
        cand = _donors(k, params.seed)[empty]
        sig[empty] = sig[cand[np.arange(len(empty)), filled[cand].argmax(axis=1)]]
    return sig


@pytest.mark.parametrize("n", [1, 2, 7, 100, 3000])
def test_minhash_without_sort_is_the_same(n):
    from cleaners.dedup import _splitmix, minhash

    rng = np.random.default_rng(n)
    for hashes in (_splitmix(rng.integers(0, 2**63, n, dtype=np.uint64)),
                   np.repeat(np.uint64(2**64 - 1), n), np.arange(n, dtype=np.uint64) << np.uint64(57)):
        for params in (DEFAULT, DedupParams(num_perm=8, bands=2, rows=4)):
            assert np.array_equal(minhash(hashes, params), _reference_minhash(hashes, params))


def _reference_repeated(text: str, min_chars: int) -> list:
    """repeated_paragraphs as first written (pool of tuples, numpy scalars)."""
    from cleaners.dedup import (
        _BOTTOM,
        _NEAR,
        _NEAR_JACCARD,
        _P_CHAR,
        _PARA_GRAM,
        _blocks,
        _splitmix,
        normalized_codepoints,
    )

    blocks = _blocks(text)
    if len(blocks) < 2:
        return []
    cps, keep = normalized_codepoints(text)
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    lengths = [int(kept_before[e] - kept_before[s]) for s, e in blocks]
    ranked = sorted((n, b) for b, n in enumerate(lengths) if n >= min_chars)
    maybe = set()
    for (n1, b1), (n2, b2) in itertools.pairwise(ranked):
        if n1 >= _NEAR * n2:
            maybe.update((b1, b2))
    if not maybe:
        return []
    seq = cps[np.flatnonzero(keep)].astype(np.uint64)
    n3 = len(seq) - _PARA_GRAM + 1
    grams = np.zeros(0, dtype=np.uint64)
    if n3 > 0:
        grams = seq[:n3].copy()
        for k in range(1, _PARA_GRAM):
            grams *= _P_CHAR
            grams += seq[k:k + n3]
        grams = _splitmix(grams)
    exact, pool, out = {}, [], []
    for b in sorted(maybe):
        s, e = blocks[b]
        a0, a1 = int(kept_before[s]), int(kept_before[e])
        raw = seq[a0:a1].astype("<u4").tobytes()
        if raw in exact:
            out.append((s, e, exact[raw]))
            continue
        exact[raw] = b
        g = np.sort(grams[a0:max(a0, a1 - _PARA_GRAM + 1)])
        bottom = set(g[:_BOTTOM].tolist())
        n = a1 - a0
        hit = None
        for ob, on, og, obottom in pool:
            if on < n * _NEAR or on > n / _NEAR or len(bottom & obottom) < _BOTTOM // 4:
                continue
            u, ou = np.unique(g), np.unique(og)
            inter = len(np.intersect1d(u, ou, assume_unique=True))
            if inter >= _NEAR_JACCARD * (len(u) + len(ou) - inter):
                hit = ob
                break
        if hit is None:
            pool.append((b, n, g, bottom))
        else:
            out.append((s, e, hit))
        pool = pool[:300]
    return out


def test_repeated_paragraphs_is_the_same_as_before():
    import random

    from cleaners.dedup import repeated_paragraphs

    rng = random.Random(4)
    words = list("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会，。")
    paras = ["".join(rng.choice(words) for _ in range(rng.randint(5, 120))) for _ in range(40)]

    def mutate(p: str) -> str:
        chars = list(p)
        for _ in range(rng.randint(0, max(1, len(chars) // 10))):
            i = rng.randrange(len(chars))
            chars[i:i + 1] = rng.choice([[], [rng.choice(words)], [chars[i], rng.choice(words)]])
        return "".join(chars)

    texts = [c["input"] for c in load_cases("dedup") if c["kind"] == "paragraphs"]
    for _ in range(300):
        doc: list[str] = []
        for _ in range(rng.randint(2, 14)):
            r = rng.random()
            doc.append(rng.choice(paras) if r < 0.5 or not doc else mutate(rng.choice(doc)) if r < 0.8
                       else rng.choice(doc))
        texts.append(("\n\n" if rng.random() < 0.6 else "\n").join(doc))
    texts.append("\n\n".join(rng.choice(paras) + str(i % 37) for i in range(400)))   # a full comparison pool
    # a pool filled mostly by paragraphs like no other (which _alone keeps out of the comparisons):
    # the copy of the 321st paragraph comes after the pool is full and is found only when exact
    unique = ["".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(rng.randint(60, 90))) for _ in range(350)]
    texts.append("\n\n".join(unique + [mutate(unique[0]), mutate(unique[320]), unique[330]]))
    found = 0
    for text in texts:
        for min_chars in (1, 5, 20, 50):
            want = _reference_repeated(text, min_chars)
            assert repeated_paragraphs(text, min_chars) == want
            found += bool(want)
    assert found > 100


def test_alone_counts_grams_with_one_hash_as_one():
    """Two different 3-grams can have the same 64-bit gram hash (their code points differ by
    (1, -870, 189225), which the polynomial sends to 0 modulo 2**64); the near-copy check counts
    them as one gram, so _alone must too: a span whose only gram is such a twin is not alone."""
    from cleaners.dedup import _P_CHAR, _alone, _splitmix

    a = [0x4E00, 0x4E8C, 0x61]
    b = [a[0] + 1, a[1] - 870, a[2] + 189225]
    seq = np.array(a + b, dtype=np.uint64)
    grams = _splitmix((seq[:-2] * _P_CHAR + seq[1:-1]) * _P_CHAR + seq[2:])
    assert grams[0] == grams[3]
    assert _alone(np.array(a + b, dtype=np.uint32), [(0, 3), (3, 6)]) == [False, False]


def test_repeated_line_norm_is_the_regex_one():
    # cleaners.repeated._norm joins str.split() instead of a re.sub: the same whitespace, the same result
    import re

    from cleaners.repeated import _norm

    spaces = re.compile(r"\s+")
    chars = [chr(c) for c in range(0x110000) if chr(c).isspace()] + ["\u200b", "\ufeff", "a", "中", "\r\n"]
    for ch in chars:
        for line in (ch, "a" + ch + "b", ch + ch + "x" + ch, " " + ch + " 中 " + ch):
            assert _norm(line) == spaces.sub(" ", line.strip()), repr(line)

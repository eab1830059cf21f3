"""Deduplication: exact and near-duplicate documents run-wide, repeated paragraphs in one document.

Documents (run-wide, called by the flow's ``finalize``)
--------------------------------------------------------
Each kept document gets a :class:`Fingerprint` (computable per shard, in
parallel, picklable; :func:`fingerprints` computes a batch of them at once,
the same values, at a lower cost per document):

* ``exact``: 64 bits of BLAKE2b over the normalized text: NFKC (only when the
  text is not already NFKC), ASCII and full-width letters folded to lower-case
  ASCII, every space, punctuation mark and symbol removed.  Two texts that
  differ only in spacing, punctuation width or case are exact duplicates.
* ``minhash``: a MinHash signature of ``num_perm`` 32-bit values over the
  shingles of the normalized text: character 5-grams when CJK characters make
  up at least 30% of the letters, else word 3-grams.  Shingles are hashed with
  a polynomial rolling hash and the splitmix64 finalizer, all in numpy; the
  signature is *one-permutation hashing* (each hash falls in one of
  ``num_perm`` bins by its top bits and each bin keeps its minimum) with
  optimal densification (an empty bin copies the value of the first non-empty
  bin in its own seeded random order of bins).  This costs one hash per
  shingle instead of ``num_perm`` (datasketch's per-shingle ``update`` costs
  about 4 ms per 3,000-shingle document at 128 permutations).

:class:`Deduper` collects fingerprints with a quality score and an order key
and finds clusters: exact duplicates, and near duplicates found by LSH banding
(``bands`` x ``rows`` <= ``num_perm``; any equal band makes a candidate pair)
and confirmed by the signature's Jaccard estimate (``threshold``).  Clusters
are the connected components of confirmed pairs.  **Kept rule**: in each
cluster the document with the highest quality score is kept, ties go to the
smallest order key, then the smallest id; documents loaded from an earlier
run's state (``prior=True``) always win, because they were already written.
:meth:`Deduper.save` / :meth:`Deduper.load` persist fingerprints in one
``.npz`` file (no pickle), for shard files and for the cross-run state.

Paragraphs (step ``dedup``)
---------------------------
:func:`remove_repeated_paragraphs` removes the later copies of a paragraph
(blocks between blank lines, or lines when the text has no blank line) of at
least ``quality.paragraph_min_chars`` non-space characters that repeats an
earlier one exactly after normalization, or nearly (normalized lengths within
20%, then a character 3-gram Jaccard of at least 0.7, checked first on a
bottom-16 sketch; 3-gram hashes are computed once per text with numpy).
Before any sketch, one sort of all candidate blocks' 3-grams sets aside the
blocks with too many grams of their own to be anyone's copy or have one: in
most documents, all of them.
Each removal is one edit, rule ``dedup:paragraph``; the share
of characters removed goes to ``ctx.signals["para_dup_removed_share"]``, which
the quality step counts as repetition.

>>> d = Deduper()
>>> a = "今天天气很好，我们一起去公园散步，看到很多人在跳舞。"
>>> d.add("a", a, quality=0.9, order=1)
>>> d.add("b", a.replace("，", ","), quality=0.5, order=2)    # exact after normalization
>>> d.add("c", "完全不同的另一篇文章，讲的是城市交通和地铁建设的问题。", quality=0.8, order=3)
>>> d.clusters()
{'b': 'a'}
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cleaners.document import Edit
from cleaners.quality import HAN, HAN_STOP, HANGUL, KANA, KANA_PART, LATIN, LATIN1, LETTER, OTHER, PUNCT, \
    SPACE, SYMBOL, _N_CLASSES, _class_table

if TYPE_CHECKING:
    from cleaners.context import Context

#: Signals the ``dedup`` step writes.
SIGNALS: tuple[str, ...] = ("para_dup_removed_share",)

_M64 = (1 << 64) - 1
_P_CHAR = np.uint64(0x100000001B3)
_P_WORD = np.uint64(0x9E3779B97F4A7C15)
_MAX_WORD = 64
_P_CHAR32 = np.uint32(int(_P_CHAR) & 0xFFFFFFFF)   # _P_CHAR modulo 2**32


@dataclass(frozen=True, slots=True)
class DedupParams:
    """Dedup settings; documents are only comparable under the same params.

    ``num_perm`` must be a power of two and ``bands * rows <= num_perm``.
    The LSH S-curve's midpoint is about ``(1 / bands) ** (1 / rows)``: 0.61
    for 20 x 6, so a pair at Jaccard 0.7 becomes a candidate with probability
    0.92 and at 0.75 with 0.98 (:func:`lsh_probability`); candidates are
    confirmed at ``threshold`` by the estimate over all ``num_perm`` values.
    0.7 keeps different articles that share a long boilerplate block apart
    (they reach 0.61 in ``bench/bench_dedup.py``).
    """

    num_perm: int = 128
    bands: int = 20
    rows: int = 6
    threshold: float = 0.7
    char_ngram: int = 5
    word_ngram: int = 3
    cjk_share: float = 0.3
    seed: int = 20240611

    def __post_init__(self) -> None:
        if self.num_perm & (self.num_perm - 1) or self.num_perm < 8:
            raise ValueError("num_perm must be a power of two >= 8")
        if self.bands * self.rows > self.num_perm:
            raise ValueError("bands * rows must not exceed num_perm")

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


DEFAULT = DedupParams()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What dedup needs of one document: exact hash, MinHash signature (or
    ``None`` when the text has no shingle), number of shingles."""

    exact: int
    minhash: np.ndarray | None
    n_shingles: int


# ---------------------------------------------------------------------------
# Normalization and shingles (numpy, no per-character Python)

_SM = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB),
       np.uint64(30), np.uint64(27), np.uint64(31))


def _splitmix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer, element-wise (a new array)."""
    c1, c2, c3, s30, s27, s31 = _SM
    z = x + c1
    z ^= z >> s30
    z *= c2
    z ^= z >> s27
    z *= c3
    z ^= z >> s31
    return z


@cache
def _powers(p: int, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    v = 1
    for i in range(n):
        out[i] = v
        v = (v * p) & _M64
    return out


@cache
def _fold_table() -> np.ndarray:
    """Code point -> folded code point: the NFKC form of each BMP character
    when it is a single character, lower-cased (full-width ASCII becomes ASCII,
    compatibility ideographs and half-width kana their standard forms).
    Built once per process (about 0.1 s); characters whose NFKC form is
    several characters (ligatures, ①, ㍻) stay as they are."""
    tab = np.arange(0x110000, dtype=np.uint32)
    for cp in range(0xA0, 0x10000):
        if 0xD800 <= cp < 0xE000 or 0x4E00 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7A3:
            continue   # surrogates; unified Han and hangul syllables are already normal
        n = unicodedata.normalize("NFKC", chr(cp))
        if len(n) == 1:
            low = n.lower()
            tab[cp] = ord(low) if len(low) == 1 else ord(n)
    tab[65:91] += 32
    return tab


@cache
def _keep_table() -> np.ndarray:
    """Code point -> kept for comparison (not space, punctuation, symbol or control)."""
    cls = _class_table()
    return (cls != SPACE) & (cls != PUNCT) & (cls != SYMBOL) & (cls != OTHER)


def normalized_codepoints(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(code points, kept mask) of the folded text (see :func:`_fold_table`).

    >>> cps, keep = normalized_codepoints("ＡＢc，d")
    >>> "".join(map(chr, cps[keep]))
    'abcd'
    """
    cps = _fold_table().take(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))
    return cps, _keep_table().take(cps)


def normalize_for_hash(text: str) -> str:
    """The text exact duplicates are compared on (see the module docstring).

    >>> normalize_for_hash("Hello, World！ 你好。")
    'helloworld你好'
    """
    cps, keep = normalized_codepoints(text)
    return cps[keep].astype("<u4").tobytes().decode("utf-32-le")


def _shingles(cps: np.ndarray, keep: np.ndarray, params: DedupParams) -> np.ndarray:
    """64-bit hashes of the shingles of one text (not deduplicated)."""
    return _batch_shingles(keep, cps[keep], np.array([0, np.count_nonzero(keep)]), params)[0]


def _batch_shingles(keep: np.ndarray, kept: np.ndarray, kept_bounds: np.ndarray,
                    params: DedupParams) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of several texts at once, and the text each belongs to.

    ``keep`` is the kept mask of :func:`normalized_codepoints` of the texts
    joined, ``kept`` the kept code points, text ``i`` holding
    ``kept[kept_bounds[i]:kept_bounds[i + 1]]``.  Per text: character n-grams
    when CJK makes up ``cjk_share`` of its letters, else word n-grams; no
    n-gram or word spans two texts, so each text gets the shingles it gets
    alone (in another order, which MinHash ignores).
    """
    n_docs = len(kept_bounds) - 1
    kept_doc = np.repeat(np.arange(n_docs), np.diff(kept_bounds))
    counts = np.bincount(kept_doc * _N_CLASSES + _class_table().take(kept),
                         minlength=n_docs * _N_CLASSES).reshape(n_docs, _N_CLASSES)
    cjk = counts[:, _CJK_CLASSES].sum(axis=1)
    letters = cjk + counts[:, _OTHER_LETTER_CLASSES].sum(axis=1)
    by_char = (letters > 0) & (cjk >= params.cjk_share * letters)
    if by_char.all():
        return _char_shingles(kept, kept_doc, params)
    if not by_char.any():
        return _word_shingles(np.flatnonzero(keep), kept, kept_doc, params)
    char = by_char[kept_doc]
    hashes, docs = zip(_char_shingles(kept[char], kept_doc[char], params),
                       _word_shingles(np.flatnonzero(keep)[~char], kept[~char], kept_doc[~char], params),
                       strict=True)
    return np.concatenate(hashes), np.concatenate(docs)


_CJK_CLASSES = np.array([HAN, HAN_STOP, KANA, KANA_PART, HANGUL])
_OTHER_LETTER_CLASSES = np.array([LATIN, LATIN1, LETTER])


def _char_shingles(kept: np.ndarray, doc: np.ndarray, params: DedupParams) -> tuple[np.ndarray, np.ndarray]:
    """Character n-grams of kept code points (``doc``: the text of each)."""
    h, h_doc = _ngrams(kept.astype(np.uint64), doc, params.char_ngram, _P_CHAR, 0)
    return _splitmix(h), h_doc


def _word_shingles(idx: np.ndarray, kept: np.ndarray, doc: np.ndarray,
                   params: DedupParams) -> tuple[np.ndarray, np.ndarray]:
    """Word n-grams of kept code points at positions ``idx`` of the joined
    texts (``doc``: the text of each); a word is a maximal run of kept
    characters inside one text."""
    if len(idx) == 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.intp)
    starts_mask = np.ones(len(idx), dtype=bool)
    starts_mask[1:] = (idx[1:] != idx[:-1] + 1) | (doc[1:] != doc[:-1])
    starts = np.flatnonzero(starts_mask)
    word_of = np.cumsum(starts_mask) - 1
    pos = np.arange(len(idx)) - starts[word_of]
    pw = _powers(int(_P_CHAR), _MAX_WORD)[np.minimum(pos, _MAX_WORD - 1)]
    words = _splitmix(np.add.reduceat(kept.astype(np.uint64) * pw, starts))
    h, h_doc = _ngrams(words, doc[starts], params.word_ngram, _P_WORD, 0x5BD1E995)
    return _splitmix(h), h_doc


def _ngrams(seq: np.ndarray, doc: np.ndarray, n: int, p: np.uint64, salt: int) -> tuple[np.ndarray, np.ndarray]:
    """Polynomial hashes (base ``p``, xor ``salt + n``; splitmix64 is the
    caller's) of every ``n`` consecutive values of ``seq`` within one text
    (``doc``: the text of each value, non-decreasing), and their texts.  A
    text of fewer than ``n`` values gets one n-gram of all of them (``n`` its
    length)."""
    hashes, docs = [], []
    m = len(seq) - n + 1
    if m > 0:
        h = seq[:m].copy()
        for k in range(1, n):
            h *= p
            h += seq[k:k + m]
        h ^= np.uint64(salt + n)
        h_doc = doc[:m]
        if doc[0] != doc[-1]:   # several texts: keep the n-grams whose first and last value are in one
            inside = h_doc == doc[n - 1:]
            h, h_doc = h[inside], h_doc[inside]
        hashes.append(h)
        docs.append(h_doc)
    if len(doc) and (m <= 0 or doc[0] != doc[-1]):
        sizes = np.bincount(doc)
        for d in np.flatnonzero((sizes > 0) & (sizes < n)).tolist():   # short texts
            lo = int(np.searchsorted(doc, d))
            hashes.append(_ngrams(seq[lo:lo + sizes[d]], doc[lo:lo + sizes[d]], int(sizes[d]), p, salt)[0])
            docs.append(doc[lo:lo + 1])
    if len(hashes) == 1:   # one piece: no copy
        return hashes[0], docs[0]
    if not hashes:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.intp)
    return np.concatenate(hashes), np.concatenate(docs)


@cache
def _seed_mask(seed: int) -> np.uint64:
    return np.uint64(int(_splitmix(np.array([seed], dtype=np.uint64))[0]))


@cache
def _donors(num_perm: int, seed: int) -> np.ndarray:
    """Per bin, a seeded random order of all bins (optimal densification)."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(num_perm) for _ in range(num_perm)]).astype(np.int64)


_EMPTY_BIN = np.uint64(2**64 - 1)  # a bin's start value: no hash it keeps ends in all ones
_DENSIFY_ROWS = 2048  # empty bins filled at a time: their donor rows take num_perm x 8 bytes each


def minhash(hashes: np.ndarray, params: DedupParams = DEFAULT) -> np.ndarray | None:
    """One-permutation MinHash with optimal densification (``uint32[num_perm]``).

    >>> h = _splitmix(np.arange(1000, dtype=np.uint64))
    >>> sig = minhash(h)
    >>> sig.shape, sig.dtype, bool((minhash(h[:900]) == sig).mean() > 0.8)
    ((128,), dtype('uint32'), True)
    """
    if len(hashes) == 0:
        return None
    return _signatures(hashes, np.zeros(len(hashes), dtype=np.intp), 1, params)[0]


def _signatures(hashes: np.ndarray, doc: np.ndarray, n_docs: int, params: DedupParams) -> np.ndarray:
    """:func:`minhash` of each of ``n_docs`` texts, given all their shingle
    hashes and the text of each (``uint32[n_docs, num_perm]``; the row of a
    text without shingles is meaningless)."""
    k = params.num_perm
    b = k.bit_length() - 1
    h = hashes ^ _seed_mask(params.seed)
    slot = (h >> np.uint64(64 - b)).astype(np.intp)
    if n_docs > 1:
        slot += doc * k
    # Per bin, the minimum of the bits below the bin number (shifted to the top: the
    # minimum hash of the bin); no sort needed.  Those values end in b zero bits, so
    # the all-ones start value marks an empty bin.
    h <<= np.uint64(b)
    mins = np.full(n_docs * k, _EMPTY_BIN, dtype=np.uint64)
    np.minimum.at(mins, slot, h)
    filled = (mins != _EMPTY_BIN).reshape(n_docs, k)
    sig = (mins >> np.uint64(32)).astype(np.uint32).reshape(n_docs, k)
    rows, empty = np.nonzero(~filled & filled.any(axis=1)[:, None])
    donors = _donors(k, params.seed)
    for lo in range(0, len(rows), _DENSIFY_ROWS):
        r, e = rows[lo:lo + _DENSIFY_ROWS], empty[lo:lo + _DENSIFY_ROWS]
        cand = donors[e]
        j = filled[r[:, None], cand].argmax(axis=1)
        sig[r, e] = sig[r, cand[np.arange(len(r)), j]]
    return sig


def fingerprint(text: str, params: DedupParams = DEFAULT) -> Fingerprint:
    """Exact hash and MinHash signature of one text (pure; run it per shard).

    >>> fp = fingerprint("今天天气很好。")
    >>> fp.exact == fingerprint("今天 天气很好！").exact, fp.minhash.shape, fp.n_shingles
    (True, (128,), 2)
    """
    return fingerprints([text], params)[0]


def fingerprints(texts: list[str], params: DedupParams = DEFAULT) -> list[Fingerprint]:
    """:func:`fingerprint` of each text, computed together: each numpy step
    runs once over all the texts' characters instead of once per text (some
    forty calls, most of the cost of a text of a few thousand characters).
    Memory follows the texts' total length: pass batches.

    >>> [fp.n_shingles for fp in fingerprints(["今天天气很好。", "", "good day to you"])]
    [2, 0, 2]
    """
    cps, keep = normalized_codepoints("".join(texts))
    kept = cps[keep]
    kept_bounds = np.zeros(len(texts) + 1, dtype=np.intp)
    if len(texts) > 1:   # kept characters up to each text's end
        ends = np.cumsum([len(t) for t in texts[:-1]])
        kept_bounds[1:-1] = np.where(ends > 0, np.cumsum(keep, dtype=np.intp)[ends - 1], 0)
    kept_bounds[-1] = len(kept)
    hashes, doc = _batch_shingles(keep, kept, kept_bounds, params)
    sigs = _signatures(hashes, doc, len(texts), params)
    n_shingles = np.bincount(doc, minlength=len(texts)).tolist()
    raw = memoryview(kept.astype("<u4", copy=False).tobytes())
    ends = (4 * kept_bounds).tolist()
    return [Fingerprint(int.from_bytes(hashlib.blake2b(raw[ends[i]:ends[i + 1]], digest_size=8).digest(), "little"),
                        sigs[i] if n_shingles[i] else None, n_shingles[i])
            for i in range(len(texts))]


def jaccard_estimate(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal signature positions.

    >>> jaccard_estimate(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 4]))
    0.75
    """
    return float((a == b).mean())


# ---------------------------------------------------------------------------
# Run-wide clusters

def _order_key(order: Any) -> Any:
    if isinstance(order, list):
        return tuple(_order_key(x) for x in order)
    return order


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class Deduper:
    """Collect fingerprints, then find duplicate clusters (see the module docstring).

    >>> d = Deduper()
    >>> body = "。".join(f"第{i}段讲的是城市里第{i}条街道的变化和居民的生活" for i in range(12))
    >>> d.add("x", body, quality=0.6, order=(0, 1))
    >>> d.add("y", body + "。记者张三报道", quality=0.9, order=(0, 2))
    >>> d.clusters()
    {'x': 'y'}
    """

    def __init__(self, params: DedupParams = DEFAULT) -> None:
        self.params = params
        self.ids: list[str] = []
        self.exact: list[int] = []
        self.sigs: list[np.ndarray | None] = []
        self.quality: list[float] = []
        self.order: list[Any] = []
        self.prior: list[bool] = []
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc_id: str, text: str | None = None, *, quality: float = 0.0, order: Any = None,
            fp: Fingerprint | None = None) -> None:
        """Add a document by text or by a precomputed fingerprint.

        An id already present from a prior run replaces that entry (the same
        input cleaned again is not its own duplicate); an id added twice in
        one run raises ``ValueError``.
        """
        if fp is None:
            if text is None:
                raise ValueError("add() needs a text or a fingerprint")
            fp = fingerprint(text, self.params)
        i = self._index.get(doc_id)
        if i is not None:
            if not self.prior[i]:
                raise ValueError(f"document {doc_id!r} added twice")
            self.exact[i], self.sigs[i], self.quality[i] = fp.exact, fp.minhash, float(quality)
            self.order[i], self.prior[i] = _order_key(order), False
            return
        self._index[doc_id] = len(self.ids)
        self.ids.append(doc_id)
        self.exact.append(fp.exact)
        self.sigs.append(fp.minhash)
        self.quality.append(float(quality))
        self.order.append(_order_key(order))
        self.prior.append(False)

    def merge(self, other: Deduper) -> None:
        """Add every document of ``other`` (e.g. a shard's saved fingerprints)."""
        if other.params != self.params:
            raise ValueError("cannot merge fingerprints made with different DedupParams")
        for i, doc_id in enumerate(other.ids):
            fp = Fingerprint(other.exact[i], other.sigs[i], 0)
            if other.prior[i] and doc_id not in self._index:
                self.add(doc_id, fp=fp, quality=other.quality[i], order=other.order[i])
                self.prior[self._index[doc_id]] = True
            elif not other.prior[i]:
                self.add(doc_id, fp=fp, quality=other.quality[i], order=other.order[i])

    # -- finding pairs -------------------------------------------------
    def _candidate_pairs(self) -> Iterator[tuple[int, int]]:
        p = self.params
        rows_with = [i for i, s in enumerate(self.sigs) if s is not None]
        if len(rows_with) < 2:
            return
        sig = np.stack([self.sigs[i] for i in rows_with])          # uint32, n x num_perm
        ids = np.asarray(rows_with)
        mult = _powers(int(_P_WORD), p.rows)
        for band in range(p.bands):
            block = sig[:, band * p.rows:(band + 1) * p.rows].astype(np.uint64)
            keys = _splitmix((block * mult).sum(axis=1, dtype=np.uint64) ^ np.uint64(band))
            order = np.argsort(keys, kind="stable")
            ks = keys[order]
            same = ks[1:] == ks[:-1]
            if not same.any():
                continue
            # buckets of two or more: runs of True in `same`
            edge = np.diff(same.astype(np.int8), prepend=0, append=0)
            for lo, hi in zip(np.flatnonzero(edge == 1), np.flatnonzero(edge == -1), strict=True):
                members = ids[order[lo:hi + 1]]
                if len(members) <= 24:
                    for x in range(len(members)):
                        for y in range(x + 1, len(members)):
                            yield int(members[x]), int(members[y])
                else:  # a big bucket (templated pages): neighbours and a star are enough to connect
                    for x in range(1, len(members)):
                        yield int(members[x - 1]), int(members[x])
                        yield int(members[0]), int(members[x])

    def pairs(self) -> list[tuple[int, int, float]]:
        """Confirmed near-duplicate pairs ``(i, j, jaccard_estimate)`` (indices into ``ids``)."""
        seen: set[tuple[int, int]] = set()
        out: list[tuple[int, int, float]] = []
        for a, b in self._candidate_pairs():
            key = (a, b) if a < b else (b, a)
            if key in seen:
                continue
            seen.add(key)
            est = jaccard_estimate(self.sigs[a], self.sigs[b])  # type: ignore[arg-type]
            if est >= self.params.threshold:
                out.append((key[0], key[1], est))
        return out

    def groups(self) -> list[list[int]]:
        """Clusters of two or more documents (indices), exact and near duplicates."""
        uf = _UnionFind(len(self.ids))
        first: dict[int, int] = {}
        for i, h in enumerate(self.exact):
            j = first.setdefault(h, i)
            if j != i:
                uf.union(i, j)
        for a, b, _ in self.pairs():
            uf.union(a, b)
        comps: dict[int, list[int]] = {}
        for i in range(len(self.ids)):
            comps.setdefault(uf.find(i), []).append(i)
        return [c for c in comps.values() if len(c) > 1]

    def _rank(self, i: int) -> tuple:
        o = self.order[i]
        return (not self.prior[i], -self.quality[i], o is None, o if o is not None else 0, self.ids[i])

    def clusters(self, include_prior: bool = False) -> dict[str, str]:
        """``{dup_id: kept_id}`` for every duplicate; prior-run documents are
        not listed unless ``include_prior`` (they were written already)."""
        out: dict[str, str] = {}
        for comp in self.groups():
            keep = min(comp, key=self._rank)
            for i in comp:
                if i != keep and (include_prior or not self.prior[i]):
                    out[self.ids[i]] = self.ids[keep]
        return out

    # -- persistence ------------------------------------------------------
    def save(self, path: str | Path, *, kept_only: bool = False) -> None:
        """Write the fingerprints to ``path`` (``.npz``, no pickle).

        ``kept_only`` drops the duplicates first: the state to carry to the
        next run holds the documents that were kept.
        """
        rows = list(range(len(self.ids)))
        if kept_only:
            dups = {self._index[d] for d in self.clusters(include_prior=True)}
            rows = [i for i in rows if i not in dups]
        k = self.params.num_perm
        sigs = np.zeros((len(rows), k), dtype=np.uint32)
        has = np.zeros(len(rows), dtype=bool)
        for r, i in enumerate(rows):
            if self.sigs[i] is not None:
                sigs[r] = self.sigs[i]
                has[r] = True
        p = Path(path)
        tmp = p.with_name(f".tmp-{p.name}")
        with tmp.open("wb") as f:
            np.savez(f,
                     params=np.array(json.dumps(self.params.as_dict())),
                     ids=np.array([self.ids[i] for i in rows], dtype=str),
                     exact=np.array([self.exact[i] for i in rows], dtype=np.uint64),
                     sigs=sigs, has_sig=has,
                     quality=np.array([self.quality[i] for i in rows], dtype=np.float64),
                     order=np.array([json.dumps(self.order[i]) for i in rows], dtype=str),
                     prior=np.array([self.prior[i] for i in rows], dtype=bool))
        tmp.replace(p)

    @classmethod
    def load(cls, path: str | Path, *, prior: bool = False) -> Deduper:
        """Read fingerprints written by :meth:`save`; ``prior=True`` marks them
        as documents of an earlier run (they win their clusters)."""
        with np.load(Path(path), allow_pickle=False) as z:
            params = DedupParams(**json.loads(str(z["params"])))
            d = cls(params)
            ids = [str(x) for x in z["ids"]]
            exact, sigs, has = z["exact"], z["sigs"], z["has_sig"]
            quality, order, was_prior = z["quality"], z["order"], z["prior"]
            for i, doc_id in enumerate(ids):
                d._index[doc_id] = i
                d.ids.append(doc_id)
                d.exact.append(int(exact[i]))
                d.sigs.append(sigs[i].copy() if has[i] else None)
                d.quality.append(float(quality[i]))
                d.order.append(_order_key(json.loads(str(order[i]))))
                d.prior.append(bool(prior or was_prior[i]))
        return d


# ---------------------------------------------------------------------------
# Repeated paragraphs inside one document (pipeline step ``dedup``)

_BLANK = re.compile(r"\n[ \t\u3000]*\n")
_NEAR = 0.8          # normalized length ratio a near copy must reach first
_NEAR_JACCARD = 0.7  # then the Jaccard similarity of character 3-grams
_PARA_GRAM = 3       # short paragraphs: one changed character must not hide a copy
_BOTTOM = 16         # bottom-k sketch size for the cheap first comparison
_POOL = 300          # at most this many distinct paragraphs are compared for near copies


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: blocks between blank lines, else lines.

    A block is kept when it holds a non-space character (``not s.isspace()``,
    the same test as a non-empty ``s.strip()`` without making the stripped copy).
    """
    out: list[tuple[int, int]] = []
    pos = 0
    if _BLANK.search(text):
        for m in _BLANK.finditer(text):
            s = m.start()
            if s > pos and not text[pos:s].isspace():
                out.append((pos, s))
            pos = m.end()
        if len(text) > pos and not text[pos:].isspace():
            out.append((pos, len(text)))
    else:
        for line in text.split("\n"):
            end = pos + len(line)
            if line and not line.isspace():
                out.append((pos, end))
            pos = end + 1
    return out


def repeated_paragraphs(text: str, min_chars: int = 20) -> list[tuple[int, int, int]]:
    """``(start, end, first)``: later copies of a paragraph of at least
    ``min_chars`` normalized characters, with the index of the block repeated.

    >>> t = "第一段内容写在这里，有二十多个字呢。\\n\\n别的段落。\\n\\n第一段内容写在这里，有二十多个字呢！"
    >>> repeated_paragraphs(t, min_chars=10)
    [(27, 45, 0)]
    """
    blocks = _blocks(text)
    if len(blocks) < 2:
        return []
    cps, keep = normalized_codepoints(text)           # one pass over the whole text
    idx = np.flatnonzero(keep)
    # blocks in normalized offsets: the number of kept characters before each start and end
    ends = np.searchsorted(idx, [x for block in blocks for x in block]).tolist()
    spans = list(zip(ends[::2], ends[1::2], strict=True))
    # Only a block with another block of similar normalized length can repeat or be repeated.
    ranked = sorted((a1 - a0, b) for b, (a0, a1) in enumerate(spans) if a1 - a0 >= min_chars)
    maybe: set[int] = set()
    for (n1, b1), (n2, b2) in zip(ranked, ranked[1:]):
        if n1 >= _NEAR * n2:
            maybe.update((b1, b2))
    if not maybe:
        return []
    kept = cps[idx]
    # A block sharing too few grams with every other one is no copy and has none (see _alone):
    # most documents end here.
    order = sorted(maybe)
    alone = _alone(kept, [spans[b] for b in order])
    if all(alone):
        return []
    seq = kept.astype(np.uint64)
    n3 = len(seq) - _PARA_GRAM + 1
    grams = np.zeros(0, dtype=np.uint64)
    if n3 > 0:
        grams = seq[:n3].copy()
        for k in range(1, _PARA_GRAM):
            grams *= _P_CHAR
            grams += seq[k:k + n3]
        grams = _splitmix(grams)
    raw_all = kept.astype("<u4", copy=False).tobytes()   # the normalized text, 4 bytes a character
    exact: dict[bytes, int] = {}
    # The pool, as parallel lists in block order: block, normalized length, sketch (the smallest
    # grams), sorted grams, distinct grams (a set, made when first needed).  Python sets of the
    # grams' ints count an intersection several times faster than np.unique + np.intersect1d on
    # arrays this small, with the same counts.
    pool_block: list[int] = []
    pool_len: list[int] = []
    pool_bottom: list[set[int]] = []
    pool_grams: list[np.ndarray] = []
    pool_distinct: list[set[int] | None] = []
    pooled = 0    # blocks that joined the pool, the alone ones (kept out of the lists) included
    out: list[tuple[int, int, int]] = []
    quarter = _BOTTOM // 4
    for b, lone in zip(order, alone, strict=True):
        if lone:
            pooled += pooled < _POOL
            continue
        s, e = blocks[b]
        a0, a1 = spans[b]
        raw = raw_all[4 * a0:4 * a1]
        if raw in exact:
            out.append((s, e, exact[raw]))
            continue
        exact[raw] = b
        g = grams[a0:max(a0, a1 - _PARA_GRAM + 1)].copy()
        g.sort()   # (the method: np.sort's wrapper costs as much as sorting ~100 grams)
        bottom = set(g[:_BOTTOM].tolist())
        n = a1 - a0
        lo, hi = n * _NEAR, n / _NEAR
        hit = None
        u = None
        # near copies share most of their smallest hashes (about 13 of 16 at Jaccard 0.7);
        # the entries passing that check are tried in pool order, the first near copy wins
        near = [i for i, m in enumerate(pool_len) if lo <= m <= hi and len(bottom & pool_bottom[i]) >= quarter]
        for i in near:
            if u is None:
                u = set(g.tolist())
            ou = pool_distinct[i]
            if ou is None:
                ou = pool_distinct[i] = set(pool_grams[i].tolist())
            inter = len(u & ou)
            if inter >= _NEAR_JACCARD * (len(u) + len(ou) - inter):
                hit = pool_block[i]
                break
        if hit is not None:
            out.append((s, e, hit))
        elif pooled < _POOL:    # bound the work on pathological inputs: exact copies only from here
            pooled += 1
            pool_block.append(b)
            pool_len.append(n)
            pool_bottom.append(bottom)
            pool_grams.append(g)
            pool_distinct.append(u)
    return out


def _alone(kept: np.ndarray, spans: list[tuple[int, int]]) -> list[bool]:
    """Per span of the normalized text ``kept`` (``uint32`` code points),
    whether it can be no other span's near or exact copy: more than 30% of
    its 3-gram positions hold grams that no other span has.

    A near copy shares at least 70% of the distinct grams of each side
    (``inter >= 0.7 * |union|``); a span whose own distinct grams exceed 30%
    of its gram positions (at least its distinct grams) shares fewer with
    every other span, and has no exact copy either (that would have all its
    grams).  One sort of all the spans' grams finds them, where comparing
    sketches costs a few microseconds a block; in most documents every
    candidate block is alone.  The sort key is the grams' polynomial hash
    (which their splitmix64 mixing maps one to one) modulo 2**32, computed in
    32 bits, shifted up to make room for the span's number: grams that key
    merges only count as shared or as one own gram, so a span is never called
    alone wrongly, not even when two 3-grams have the same hash.

    >>> k = np.array([ord(c) for c in "甲乙丙丁戊己庚辛" "甲乙丙丁戊己庚午" "子丑寅卯辰巳午未"], dtype=np.uint32)
    >>> _alone(k, [(0, 8), (8, 16), (16, 24)])    # the second repeats the first but for one character
    [False, False, True]
    """
    lens = [max(0, a1 - a0 - _PARA_GRAM + 1) for a0, a1 in spans]
    n = len(spans)
    if not any(lens):
        return [False] * n
    m = len(kept) - _PARA_GRAM + 1
    h = kept[:m].copy()
    for k in range(1, _PARA_GRAM):
        h *= _P_CHAR32
        h += kept[k:k + m]
    bits = n.bit_length()
    low = (1 << bits) - 1
    keys = np.concatenate([h[a0:a0 + g] for (a0, _), g in zip(spans, lens, strict=True)])
    keys <<= np.uint32(bits)
    keys |= np.repeat(np.arange(n, dtype=np.uint32), lens)
    keys.sort()
    # runs of one gram: an own gram's run starts and ends in the same span
    edge = np.concatenate(([True], (keys[1:] ^ keys[:-1]) > low, [True]))
    span = keys & np.uint32(low)
    first, last = span[edge[:-1]], span[edge[1:]]
    own = np.bincount(first[first == last], minlength=n)
    return (10 * own > 3 * np.array(lens)).tolist()


def remove_repeated_paragraphs(text: str, ctx: Context) -> list[Edit]:
    """Pipeline step ``dedup``: remove later copies of repeated paragraphs.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.context import Context
    >>> from cleaners.document import Document, apply_edits
    >>> p = "这一段话被网页模板重复了好几次，内容完全一样，读者每翻一页都会在正文的前后再看到它一遍，非常影响阅读体验，也让语料里多出许多无用的重复。"
    >>> t = f"标题\\n\\n{p}\\n\\n正文在这里。\\n\\n{p}"
    >>> ctx = Context(Document.make("t", 0, t), CleanerConfig(), text_in=t)
    >>> apply_edits(t, remove_repeated_paragraphs(t, ctx)) == f"标题\\n\\n{p}\\n\\n正文在这里。"
    True
    """
    min_chars = ctx.config.quality.paragraph_min_chars
    ctx.signals["para_dup_removed_share"] = 0.0
    if min_chars is None or not text:
        return []
    reps = repeated_paragraphs(text, min_chars)
    if not reps:
        return []
    blocks = _blocks(text)
    index = {s: k for k, (s, _) in enumerate(blocks)}
    gone = {index[s]: first for s, _, first in reps}
    last_kept = max(k for k in range(len(blocks)) if k not in gone)
    edits: list[Edit] = []
    removed = 0
    for k in sorted(gone):
        s, e = blocks[k]
        if k < last_kept:
            cut_s, cut_e = s, blocks[k + 1][0]          # the block and the break after it
        else:
            cut_s, cut_e = blocks[k - 1][1], e          # after the last kept block: the break before it
        edits.append(Edit("dedup", "dedup:paragraph", cut_s, cut_e, text[cut_s:cut_e], "",
                          f"repeats paragraph {gone[k] + 1}"))
        removed += _nonspace(text[s:e])
    ctx.signals["para_dup_removed_share"] = round(removed / max(_nonspace(text), 1), 4)
    return edits


def _nonspace(s: str) -> int:
    return len(s) - sum(map(s.count, " \n\t\u3000"))


def lsh_probability(s: float, bands: int, rows: int) -> float:
    """Probability that two documents of Jaccard ``s`` share a band.

    >>> round(lsh_probability(0.7, 20, 6), 3), round(lsh_probability(0.3, 20, 6), 3)
    (0.918, 0.014)
    """
    return 1.0 - (1.0 - s ** rows) ** bands

"""The table cache: what it returns equals what the tables' derivations build,
a damaged file is rebuilt, a stale one is never read, and it can be turned off."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from cleaners import tablecache as tc


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(tc.CACHE_ENV, str(tmp_path))
    return tmp_path


def test_han_sets_from_the_cache_are_the_derived_ones(cache):
    from cleaners.script import HanSets, _derive_han_sets, han_sets

    keys = ("t2s", "s2t", "trad", "simp", "jp")
    fresh = HanSets(*(tc.array_to_chars(_derive_han_sets()[k]) for k in keys))
    han_sets.cache_clear()
    try:
        first = han_sets()                       # builds and writes
        assert len(list(cache.glob("han_sets-*.npz"))) == 1
        han_sets.cache_clear()
        second = han_sets()                      # reads
    finally:
        han_sets.cache_clear()
    assert first == second == fresh
    assert "發" in second.trad_only and "发" in second.simp_only


def test_langdetect_profiles_from_the_cache_are_langdetects(cache):
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    from cleaners.language import _cached_profiles

    ref = DetectorFactory()
    ref.load_profile(PROFILES_DIRECTORY)
    for _ in range(2):                           # built, then read back
        langs, probs = _cached_profiles(PROFILES_DIRECTORY)
        assert langs == ref.langlist
        assert list(probs.keys()) == list(ref.word_lang_prob_map.keys())
        assert all(probs[w] == v for w, v in ref.word_lang_prob_map.items())
    assert len(list(cache.glob("langdetect_profiles-*.npz"))) == 1


def test_protected_spellings_from_the_cache_are_the_converters(cache, monkeypatch):
    from cleaners import script

    terms = ("昇腾", "華為", "")
    script._protected.cache_clear()
    monkeypatch.setenv(tc.CACHE_ENV, "off")
    off = script._protected(terms)
    script._protected.cache_clear()
    monkeypatch.setenv(tc.CACHE_ENV, str(cache))
    try:
        built = script._protected(terms)
        script._protected.cache_clear()
        read = script._protected(terms)
    finally:
        script._protected.cache_clear()
    assert off[1] == built[1] == read[1]
    assert list(off[1]) == list(read[1])         # same order: the regex alternation depends on it
    assert off[0].pattern == read[0].pattern
    assert "华为" in read[1] and read[1]["华为"] == "華為"


def test_t2s_flags_from_the_cache_are_the_derived_ones(cache):
    from cleaners.boilerplate import _derive_t2s_flags, _t2s_flags

    fresh = _derive_t2s_flags()
    _t2s_flags.cache_clear()
    try:
        first = _t2s_flags()                     # builds and writes
        _t2s_flags.cache_clear()
        second = _t2s_flags()                    # reads
    finally:
        _t2s_flags.cache_clear()
    assert len(list(cache.glob("t2s_flags-*.npz"))) == 1
    assert first.dtype == second.dtype == fresh.dtype and (first == fresh).all() and (second == fresh).all()


def test_pinyin_readings_from_the_cache_are_pypinyins(cache, monkeypatch):
    from pypinyin.pinyin_dict import pinyin_dict

    from cleaners import annotations as A

    def read() -> tuple[dict[int, str], frozenset[str]]:
        for f in (A._pinyin_arrays, A._pinyin_dict, A._syllables):
            f.cache_clear()
        try:
            return A._pinyin_dict(), A._syllables()
        finally:
            for f in (A._pinyin_arrays, A._pinyin_dict, A._syllables):
                f.cache_clear()

    built, again = read(), read()                # built and written, then read
    monkeypatch.setenv(tc.CACHE_ENV, "off")
    assert built == again == read()
    assert len(list(cache.glob("pinyin-*.npz"))) == 1
    assert list(built[0].items()) == list(pinyin_dict.items())
    assert built[1] == {A._toned(r)[0] for raw in pinyin_dict.values() for r in raw.split(",")}


def test_plausibility_tables_from_the_cache_are_the_derived_ones(cache, monkeypatch):
    from cleaners import plausibility as P

    derived = (P._load("han_freq.tsv"), P._load("han_bigram.tsv"))
    loaded = (P.han_scores, P.pair_scores, P._pair_bonuses, P._pair_index, P._pair_heads)

    def read() -> tuple:
        for f in (P._tables, *loaded):
            f.cache_clear()
        try:
            return tuple(f() for f in loaded)
        finally:
            for f in (P._tables, *loaded):
                f.cache_clear()

    built, again = read(), read()                # built and written, then read
    monkeypatch.setenv(tc.CACHE_ENV, "off")
    off = read()
    assert len(list(cache.glob("plausibility-*.npz"))) == 1
    assert built == again == off
    assert list(built[0].items()) == list(derived[0].items()) and list(built[1].items()) == list(derived[1].items())
    for ch in ("中", "心", "國", "鏇", ""):       # the index: the table's pairs, in file order
        assert P.chars_after(ch) == tuple(p[1] for p in derived[1] if p[0] == ch)
        assert P.chars_before(ch) == tuple(p[0] for p in derived[1] if p[1] == ch)


def test_a_damaged_file_is_rebuilt_and_a_changed_input_makes_a_new_entry(cache, tmp_path_factory):
    pkg = tmp_path_factory.mktemp("pkg")
    (pkg / "data.txt").write_text("v1")
    calls = []

    def build():
        calls.append(1)
        return {"x": np.arange(4, dtype=np.int16)}

    a = tc.load_or_build("t", build, packages=(str(pkg),))
    (path,) = cache.glob("t-*.npz")
    path.write_bytes(b"not a zip file")
    b = tc.load_or_build("t", build, packages=(str(pkg),))
    assert len(calls) == 2 and a["x"].tolist() == b["x"].tolist() == [0, 1, 2, 3]
    c = tc.load_or_build("t", build, packages=(str(pkg),))
    assert len(calls) == 2 and c["x"].dtype == np.int16          # read back, as written
    tc._tree_stamp.cache_clear()
    (pkg / "data.txt").write_text("version 2")                   # the package changed
    tc.load_or_build("t", build, packages=(str(pkg),))
    assert len(calls) == 3 and len(list(cache.glob("t-*.npz"))) == 2


def test_off_writes_nothing_and_a_read_only_folder_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setenv(tc.CACHE_ENV, "off")
    assert tc.cache_dir() is None
    assert tc.load_or_build("t", lambda: {"x": np.zeros(1)})["x"].tolist() == [0.0]
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(tc.CACHE_ENV, str(blocker / "sub"))     # cannot be created
    assert tc.load_or_build("t", lambda: {"x": np.ones(1)})["x"].tolist() == [1.0]


def test_a_second_process_reads_what_the_first_wrote(cache):
    code = ("from cleaners.script import han_sets; from cleaners.language import _factory;"
            "s = han_sets(); f = _factory(); print(len(s.trad_only), len(f.word_lang_prob_map))")
    env = {"QINGXI_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                           timeout=120) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.strip()
    assert len(list(cache.glob("*.npz"))) == 2

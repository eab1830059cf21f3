"""CJK mojibake repair: hand-written cases, a generated damage suite and a large negative set.

The generated suite damages sentences written for qingxi
(``tests/cases/encoding_corpus.json``) with Python's own codecs, every kind
of ``tests/damage.py`` and pairs of kinds, and requires exact restoration
where no byte was lost and near-exact restoration where bytes were lost.
"""

from __future__ import annotations

import itertools
import time

import pytest
from conftest import case_params, load_cases
from damage import KINDS, UNRECOVERABLE, applicable, corpus, similarity

from cleaners.config import CleanerConfig
from cleaners.context import Context
from cleaners.document import Document, apply_edits
from cleaners.mojibake import repair_mojibake

CORPUS = corpus()
SENTENCES = CORPUS["clean_simplified"] + CORPUS["clean_traditional"]
LOSSY_MEAN = 0.93        # mean character similarity per kind where bytes were lost
LOSSY_MIN = 0.75         # ... and for every sentence
PAIR_MEAN = 0.9          # mean similarity for two kinds in one text
# Traditional text in GBK lives mostly in the GBK/3 area, which Big5 rejects byte by byte:
# too much is lost to promise a floor per sentence (the document is flagged instead).
NO_FLOOR = {("gbk_as_big5", "clean_traditional")}


def run(text: str, config: CleanerConfig | None = None) -> tuple[str, list, Context]:
    ctx = Context(Document.make("t", 0, text), config or CleanerConfig(), text_in=text)
    edits = repair_mojibake(text, ctx)
    out = apply_edits(text, edits)
    for e in edits:
        assert e.step == "mojibake" and e.rule.startswith("mojibake:")
    return out, edits, ctx


def lossless(kind: str, clean: str, bad: str) -> bool:
    """No byte was lost: nothing was replaced and the stream was not cut."""
    return kind not in ("gbk_shifted", "gbk_inserted") and "\ufffd" not in bad and bad.count("?") == clean.count("?")


# ------------------------------------------------------------------ cases as data


@pytest.mark.parametrize("case", case_params("mojibake"))
def test_case(case):
    out, edits, ctx = run(case["input"])
    assert out == case["expected"]
    if case["input"] == case["expected"]:
        assert edits == [], "a negative case must produce no edit"
    for flag in case.get("flags", []):
        assert flag in ctx.flags
    if "rules" in case:
        assert set(case["rules"]) <= {e.rule for e in edits}


@pytest.mark.parametrize("case", load_cases("mojibake"), ids=lambda c: c["label"])
def test_case_is_idempotent(case):
    out, _, _ = run(case["input"])
    again, edits, _ = run(out)
    assert again == out and edits == []


# ------------------------------------------------------------------ generated damage


@pytest.mark.parametrize("kind", sorted(set(KINDS) - UNRECOVERABLE))
def test_generated_damage_is_repaired(kind):
    sims: list[float] = []
    for group in ("clean_simplified", "clean_traditional"):
        for clean in CORPUS[group]:
            if not applicable(kind, clean):
                continue
            bad = KINDS[kind](clean)
            if bad == clean:
                continue
            out, _, _ = run(bad)
            if lossless(kind, clean, bad):
                assert out == clean, f"{kind}: {bad!r} -> {out!r}"
                continue
            sim = similarity(out, clean)
            sims.append(sim)
            if (kind, group) not in NO_FLOOR:
                assert sim >= LOSSY_MIN, f"{kind}: {bad!r} -> {out!r} ({sim:.2f})"
    if sims:
        assert sum(sims) / len(sims) >= LOSSY_MEAN if kind != "gbk_as_big5" else 0.9


@pytest.mark.parametrize("kind", sorted(UNRECOVERABLE))
def test_unrecoverable_damage_is_flagged(kind):
    for clean in SENTENCES[::4]:
        bad = KINDS[kind](clean)
        out, _, ctx = run(bad)
        assert "unrecoverable_mojibake" in ctx.flags, bad


PAIRS = [p for p in itertools.combinations(sorted(set(KINDS) - UNRECOVERABLE), 2)]


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_two_kinds_in_one_text(a, b):
    """Two damage kinds in one document: on one line, and on two lines."""
    sims = []
    for i in range(0, len(SENTENCES), 7):
        s1, s2 = SENTENCES[i], SENTENCES[(i + 3) % len(SENTENCES)]
        if not (applicable(a, s1) and applicable(b, s2)):
            continue
        if "gbk_as_big5" in (a, b) and any(s in CORPUS["clean_traditional"] for s in (s1, s2)):
            continue    # see NO_FLOOR
        d1, d2 = KINDS[a](s1), KINDS[b](s2)
        for sep in ("", "\n"):
            clean, bad = s1 + sep + s2, d1 + sep + d2
            out, _, _ = run(bad)
            if lossless(a, s1, d1) and lossless(b, s2, d2) and sep:
                assert out == clean, f"{bad!r} -> {out!r}"
            sims.append(similarity(out, clean))
    if sims:
        assert sum(sims) / len(sims) >= PAIR_MEAN, [round(x, 2) for x in sims]


def test_lossy_repairs_are_flagged():
    bad = KINDS["utf8_as_gbk"]("我们在2025年发布了新的产品，价格为199元。")
    assert "\ufffd" in bad
    _, edits, ctx = run(bad)
    assert edits and "lossy_mojibake" in ctx.flags
    assert ctx.signals["mojibake_lost_bytes"] >= 1
    assert ctx.signals["mojibake_repaired_chars"] > 10


def test_guessing_can_be_switched_off():
    bad = KINDS["utf8_as_gbk"]("今天上午市政府召开新闻发布会。")
    out, _, _ = run(bad, CleanerConfig().replace(mojibake={"guess_lost_bytes": False}))
    assert "今天上午市政府" in out and "开" not in out


def test_families_can_be_restricted():
    bad = "数据中心".encode("gbk").decode("latin-1")
    out, edits, _ = run(bad, CleanerConfig().replace(mojibake={"families": ["utf8_as_gbk"]}))
    assert out == bad and edits == []
    assert run(bad)[0] == "数据中心"


def test_disabled_step_does_nothing():
    bad = "数据中心".encode("utf-8").decode("gb18030")
    assert run(bad, CleanerConfig().replace(mojibake={"enabled": False}))[1] == []


# ------------------------------------------------------------------ negatives


@pytest.mark.parametrize("text", CORPUS["negative"] + SENTENCES)
def test_clean_text_is_byte_identical(text):
    out, edits, ctx = run(text)
    assert edits == [] and out == text
    assert "lossy_mojibake" not in ctx.flags


def test_clean_text_in_a_long_document():
    doc = "\n".join(CORPUS["negative"] + SENTENCES) * 3
    out, edits, _ = run(doc)
    assert edits == []


def test_clean_text_is_cheap():
    doc = "\n".join(SENTENCES) * 60      # about 170 KB
    t0 = time.perf_counter()
    run(doc)
    assert time.perf_counter() - t0 < 2.0


# ------------------------------------------------------------------ the real samples


@pytest.mark.shared
def test_sample_002_shifted_run(shared_dir):
    raw = (shared_dir / "samples" / "002_1110d360e7397345.txt").read_text(encoding="utf-8")
    out, edits, ctx = run(raw)
    assert "轉變為了一個主動" in out
    assert "榱艘粋€" not in out and "?yōu)" not in out
    assert [e.rule for e in edits] == ["mojibake:gbk_shifted"]
    assert "lossy_mojibake" in ctx.flags


@pytest.mark.shared
@pytest.mark.parametrize("name", ["000_a42e1b9154f3cc92.txt", "001_5ba68eef85da0cdf.txt",
                                  "000.gold.txt", "001.gold.txt", "002.gold.txt"])
def test_clean_samples_untouched(shared_dir, name):
    raw = (shared_dir / "samples" / name).read_text(encoding="utf-8")
    assert run(raw)[1] == []


# ------------------------------------------------------------------ the pre-check is only a shortcut


def _every_line(text: str, cfg) -> list[tuple[int, int, str, str]]:
    """The step without its pre-check: every line goes through ``_line_repairs``."""
    from cleaners import mojibake as M

    japanese = M._seed_re().search(text) is not None and M._looks_japanese(text)
    out, pos = [], 0
    for line in text.split("\n"):
        reps = M._line_repairs(line, cfg, latin_only=japanese)
        out += [(pos + r.start, pos + r.end, r.after, r.rule) for r in reps]
        pos += len(line) + 1
    return out


def _precheck_samples() -> list[str]:
    bad = [KINDS[k](s) for k in ("utf8_as_gbk", "gbk_as_latin1", "gbk_shifted", "utf8_as_gbk_qmark",
                                 "big5_as_cp1252") for s in SENTENCES[::7] if applicable(k, s)]
    tricky = [
        "他把钥匙放在粗糙的桌上，门敞开着。",           # rare characters side by side in clean prose
        "等等……好——吧。”—“", "Ö€Ð and €Ö", "ÖÐ", "Ö\nÐ", "a\ufffdb", "\ue000", "前\ufffd後",
        "駅前商店街に新しい図書コーナーが開設された。ÖÐÎÄ", "x?yōu)", "\r\n".join(bad[:3]),
    ]
    docs = tricky + bad + ["\n".join(bad[i:i + 4] + tricky[i % len(tricky):][:2])
                           for i in range(0, len(bad), 4)]
    return docs + [d.replace("\n", "\n\n") for d in docs[:20]] + CORPUS["negative"]


@pytest.mark.parametrize("min_run", [1, 2, 3])
def test_precheck_finds_every_line_with_a_repair(min_run):
    """``_lines_to_repair`` (one scan of the document) selects exactly the lines
    on which the per-line search finds repairs: same edits as trying every line."""
    cfg = CleanerConfig().replace(mojibake={"min_run": min_run})
    for text in _precheck_samples():
        _, edits, _ = run(text, cfg)
        assert [(e.start, e.end, e.after, e.rule) for e in edits] == _every_line(text, cfg.mojibake), text


def _lines_with_evidence(text: str, cfg) -> list[tuple[int, str, bool]]:
    """Reference for ``_lines_to_repair``, line by line: a suspicious seed
    cluster (unless the text is Japanese) or a run with two Latin-1 characters."""
    from cleaners import mojibake as M

    japanese = M._seed_re().search(text) is not None and M._looks_japanese(text)
    out, pos = [], 0
    for line in text.split("\n"):
        seeds = [m.start() for m in M._seed_re().finditer(line)]
        cluster = any(M._suspicious(line, g) for g in M._clusters(line, seeds, cfg.min_run))
        latin = any(sum(0x80 <= ord(c) <= 0xFF for c in m.group()) >= 2 for m in M._LATIN_RUN.finditer(line))
        if cluster and not japanese:
            out.append((pos, line, False))
        elif latin:
            out.append((pos, line, True))
        pos += len(line) + 1
    return out


@pytest.mark.parametrize("min_run", [1, 2, 3])
def test_precheck_selects_the_lines_with_evidence(min_run):
    from cleaners.mojibake import _lines_to_repair

    cfg = CleanerConfig().replace(mojibake={"min_run": min_run}).mojibake
    spaced = [f"{a}{fill * k}{b}{fill * k}{c}" for a, b, c in ("鏇欏厜", "糙敞匙", "\ufffd鏇x", "€ÖÐ", "Ö—Ð")
              for fill in ("x", "的", "—", " ") for k in range(9)]
    for text in _precheck_samples() + spaced + ["\n".join(spaced), "\r\n".join(spaced[::3])]:
        assert list(_lines_to_repair(text, cfg)) == _lines_with_evidence(text, cfg), text


def test_japanese_test_counts_what_the_regexes_count():
    """:func:`_looks_japanese` counts with a table over UTF-16 code units; it
    answers what counting kana, Han and joined particles with regexes (the
    definition) answers, characters outside the BMP included."""
    import re

    from cleaners import mojibake as M

    kana_re, han_re = re.compile("[\u3040-\u30ff]"), re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
    particle_re = re.compile("[のはをがにでとへもやた](?=[\u3040-\u30ff\u3400-\u9fff])")

    def looks_japanese(text: str) -> bool:
        kana = len(kana_re.findall(text))
        if kana < 5:
            return False
        cjk = kana + len(han_re.findall(text))
        return kana >= 0.2 * cjk and len(particle_re.findall(text)) >= max(2, kana // 20)

    prose = "駅前商店街に新しい図書コーナーが開設された。子供たちは本を読みに来ます。"
    texts = [prose, prose[:12], prose.replace("に", "\U00020000"), prose.replace("新", "\U00020000"),
             "はの" + "\U00020b9f" * 3 + "をがにで" + "䷀" * 3, "カタカナのテキストはまだ", "かなかなか\ud800は日本",
             "扺嫖湔揣萵軞笛桲", "今日は東京で大きな会議が開かれました。" * 3 + "中文" * 40, ""]
    texts += SENTENCES[::5] + [KINDS["utf8_as_gbk"](s) for s in SENTENCES[::9] if applicable("utf8_as_gbk", s)]
    for text in texts:
        assert M._looks_japanese(text) == looks_japanese(text), text
    assert M._looks_japanese(prose) and not M._looks_japanese(prose[:12])


def test_byte_pair_tables_match_the_codecs():
    """The per-lead-byte tables that replaced the pair caches give what decoding each pair gives."""
    from cleaners import mojibake as M

    def decoded(kind: str, raw: bytes) -> str | None:
        for codec in ("gb18030",) if kind == "gbk" else ("cp950", "big5hkscs"):
            try:
                s = raw.decode(codec)
            except UnicodeDecodeError:
                continue
            if s and all(ord(c) >= 0x80 for c in s):
                return s
        return None

    def rejects(wrong: str, x: int, y: int) -> bool:
        if wrong == "latin1":
            return x in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
        if x < 0x80:
            return False
        if y < 0:
            return True
        try:
            bytes([x, y]).decode("gbk" if wrong == "gbk" else "big5")
        except UnicodeDecodeError:
            return True
        return False

    for kind in ("gbk", "big5"):
        for b1 in range(0x80, 0x100):
            assert [M._dbcs_pair(kind, b1, b2) for b2 in range(256)] == [decoded(kind, bytes([b1, b2]))
                                                                          for b2 in range(256)]
    for wrong in ("gbk", "big5", "latin1"):
        for x in range(256):
            assert [M._wrong_rejects(wrong, x, y) for y in range(-1, 256)] == [rejects(wrong, x, y)
                                                                                for y in range(-1, 256)]
        for y in range(-1, 256):
            assert M._rejects_before(wrong, y) == tuple(rejects(wrong, x, y) for x in range(256)), (wrong, y)


def test_byte_pair_rows_come_from_one_decode_per_lead_byte():
    """The rows above are built by :func:`_decode_lead` (one decode per lead byte), not by
    its pair-by-pair fallback: its pieces line up for every codec and lead byte, and
    they are what decoding each pair alone gives."""
    from cleaners import mojibake as M

    def alone(codec: str, raw: bytes) -> str | None:
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            return None

    for codec in ("gb18030", "cp950", "big5hkscs", "gbk", "big5"):
        for b1 in range(0x80, 0x100):
            assert M._decode_lead(codec, b1) == [alone(codec, bytes([b1, b2])) for b2 in range(256)], (codec, b1)


def test_pair_bonus_tables_match_the_formula():
    """``pair_bonus`` reads precomputed tables: 1 + capped PMI for a known pair,
    1 for two different letters of one script run, else 0."""
    from cleaners import plausibility as P

    han, pairs = P.han_scores(), P.pair_scores()
    for p, s in list(pairs.items())[::7]:
        pmi = (han.get(p[0], 80) + han.get(p[1], 80) - s) / 10.0
        assert P.pair_bonus.__wrapped__(p[0], p[1]) == P.pair_bonus(p[0], p[1]) == 1.0 + min(3.0, max(0.0, pmi))
    assert all(P._script_runs().get(chr(o), "") == P._script_run(chr(o)) for o in range(0x30000))
    for a, b in itertools.product("aZéàカなの한국中，1 ", repeat=2):
        run = P._script_run(a)
        expected = 1.0 if a + b not in pairs and a != b and run and run == P._script_run(b) else 0.0
        if a + b not in pairs:
            assert P.pair_bonus.__wrapped__(a, b) == P.pair_bonus(a, b) == expected, (a, b)
    chars = list("中心一的鏇欏，。カなaé한") + list(P.chars_after("中"))[:50] + list(P.chars_before("心"))[:50]
    for left, right in itertools.product(["", "中", "心", "カ", "a", "é", "한", "，"], repeat=2):
        expected = [(P.pair_bonus(left, c) if left else 0.0, P.pair_bonus(c, right) if right else 0.0)
                    for c in chars]
        assert P.pair_bonuses(left, chars, right) == expected


def _sloppy_cp1252(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 the way browsers do: the five bytes
    cp1252 leaves undefined become C1 controls."""
    return "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
                   for b in text.encode("utf-8"))


@pytest.mark.parametrize("inner, before, after", [
    ("数据中心建设明显提速，上半年新开工的大型项目超过二十个。", "今天的新闻：", "大家都很关心。"),
    ("份報紙，十分好奇。", "他買了一", "“這是真的嗎？”"),   # a real quote right after the run
])
def test_utf8_read_as_cp1252_inside_chinese_is_left_to_ftfy(inner, before, after):
    """A UTF-8-as-cp1252 run inside Chinese text is ftfy's case: repairing
    pieces of it as GBK or Big5 read as Latin-1 ("å¹´" -> "å¹存") used to leave
    ftfy nothing to fix."""
    from cleaners.pipeline import clean_text

    text = before + _sloppy_cp1252(inner) + after
    _, edits, _ = run(text)
    assert edits == [], [(e.rule, e.before, e.after) for e in edits]
    cleaned = clean_text(text, CleanerConfig().replace(script={"target": "keep"}, quality={"min_score": None}))
    assert cleaned == before + inner + after


def _pattern_chars_by_byte(kind: str, pattern: tuple[int, ...]) -> tuple[tuple[str, bytes], ...]:
    """:func:`cleaners.mojibake._pattern_chars`, one filling at a time (the definition)."""
    from cleaners import mojibake as M

    k = pattern.index(M.UNK)
    out: list[tuple[str, bytes]] = []
    for x in range(0x80, 0x100) if k or kind != "utf8" else range(0xC2, 0xF5):
        raw = bytes(x if t == M.UNK else t for t in pattern)
        if kind == "utf8":
            try:
                ch = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
        else:
            if len(raw) != 2 or raw[0] < 0x81:
                continue
            got = M._dbcs_pair(kind, raw[0], raw[1])
            if got is None:
                continue
            ch = got
        if len(ch) == 1:
            out.append((ch, raw))
    return tuple(out)


def test_lost_byte_candidates_match_the_byte_by_byte_definition():
    """:func:`_pattern_chars` reads the byte-pair rows or decodes all fillings at once;
    it gives what filling the lost byte one value at a time gives, and
    :func:`_lost_byte_chars` keeps exactly the candidates :func:`_could_lose` keeps."""
    from cleaners import mojibake as M

    unk = M.UNK
    patterns: list[tuple[str, tuple[int, ...]]] = []
    for kind in ("gbk", "big5"):
        for b in range(0x20, 0x100):
            patterns += [(kind, (b, unk)), (kind, (unk, b))]
        patterns.append((kind, (0x81, 0x40, unk)))
    for lead in (0xC3, 0xE4, 0xE5, 0xE9, 0xEF, 0xF0):
        for cont in range(0x80, 0xC0, 3):
            patterns += [("utf8", (lead, unk)), ("utf8", (lead, cont, unk)), ("utf8", (lead, unk, cont)),
                         ("utf8", (unk, cont, cont ^ 0x3F)), ("utf8", (lead, cont, unk, cont))]
    for kind, pattern in patterns:
        fast = M._pattern_chars.__wrapped__(kind, pattern)
        assert fast == _pattern_chars_by_byte(kind, pattern), (kind, pattern)
        wrongs = ("gbk", "big5", "latin1")
        for wrong in wrongs:
            for follow in ((-1,) * len(pattern), tuple(0x41 if t == unk else -1 for t in pattern),
                           tuple(0xA1 if t == unk else -1 for t in pattern)):
                kept = M._lost_byte_chars.__wrapped__(kind, wrong, pattern, follow)
                assert kept == tuple((ch, b) for ch, b in fast if M._could_lose(wrong, pattern, follow, b))


def test_warm_up_loads_the_tables_of_lost_byte_guesses():
    """Pool workers fork from a warmed process: the pair index that guesses for lost
    bytes read is loaded there, not by each worker's first damaged document.  In a
    fresh process: in this one, an earlier warm-up's memoized repairs would skip it."""
    import subprocess
    import sys

    from conftest import ROOT

    code = ("from cleaners import pipeline, plausibility as P; pipeline.warm_up(); "
            "print(P._pair_index.cache_info().currsize, P._pair_heads.cache_info().currsize)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    assert res.stdout.split() == ["1", "1"]

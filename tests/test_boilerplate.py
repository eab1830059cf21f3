"""Tests for the boilerplate step and its rule packs.

Cases are data (``tests/cases/boilerplate.json``: label, comment, input,
expected, expect, and optionally ``reject`` and ``flags``); labelled lines for
precision/recall are in ``tests/cases/boilerplate_lines.json``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import case_params

from cleaners.boilerplate import (
    Rule,
    RuleError,
    RuleSet,
    _alternation,
    find_hits,
    get_ruleset,
    load_rule_file,
    match_key,
    packaged_packs,
    parse_rules,
    strip_boilerplate,
)
from cleaners.config import BoilerplateConfig, CleanerConfig
from cleaners.context import Context
from cleaners.document import Document, apply_edits, replay

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "cases" / "boilerplate.json").read_text(encoding="utf-8"))
LINES = json.loads((HERE / "cases" / "boilerplate_lines.json").read_text(encoding="utf-8"))
SHARED = Path(__file__).resolve().parents[2] / "shared" / "samples"


def run(text: str, cfg: CleanerConfig | None = None) -> tuple[str, list, Context]:
    ctx = Context(doc=Document.make("t", 0, text), config=cfg or CleanerConfig(), text_in=text)
    edits = strip_boilerplate(text, ctx)
    return apply_edits(text, edits), edits, ctx


@pytest.mark.parametrize("case", case_params("boilerplate"))
def test_case(case):
    out, edits, ctx = run(case["input"])
    assert out == case["expected"], case["comment"]
    assert (ctx.verdict.reason if ctx.verdict else None) == case.get("reject")
    if "flags" in case:
        assert ctx.flags == case["flags"]
    # The edit log is complete and auditable.
    assert replay(case["input"], edits) == out
    for e in edits:
        assert case["input"][e.start:e.end] == e.before
        assert e.step == "boilerplate" and e.rule.startswith("boilerplate:")
    starts = sorted((e.start, e.end) for e in edits)
    assert all(a[1] <= b[0] for a, b in zip(starts, starts[1:])), "edits overlap"


def test_cases_cover_both_outcomes():
    negatives = [c for c in CASES if c["expect"] == "pass" and c["input"] == c["expected"]]
    assert len(negatives) >= 6, "need hard negatives"
    assert any(c["expect"] == "fail" for c in CASES)


def test_counts_and_signals():
    text = "\n".join(["正文第一段，讲的是一件普通的事情。"] * 12 + ["本文作者 | 老陈", "審校 | 小周"]) + "\n"
    out, edits, ctx = run(text)
    assert ctx.counters["rule.credits.role_line"] == 2
    assert ctx.signals["boilerplate_removed_chars"] == len(text) - len(out)
    assert ctx.signals["spam_rule_hits"] == 0
    assert [e.note for e in edits] == ["drop_line", "drop_line"]


def test_spam_signal_and_reason():
    text = "百家乐真人视讯平台，首存即送100%，24小时提现\n加V:sex8888，裸聊一对一\n"
    _, edits, ctx = run(text)
    assert edits == []
    assert ctx.verdict is not None and ctx.verdict.reason == "spam"
    assert ctx.verdict.detail.startswith("spam.")
    assert ctx.signals["spam_rule_hits"] == 2


def test_disabled_step_and_rules():
    text = "\n".join(["正文。"] * 10 + ["转载请注明出处。"]) + "\n"
    cfg = CleanerConfig(boilerplate=BoilerplateConfig(enabled=False))
    assert run(text, cfg)[1] == []
    cfg = CleanerConfig(boilerplate=BoilerplateConfig(disabled_rules=("reprint.attribution",)))
    assert run(text, cfg)[1] == []
    cfg = CleanerConfig(boilerplate=BoilerplateConfig(disabled_rules=("reprint",)))
    assert run(text, cfg)[1] == []
    cfg = CleanerConfig(boilerplate=BoilerplateConfig(packs=("credits",)))
    assert run(text, cfg)[1] == []
    assert run(text)[0] == "\n".join(["正文。"] * 10) + "\n"


def test_unknown_pack():
    with pytest.raises(RuleError, match="unknown rule pack"):
        get_ruleset(BoilerplateConfig(packs=("nope",)))


def test_cut_tail_is_bounded():
    # A cut that would remove most of the text only removes its own line.
    text = "小说:王妃天天想篡位…\n正文一。\n正文二。\n"
    out, edits, _ = run(text, CleanerConfig(boilerplate=BoilerplateConfig(window_share=1.0)))
    assert out == "正文一。\n正文二。\n"
    assert edits[0].note == "drop_line"


# --------------------------------------------------------------------------- user rule files


USER_RULES = """\
pack: mysite
rules:
  - id: mysite.footer
    why: Our crawler's site appends a footer line.
    keywords: [本站出品]
    patterns:
      - '^本站出品'
    where: tail
    lines: 3
    action: drop_line
"""


def test_user_rule_file(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(USER_RULES, encoding="utf-8")
    cfg = CleanerConfig(boilerplate=BoilerplateConfig(extra_rule_files=(str(f),)))
    text = "\n".join(["正文内容在这里。"] * 10 + ["本站出品，必属精品"]) + "\n"
    out, edits, ctx = run(text, cfg)
    assert out == "\n".join(["正文内容在这里。"] * 10) + "\n"
    assert edits[0].rule == "boilerplate:mysite.footer"
    assert ctx.counters["rule.mysite.footer"] == 1
    assert load_rule_file(f)[0].origin == f"{f}:3"


@pytest.mark.parametrize("source, message", [
    ("rules:\n  - id: a\n    why: b\n    keywords: [x]\n    action: drop_line\n    patterns: ['(']\n",
     r"u\.yaml:6: rule 'a': bad regex '\('"),
    ("rules:\n  - id: a\n    why: b\n    keywords: [x]\n    action: nuke\n",
     r"u\.yaml:5: rule 'a': unknown action 'nuke'"),
    ("rules:\n  - id: a\n    why: b\n    keywords: [x]\n    action: drop_line\n    colour: red\n",
     r"u\.yaml:6: rule 'a': unknown field\(s\) \['colour'\]"),
    ("rules:\n  - id: a\n    why: b\n    action: drop_line\n    patterns: ['x']\n",
     r"u\.yaml:2: rule 'a': a rule that applies `anywhere` needs `keywords`"),
    ("rules:\n  - id: a\n    keywords: [x]\n    action: drop_line\n",
     r"u\.yaml:2: rule 'a': `why` is required"),
    ("rules:\n  - id: a\n    why: b\n    keywords: [x]\n    action: drop_line\n    where: middle\n",
     r"u\.yaml:6: rule 'a': unknown `where` 'middle'"),
    ("rules:\n  - id: a\n    why: b\n    keywords: [x]\n    action: drop_span\n",
     r"drop_span needs `patterns`"),
    ("rules:\n  - id: a\n    why: b\n    keywords: [x]\n    action: drop_line\n    lines: 0\n",
     r"u\.yaml:6: .*`lines` must be a positive integer"),
    ("rules:\n  - id: a\n   why: b\n", r"u\.yaml:3: not valid YAML"),
    ("rules: [a, b]\n", r"u\.yaml: each rule must be a mapping"),
    ("- 1\n- 2\n", r"u\.yaml:1: the top level must be a mapping"),
    ("rule:\n  - id: a\n", r"u\.yaml:1: unknown key\(s\) \['rule'\]"),
])
def test_rule_errors_name_file_and_line(source, message):
    with pytest.raises(RuleError, match=message):
        parse_rules(source, "u.yaml")


def test_duplicate_ids_and_missing_files(tmp_path):
    f = tmp_path / "dup.yaml"
    f.write_text(USER_RULES + USER_RULES.split("rules:\n", 1)[1], encoding="utf-8")
    dup = r"dup\.yaml:\d+: rule id 'mysite.footer' already defined at .*dup\.yaml:3"
    with pytest.raises(RuleError, match=dup):
        get_ruleset(BoilerplateConfig(extra_rule_files=(str(f),)))
    with pytest.raises(RuleError, match="cannot read rule file"):
        load_rule_file(tmp_path / "missing.yaml")


def test_disabled_rule_in_file():
    source = USER_RULES.replace("    action: drop_line", "    action: drop_line\n    enabled: false")
    rules = parse_rules(source, "u.yaml")
    assert rules and not rules[0].enabled


# --------------------------------------------------------------------------- the packs themselves


def test_every_packaged_rule_is_documented():
    docs = (HERE.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in get_ruleset().rules:
        assert rule.why and "\n" not in rule.why
        assert f"`{rule.id}`" in docs, f"{rule.id} missing from docs/rules.md"
    for pack in packaged_packs():
        assert f"`{pack}`" in docs


def _all_sample_lines() -> list[str]:
    lines = [x["text"] for x in LINES["lines"]] + LINES["filler"]
    for case in CASES:
        lines.extend(case["input"].split("\n"))
    return [ln for ln in lines if ln.strip()]


def test_keywords_cover_patterns():
    """A pattern can only fire on lines holding one of its rule's keywords
    (the pre-filter); no labelled line may match a pattern without one."""
    for rule in get_ruleset().rules:
        if not rule.keywords or not rule.patterns:
            continue
        for line in _all_sample_lines():
            key = match_key(line)
            if any(p.search(key) for p in rule.patterns):
                assert any(k in key for k in rule.keywords), (rule.id, line)


def test_alternation_finds_what_the_patterns_find():
    """find_hits skips a rule's patterns when their alternation finds nothing in a line;
    on every sample line (and its halves) the alternation matches exactly when a pattern does."""
    rs = get_ruleset()
    assert any(alt is not None for alt in rs.alternations)
    lines = _all_sample_lines()
    lines += [ln[:len(ln) // 2] for ln in lines] + [ln[len(ln) // 2:] for ln in lines]
    for rule, alt in zip(rs.rules, rs.alternations, strict=True):
        if alt is None:
            continue
        for line in lines:
            key = match_key(line)
            assert (alt.search(key) is not None) == any(p.search(key) for p in rule.patterns), (rule.id, line)
    refers = [re.compile(r"(a)\1"), re.compile(r"b")]
    assert _alternation(refers) is None and _alternation(refers[1:]) is None


def test_windowed_width_bounds_the_keywordless_rules():
    rs = get_ruleset()
    assert rs.windowed_width == max(rs.rules[i].max_chars for i in rs.windowed)
    wide = RuleSet([Rule("w", "p", "why", "drop_line", (), (re.compile("x"),), where="head")])
    assert wide.windowed_width is None


def _bench():
    path = HERE.parent / "bench" / "bench_boilerplate.py"
    spec = importlib.util.spec_from_file_location("bench_boilerplate", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod   # dataclasses look their module up
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def test_labelled_lines_precision_and_recall():
    summary = _bench().evaluate().summary()
    assert summary["content_placements"] >= 600
    assert summary["content_precision"] > 0.99, summary
    assert summary["collateral_lines"] == 0
    assert summary["recall"] >= 0.9, summary
    assert summary["content_wrong_by_position"]["middle"] == 0
    for pack, row in summary["packs"].items():
        if row["precision"] is not None:
            assert row["precision"] >= 0.9, (pack, row)
    assert summary["clean_docs_rejected"].startswith("0/")


# --------------------------------------------------------------------------- match key


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("特別聲明：以上內容網易號禁止轉載编辑ＡＢＣabc｜|　 \n。，"), max_size=60))
def test_match_key_keeps_length(text):
    assert len(match_key(text)) == len(text)


def test_find_hits_offsets_point_into_the_text():
    text = "正文。\n" * 10 + "正文結尾。特別聲明：以上內容為自媒體平台用戶上傳，本平台僅提供信息存儲服務。\n"
    hits = find_hits(text, get_ruleset())
    assert [h.rule.id for h in hits] == ["disclaimers.platform_notice_zh"]
    assert text[hits[0].start:hits[0].end].startswith("特別聲明")


def test_large_input_is_fast():
    import time

    body = "\n".join(LINES["filler"] * 400)   # ~200k characters
    t0 = time.perf_counter()
    out, _, _ = run(body)
    assert time.perf_counter() - t0 < 2.0
    assert out == body


# --------------------------------------------------------------------------- real samples


def _sample(sid: str) -> str:
    found = sorted(SHARED.glob(f"{sid}_*.txt"))
    if not found:
        pytest.skip("shared samples not present")
    return found[0].read_text(encoding="utf-8")


@pytest.mark.shared
def test_sample_002_credit_block():
    text = _sample("002")
    out, edits, _ = run(text)
    absent = [s.strip() for s in (SHARED / "002.must_absent.txt").read_text(encoding="utf-8").splitlines()]
    key = match_key(out)
    for s in ("Notice: The content above", "特别声明", "仅提供信息存储服务", "本文作者", "审校", "配图/封面来源"):
        assert s in absent and match_key(s) not in key
    # Everything before the credit block is untouched.
    first = min(e.start for e in edits)
    assert out[:first] == text[:first]
    assert out.rstrip().endswith(text[:first].rstrip()[-20:])


@pytest.mark.shared
def test_sample_001_is_left_alone():
    text = _sample("001")
    out, edits, ctx = run(text)
    assert edits == [] and out == text and not ctx.flags and ctx.verdict is None


@pytest.mark.shared
def test_sample_000_link_lines():
    from cleaners.markdown import strip_markdown

    text = _sample("000")
    ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
    md = apply_edits(text, strip_markdown(text, ctx))
    out, edits, _ = run(md)
    assert {e.rule for e in edits} == {"boilerplate:credits.link_line"}
    assert "https://" not in out and "链接:" not in out
    assert re.search(r"来源: arXiv", out)


# --------------------------------------------------------------------------- bookkeeping under random layouts

_PIECES = ([x["text"] for x in LINES["lines"] if x["label"] == "boilerplate"][:60]
           + LINES["filler"] + ["", "", " "])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30), st.booleans(), st.booleans())
def test_random_layouts_keep_the_log_consistent(pieces, final_newline, crlf):
    nl = "\r\n" if crlf else "\n"
    text = nl.join(pieces) + (nl if final_newline else "")
    out, edits, ctx = run(text)
    assert replay(text, edits) == out
    if ctx.verdict is None:
        kept = out.replace("\r\n", "\n").split("\n")
        # Filler lines are never damaged unless a cut took the whole tail.
        cut = [e for e in edits if e.note == "cut_tail"]
        limit = cut[0].start if cut else len(text)
        for f in LINES["filler"]:
            if f in text[:limit]:
                assert f in kept
        # No blank-line pile-ups are created.
        assert "\n\n\n" not in out.replace("\r\n", "\n") or "\n\n\n" in text.replace("\r\n", "\n")
        # The text keeps (or keeps lacking) its final line break.
        if out and text.endswith(nl) and cut == []:
            assert out.endswith(nl)


# --------------------------------------------------------------------------- fast paths (same results as the plain ones)


def _reference_key(text: str, simplified: bool = True) -> str:
    """match_key as first written: OpenCC t2s on every non-ASCII text, then a dict translate."""
    from cleaners.boilerplate import _FOLD, _t2s

    if simplified and not text.isascii():
        conv = _t2s().convert(text)
        if len(conv) == len(text):
            return conv.translate(_FOLD)
        parts = []
        for line in text.split("\n"):
            c = _t2s().convert(line) if not line.isascii() else line
            parts.append(c if len(c) == len(line) else line)
        return "\n".join(parts).translate(_FOLD)
    return text.translate(_FOLD)


def _outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception as exc:     # noqa: BLE001 - both sides must fail alike (lone surrogates)
        return type(exc)


_KEY_SAMPLES = [
    "", "ABC Notice", "特別聲明：以上內容｜Notice", "特别声明:以上内容", "打坏了\n回覆：沈默是金\n瞭解藉口",
    "第一行没有繁体字。\n他把杯子打坏了。\r\n第三行", "乾隆年間\n於是", "ＦＵＬＬ　ｗｉｄｔｈ！", "𠀀𡃄 說",
    "emoji 😀 与简体", "慰藉口", "么麽", "丽\uf967", "\ud800 lone", "a\x00b發", "覆" * 80 + "\n" + "中" * 80,
    "简体正文，" * 40 + "\n" + "繁體正文，" * 40,
]


@pytest.mark.parametrize("text", _KEY_SAMPLES)
@pytest.mark.parametrize("simplified", [True, False])
def test_match_key_equals_the_plain_conversion(text, simplified):
    # match_key skips OpenCC on texts it cannot change and folds with a numpy table
    assert _outcome(match_key, text, simplified=simplified) == _outcome(_reference_key, text, simplified)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("打坏回覆沈默瞭解藉口么麽發說台臺后後乾干ＡＢａｂAb｜：　 \n\r，。𠀀😀")),
               max_size=120))
def test_match_key_equals_the_plain_conversion_random(text):
    assert _outcome(match_key, text) == _outcome(_reference_key, text)


def test_t2s_phrase_only_characters_cover_opencc(tmp_path):
    """Skipping t2s is exact only if every TSPhrases entry that t2s changes holds a
    character t2s changes alone or one of T2S_PHRASE_ONLY; checked against the
    installed OpenCC's own dictionary (dumped with its opencc_dict tool)."""
    import os
    import subprocess

    import opencc

    from cleaners.boilerplate import T2S_PHRASE_ONLY, _t2s_flags

    clib = Path(opencc.__file__).parent / "clib"
    tool, dic = clib / "bin" / "opencc_dict", clib / "share" / "opencc" / "TSPhrases.ocd2"
    if not tool.exists() or not dic.exists():
        pytest.skip("opencc_dict or TSPhrases.ocd2 not shipped with this OpenCC")
    out = tmp_path / "TSPhrases.txt"
    env = {**os.environ, "LD_LIBRARY_PATH": str(clib / "lib64") + os.pathsep + os.environ.get("LD_LIBRARY_PATH", "")}
    proc = subprocess.run([str(tool), "-i", str(dic), "-o", str(out), "-f", "ocd2", "-t", "text"],
                          env=env, capture_output=True, check=False, timeout=60)
    if proc.returncode != 0:
        pytest.skip(f"opencc_dict failed: {proc.stderr[-200:]!r}")
    flags = _t2s_flags()
    changed = 0
    for line in out.read_text(encoding="utf-8").splitlines():
        key, values = line.split("\t")
        if values.split(" ")[0] == key:
            continue
        changed += 1
        assert any(ord(c) > 0xFFFF or flags[ord(c)] for c in key), key
    assert changed > 100
    assert all(flags[ord(c)] for c in T2S_PHRASE_ONLY)


def test_keyword_index_finds_what_aho_corasick_finds():
    import random

    import ahocorasick

    rs = get_ruleset()
    kw_rules: dict[str, list[int]] = {}
    for i, r in enumerate(rs.rules):
        for k in r.keywords:
            kw_rules.setdefault(k, []).append(i)
    auto = ahocorasick.Automaton()
    for k, idx in kw_rules.items():
        auto.add_word(k, (len(k), tuple(idx)))
    auto.make_automaton()
    rng = random.Random(9)
    kws = sorted(kw_rules)
    texts = [c["input"] for c in CASES] + _all_sample_lines()
    for _ in range(3000):
        texts.append("".join(rng.choice(kws)[:rng.randint(0, 4)] if rng.random() < 0.5 else rng.choice(kws)
                             for _ in range(rng.randint(0, 10))))
    from cleaners.boilerplate import _key

    for text in texts:
        key, cps = _key(text)
        want = sorted((e - n + 1, key[e - n + 1:e + 1], idx) for e, (n, idx) in auto.iter(key))
        assert sorted(rs.keywords.find(key, cps)) == want, text


def test_rule_windows_agree_with_in_window():
    rs = get_ruleset()
    for cap in (None, 1, 3, 7, 50):
        windows = rs.windows(cap)
        for ri, rule in enumerate(rs.rules):
            head_n, tail_n = windows[ri]
            for rh in range(15):
                for rt in range(15):
                    assert (rh < head_n or rt < tail_n) == rule.in_window(rh, rt, cap)


def _reference_lines(text: str) -> tuple:
    starts, ends, blank = [], [], []
    pos, n = 0, len(text)
    while True:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        if end > pos and text[end - 1] == "\r":
            end -= 1
        starts.append(pos)
        ends.append(end)
        blank.append(not text[pos:end].strip())
        if nl < 0:
            break
        pos = nl + 1
    if len(starts) > 1 and starts[-1] == n:
        starts.pop()
        ends.pop()
        blank.pop()
    nonblank = sum(1 for b in blank if not b)
    heads, tails, k = [], [], 0
    for b in blank:
        heads.append(k)
        tails.append(nonblank - k - (0 if b else 1))
        k += not b
    return starts, ends, blank, heads, tails


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("a \t\r\n\u3000中")), max_size=40))
def test_lines_split_like_the_plain_loop(text):
    from cleaners.boilerplate import _Lines

    got = _Lines.of(text)
    assert (got.starts, got.ends, got.blank, got.rank_head, got.rank_tail) == _reference_lines(text)


def test_a_later_pass_with_the_same_match_key_is_not_matched_again(monkeypatch):
    """The step remembers the match key of a text it found nothing in; the same
    key in a later pass (the script step converted the text) skips the rules,
    a changed key does not."""
    import cleaners.boilerplate as bp

    calls = []
    real = bp.find_hits
    monkeypatch.setattr(bp, "find_hits", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    trad = "市政府今天召開會議，討論了新的發展計劃。\n會議由市長主持。"
    simp = "市政府今天召开会议，讨论了新的发展计划。\n会议由市长主持。"
    ctx = Context(doc=Document.make("t", 0, trad), config=CleanerConfig(), text_in=trad)
    assert strip_boilerplate(trad, ctx) == []
    assert strip_boilerplate(simp, ctx) == []          # same key: remembered
    assert calls == [trad]
    spam = simp + "\n本文來源：網絡，如有侵權請聯繫刪除。"
    edits = strip_boilerplate(spam, ctx)                 # new key: matched, and the notice found
    assert calls == [trad, spam]
    assert edits and "侵權" in edits[-1].before


def test_cleaning_a_traditional_document_matches_boilerplate_once(monkeypatch):
    import cleaners.boilerplate as bp
    from cleaners.pipeline import clean

    calls = []
    real = bp.find_hits
    monkeypatch.setattr(bp, "find_hits", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    text = "市政府今天召開會議，討論了新的發展計劃。\n會議由市長主持，各部門負責人出席。"
    res = clean(Document.make("t", 0, text), CleanerConfig())
    assert res.text.startswith("市政府今天召开会议")     # converted in pass 1, so a pass 2 ran
    assert len(calls) == 1

"""Steps ``script`` and ``punctuation``: cases in tests/cases/script.json and
punctuation.json (the language step runs first, as in the pipeline), edit
replay, idempotence, determinism, and sample 002 when ../shared is present."""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import case_params

from cleaners.config import CleanerConfig, ScriptConfig
from cleaners.context import Context
from cleaners.document import Document, Edit, apply_edits
from cleaners.language import detect_language
from cleaners.script import convert_script, han_sets, normalize_punctuation


def make_ctx(text: str, config: CleanerConfig | None = None) -> Context:
    ctx = Context(doc=Document.make("t", 0, text), config=config or CleanerConfig(), text_in=text)
    detect_language(text, ctx)
    return ctx


def run(step, text: str, config: CleanerConfig | None = None) -> tuple[str, list[Edit], Context]:
    ctx = make_ctx(text, config)
    edits = step(text, ctx)
    return apply_edits(text, edits), edits, ctx


def check_edits(text: str, edits: list[Edit], step: str) -> None:
    assert all(e.step == step and e.rule.startswith(step + ":") for e in edits)
    assert all(text[e.start:e.end] == e.before for e in edits)
    spans = sorted((e.start, e.end) for e in edits)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "edits overlap"


def config_of(case: dict) -> CleanerConfig:
    return CleanerConfig().replace(**case["config"]) if case.get("config") else CleanerConfig()


@pytest.mark.parametrize("case", case_params("script"))
def test_script_case(case: dict) -> None:
    out, edits, _ = run(convert_script, case["input"], config_of(case))
    assert out == case["expected"]
    check_edits(case["input"], edits, "script")
    if case["expected"] == case["input"]:
        assert edits == []


@pytest.mark.parametrize("case", case_params("punctuation"))
def test_punctuation_case(case: dict) -> None:
    out, edits, _ = run(normalize_punctuation, case["input"], config_of(case))
    assert out == case["expected"]
    check_edits(case["input"], edits, "punctuation")
    if case["expected"] == case["input"]:
        assert edits == []


@pytest.mark.parametrize("name, step", [("script", convert_script), ("punctuation", normalize_punctuation)])
def test_idempotent(name: str, step) -> None:
    for case in case_params(name):
        c = case.values[0]
        if c["expect"] != "pass":
            continue
        out, _, _ = run(step, c["expected"], config_of(c))
        assert out == c["expected"], c["label"]


def test_deterministic() -> None:
    text = "華為發布了昇騰AI處理器,性能大幅提升(約30%)。\n之後我們會在臺北舉辦發表會!"
    outs = set()
    for _ in range(3):
        t1, e1, ctx = run(convert_script, text)
        outs.add((t1, tuple(e1), apply_edits(t1, normalize_punctuation(t1, ctx))))
    assert len(outs) == 1
    assert outs.pop()[2] == "华为发布了昇腾AI处理器，性能大幅提升（约30%）。\n之后我们会在台北举办发表会！"


def test_edit_rules_and_script_label() -> None:
    text = "這個軟體的說明書寫得很清楚。"
    out, edits, ctx = run(convert_script, text)
    assert {e.rule for e in edits} == {"script:t2s"}
    assert (ctx.script_in, ctx.script) == ("Hant", "Hans")
    cfg = CleanerConfig(script=ScriptConfig(target="t"))
    _, edits, ctx = run(convert_script, out, cfg)
    assert {e.rule for e in edits} == {"script:s2t"} and ctx.script == "Hant"


def test_one_edit_per_changed_line() -> None:
    """Script edits: one per changed line, from its first to its last changed
    character (docs/language.md), not one per run of changed characters."""
    text = "這個軟體的說明書寫得很清楚，使用者不需要額外的訓練。\n\nOK，之後我們會在臺北舉辦發表會。ok"
    out, edits, _ = run(convert_script, text)
    assert out == "这个软体的说明书写得很清楚，使用者不需要额外的训练。\n\nOK，之后我们会在台北举办发表会。ok"
    assert [(e.start, e.end, e.before, e.after) for e in edits] == [
        (0, 25, "這個軟體的說明書寫得很清楚，使用者不需要額外的訓練", "这个软体的说明书写得很清楚，使用者不需要额外的训练"),
        (32, 44, "後我們會在臺北舉辦發表會", "后我们会在台北举办发表会"),
    ]
    # a stray name in a long Simplified line stays a short edit
    text = "我们公司在臺灣和香港都有办事处，欢迎大家来参观我们的新办公室，也欢迎合作伙伴来访。"
    _, edits, _ = run(convert_script, text)
    assert [(e.rule, e.start, e.before, e.after) for e in edits] == [("script:t2s_stray", 5, "臺灣", "台湾")]


def test_protected_terms_from_config() -> None:
    cfg = CleanerConfig(script=ScriptConfig(protected_terms=("乾坤大挪移", "於")))
    text = "這套乾坤大挪移的功夫，於是傳遍了江湖。"
    out, _, _ = run(convert_script, text, cfg)
    assert out == "这套乾坤大挪移的功夫，於是传遍了江湖。"


def test_convert_stray_off_leaves_stray_characters() -> None:
    text = "我们公司在臺灣和香港都有办事处。"
    cfg = CleanerConfig(script=ScriptConfig(convert_stray=False))
    out, edits, _ = run(convert_script, text, cfg)
    assert out == text and edits == []
    out, _, _ = run(convert_script, text)
    assert out == "我们公司在台湾和香港都有办事处。"


def test_punctuation_switches() -> None:
    text = "神州数码(AI框架)发布,Ａ股上涨。"
    cfg = CleanerConfig().replace(punctuation={"parentheses": False, "fullwidth_ascii": False})
    out, _, _ = run(normalize_punctuation, text, cfg)
    assert out == "神州数码(AI框架)发布，Ａ股上涨。"
    cfg = CleanerConfig().replace(punctuation={"enabled": False})
    assert run(normalize_punctuation, text, cfg)[0] == text


def test_han_sets_are_disjoint_and_sane() -> None:
    s = han_sets()
    assert not (s.trad_only & s.simp_only)
    assert len(s.trad_only) > 2000 and len(s.simp_only) > 2000
    # characters both scripts use are in neither set
    for ch in "后干里面台万与中人的":
        assert ch not in s.trad_only and ch not in s.simp_only, ch


_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


@pytest.mark.shared
def test_sample_002_matches_gold(shared_dir) -> None:
    """Language -> script -> punctuation on sample 002 (pinyin annotations, which
    another step removes, stripped here): nearly every body line must equal a
    gold line; the rest are other steps' work (credits, mojibake, line joins)."""
    samples = shared_dir / "samples"
    files = sorted(samples.glob("002_*.txt"))
    if not files or not (samples / "002.gold.txt").exists():
        pytest.skip("sample 002 absent")
    text = _PINYIN.sub("", files[0].read_text(encoding="utf-8"))
    ctx = make_ctx(text)
    assert ctx.lang == "zh-Hant"
    text = apply_edits(text, convert_script(text, ctx))
    text = apply_edits(text, normalize_punctuation(text, ctx))
    fold = str.maketrans({"昇": "升", "着": "著"})
    gold = {ln.translate(fold) for ln in (samples / "002.gold.txt").read_text(encoding="utf-8").splitlines()}
    others = re.compile(r"\||!\[|Notice|特别声明|yōu|，$")   # credits, markdown, disclaimers, mojibake, joins
    lines = [ln.translate(fold) for ln in text.splitlines() if ln.strip() and not others.search(ln)]
    matched = sum(ln in gold for ln in lines)
    assert matched / len(lines) >= 0.97, [ln for ln in lines if ln not in gold]
    for must in ("就是要告诉全球（尤其是美国），我们不再满足",
                 "中国仍需在基础工艺（半导体制造）和基础软件（AI框架）上持续突破",
                 "英伟达的股价在星期三下跌2.6%就是明证",
                 "1.“双向脱钩”加速"):
        assert must in text

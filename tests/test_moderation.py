"""PII redaction and blocked words (cleaners/moderation.py); cases in tests/cases/moderation.json."""

from __future__ import annotations

import pytest
from conftest import case_params

from cleaners.config import CleanerConfig
from cleaners.context import Context
from cleaners.document import Document, apply_edits
from cleaners.moderation import blocked_automaton, find_pii, moderate


def run(text: str, overrides: dict | None = None) -> tuple[str, list, Context]:
    cfg = CleanerConfig().replace(**overrides) if overrides else CleanerConfig()
    ctx = Context(Document.make("case", 0, text), cfg, text_in=text)
    edits = moderate(text, ctx)
    return apply_edits(text, edits), edits, ctx


@pytest.mark.parametrize("case", case_params("moderation"))
def test_moderation_case(case):
    out, edits, ctx = run(case["input"], case.get("config"))
    assert out == case["expected"]
    if case["input"] == case["expected"]:
        assert edits == [], "a negative case must produce no edit"
    for e in edits:
        assert e.step == "moderation" and e.rule.startswith("moderation:")
    for f in case.get("flags", []):
        assert f in ctx.flags
    for k, v in case.get("signals", {}).items():
        assert ctx.signals[k] == v, k
    if not case.get("flags") and case["input"] == case["expected"] and not case.get("config"):
        assert "pii" not in ctx.flags


@pytest.mark.parametrize("case", case_params("moderation"))
def test_moderation_idempotent(case):
    out, _, _ = run(case["input"], case.get("config"))
    again, edits, _ = run(out, case.get("config"))
    assert again == out and edits == []


def test_rules_name_the_kind():
    _, edits, _ = run("邮箱 a.b@example.org 手机 13812345678")
    assert [e.rule for e in edits] == ["moderation:pii_email", "moderation:pii_phone"]


def test_pii_types_limit_detection():
    out, _, ctx = run("邮箱 a.b@example.org 手机 13812345678", {"moderation": {"pii_types": ["email"]}})
    assert out == "邮箱 [EMAIL] 手机 13812345678"
    assert "pii_phone" not in ctx.signals or ctx.signals["pii_phone"] == 0


def test_pii_off():
    out, edits, ctx = run("手机 13812345678", {"moderation": {"pii": False}})
    assert edits == [] and "pii" not in ctx.flags


def test_blocked_reject():
    _, edits, ctx = run("这里有赌博网站。", {"moderation": {"blocked_words": ["赌博"], "blocked_action": "reject"}})
    assert edits == []
    assert ctx.verdict is not None and ctx.verdict.reason == "blocked"


def test_blocked_word_file(tmp_path):
    f = tmp_path / "words.txt"
    f.write_text("# one word per line\n赌博\n\n  Casino  \n", encoding="utf-8")
    out, _, ctx = run("赌博与CASINO", {"moderation": {"blocked_word_files": [str(f)], "blocked_action": "redact"}})
    assert out == "[BLOCKED]与[BLOCKED]"
    assert ctx.signals["blocked_hits"] == 2


def test_automaton_is_cached():
    assert blocked_automaton(("甲", "乙")) is blocked_automaton(("甲", "乙"))
    assert blocked_automaton(()) is None


def test_pii_and_blocked_do_not_overlap():
    # the blocked word lies inside an e-mail address: the PII edit wins, edits stay valid
    out, edits, _ = run("写信给 casino@example.com 或去 casino",
                        {"moderation": {"blocked_words": ["casino"], "blocked_action": "redact"}})
    assert out == "写信给 [EMAIL] 或去 [BLOCKED]"


def test_find_pii_is_ordered_and_disjoint():
    hits = find_pii("微信：13912345678，电话 13812345678，身份证 11010519491231002X")
    assert [h.kind for h in hits] == ["wechat", "phone", "id_card"]
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:]))

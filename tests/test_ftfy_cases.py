"""ftfy's own test cases (../shared/external/ftfy-cases), run through qingxi's
encoding chain: mojibake -> ftfy (CJK-safe) -> markup.

qingxi must match ftfy on its home ground while also repairing CJK damage, and
must never touch a negative case.  The floors are what we pass now; the one
synthetic difference is a policy: qingxi removes control characters such as
U+001A that ftfy keeps.  Skips cleanly without ../shared.
"""

from __future__ import annotations

import json

import pytest

from cleaners.config import CleanerConfig
from cleaners.context import Context
from cleaners.document import Document, apply_edits
from cleaners.pipeline import STEPS

pytestmark = pytest.mark.shared

FLOORS = {"in-the-wild": 69, "language-names": 19, "negative": 31, "synthetic": 29}
CFG = CleanerConfig()


def chain(text: str) -> str:
    for name in ("mojibake", "ftfy", "markup"):
        ctx = Context(Document.make("ftfy-case", 0, text), CFG, text_in=text)
        text = apply_edits(text, STEPS[name](text, ctx))
    return text


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_ftfy_cases(shared_dir, name):
    cases = json.loads((shared_dir / "external" / "ftfy-cases" / f"{name}.json").read_text(encoding="utf-8"))
    passed, failures = 0, []
    for c in cases:
        out = chain(c["original"])
        if out in (c["fixed"], c.get("fixed-encoding", c["fixed"])):
            passed += 1
        else:
            failures.append((c["label"], out))
        if name == "negative" and c["fixed"] == c["original"]:
            assert out == c["original"], f"negative case changed: {c['label']}"
    print(f"{name}: {passed}/{len(cases)}", failures)
    assert passed >= FLOORS[name], failures


# ------------------------------------------------------------------ the pre-checks are only shortcuts
# (these need nothing from ../shared)

ALL_CHARS = "".join(map(chr, range(0x110000)))


def test_ftfy_precheck_is_the_old_class_and_escape():
    """``encoding._SUSPECT`` (one class) finds exactly what ``[^...]|\\x1b`` found, at every code point."""
    import re

    from cleaners import encoding

    old = re.compile("[^\x00-\x7f\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                     "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7\U00020000-\U0003134f]|\x1b")
    assert [m.start() for m in encoding._SUSPECT.finditer(ALL_CHARS)] == [m.start() for m in old.finditer(ALL_CHARS)]


def _markup_samples() -> list[str]:
    tricky = ["他说&amp;quot;好&amp;quot;</p>\u200b下一段", "<!-- a -- b -->x<br/>&nbsp;&#8220;&#x27;",
              "AT&T; List<String> <stdio.h> a<b &c", "\u200d\U0001f600\u200dx\u200d", "\x00\x01<P CLASS='a'>\x9f",
              "<div\n class=\"x\">&AMP;lt;</DIV>", "\ufeff\u00ad&#0;&#xD800;&#55296;", "<<p>&&amp;>", "&", "<"]
    spaced = "<p>".join(ALL_CHARS[i:i + 97] for i in range(0, 0x3000, 97))
    return tricky + [spaced, ALL_CHARS[:0x3000], ALL_CHARS[0xD700:0x10000], "".join(tricky) * 3]


@pytest.mark.parametrize("flags", [(True, True, True), (True, False, False), (False, True, False), (False, False, True)])
def test_markup_scan_finds_what_finditer_finds(flags):
    """``markup._matches`` jumps between ``_SUSPECT`` characters and gives the same matches as finditer."""
    from cleaners import markup

    pattern = markup._combined(*flags)
    for text in _markup_samples():
        got = [(m.start(), m.end(), m.lastgroup) for m in markup._matches(pattern, text)]
        assert got == [(m.start(), m.end(), m.lastgroup) for m in pattern.finditer(text)], text[:80]


def test_every_markup_match_starts_at_a_suspect_character():
    """The heads of the combined pattern's alternatives (tag ``<``, entity ``&``,
    the invisible characters) are all in ``markup._SUSPECT``, case-insensitively too."""
    import re

    from cleaners import markup

    heads = re.compile("[<&]|" + markup._INVISIBLE.pattern, re.IGNORECASE | re.DOTALL)
    started = {m.group()[0] for m in heads.finditer("\n".join(ALL_CHARS))}
    assert started and all(markup._SUSPECT.match(c) for c in started)

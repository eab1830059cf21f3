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

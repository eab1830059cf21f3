"""Quality signals and the score.

Signals are measured on the clean text and all stored (the ``quality`` struct
column); the score combines them by the formula below and the verdict applies
``quality.min_chars`` and ``quality.min_score``.

Score (each factor in [0, 1], multiplied so one bad signal is enough to sink a
document, but every signal stays visible):

* ``length``   = min(1, log(1 + n_chars) / log(1 + 300))
* ``letters``  = clip((letter_share - 0.4) / 0.3): share of letters (Han, kana,
  hangul and alphabetic characters all count) among non-space characters
* ``repeats``  = 1 - clip((dup_line_share - 0.2) / 0.5)

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document
>>> t = "今天天气很好，我们去公园散步。" * 5
>>> ctx = Context(Document.make("t", 0, t), CleanerConfig())
>>> score_quality(t, ctx); round(ctx.signals["han_share"], 2), ctx.verdict
[]
(0.87, None)
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from cleaners.document import Edit

if TYPE_CHECKING:
    from cleaners.context import Context

#: Every signal the step writes, in the order of the ``quality`` struct column.
SIGNALS: tuple[str, ...] = (
    "n_chars", "n_lines", "han_share", "cjk_share", "letter_share", "digit_share", "punct_share",
    "mean_line_chars", "dup_line_share", "length_factor", "letters_factor", "repeats_factor",
)


def _clip(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def _is_han(o: int) -> bool:
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3134F
            or 0xF900 <= o <= 0xFAFF)


def measure(text: str) -> dict[str, float]:
    """The signals of one text (pure, no config)."""
    han = cjk = letters = digits = punct = n = 0
    for ch in text:
        if ch.isspace():
            continue
        n += 1
        o = ord(ch)
        if _is_han(o):
            han += 1
            cjk += 1
            letters += 1
        elif 0x3040 <= o <= 0x30FF or 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF:
            cjk += 1
            letters += 1
        elif ch.isalpha():
            letters += 1
        elif ch.isdigit():
            digits += 1
        elif unicodedata.category(ch).startswith("P"):
            punct += 1
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    line_chars = sum(len(ln) for ln in lines)
    counts = Counter(lines)
    dup_chars = sum(len(ln) * (c - 1) for ln, c in counts.items() if c > 1)
    d = max(n, 1)
    sig = {
        "n_chars": float(n),
        "n_lines": float(len(lines)),
        "han_share": han / d,
        "cjk_share": cjk / d,
        "letter_share": letters / d,
        "digit_share": digits / d,
        "punct_share": punct / d,
        "mean_line_chars": line_chars / max(len(lines), 1),
        "dup_line_share": dup_chars / max(line_chars, 1),
    }
    sig["length_factor"] = min(1.0, math.log1p(n) / math.log1p(300))
    sig["letters_factor"] = _clip((sig["letter_share"] - 0.4) / 0.3)
    sig["repeats_factor"] = 1.0 - _clip((sig["dup_line_share"] - 0.2) / 0.5)
    return sig


def score(signals: dict[str, float]) -> float:
    """Combine the factors into a score in [0, 1]."""
    return round(signals["length_factor"] * signals["letters_factor"] * signals["repeats_factor"], 4)


def label(score_value: float, high: float, medium: float) -> str:
    """``high`` / ``medium`` / ``low`` by the configured cut points."""
    return "high" if score_value >= high else "medium" if score_value >= medium else "low"


def score_quality(text: str, ctx: Context) -> list[Edit]:
    """Measure, score and judge (``too_short``, ``low_quality``); never edits."""
    cfg = ctx.config.quality
    sig = measure(text)
    ctx.signals.update(sig)
    ctx.quality_score = score(sig)
    ctx.metadata["quality_label"] = label(ctx.quality_score, cfg.high, cfg.medium)
    if cfg.min_chars is not None and sig["n_chars"] < cfg.min_chars:
        ctx.reject("too_short", f"{int(sig['n_chars'])} characters < quality.min_chars={cfg.min_chars}")
    elif cfg.min_score is not None and ctx.quality_score < cfg.min_score:
        ctx.reject("low_quality", f"score {ctx.quality_score} < quality.min_score={cfg.min_score}")
    return []

"""Bounds checked before any work: empty and over-long documents.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document
>>> ctx = Context(Document.make("t", 0, "  \\n"), CleanerConfig())
>>> enforce_limits("  \\n", ctx); ctx.verdict.reason
[]
'empty'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cleaners.document import Edit

if TYPE_CHECKING:
    from cleaners.context import Context


def enforce_limits(text: str, ctx: Context) -> list[Edit]:
    """Reject ``empty`` (nothing but whitespace) and ``too_long`` documents, or
    truncate over-long ones when ``limits.truncate`` is set (flag ``truncated``)."""
    cfg = ctx.config.limits
    if not text.strip():
        ctx.reject("empty", "no text after decoding")
        return []
    if len(text) > cfg.max_chars:
        if not cfg.truncate:
            ctx.reject("too_long", f"{len(text)} characters > limits.max_chars={cfg.max_chars}")
            return []
        ctx.flag("truncated")
        cut = cfg.max_chars
        # do not split a surrogate-free text in the middle of a line break pair
        return [Edit("limits", "limits:truncate", cut, len(text), text[cut:], "",
                     f"cut at limits.max_chars={cut}")]
    return []

"""The records that travel through qingxi: Document, Edit, Verdict, CleanResult.

A ``Document`` comes out of a reader; a cleaning step never mutates it, it
returns :class:`Edit` records instead; the pipeline applies them and keeps them,
so that every change can be audited and replayed:

>>> text = "abc\u200bdef"
>>> edits = [Edit("invisible", "zero_width", 3, 4, "\u200b", "")]
>>> apply_edits(text, edits)
'abcdef'
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def make_id(source: str, record: int) -> str:
    """Stable document id: 16 hex digits of sha1(source, record index).

    >>> make_id("a.txt", 0) == make_id("a.txt", 0)
    True
    >>> len(make_id("a.txt", 0))
    16
    """
    return hashlib.sha1(f"{source}\x00{record}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(slots=True)
class Document:
    """One input record.

    ``text`` is the decoded text (``None`` when only ``raw`` bytes are known and
    the decode step must produce it), ``source`` the input path or URL as given,
    ``source_record`` the index of the record inside that source.  ``metadata``
    holds url, title, published_at, tags, declared charset, html, ...
    """

    id: str
    source: str
    source_record: int
    text: str | None = None
    raw: bytes | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, source: str, record: int, text: str | None = None, raw: bytes | None = None,
             **metadata: Any) -> Document:
        return cls(make_id(source, record), source, record, text, raw, dict(metadata))


@dataclass(slots=True, frozen=True)
class Edit:
    """One change made by one step: ``text[start:end]`` (offsets into the text
    the step *received*) was ``before`` and became ``after``.

    ``step`` is the registry name of the step, ``rule`` the id of the rule that
    fired (``ftfy:fix_encoding``, ``boilerplate:novel_promo_tail``...), and
    ``note`` an optional human-readable reason.
    """

    step: str
    rule: str
    start: int
    end: int
    before: str
    after: str
    note: str = ""

    def as_row(self) -> dict[str, Any]:
        return {"step": self.step, "rule": self.rule, "start": self.start, "end": self.end,
                "before": self.before, "after": self.after, "note": self.note}


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (offsets into ``text``) and return the result.

    Raises ``ValueError`` when edits overlap or do not match the text, which
    makes a step's bookkeeping bug loud instead of silently corrupting text.

    >>> apply_edits("a,b", [Edit("s", "r", 1, 2, ",", "，")])
    'a，b'
    """
    if not edits:
        return text
    out: list[str] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos or e.end < e.start or e.end > len(text):
            raise ValueError(f"edit {e.rule!r} at {e.start}:{e.end} overlaps or is out of range")
        if text[e.start:e.end] != e.before:
            raise ValueError(f"edit {e.rule!r} at {e.start}:{e.end} does not match the text")
        out.append(text[pos:e.start])
        out.append(e.after)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def replay(text: str, edits: Iterable[Edit]) -> str:
    """Replay a whole edit log (as recorded in ``CleanResult.edits``) over the
    step-0 text and return the final text.  Edits are grouped by consecutive
    step runs: each group's offsets refer to the text that step received.

    >>> log = [Edit("a", "x", 0, 1, "A", "a"), Edit("b", "y", 1, 2, "B", "")]
    >>> replay("AB", log)
    'a'
    """
    group: list[Edit] = []
    current: tuple[str, int] | None = None
    for e in edits:
        key = edit_group(e)
        if current is not None and key != current:
            text = apply_edits(text, group)
            group = []
        current = key
        group.append(e)
    return apply_edits(text, group)


def edit_group(e: Edit) -> tuple[str, int]:
    """The (step, pass) an edit belongs to: edits of one group share offsets."""
    return e.step, _group_of(e)


def _group_of(e: Edit) -> int:
    # Edits of a later cleaning pass record its number in their note ("pass=2;...").
    if e.note.startswith("pass="):
        head = e.note.split(";", 1)[0]
        try:
            return int(head[5:])
        except ValueError:
            return 0
    return 0


@dataclass(slots=True, frozen=True)
class Verdict:
    """``keep=True`` always means keep; a rejection carries a stable snake_case
    ``reason`` (``empty``, ``too_short``, ``low_quality``, ``spam``...)."""

    keep: bool
    reason: str | None = None
    detail: str = ""

    @classmethod
    def ok(cls) -> Verdict:
        return cls(True, None)

    @classmethod
    def reject(cls, reason: str, detail: str = "") -> Verdict:
        return cls(False, reason, detail)


@dataclass(slots=True)
class CleanResult:
    """What ``clean(doc, config)`` returns: the clean text, every edit that made
    it, the signals measured on it, flags, language and script, and a verdict."""

    doc: Document
    text: str
    text_in: str
    edits: list[Edit]
    signals: dict[str, float]
    flags: list[str]
    verdict: Verdict
    lang: str = "und"
    lang_prob: float = 0.0
    script: str = "unknown"
    script_in: str = "unknown"
    quality_score: float = 0.0
    source_encoding: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

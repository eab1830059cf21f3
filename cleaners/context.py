"""The per-document state handed to every step (see ``cleaners.pipeline``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cleaners.config import CleanerConfig
from cleaners.document import Document, Edit, Verdict


@dataclass(slots=True)
class Context:
    """Mutable per-document state shared by the steps of one ``clean`` call."""

    doc: Document
    config: CleanerConfig
    text_in: str = ""
    lang: str = "und"
    lang_prob: float = 0.0
    lang_second: str | None = None
    script: str = "unknown"
    script_in: str = "unknown"
    source_encoding: str | None = None
    flags: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    verdict: Verdict | None = None
    quality_score: float = 0.0
    edits: list[Edit] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    # What a step remembers between the passes of one ``clean`` call (say, the
    # match key of a text it found nothing in), keyed by the step's name.
    memo: dict[str, Any] = field(default_factory=dict)

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)

    def reject(self, reason: str, detail: str = "") -> None:
        """Reject the document; the first rejection wins and later steps are skipped."""
        if self.verdict is None:
            self.verdict = Verdict.reject(reason, detail)

    def count(self, key: str, n: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + n

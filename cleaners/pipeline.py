"""The step registry and ``clean(doc, config) -> CleanResult``.

A step is a plain function ``step(text, ctx) -> list[Edit]``: it reads the text
it receives, may record language, flags, signals or a verdict on the
:class:`Context`, and returns the edits it wants made (offsets into the text it
received).  The pipeline applies them, so the edit log always replays to the
output.  Adding a step is one module and one line in :data:`STEPS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cleaners import (
    annotations,
    boilerplate,
    encoding,
    language,
    limits,
    markdown,
    markup,
    mojibake,
    quality,
    script,
    whitespace,
)
from cleaners.config import CleanerConfig
from cleaners.context import Context
from cleaners.document import CleanResult, Document, Edit, Verdict, apply_edits


Step = Callable[[str, Context], list[Edit]]

#: name -> step function, in the default order (see docs/architecture.md for
#: why this order).  The same names appear in config ``steps``, in
#: ``Edit.step``, in the manifest's per-step timings and in the docs.
STEPS: dict[str, Step] = {
    "limits": limits.enforce_limits,
    "mojibake": mojibake.repair_mojibake,
    "ftfy": encoding.fix_with_ftfy,
    "markup": markup.strip_markup,
    "annotations": annotations.strip_annotations,
    "markdown": markdown.strip_markdown,
    "whitespace": whitespace.normalize_whitespace,
    "boilerplate": boilerplate.strip_boilerplate,
    "language": language.detect_language,
    "script": script.convert_script,
    "punctuation": script.normalize_punctuation,
    "quality": quality.score_quality,
}

# Steps that only measure and judge: they still run after a rejection so the
# rejected row carries its language and signals.
_ALWAYS_RUN = {"language", "quality"}


def clean(doc: Document, config: CleanerConfig | None = None,
          timings: dict[str, float] | None = None) -> CleanResult:
    """Run the configured steps over one document.

    ``timings`` (optional) accumulates seconds per step across calls, which the
    flow reports in the manifest.
    """
    cfg = config or CleanerConfig()
    text = doc.text if doc.text is not None else ""
    ctx = Context(doc=doc, config=cfg, text_in=text)
    ctx.metadata.update(doc.metadata)
    ctx.source_encoding = doc.metadata.get("source_encoding")
    own_timings: dict[str, float] = {}
    for name in cfg.step_names():
        if ctx.verdict is not None and name not in _ALWAYS_RUN:
            continue
        step = STEPS[name]
        t0 = time.perf_counter()
        edits = step(text, ctx)
        if edits:
            text = apply_edits(text, edits)
            if cfg.output.record_edits:
                ctx.edits.extend(edits)
            ctx.count(f"edits.{name}", len(edits))
        own_timings[name] = time.perf_counter() - t0
    if timings is not None:
        for k, v in own_timings.items():
            timings[k] = timings.get(k, 0.0) + v
    verdict = ctx.verdict or Verdict.ok()
    return CleanResult(
        doc=doc,
        text=text,
        text_in=ctx.text_in,
        edits=ctx.edits,
        signals=ctx.signals,
        flags=ctx.flags,
        verdict=verdict,
        lang=ctx.lang,
        lang_prob=ctx.lang_prob,
        script=ctx.script,
        script_in=ctx.script_in,
        quality_score=ctx.quality_score,
        source_encoding=ctx.source_encoding,
        metadata=ctx.metadata,
        timings=own_timings,
    )


def clean_text(text: str, config: CleanerConfig | None = None) -> str:
    """Convenience: clean one string and return the clean text."""
    return clean(Document.make("<string>", 0, text), config).text

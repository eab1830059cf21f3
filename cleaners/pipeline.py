"""The step registry and ``clean(doc, config) -> CleanResult``.

A step is a plain function ``step(text, ctx) -> list[Edit]``: it reads the text
it receives, may record language, flags, signals or a verdict on the
:class:`Context`, and returns the edits it wants made (offsets into the text it
received).  The pipeline applies them, so the edit log always replays to the
output.  Adding a step is one module and one line in :data:`STEPS`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from cleaners import (
    annotations,
    boilerplate,
    dedup,
    encoding,
    language,
    limits,
    markdown,
    markup,
    moderation,
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
    "dedup": dedup.remove_repeated_paragraphs,
    "language": language.detect_language,
    "script": script.convert_script,
    "punctuation": script.normalize_punctuation,
    "moderation": moderation.moderate,
    "quality": quality.score_quality,
}

# Steps that only measure and judge: they still run after a rejection so the
# rejected row carries its language and signals.
_ALWAYS_RUN = {"language", "moderation", "quality"}  # moderation: PII is redacted in rejected rows too
# Steps that run once, before the rewriting passes settle (limits) or after
# them (quality, which measures the final text).  ``language`` runs again in
# a later pass only when that pass changed the text before it and the first
# reading was not Chinese (see :func:`_run`).
_ONCE = {"limits"}
_FINAL = {"quality"}


def clean(doc: Document, config: CleanerConfig | None = None,
          timings: dict[str, float] | None = None) -> CleanResult:
    """Run the configured steps over one document.

    Like ftfy's ``fix_text``, cleaning runs until nothing changes: when the
    first pass edited the text, the rewriting steps run again over their own
    output (up to ``max_passes``), so a repair that uncovers another (an
    entity hiding mojibake, a cut that exposes a new last line) is made now,
    and cleaning clean output changes nothing.  Edits of later passes carry
    ``pass=N`` in their note, which :func:`cleaners.document.replay` uses.
    A later pass starts by re-running the steps up to the last one that
    edited; the steps after it already saw the current text, so they run
    again only when those earlier steps change it (a Traditional document
    whose only edits are the script step's conversion skips nothing but
    the punctuation and moderation steps, a document whose only edit was
    an entity fix re-runs just the steps up to ``markup``).

    ``timings`` (optional) accumulates seconds per step across calls, which the
    flow reports in the manifest.
    """
    cfg = config or CleanerConfig()
    text = doc.text if doc.text is not None else ""
    ctx = Context(doc=doc, config=cfg, text_in=text)
    ctx.metadata.update(doc.metadata)
    ctx.source_encoding = doc.metadata.get("source_encoding")
    own_timings: dict[str, float] = {}
    names = cfg.step_names()
    text, edited = _run([n for n in names if n not in _FINAL], text, ctx, own_timings, 1)
    later = [n for n in names if n not in _FINAL and n not in _ONCE]
    for pass_no in range(2, cfg.max_passes + 1):
        if ctx.verdict is not None or not edited:
            break
        # Steps after the last one that edited have already seen this exact
        # text: they need to run again only if an earlier step changes it now.
        last = max((later.index(n) for n in edited if n in later), default=-1)
        if last < 0:
            break
        first_pass_signals = dict(ctx.signals)
        before = text
        relabelled: set[str] = set()
        text, edited = _run(later[:last + 1], text, ctx, own_timings, pass_no, relabelled=relabelled)
        if edited:
            text, more = _run(later[last + 1:], text, ctx, own_timings, pass_no, changed=True,
                              relabelled=relabelled)
            edited += more
        for k in relabelled:            # a new language reading keeps its own signals
            first_pass_signals.pop(k, None)
        ctx.signals.update(first_pass_signals)  # the first pass's measurements describe the document
        if text == before:
            break
    text, _ = _run([n for n in names if n in _FINAL], text, ctx, own_timings, 1)
    if timings is not None:
        for k, v in own_timings.items():
            timings[k] = timings.get(k, 0.0) + v
    verdict = ctx.verdict or Verdict.ok()
    return CleanResult(
        doc=doc,
        text=text,
        text_in=ctx.text_in,
        edits=ctx.edits if cfg.output.record_edits else [],
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


def _run(names: list[str], text: str, ctx: Context, timings: dict[str, float], pass_no: int,
         changed: bool = False, relabelled: set[str] | None = None) -> tuple[str, list[str]]:
    """Run ``names`` in order; return the text and the names of the steps that edited it.

    In a later pass (``pass_no`` > 1), ``language`` runs again only when the
    text changed in this pass before it (``changed``: by steps run before this
    call) and the document was not read as Chinese: a repair made now can
    reveal what damage hid ("ºÉ" was read ``und``; repaired to 盡 it is
    Chinese, and the script step must see that now, or the next clean would
    convert it).  A Chinese reading stands: the script step has converted the
    text since, so reading it again would report the converted script.  The
    keys it writes go into ``relabelled``.
    """
    edited: list[str] = []
    for name in names:
        if ctx.verdict is not None and name not in _ALWAYS_RUN:
            continue
        if name == "language" and pass_no > 1:
            if not (changed or edited) or script.is_chinese(ctx):
                continue
            ctx.flags[:] = [f for f in ctx.flags if f != "mixed"]
            signals_before = dict(ctx.signals)
        t0 = time.perf_counter()
        edits = STEPS[name](text, ctx)
        if name == "language" and pass_no > 1 and relabelled is not None:
            relabelled.update(k for k, v in ctx.signals.items() if signals_before.get(k, v) != v
                              or k not in signals_before)
        if edits:
            if pass_no > 1:
                edits = [dataclasses.replace(e, note=f"pass={pass_no};{e.note}") for e in edits]
            text = apply_edits(text, edits)
            ctx.edits.extend(edits)
            ctx.count(f"edits.{name}", len(edits))
            edited.append(name)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return text, edited


# One short text per lazily loaded table: the boilerplate rule set, OpenCC's
# converters and character sets, langdetect's profiles (Latin text), the
# mojibake tables (a GBK-as-UTF-8 run, and one with a lost byte for the pair
# index its guesses use), pypinyin's dictionary (a glued reading), the
# Japanese path.  Written for this module.
_WARM_TEXTS = (
    "今天上午，市政府召开新闻发布会，介绍了今年经济发展的主要情况。",
    "今天上午，市政府召開新聞發佈會，介紹了今年經濟發展的主要情況。",
    "The city council met on Tuesday to discuss the budget for the coming year.",
    "这次会议讨论了鏁版嵁鍒嗘瀽的问题。",
    "这次会议讨论了鏁版嵁鍒嗘?的问题。",
    "他们在会上讨论了联(lián)合发展的计划。",
    "今日は東京で大きな会議が開かれました。",
)


def warm_up(config: CleanerConfig | None = None) -> float:
    """Load every table the steps load lazily (about 1 s of CPU), so that the
    first documents of a run do not pay for it; returns the seconds spent.

    Pool workers fork from a process that ran this (see
    :func:`flows.runner._run_pool`), so each worker starts warm instead of
    loading everything again.  Cleaning is unaffected: the tables are the same
    whether loaded here or on first use.
    """
    t0 = time.perf_counter()
    cfg = config or CleanerConfig()
    for i, text in enumerate(_WARM_TEXTS):
        clean(Document.make("<warm-up>", i, text), cfg)
    return time.perf_counter() - t0


def clean_text(text: str, config: CleanerConfig | None = None) -> str:
    """Convenience: clean one string and return the clean text."""
    return clean(Document.make("<string>", 0, text), config).text

"""One immutable, documented configuration for the whole cleaning pipeline.

Every field has a default chosen for Chinese web text; ``None`` switches a
threshold off.  A YAML file only needs the keys it changes (the packaged
defaults are overlaid, as trafilatura's ``settings.cfg`` is).  Variants are made
with :meth:`CleanerConfig.replace`::

    >>> cfg = CleanerConfig()
    >>> cfg.script.target
    's'
    >>> cfg.replace(script={"target": "t"}).script.target
    't'
    >>> cfg.config_hash() == CleanerConfig().config_hash()
    True

``data/config.example.yaml`` lists every option with a comment; a test checks
that it stays in step with this module.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InputConfig(_Section):
    """How records are read from sources."""

    text_field: str = "text"          # JSONL/Parquet field holding the text
    id_field: str | None = "id"       # optional field kept as metadata `record_id`
    url_field: str | None = "url"     # optional field giving the document URL
    title_field: str | None = "title"
    html_field: str | None = "html"   # a field holding raw HTML (used when text is absent)
    encoding: str | None = None       # force a byte decoding for .txt/.html (else BOM, declared, detected)
    batch_size: int = Field(500, ge=1)  # records per batch while streaming a source


class LimitsConfig(_Section):
    """Bounds that keep work and memory predictable."""

    max_chars: int = Field(5_000_000, ge=1)   # longer documents are rejected `too_long`...
    truncate: bool = False                    # ...or cut to max_chars when True (flag `truncated`)


class MojibakeConfig(_Section):
    """CJK mojibake repair (runs before ftfy)."""

    enabled: bool = True
    min_run: int = Field(2, ge=1)           # shortest suspicious run worth a round trip
    min_gain: float = 2.0                   # a repair must improve plausibility by this (log-prob/char)
    families: tuple[str, ...] = ()          # damage families allowed to fire (empty: all; names as in rule ids)
    guess_lost_bytes: bool = True           # guess characters for lost bytes (flag lossy_mojibake); False drops them


class FtfyConfig(_Section):
    """ftfy with CJK-safe settings.

    ``fix_character_width`` and ``uncurl_quotes`` stay off: they turn
    ``，。！？（）：`` and U+3000 into ASCII and straighten “” (datatrove's
    FTFYFormatter says the same: it "enforces the WRONG punctuation for
    chinese").  ``normalization`` stays off so clean text is byte-identical
    (NFC would rewrite CJK compatibility ideographs).
    """

    enabled: bool = True
    unescape_html: bool = True           # on lines ftfy touches, entities first (mojibake hides behind them); else the markup step
    fix_encoding: bool = True
    restore_byte_a0: bool = True
    replace_lossy_sequences: bool = True
    decode_inconsistent_utf8: bool = True
    fix_c1_controls: bool = True
    fix_latin_ligatures: bool = False    # ligatures are rare in Chinese text and a change we would record
    remove_terminal_escapes: bool = True
    fix_surrogates: bool = True


class MarkupConfig(_Section):
    """HTML leftovers and invisible characters."""

    unescape_entities: bool = True
    strip_tags: bool = True
    remove_invisible: bool = True        # ZWSP, ZWNJ, BOM, soft hyphen, C0/C1 controls (keeps \\n and \\t)


class AnnotationsConfig(_Section):
    """Pinyin ruby annotations and citation markers."""

    pinyin: bool = True
    citations: bool = True


class MarkdownConfig(_Section):
    """Markdown syntax and YAML front matter."""

    enabled: bool = True
    front_matter: bool = True            # move front matter fields to metadata (False: leave the block as is)
    strip_ordered: bool = True           # in markdown documents "1. " list numbers go too (plain text never)


class WhitespaceConfig(_Section):
    """Line breaks and spaces."""

    max_blank_lines: int = Field(1, ge=0)  # keep at most this many consecutive blank lines
    strip_trailing: bool = True
    strip_leading: bool = False          # leading spaces (indentation, U+3000 paragraph indents) are kept


class BoilerplateConfig(_Section):
    """Line and span rules as data (``cleaners/rules/*.yaml``)."""

    enabled: bool = True
    packs: tuple[str, ...] = ()          # empty: every packaged pack; else only these pack names
    extra_rule_files: tuple[str, ...] = ()  # user rule files, same format as the packaged ones
    disabled_rules: tuple[str, ...] = ()  # rule ids (or pack names) to switch off
    match_simplified: bool = True        # match rules on a t2s copy of each line (runs before the script step)
    max_cut_share: float = Field(0.5, gt=0, le=1)  # a cut_tail removing more of the text only drops its line
    window_share: float = Field(0.34, gt=0, le=1)  # head/tail windows cover at most this share of the lines (min 3)
    repeated_min_docs: int | None = 5    # a line in this many documents of one site (run-wide) is chrome; None: off
    repeated_min_share: float = Field(0.5, ge=0, le=1)  # ...and in at least this share of the site's documents


class LanguageConfig(_Section):
    """Language detection (langdetect, seeded) backed by script detection."""

    seed: int = 0
    min_chars: int = Field(20, ge=1)      # shorter texts are `und` unless the script settles them
    sample_chars: int = Field(2000, ge=100)  # bound on the text handed to langdetect (several windows)
    allowed: tuple[str, ...] | None = None   # e.g. ["zh-Hans", "zh-Hant"]: other languages rejected `wrong_language`
    min_prob: float = Field(0.5, ge=0.0, le=1.0)  # langdetect's best guess below this: `und` (too mixed)
    mixed_share: float = Field(0.2, gt=0.0, lt=0.5)  # 2nd language with this weighted share: flag `mixed`


class ScriptConfig(_Section):
    """Script normalization with OpenCC, Chinese only."""

    target: Literal["s", "t", "tw", "twp", "hk", "keep"] = "s"
    protected_terms: tuple[str, ...] = ("昇腾",)  # never converted (brand and person names)
    convert_stray: bool = True           # convert the few other-script characters of a target-script document


class PunctuationConfig(_Section):
    """Punctuation width in Chinese text."""

    enabled: bool = True
    fullwidth_ascii: bool = True         # fullwidth letters and digits become ASCII
    parentheses: bool = True             # ( ) pairs in Chinese context become （ ）


class ModerationConfig(_Section):
    """PII redaction and blocked words (docs/moderation.md)."""

    pii: bool = True                     # detect personal data at all
    pii_action: Literal["redact", "flag"] = "redact"  # redact: typed placeholders ([EMAIL], [PHONE]...); flag: count only
    pii_types: tuple[Literal["email", "phone", "id_card", "bank_card", "wechat", "qq"], ...] = (
        "email", "phone", "id_card", "bank_card", "wechat", "qq")  # the kinds detected
    blocked_words: tuple[str, ...] = ()  # words to act on (case-insensitive; Latin words match whole words only)
    blocked_word_files: tuple[str, ...] = ()  # UTF-8 files, one word per line, "#" starts a comment
    blocked_action: Literal["flag", "redact", "reject"] = "flag"  # flag `blocked`, mask the word, or reject `blocked`
    blocked_mask: str = Field("[BLOCKED]", min_length=1)  # redact replacement; one character (e.g. ＊) is repeated per character


class QualityConfig(_Section):
    """Quality signals, score and verdict (the formula: cleaners/quality.py, docs/quality.md)."""

    min_chars: int | None = 20           # shorter clean texts are rejected `too_short`
    min_score: float | None = 0.3        # documents below are rejected `low_quality` (`spam` when a spam factor is weakest)
    high: float = 0.7                    # quality_label high at or above this
    medium: float = 0.4                  # quality_label medium at or above this, else low
    weights: dict[str, float] = Field(default_factory=dict)  # exponent of a score factor by name (default 1, 0 turns it off)
    ramps: dict[str, tuple[float, float]] = Field(default_factory=dict)  # (good, bad) ends of a factor's ramp by name
    paragraph_min_chars: int | None = 50  # `dedup` step: repeated paragraphs of this many chars go (None: off); shorter repeats (a source line under each section) are real structure

    @field_validator("weights", "ramps")
    @classmethod
    def _known_factors(cls, v: dict[str, Any], info: Any) -> dict[str, Any]:
        from cleaners.quality import FACTOR_NAMES, FACTORS  # late: keeps config import light

        known = FACTOR_NAMES if info.field_name == "weights" else tuple(FACTORS)
        unknown = sorted(set(v) - set(known))
        if unknown:
            raise ValueError(f"unknown quality factor(s) {unknown}; known: {list(known)}")
        return v


class DedupConfig(_Section):
    """Run-wide document deduplication (exact and MinHash near-duplicates, in finalize)."""

    documents: bool = True                    # find duplicate documents across the whole run
    threshold: float = Field(0.7, gt=0, le=1)  # estimated Jaccard of character 5-grams (CJK) or word 3-grams


class OutputConfig(_Section):
    """How results are written."""

    # smaller on a small input: flows.sources.shard_target, docs/architecture.md
    shard_bytes: int = Field(16 * 1024 * 1024, ge=1024)  # input bytes per shard at most (big files are split)
    shard_boundary_every: int = Field(256, ge=1)  # about this many files per shard at most: boundaries by path hash
    row_group_rows: int = Field(2_000, ge=100)  # rows buffered per Parquet row group: bounds a shard's memory
    compression: Literal["zstd", "snappy", "gzip", "none"] = "zstd"
    record_edits: bool = True            # keep every edit in the `edits` column


class CleanerConfig(_Section):
    """The whole pipeline's configuration; see each section's docstring."""

    steps: tuple[str, ...] | None = None  # None: every registered step, in registry order (cleaners/pipeline.py)
    max_passes: int = Field(3, ge=1, le=5)  # rewriting steps run again while a pass still changes the text
    input: InputConfig = InputConfig()
    limits: LimitsConfig = LimitsConfig()
    mojibake: MojibakeConfig = MojibakeConfig()
    ftfy: FtfyConfig = FtfyConfig()
    markup: MarkupConfig = MarkupConfig()
    annotations: AnnotationsConfig = AnnotationsConfig()
    markdown: MarkdownConfig = MarkdownConfig()
    whitespace: WhitespaceConfig = WhitespaceConfig()
    boilerplate: BoilerplateConfig = BoilerplateConfig()
    language: LanguageConfig = LanguageConfig()
    script: ScriptConfig = ScriptConfig()
    punctuation: PunctuationConfig = PunctuationConfig()
    moderation: ModerationConfig = ModerationConfig()
    quality: QualityConfig = QualityConfig()
    dedup: DedupConfig = DedupConfig()
    output: OutputConfig = OutputConfig()

    @field_validator("steps")
    @classmethod
    def _known_steps(cls, steps: tuple[str, ...] | None) -> tuple[str, ...] | None:
        from cleaners.pipeline import STEPS  # late: the registry imports the step modules

        if steps is None:
            return None
        unknown = [s for s in steps if s not in STEPS]
        if unknown:
            raise ValueError(f"unknown step(s) {unknown}; known steps: {sorted(STEPS)}")
        return steps

    def step_names(self) -> tuple[str, ...]:
        """The steps this config runs, in order."""
        from cleaners.pipeline import STEPS

        return self.steps if self.steps is not None else tuple(STEPS)

    def replace(self, **changes: Any) -> CleanerConfig:
        """A copy with some fields changed; nested sections merge (``script={"target": "t"}``)."""
        return CleanerConfig.model_validate(_merge(self.model_dump(), changes))

    def config_hash(self) -> str:
        """Hash of every option: part of each shard's cache key and the file metadata."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "weights":
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


class ConfigError(ValueError):
    """A configuration file or override that cannot be used; the message says where."""


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> CleanerConfig:
    """Load a YAML config over the defaults, then apply ``overrides``.

    Unknown keys are errors (a typo must not be silently ignored).
    """
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        try:
            loaded = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{p}: the top level must be a mapping of sections")
        data = loaded
    if overrides:
        data = _merge(data, overrides)
    try:
        return CleanerConfig.model_validate(data)
    except ValidationError as exc:
        where = f"{path}: " if path else ""
        lines = [f"{where}invalid configuration:"]
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"])
            lines.append(f"  {loc}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from None

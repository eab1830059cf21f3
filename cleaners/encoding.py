"""ftfy with a CJK-safe configuration.

ftfy repairs the Latin-1/cp1252 family of mojibake very well, but its defaults
damage Chinese: ``fix_character_width`` turns ``，。！？（）：`` and U+3000 into
ASCII, ``uncurl_quotes`` straightens “”, NFC rewrites CJK compatibility
ideographs.  This step keeps those off (see ``FtfyConfig``), runs ftfy per line
(bounded work, and one edit per changed line), and only on lines that contain a
character ftfy could act on, so clean Chinese costs a regex scan.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> t = "华为，中科曙光！（测试）：　“好” — cafÃ©"
>>> apply_edits(t, fix_with_ftfy(t, Context(Document.make("t", 0, t), CleanerConfig())))
'华为，中科曙光！（测试）：　“好” — café'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import ftfy

from cleaners.edits import line_edits

if TYPE_CHECKING:
    from cleaners.config import FtfyConfig
    from cleaners.context import Context

# A line ftfy could act on has a character outside ASCII and the CJK ranges
# (Latin-1 and cp1252/MacRoman/cp437 letters mojibake is made of, C1 controls,
# surrogates, U+FFFD) or a terminal escape.  Clean Chinese lines have none and
# are left alone without calling ftfy.  One negated class (ESC, U+001B, is
# simply left out of the ASCII range): a regex that starts with a character
# class is scanned for fast, an alternation ("[^...]|\x1b") at every position.
_SUSPECT = re.compile(
    "[^\x00-\x1a\x1c-\x7f\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7\U00020000-\U0003134f]"
)


@lru_cache(maxsize=8)
def _ftfy_config(cfg: FtfyConfig) -> ftfy.TextFixerConfig:
    return ftfy.TextFixerConfig(
        unescape_html=cfg.unescape_html,
        remove_terminal_escapes=cfg.remove_terminal_escapes,
        fix_encoding=cfg.fix_encoding,
        restore_byte_a0=cfg.restore_byte_a0,
        replace_lossy_sequences=cfg.replace_lossy_sequences,
        decode_inconsistent_utf8=cfg.decode_inconsistent_utf8,
        fix_c1_controls=cfg.fix_c1_controls,
        fix_latin_ligatures=cfg.fix_latin_ligatures,
        fix_character_width=False,   # never: it folds CJK punctuation to ASCII
        uncurl_quotes=False,         # never: “” are correct Chinese quotes
        fix_line_breaks=False,       # the whitespace step owns line breaks
        fix_surrogates=cfg.fix_surrogates,
        remove_control_chars=False,  # the markup step removes controls, with its own rule ids
        normalization=None,          # keep clean text byte-identical
        explain=False,
    )


def fix_with_ftfy(text: str, ctx: Context) -> list:
    """Run ftfy (CJK-safe config) on each line that has a character it could fix."""
    cfg = ctx.config.ftfy
    if not cfg.enabled or not _SUSPECT.search(text):
        return []
    fcfg = _ftfy_config(cfg)
    # C0 controls inside a mojibake sequence hide it from ftfy (and the markup
    # step would remove them afterwards, leaving mojibake a second pass fixes):
    # ftfy sees the line without them.
    return line_edits("ftfy", "ftfy:fix_text", text, lambda line: ftfy.fix_text(_C0.sub("", line), fcfg),
                      precheck=_SUSPECT.search)


_C0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

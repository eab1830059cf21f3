"""Boilerplate, ads and spam removal driven by rule packs kept as data.

Rules live in ``cleaners/rules/*.yaml`` (one pack per file) and in user files
named by ``BoilerplateConfig.extra_rule_files``; ``docs/rules.md`` documents
the format.  Each rule says *what* to look for (keywords and regexes), *where*
(``head``/``tail``/``edges`` windows of non-blank lines, or ``anywhere``) and
*what to do* (``drop_line``, ``drop_span``, ``cut_tail``, ``drop_document``,
``flag_only``).

Matching happens on a *match key* of each line, never on the text itself: the
line converted to Simplified Chinese (OpenCC ``t2s``, this step runs before the
script step) with fullwidth ASCII folded to ASCII and ASCII letters lowercased,
so one pattern written with ``:``, ``|`` and Simplified characters covers
``特別聲明：``, ``特别声明:`` and ``特別聲明:``.  The key has the same length as
the line, so a match span is also a span of the original text, and every
removal is an :class:`~cleaners.document.Edit` that keeps the original bytes.

Work is bounded: one pass over the key of the whole text finds the lines that
contain any rule's keyword (:class:`_KeywordIndex`), and a rule's regexes only
run on those lines (or, for keyword-less rules, on the few lines of their
head/tail window).  Making the key is cheap on the common case: OpenCC only
runs on texts holding a character it may rewrite (:func:`_t2s_flags`).

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> text = "正文第一段。\\n正文第二段。\\n未經允許，禁止轉載\\n"
>>> ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
>>> edits = strip_boilerplate(text, ctx)
>>> apply_edits(text, edits)
'正文第一段。\\n正文第二段。\\n'
>>> edits[0].rule
'boilerplate:reprint.forbid'
"""

from __future__ import annotations

import functools
import math
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from cleaners.config import BoilerplateConfig
from cleaners.context import Context
from cleaners.document import Edit

STEP = "boilerplate"

ACTIONS = ("drop_line", "drop_span", "cut_tail", "drop_document", "flag_only")
WHERE = ("anywhere", "head", "tail", "edges")
_RULE_FIELDS = {
    "id", "why", "keywords", "patterns", "where", "lines", "max_chars", "action",
    "min_hits", "min_share", "otherwise", "spam", "reason", "enabled",
}
_PACK_FIELDS = {"pack", "description", "rules"}
_DEFAULT_WINDOW = 10


class RuleError(ValueError):
    """A rule file that cannot be used; the message starts with ``file:line:``."""


# --------------------------------------------------------------------------- match key

# Fullwidth ASCII (U+FF01..U+FF5E) to ASCII, the ideographic space to a space,
# ASCII capitals to lower case: every mapping is one character to one character.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_FOLD.update({cp: cp + 32 for cp in range(0x41, 0x5B)})
for _cp in range(0xFF21, 0xFF3B):      # fullwidth capitals straight to ASCII lower case
    _FOLD[_cp] = _cp - 0xFEE0 + 32


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """``_FOLD`` as a lookup table over the BMP (identity elsewhere)."""
    tab = np.arange(0x10000, dtype=np.uint32)
    for cp, to in _FOLD.items():
        tab[cp] = to
    return tab


# Characters t2s rewrites only inside a phrase of OpenCC's TSPhrases that holds
# no character t2s rewrites alone: 打坏 -> 打坯, 回覆 -> 回复, 沈默 -> 沉默,
# 瞭解 -> 了解, 藉口 -> 借口 ...  tests/test_boilerplate.py checks this list
# against the installed OpenCC's dictionary (``opencc_dict``).
T2S_PHRASE_ONLY = "哩坏沈甦瞭藉衹覆"
_T2S_CHANGES = 1   # t2s rewrites the character alone (or it is a surrogate: t2s raises)
_T2S_PHRASE = 2    # t2s may rewrite it inside a phrase (T2S_PHRASE_ONLY)


@functools.lru_cache(maxsize=1)
def _t2s_flags() -> np.ndarray:
    """BMP code point -> ``_T2S_CHANGES`` | ``_T2S_PHRASE`` bits.

    Every BMP character is converted alone (one per line, so no phrase
    applies): about 20 ms, so the result is kept in the table cache
    (:mod:`cleaners.tablecache`) and read back in under 1 ms.  A text holding
    no flagged character (and no astral one) is what t2s returns it as; one
    whose only flagged characters are ``_T2S_PHRASE`` ones is converted line
    by line, only the lines holding them (no OpenCC dictionary entry spans a
    line break, so lines convert independently).
    """
    import opencc

    from cleaners import tablecache as tc

    return tc.load_or_build("t2s_flags", lambda: {"flags": _derive_t2s_flags()}, modules=("boilerplate.py",),
                            packages=(os.path.dirname(opencc.__file__),))["flags"]


def _derive_t2s_flags() -> np.ndarray:
    """:func:`_t2s_flags` from OpenCC's ``t2s`` converter."""
    chars = [chr(c) for c in range(0x10000) if c != 0x0A and not 0xD800 <= c < 0xE000]
    out = _t2s().convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):   # never seen; fall back to one call per character
        out = [_t2s().convert(c) for c in chars]
    flags = np.zeros(0x10000, dtype=np.uint8)
    changed = [ord(c) for c, o in zip(chars, out, strict=True) if o != c]
    flags[np.array(changed, dtype=np.int64)] |= _T2S_CHANGES
    flags[0xD800:0xE000] |= _T2S_CHANGES
    flags[[ord(c) for c in T2S_PHRASE_ONLY]] |= _T2S_PHRASE
    return flags


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _t2s_same_length(text: str) -> str:
    """t2s of the whole text; lines whose conversion changes length stay as they are."""
    conv = _t2s().convert(text)
    if len(conv) == len(text):
        return conv
    # Rare length-changing phrase: convert line by line, keeping lines that change length as they are.
    parts = []
    for line in text.split("\n"):
        c = _t2s().convert(line) if not line.isascii() else line
        parts.append(c if len(c) == len(line) else line)
    return "\n".join(parts)


@functools.lru_cache(maxsize=1)
def _key_table() -> np.ndarray:
    """BMP code point -> its ``_FOLD`` (low 16 bits) | its t2s flags << 16."""
    return _fold_table() | (_t2s_flags().astype(np.uint32) << 16)


def _fold_cps(cps: np.ndarray) -> np.ndarray:
    tab = _fold_table()
    return tab.take(cps) if cps.max() < 0x10000 else np.where(cps < 0x10000, tab.take(cps & 0xFFFF), cps)


def _simplified(text: str, flags: np.ndarray) -> str:
    """``_t2s_same_length(text)`` given the t2s flags of each character (some
    set), calling OpenCC only on the lines where it may change something."""
    if (flags & _T2S_CHANGES).any():
        return _t2s_same_length(text)
    # Only characters that t2s rewrites inside some phrase: convert just their lines.
    pieces: list[str] = []
    pos = 0
    for i in flags.nonzero()[0].tolist():
        if i < pos:
            continue
        a = text.rfind("\n", 0, i) + 1
        b = text.find("\n", i)
        b = len(text) if b < 0 else b
        line = text[a:b]
        conv = _t2s().convert(line)
        if len(conv) != len(line):
            return _t2s_same_length(text)
        pieces.append(text[pos:a])
        pieces.append(conv)
        pos = b
    pieces.append(text[pos:])
    conv = "".join(pieces)
    return text if conv == text else conv


def _key(text: str, simplified: bool = True) -> tuple[str, np.ndarray]:
    """``match_key(text)`` and its code points (``uint32``).

    ``text.translate(_FOLD)`` looks every character up in a dict; one table
    lookup in numpy is about ten times cheaper.  OpenCC only runs on texts
    holding a character it may rewrite (see :func:`_t2s_flags`): that is
    about a fifth of the documents, the Traditional ones.
    """
    if text.isascii():
        key = text.lower()          # of ASCII, _FOLD only lowercases A-Z
        return key, _codepoints(key)
    cps = _codepoints(text)
    if cps.max() >= 0x10000:        # astral characters: t2s the whole text, as always
        out = _fold_cps(_codepoints(_t2s_same_length(text))) if simplified else _fold_cps(cps)
    elif not simplified:
        out = _fold_table().take(cps)
    else:
        out = _key_table().take(cps)
        if out.max() >= 0x10000:    # a character t2s may rewrite
            conv = _simplified(text, out >> 16)
            if conv is text:
                out &= 0xFFFF
            else:
                out = _fold_cps(_codepoints(conv))
    return out.tobytes().decode("utf-32-le", "surrogatepass"), out


def match_key(text: str, *, simplified: bool = True) -> str:
    """The string rules are matched against: same length as ``text``.

    Traditional characters become Simplified (when OpenCC keeps the length,
    which it does for all but rare phrase mappings), fullwidth ASCII becomes
    ASCII and ASCII letters are lowercased.

    >>> match_key("特別聲明：以上內容｜Notice")
    '特别声明:以上内容|notice'
    >>> len(match_key("網易號")) == len("網易號")
    True
    """
    if text.isascii():
        return text.lower()
    return _key(text, simplified)[0]


class _KeywordIndex:
    """Every occurrence of a set of keywords in a match key.

    A numpy pass marks the positions where the hash of the next one, two or
    three characters is that of a keyword's first characters (a few per
    document), then ``str.startswith`` confirms the keywords with those first
    characters there; it finds exactly what an Aho-Corasick pass finds
    (occurrences in position order for each head length), several times
    faster on CJK text.

    >>> idx = _KeywordIndex({"转载": (0,), "禁止转载": (1,), "ad": (2,)})
    >>> key = "禁止转载。ad"
    >>> sorted(idx.find(key, _key(key)[1]))
    [(0, '禁止转载', (1,)), (2, '转载', (0,)), (5, 'ad', (2,))]
    """

    _BITS = 16
    _P = 0x01000193

    def __init__(self, kw_rules: dict[str, tuple[int, ...]]):
        mask = (1 << self._BITS) - 1
        self.heads: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        self.tables: list[np.ndarray | None] = [None, None, None]
        for kw, idx in kw_rules.items():
            n = min(len(kw), 3)
            self.heads.setdefault(kw[:n], []).append((kw, idx))
            h = 0
            for ch in kw[:n]:
                h = (h * self._P + ord(ch)) & 0xFFFFFFFF
            tab = self.tables[n - 1]
            if tab is None:
                tab = self.tables[n - 1] = np.zeros(mask + 1, dtype=bool)
            tab[h & mask] = True

    def find(self, key: str, cps: np.ndarray) -> Iterator[tuple[int, str, tuple[int, ...]]]:
        """``(start, keyword, rule indices)`` of every occurrence; ``cps``: the key's code points."""
        n = len(cps)
        if not n or not self.heads:
            return
        m = np.uint32((1 << self._BITS) - 1)
        p = np.uint32(self._P)
        t1, t2, t3 = self.tables
        # Per head length, the positions its table marks: a keyword is only
        # looked for where the table of its own head length marks it.
        marked: list[tuple[int, np.ndarray]] = []
        if t1 is not None:
            marked.append((1, t1.take(cps & m)))
        if n >= 2 and (t2 is not None or t3 is not None):
            h2 = cps[:-1] * p + cps[1:]
            if t2 is not None:
                marked.append((2, t2.take(h2 & m)))
            if n >= 3 and t3 is not None:
                marked.append((3, t3.take((h2[:-1] * p + cps[2:]) & m)))
        heads = self.heads
        for size, hit in marked:
            for pos in hit.nonzero()[0].tolist():
                for kw, idx in heads.get(key[pos:pos + size], ()):
                    if key.startswith(kw, pos):
                        yield pos, kw, idx


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule.  ``origin`` is ``file:line`` of its definition."""

    id: str
    pack: str
    why: str
    action: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    where: str = "anywhere"
    lines: int = _DEFAULT_WINDOW
    max_chars: int | None = None
    min_hits: int | None = None
    min_share: float | None = None
    otherwise: str = "flag_only"
    spam: bool = False
    reason: str = "spam"
    enabled: bool = True
    origin: str = ""

    def in_window(self, rank_head: int, rank_tail: int, cap: int | None = None) -> bool:
        """Whether a non-blank line ranked ``rank_head`` from the top and
        ``rank_tail`` from the bottom (both 0-based) is in this rule's window;
        ``cap`` bounds the window (short documents have short edges).

        >>> r = Rule("x", "p", "why", "drop_line", ("k",), where="tail", lines=8)
        >>> r.in_window(0, 7), r.in_window(0, 8), r.in_window(0, 5, cap=3)
        (True, False, False)
        """
        if self.where == "anywhere":
            return True
        n = self.lines if cap is None else min(self.lines, cap)
        if self.where == "head":
            return rank_head < n
        if self.where == "tail":
            return rank_tail < n
        return rank_head < n or rank_tail < n


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that records the line of every mapping and of each value
    (libyaml's parser when PyYAML has it: the packs parse several times faster)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    out: dict[str, Any] = {}
    lines: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        if isinstance(key, str):
            lines[key] = value_node.start_mark.line + 1
            if isinstance(value_node, yaml.SequenceNode):
                lines[key + "[]"] = [n.start_mark.line + 1 for n in value_node.value]
    out["__line__"] = node.start_mark.line + 1
    out["__lines__"] = lines
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_rules(source: str, name: str, *, pack: str | None = None) -> list[Rule]:
    """Parse and compile the rules of one pack given as YAML text.

    ``name`` is used in error messages (a path); ``pack`` defaults to the
    file's ``pack:`` key, else to the file stem.  Raises :class:`RuleError`
    naming the file and line.

    >>> rules = parse_rules('''
    ... pack: demo
    ... rules:
    ...   - id: demo.hello
    ...     why: a greeting line at the top
    ...     keywords: [hello]
    ...     where: head
    ...     lines: 2
    ...     action: drop_line
    ... ''', "demo.yaml")
    >>> rules[0].id, rules[0].where, rules[0].lines
    ('demo.hello', 'head', 2)
    >>> bad = "rules:\\n  - id: x\\n    why: y\\n    keywords: [a]\\n    action: nuke\\n"
    >>> parse_rules(bad, "u.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cleaners.boilerplate.RuleError: u.yaml:5: rule 'x': unknown action 'nuke' (expected one of drop_line, ...)
    """
    try:
        data = yaml.load(source, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise RuleError(f"{name}:{line}: not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{name}: not valid YAML: {exc}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise RuleError(f"{name}:1: the top level must be a mapping with a `rules:` list")
    top_line = data.get("__line__", 1)
    unknown = sorted(k for k in data if k not in _PACK_FIELDS and not k.startswith("__"))
    if unknown:
        raise RuleError(f"{name}:{top_line}: unknown key(s) {unknown}; known: {sorted(_PACK_FIELDS)}")
    pack_name = str(pack or data.get("pack") or Path(name).stem)
    raw_rules = data.get("rules")
    if raw_rules is None:
        return []
    if not isinstance(raw_rules, list):
        line = data["__lines__"].get("rules", top_line)
        raise RuleError(f"{name}:{line}: `rules` must be a list of rules")
    return [_compile_rule(r, name, pack_name) for r in raw_rules]


def _compile_rule(raw: Any, name: str, pack: str) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{name}: each rule must be a mapping, got {raw!r}")
    line = raw["__line__"]
    lines = raw["__lines__"]
    rid = raw.get("id")

    def fail(msg: str, key: str | None = None, item: int | None = None) -> RuleError:
        at = line
        if key is not None:
            at = lines.get(key, line)
            if item is not None and key + "[]" in lines:
                at = lines[key + "[]"][item]
        who = f"rule {rid!r}: " if rid else "rule: "
        return RuleError(f"{name}:{at}: {who}{msg}")

    unknown = sorted(k for k in raw if k not in _RULE_FIELDS and not k.startswith("__"))
    if unknown:
        raise fail(f"unknown field(s) {unknown}; known: {sorted(_RULE_FIELDS)}", unknown[0])
    if not isinstance(rid, str) or not rid.strip():
        raise fail("`id` is required (a non-empty string)")
    why = raw.get("why")
    if not isinstance(why, str) or not why.strip():
        raise fail("`why` is required: one line saying why the rule exists", "why")
    action = raw.get("action")
    if action not in ACTIONS:
        raise fail(f"unknown action {action!r} (expected one of {', '.join(ACTIONS)})", "action")
    otherwise = raw.get("otherwise", "flag_only")
    if otherwise not in ACTIONS or otherwise in ("drop_document", "cut_tail"):
        raise fail(f"`otherwise` must be drop_line, drop_span or flag_only, got {otherwise!r}", "otherwise")
    where = raw.get("where", "anywhere")
    if where not in WHERE:
        raise fail(f"unknown `where` {where!r} (expected one of {', '.join(WHERE)})", "where")
    window = raw.get("lines", _DEFAULT_WINDOW)
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise fail(f"`lines` must be a positive integer, got {window!r}", "lines")

    def str_list(key: str) -> list[str]:
        val = raw.get(key, [])
        if isinstance(val, str):
            val = [val]
        if not isinstance(val, list) or not all(isinstance(v, str) and v for v in val):
            raise fail(f"`{key}` must be a list of non-empty strings", key)
        return val

    keywords = tuple(dict.fromkeys(match_key(k) for k in str_list("keywords")))
    patterns: list[re.Pattern[str]] = []
    for i, pat in enumerate(str_list("patterns")):
        try:
            patterns.append(re.compile(pat, re.IGNORECASE))
        except re.error as exc:
            raise fail(f"bad regex {pat!r}: {exc}", "patterns", i) from None
    if not keywords and where == "anywhere":
        raise fail("a rule that applies `anywhere` needs `keywords` (the cheap pre-filter)", "keywords")
    if not keywords and not patterns:
        raise fail("a rule needs `keywords`, `patterns` or both")
    if action == "drop_span" and not patterns:
        raise fail("drop_span needs `patterns` (the span is the regex match)", "action")
    max_chars = raw.get("max_chars")
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars < 1):
        raise fail(f"`max_chars` must be a positive integer, got {max_chars!r}", "max_chars")
    min_hits = raw.get("min_hits")
    if min_hits is not None and (not isinstance(min_hits, int) or min_hits < 1):
        raise fail(f"`min_hits` must be a positive integer, got {min_hits!r}", "min_hits")
    min_share = raw.get("min_share")
    if min_share is not None and (not isinstance(min_share, (int, float)) or not 0 < min_share <= 1):
        raise fail(f"`min_share` must be a number in (0, 1], got {min_share!r}", "min_share")
    spam = raw.get("spam", False)
    enabled = raw.get("enabled", True)
    if not isinstance(spam, bool) or not isinstance(enabled, bool):
        raise fail("`spam` and `enabled` must be true or false")
    reason = raw.get("reason", "spam")
    if not isinstance(reason, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", reason):
        raise fail(f"`reason` must be a snake_case word, got {reason!r}", "reason")
    rule = Rule(
        id=rid.strip(), pack=pack, why=" ".join(why.split()), action=action, keywords=keywords,
        patterns=tuple(patterns), where=where, lines=window, max_chars=max_chars, min_hits=min_hits,
        min_share=float(min_share) if min_share is not None else None, otherwise=otherwise,
        spam=spam, reason=reason, enabled=enabled, origin=f"{name}:{line}",
    )
    return rule


def _alternation(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """``(?:p1)|(?:p2)|...``, which finds a match wherever one of the patterns does; ``None``
    for fewer than two patterns, or when one may refer to a group by number or name
    (``\\1``, ``(?P=x)``, ``(?(1)...)``: the numbers shift) or the alternation does not compile."""
    if len(patterns) < 2 or any(re.search(r"\\[1-9]|\(\?P=|\(\?\(", p.pattern) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    except re.error:
        return None


def load_rule_file(path: str | Path) -> list[Rule]:
    """Read and compile one rule file (a user's or a packaged one)."""
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{p}: cannot read rule file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise RuleError(f"{p}: rule files must be UTF-8 ({exc.reason} at byte {exc.start})") from None
    return parse_rules(source, str(p))


def packaged_packs() -> list[str]:
    """Names of the packs shipped in ``cleaners/rules`` (file stems).

    >>> "promo" in packaged_packs() and "credits" in packaged_packs()
    True
    """
    root = resources.files("cleaners.rules")
    return sorted(f.name[:-5] for f in root.iterdir() if f.name.endswith(".yaml"))


def _packaged_source(pack: str) -> tuple[str, str]:
    f = resources.files("cleaners.rules").joinpath(pack + ".yaml")
    return f.read_text(encoding="utf-8"), f"cleaners/rules/{pack}.yaml"


class RuleSet:
    """Compiled rules plus the keyword index shared by all of them."""

    def __init__(self, rules: Sequence[Rule]):
        seen: dict[str, str] = {}
        for r in rules:
            if r.id in seen:
                raise RuleError(f"{r.origin}: rule id {r.id!r} already defined at {seen[r.id]}")
            seen[r.id] = r.origin
        self.rules: tuple[Rule, ...] = tuple(r for r in rules if r.enabled)
        self.windowed: tuple[int, ...] = tuple(i for i, r in enumerate(self.rules) if not r.keywords)
        kw_rules: dict[str, list[int]] = {}
        for i, r in enumerate(self.rules):
            for k in r.keywords:
                kw_rules.setdefault(k, []).append(i)
        self.keywords = _KeywordIndex({k: tuple(v) for k, v in kw_rules.items()}) if kw_rules else None
        self.reach = max((self.rules[i].lines for i in self.windowed), default=0)
        # Per rule, its patterns as one alternation (see _alternation): a line it finds nothing
        # in costs one search instead of one per pattern.
        self.alternations = tuple(_alternation(r.patterns) for r in self.rules)
        # The widest line a keyword-less rule can match (None: no bound); most
        # edge lines are paragraphs wider than that.
        widths = [self.rules[i].max_chars for i in self.windowed]
        self.windowed_width: int | None = None if None in widths else max(widths, default=0)
        self._windows: dict[int | None, tuple[tuple[float, float], ...]] = {}
        self._max_lines = max((r.lines for r in self.rules), default=0)

    def windows(self, cap: int | None = None) -> tuple[tuple[float, float], ...]:
        """Per rule, ``(head_n, tail_n)``: a line ranked ``rank_head`` from the top
        and ``rank_tail`` from the bottom is in the rule's window (with ``cap``,
        see :meth:`Rule.in_window`) when ``rank_head < head_n or rank_tail < tail_n``.

        >>> rs = RuleSet([Rule("x", "p", "why", "drop_line", ("k",), where="tail", lines=8)])
        >>> rs.windows(), rs.windows(3)
        (((0, 8),), ((0, 3),))
        """
        if cap is not None and cap > self._max_lines:
            cap = None                   # a cap above every window changes nothing
        got = self._windows.get(cap)
        if got is None:
            out = []
            for r in self.rules:
                n = r.lines if cap is None else min(r.lines, cap)
                out.append((math.inf, 0) if r.where == "anywhere" else (n, 0) if r.where == "head"
                           else (0, n) if r.where == "tail" else (n, n))
            got = self._windows[cap] = tuple(out)
        return got

    def __len__(self) -> int:
        return len(self.rules)


@functools.lru_cache(maxsize=16)
def _ruleset(packs: tuple[str, ...], extra: tuple[str, ...], disabled: tuple[str, ...]) -> RuleSet:
    available = packaged_packs()
    wanted = packs or tuple(available)
    unknown = [p for p in wanted if p not in available]
    if unknown:
        raise RuleError(f"unknown rule pack(s) {unknown}; packaged packs: {available}")
    rules: list[Rule] = []
    for pack in wanted:
        source, name = _packaged_source(pack)
        rules.extend(parse_rules(source, name, pack=pack))
    for path in extra:
        rules.extend(load_rule_file(path))
    off = set(disabled)
    return RuleSet([r for r in rules if r.id not in off and r.pack not in off])


def get_ruleset(cfg: BoilerplateConfig | None = None) -> RuleSet:
    """The compiled rules for a config section, built once per distinct config.

    >>> len(get_ruleset()) > 20
    True
    """
    cfg = cfg or BoilerplateConfig()
    return _ruleset(tuple(cfg.packs), tuple(cfg.extra_rule_files), tuple(cfg.disabled_rules))


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule matched line ``line``; ``start:end`` is the regex match (offsets
    into the whole text), or the line's content when the rule has no pattern."""

    rule: Rule
    line: int
    start: int
    end: int


@dataclass(slots=True)
class _Lines:
    starts: list[int]
    ends: list[int]             # end of the content (before "\n")
    blank: list[bool]
    rank_head: list[int] = field(default_factory=list)
    rank_tail: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> _Lines:
        parts = text.split("\n")
        if len(parts) > 1 and not parts[-1]:     # text ends with "\n": no empty last line
            parts.pop()
        starts, ends, blank = [], [], []
        pos = 0
        for part in parts:
            starts.append(pos)
            n = len(part)
            ends.append(pos + n - 1 if part.endswith("\r") else pos + n)
            blank.append(not part.strip())
            pos += n + 1
        out = cls(starts, ends, blank)
        nonblank = blank.count(False)
        rank_head, rank_tail = out.rank_head, out.rank_tail
        k = 0
        for b in blank:
            rank_head.append(k)
            if b:
                rank_tail.append(nonblank - k)
            else:
                rank_tail.append(nonblank - k - 1)
                k += 1
        return out


def find_hits(text: str, ruleset: RuleSet, *, simplified: bool = True,
              window_share: float | None = None, keyed: tuple[str, np.ndarray] | None = None) -> list[Hit]:
    """Every (rule, line) match in ``text``, in text order.

    ``window_share`` caps head/tail windows at that share of the non-blank
    lines (at least 3 lines), so that in a short document the "edges" do not
    cover the whole text.  ``keyed``: ``_key(text, simplified)`` when the
    caller has it already.

    >>> hits = find_hits("文章正文。\\n責任編輯：王五", get_ruleset())
    >>> [(h.rule.id, h.line) for h in hits]
    [('credits.role_line', 1)]
    """
    if not text or not ruleset.rules:
        return []
    key, key_cps = keyed if keyed is not None else _key(text, simplified)
    lines = _Lines.of(text)
    cap = None
    if window_share is not None:
        nonblank = sum(1 for b in lines.blank if not b)
        cap = max(3, math.ceil(window_share * nonblank))
    candidates: dict[int, set[int]] = {}
    starts, ends = lines.starts, lines.ends
    if ruleset.keywords is not None:
        for start, kw, rule_idx in ruleset.keywords.find(key, key_cps):
            li = bisect_right(starts, start) - 1
            if start + len(kw) - 1 > ends[li]:       # a keyword spanning a line break
                continue
            cand = candidates.get(li)
            if cand is None:
                candidates[li] = set(rule_idx)
            else:
                cand.update(rule_idx)
    rules, alternations = ruleset.rules, ruleset.alternations
    windows = ruleset.windows(cap)
    rank_head, rank_tail, blank = lines.rank_head, lines.rank_tail, lines.blank
    if ruleset.windowed:
        n = len(lines.starts)
        reach = ruleset.reach
        edge: list[int] = []
        li = 0
        while li < n and rank_head[li] < reach:      # ranks are monotone: walk in from both ends
            edge.append(li)
            li += 1
        top = li
        li = n - 1
        while li >= top and rank_tail[li] < reach:
            edge.append(li)
            li -= 1
        widest = ruleset.windowed_width
        for li in edge:
            if blank[li]:
                continue
            if widest is not None and ends[li] - starts[li] > widest and \
                    len(key[starts[li]:ends[li]].strip()) > widest:
                continue
            rh, rt = rank_head[li], rank_tail[li]
            for ri in ruleset.windowed:
                head_n, tail_n = windows[ri]
                if rh < head_n or rt < tail_n:
                    candidates.setdefault(li, set()).add(ri)
    hits: list[Hit] = []
    for li in sorted(candidates):
        if blank[li]:
            continue
        s, e = lines.starts[li], lines.ends[li]
        line_key = key[s:e]
        width = len(line_key.strip())
        rh, rt = rank_head[li], rank_tail[li]
        for ri in sorted(candidates[li]):
            head_n, tail_n = windows[ri]
            if not (rh < head_n or rt < tail_n):
                continue
            rule = rules[ri]
            if rule.max_chars is not None and width > rule.max_chars:
                continue
            if not rule.patterns:
                hits.append(Hit(rule, li, s, e))
                continue
            alt = alternations[ri]
            if alt is not None and alt.search(line_key) is None:
                continue
            for pat in rule.patterns:
                if rule.action == "drop_span" or rule.otherwise == "drop_span":
                    found = [m for m in pat.finditer(line_key) if m.end() > m.start()]
                    if found:
                        hits.extend(Hit(rule, li, s + m.start(), s + m.end()) for m in found)
                        break
                else:
                    m = pat.search(line_key)
                    if m is not None:
                        hits.append(Hit(rule, li, s + m.start(), s + m.end()))
                        break
    return hits


# --------------------------------------------------------------------------- the step


def _effective_actions(hits: Sequence[Hit], lines: _Lines) -> dict[str, str]:
    """Rule id -> the action to take, after the density gates."""
    nonblank = max(1, sum(1 for b in lines.blank if not b))
    spam_lines = {h.line for h in hits if h.rule.spam}
    by_rule: dict[str, set[int]] = {}
    rules: dict[str, Rule] = {}
    for h in hits:
        by_rule.setdefault(h.rule.id, set()).add(h.line)
        rules[h.rule.id] = h.rule
    out: dict[str, str] = {}
    for rid, hit_lines in by_rule.items():
        rule = rules[rid]
        if rule.min_hits is None and rule.min_share is None:
            out[rid] = rule.action
            continue
        n = len(spam_lines) if rule.spam else len(hit_lines)
        ok = (rule.min_hits is None or n >= rule.min_hits) and \
             (rule.min_share is None or n / nonblank >= rule.min_share)
        out[rid] = rule.action if ok else rule.otherwise
    return out


def strip_boilerplate(text: str, ctx: Context) -> list[Edit]:
    """Pipeline step ``boilerplate``: apply the configured rule packs.

    Removals become edits whose rule is ``boilerplate:<rule id>``; counts go to
    ``ctx.counters["rule.<rule id>"]``, removed characters to
    ``ctx.signals["boilerplate_removed_chars"]``, lines hit by spam rules to
    ``ctx.signals["spam_rule_hits"]``; a ``drop_document`` rule rejects the
    document (reason ``spam`` unless the rule names another) and removes nothing.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.context import Context
    >>> from cleaners.document import Document, apply_edits
    >>> text = "小说里的主角点击了广告，故事由此展开。\\n"
    >>> ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
    >>> strip_boilerplate(text, ctx)
    []
    """
    cfg = ctx.config.boilerplate
    if not cfg.enabled or not text:
        return []
    ruleset = get_ruleset(cfg)
    if not ruleset.rules:
        hits: list[Hit] = []
    else:
        # Rules see only the match key and where the lines break (which the key
        # keeps), so a later pass whose text has the key of a text this step
        # found nothing in (a Traditional document the script step has since
        # converted, say) would find nothing again.
        keyed = _key(text, cfg.match_simplified)
        if ctx.memo.get(STEP) == keyed[0]:
            hits = []
        else:
            hits = find_hits(text, ruleset, simplified=cfg.match_simplified, window_share=cfg.window_share,
                             keyed=keyed)
            if not hits:
                ctx.memo[STEP] = keyed[0]
    ctx.signals["boilerplate_removed_chars"] = 0.0
    ctx.signals["spam_rule_hits"] = float(len({h.line for h in hits if h.rule.spam}))
    if not hits:
        return []
    lines = _Lines.of(text)
    actions = _effective_actions(hits, lines)
    for rid in {h.rule.id: None for h in hits}:
        ctx.count(f"rule.{rid}", len({h.line for h in hits if h.rule.id == rid}))

    doc_rules = [h.rule for h in hits if actions[h.rule.id] == "drop_document"]
    if doc_rules:
        ctx.reject(doc_rules[0].reason, doc_rules[0].id)
        return []
    for h in hits:
        if actions[h.rule.id] == "flag_only":
            ctx.flag(f"boilerplate:{h.rule.id}")
    return _plan_edits(text, lines, hits, actions, cfg, ctx)


def _plan_edits(text: str, lines: _Lines, hits: Sequence[Hit], actions: dict[str, str],
                cfg: BoilerplateConfig, ctx: Context) -> list[Edit]:
    n_lines = len(lines.starts)
    hits = list(hits)
    act = [actions[h.rule.id] for h in hits]
    # 1. The earliest admissible cut; a cut that would remove more than
    #    max_cut_share of the text only removes its own line (or, for a cut
    #    inside a line, the rest of that line).
    cut: Hit | None = None
    for k, h in enumerate(hits):
        if act[k] != "cut_tail" or (cut is not None and h.start >= cut.start):
            continue
        line_start = lines.starts[h.line]
        begin = line_start if not text[line_start:h.start].strip() else h.start
        if len(text) - begin > cfg.max_cut_share * len(text):
            if begin == line_start:
                act[k] = "drop_line"
            else:
                act[k] = "drop_span"
                hits[k] = Hit(h.rule, h.line, h.start, lines.ends[h.line])
            continue
        cut = Hit(h.rule, h.line, begin, h.end)
    cut_line = n_lines if cut is None else cut.line
    cut_mid = cut is not None and cut.start > lines.starts[cut.line]

    # 2. Whole lines to drop, spans to remove inside kept lines.
    drop: dict[int, Rule] = {}
    spans: dict[int, list[Hit]] = {}
    for k, h in enumerate(hits):
        if h.line > cut_line:
            continue
        if h.line == cut_line and (not cut_mid or h.start >= cut.start):  # type: ignore[union-attr]
            continue
        if act[k] == "drop_line":
            drop.setdefault(h.line, h.rule)
        elif act[k] == "drop_span":
            spans.setdefault(h.line, []).append(h)
    span_edits: list[Edit] = []
    for li, hs in sorted(spans.items()):
        if li in drop:
            continue
        s, e = lines.starts[li], lines.ends[li]
        if cut_mid and li == cut_line:
            e = cut.start  # type: ignore[union-attr]
        chosen: list[Hit] = []
        for h in sorted(hs, key=lambda h: (h.start, -h.end)):
            if h.end > e or (chosen and h.start < chosen[-1].end):
                continue
            chosen.append(h)
        if not chosen:
            continue
        rest = text[s:e]
        for h in reversed(chosen):
            rest = rest[:h.start - s] + rest[h.end - s:]
        if not rest.strip() and not (cut_mid and li == cut_line):
            drop[li] = chosen[0].rule
            continue
        for h in chosen:
            a, b = h.start, h.end
            while a > s and text[a - 1] in " \t\u3000":
                a -= 1
            while b < e and text[b] in " \t\u3000":
                b += 1
            # A notice glued between two pieces of text was a paragraph of its own.
            glue = "\n" if text[s:a].strip() and text[b:e].strip() else ""
            span_edits.append(Edit(STEP, f"boilerplate:{h.rule.id}", a, b, text[a:b], glue, note="drop_span"))

    # 3. Line runs (and a cut from a line start) -> edits; a mid-line cut -> one edit.
    if cut is not None and not cut_mid:
        edits = _line_run_edits(text, lines, drop, cut_from=cut.line, cut_rule=cut.rule)
    else:
        edits = _line_run_edits(text, lines, {k: v for k, v in drop.items() if k < cut_line})
    if cut is not None and cut_mid:
        a = cut.start
        while a > lines.starts[cut.line] and text[a - 1] in " \t\u3000":
            a -= 1
        tail = "\n" if text.endswith("\n") else ""
        edits.append(Edit(STEP, f"boilerplate:{cut.rule.id}", a, len(text), text[a:], tail, note="cut_tail"))
    covered = [(e.start, e.end) for e in edits]
    edits.extend(se for se in span_edits if not any(a <= se.start and se.end <= b for a, b in covered))
    edits.sort(key=lambda e: e.start)
    ctx.signals["boilerplate_removed_chars"] = float(sum(len(e.before) - len(e.after) for e in edits))
    return edits


def _line_run_edits(text: str, lines: _Lines, drop: dict[int, Rule], *, cut_from: int | None = None,
                    cut_rule: Rule | None = None) -> list[Edit]:
    """Edits for dropped lines: one per dropped line, one for a cut from line
    ``cut_from`` to the end.  Blank lines between or around dropped lines join
    a neighbouring edit so no pile-up of blank lines (or a trailing blank line)
    is left behind, and a text without a final newline keeps ending without one."""
    n = len(lines.starts)
    marks: dict[int, tuple[Rule, str]] = {li: (r, "drop_line") for li, r in drop.items()}
    if cut_from is not None and cut_rule is not None:
        for li in range(cut_from, n):
            marks[li] = (cut_rule, "cut_tail")
    order = sorted(marks)
    edits: list[Edit] = []
    i = 0
    while i < len(order):
        run = [order[i]]
        j = i + 1
        while j < len(order) and all(lines.blank[k] for k in range(run[-1] + 1, order[j])):
            run.append(order[j])
            j += 1
        i = j
        first, last = run[0], run[-1]
        after = last + 1
        while after < n and lines.blank[after]:
            after += 1
        if after >= n:            # the run reaches the end of the text
            k = first
            while k > 0 and lines.blank[k - 1]:
                k -= 1
            if k == 0:
                start = 0
            elif text.endswith("\n"):
                start = lines.starts[k]
            else:
                start = lines.ends[k - 1]
            end = len(text)
        else:
            start = lines.starts[first]
            # After a blank line (or at the top) the blank lines that follow go
            # too: "a\n\nX\n\nb" -> "a\n\nb", not "a\n\n\nb".
            top = first == 0 or lines.blank[first - 1]
            end = lines.starts[after] if top else lines.starts[last + 1]
        heads = [li for li in run if marks[li][1] == "drop_line" or li == cut_from]
        bounds = [start] + [lines.starts[li] for li in heads[1:]] + [end]
        for k, li in enumerate(heads):
            a, b = bounds[k], bounds[k + 1]
            if b > a:
                rule, note = marks[li]
                edits.append(Edit(STEP, f"boilerplate:{rule.id}", a, b, text[a:b], "", note=note))
    return edits


def explain_rules(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """Rows describing rules (for docs and the CLI): id, pack, action, where, why.

    >>> rows = explain_rules(get_ruleset().rules)
    >>> {"id", "pack", "action", "where", "why"} <= set(rows[0])
    True
    """
    return [{"id": r.id, "pack": r.pack, "action": r.action,
             "where": r.where if r.where == "anywhere" else f"{r.where} {r.lines}",
             "why": r.why, "origin": r.origin} for r in rules]

"""Markdown syntax and YAML front matter.

Markdown is only stripped from documents that are clearly markdown: YAML
front matter at the very start, or enough independent evidence (``#``
headings, ``**bold**``, ``[anchor](url)`` links, images, bullet lists, code
fences; see :func:`markdown_evidence`).  Plain Chinese text keeps its
``1.“双向脱钩”加速`` headings, ``2*3*4`` arithmetic and lone asterisks.  One
thing is removed from any document: an image reference ``![alt](url)``, a
leftover of HTML-to-markdown conversion that no plain text contains.

Every change is a deletion recorded as an :class:`~cleaners.document.Edit`:
``markdown:front_matter``, ``markdown:heading``, ``markdown:emphasis``,
``markdown:image``, ``markdown:link``, ``markdown:bullet``,
``markdown:rule``, ``markdown:blockquote``, ``markdown:code``,
``markdown:table``, ``markdown:escape``.  A line left empty by the deletions
(a horizontal rule, an image on its own line) goes with its line break.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> text = "---\\ntitle: 日报\\ntags: [AI]\\n---\\n## 今日速览\\n\\n*   **要点：** 华为发布新品\\n"
>>> ctx = Context(doc=Document.make("t", 0, text), config=CleanerConfig(), text_in=text)
>>> apply_edits(text, strip_markdown(text, ctx))
'今日速览\\n\\n要点：华为发布新品\\n'
>>> ctx.metadata["title"], ctx.metadata["tags"]
('日报', ['AI'])
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from cleaners.context import Context
from cleaners.document import Edit

STEP = "markdown"

# --------------------------------------------------------------------------- front matter

_FM_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_FM_MAX_CHARS = 20_000     # front matter longer than this is not front matter


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as the strings the author wrote."""


_FrontMatterLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


@dataclass(frozen=True, slots=True)
class FrontMatter:
    end: int                      # offset just past the closing line (and its line break)
    fields: dict[str, Any]


def parse_front_matter(text: str) -> FrontMatter | None:
    """YAML front matter at the very start of ``text``, or ``None``.

    The block must open with ``---`` on the first line, close with ``---`` or
    ``...`` on a line of its own and parse as a YAML mapping.

    >>> fm = parse_front_matter("---\\ntitle: x\\ndate: 2025-07-02T20:12:11+08:00\\n---\\nbody")
    >>> fm.fields["date"], fm.end
    ('2025-07-02T20:12:11+08:00', 49)
    >>> parse_front_matter("---\\n这不是元数据\\n---\\n") is None
    True
    """
    m = _FM_OPEN.match(text)
    if m is None:
        return None
    close = _FM_CLOSE.search(text, m.end(), min(len(text), m.end() + _FM_MAX_CHARS))
    if close is None:
        return None
    try:
        # a SafeLoader subclass
        data = yaml.load(text[m.end():close.start()], Loader=_FrontMatterLoader)  # noqa: S506
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or not data or not all(isinstance(k, str) for k in data):
        return None
    # The closing line's break and the blank lines after it go with the block.
    blank = re.compile(r"[ \t]*\r?\n")
    end = close.end()
    if text.startswith("\r\n", end):
        end += 2
    elif text.startswith("\n", end):
        end += 1
    while (b := blank.match(text, end)) is not None:
        end = b.end()
    return FrontMatter(end, data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


_FIELD_MAP = {"title": "title", "date": "published_at", "summary": "summary", "tags": "tags"}


def front_matter_metadata(fields: dict[str, Any]) -> dict[str, Any]:
    """Map front matter fields to document metadata.

    ``title``, ``date`` (as ``published_at``), ``summary`` and ``tags`` (a
    list of strings) become top-level keys; all other fields go under
    ``front_matter``.

    >>> front_matter_metadata({"title": "T", "date": "2025-07-02", "tags": "a, b", "draft": False})
    {'title': 'T', 'published_at': '2025-07-02', 'tags': ['a', 'b'], 'front_matter': {'draft': False}}
    """
    out: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, value in fields.items():
        target = _FIELD_MAP.get(key.lower())
        if target is None or value is None:
            rest[key] = _jsonable(value)
        elif target == "tags":
            items = value if isinstance(value, list) else re.split(r"[,，;；]", str(value))
            out["tags"] = [str(t).strip() for t in items if t is not None and str(t).strip()]
        else:
            out[target] = _jsonable(value) if not isinstance(value, str) else value.strip()
    if rest:
        out["front_matter"] = rest
    return out


# --------------------------------------------------------------------------- evidence

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_BOLD = re.compile(r"\*\*(?=\S)[^*\n]+?(?<=\S)\*\*|(?<![\w_])__(?=\S)[^_\n]+?(?<=\S)__(?![\w_])")
_LINK = re.compile(r"(?<!!)\[[^\]\n]+\]\((?:https?://|/|\./|#|mailto:)[^)\s]*\)")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+\S", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~)", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?\S", re.MULTILINE)
_TABLE_SEP = re.compile(
    r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$", re.MULTILINE)
_BULLET_MARK = re.compile(r"[-*+][ \t]")      # what every _BULLET match holds

#: points needed before a document is treated as markdown
MARKDOWN_THRESHOLD = 4


def markdown_evidence(text: str) -> int:
    """Points of markdown evidence in ``text`` (markdown from 4 points).

    Two ``#`` headings, or a heading and a link, or four ``**bold**`` spans
    are enough; one heading or three dash-led lines are not.

    >>> markdown_evidence("## 一\\n正文\\n## 二\\n正文")
    4
    >>> markdown_evidence("1.“双向脱钩”加速\\n2*3*4 等于 24，a * b 也行")
    0
    """
    # Each pattern needs a marker that plain text rarely holds: testing for its
    # characters (one-character tests are the cheapest) skips most regex scans.
    score = 0
    star, dash = "*" in text, "-" in text
    if "#" in text:
        score += 2 * min(len(_HEADING.findall(text)), 2)
    if (star and "**" in text) or ("_" in text and "__" in text):
        score += min(len(_BOLD.findall(text)), 4)
    if "]" in text and "](" in text:
        score += 2 * min(len(_LINK.findall(text)), 2)
        if "![" in text and any(not m.group(0).endswith("]()") for m in _IMAGE.finditer(text)):
            score += 2
    if (dash or star or "+" in text) and _BULLET_MARK.search(text):
        bullets = len(_BULLET.findall(text))
        score += 2 if bullets >= 3 else 0
    if ("`" in text and "```" in text) or ("~" in text and "~~~" in text):
        score += 2 if len(_FENCE.findall(text)) >= 2 else 0
    if ">" in text:
        score += 1 if _QUOTE.search(text) else 0
    if dash and "---" in text:
        score += 2 if _TABLE_SEP.search(text) else 0
    return score


# --------------------------------------------------------------------------- line machinery


_Spans = list[tuple[int, int, str]]   # deletions [a, b) in current coordinates, with their rule


class _Line:
    """A line being stripped: every change is a deletion of original characters,
    tracked by index so that nested constructs (``**[a](u)**``) compose and
    each deleted run becomes an edit with the rule that removed it."""

    __slots__ = ("orig", "keep", "deleted", "protected")

    def __init__(self, orig: str):
        self.orig = orig
        self.keep = list(range(len(orig)))
        self.deleted: dict[int, str] = {}
        self.protected: set[int] = set()

    def current(self) -> str:
        return "".join(self.orig[i] for i in self.keep)

    def delete(self, spans: list[tuple[int, int, str]]) -> None:
        """Delete ``[a, b)`` spans given in current coordinates."""
        gone: set[int] = set()
        for a, b, rule in spans:
            for i in self.keep[a:b]:
                self.deleted[i] = rule
                gone.add(i)
        self.keep = [i for i in self.keep if i not in gone]

    def touches_protected(self, a: int, b: int) -> bool:
        return any(i in self.protected for i in self.keep[a:b])

    def protect(self, a: int, b: int) -> None:
        self.protected.update(self.keep[a:b])

    def apply(self, pattern: re.Pattern[str], fn: Callable[[re.Match[str]], _Spans | None],
              guard: str | None = None) -> None:
        cur = self.current()
        if guard is not None and guard not in cur:
            return
        spans: list[tuple[int, int, str]] = []
        for m in pattern.finditer(cur):
            if self.touches_protected(m.start(), m.end()):
                continue
            got = fn(m)
            if got:
                spans.extend(got)
        if spans:
            self.delete(spans)


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019]")

_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
_IMAGE_INLINE = re.compile(r"!\[[^\]\n]*\](?:\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\]\n]*\])")
_LINK_INLINE = re.compile(
    r"\[([^\]\n]+)\](\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+\"[^\"\n]*\")?\)|\[[^\]\n]*\])")
_EMPTY_LINK = re.compile(r"\[\]\((?:[^()\s]|\([^()\s]*\))*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+|mailto:[^>\s]+)>")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![A-Za-z0-9_])__(?=\S)(.+?)(?<=\S)__(?![A-Za-z0-9_])")
_EM = re.compile(r"(?<![*\\A-Za-z0-9])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*A-Za-z0-9])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")

_HR = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^[ \t]{0,3}=+[ \t]*$")
_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+")
_FENCE_LINE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HEADING_PREFIX = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+|$)")
_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
_QUOTE_PREFIX = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
_BULLET_PREFIX = re.compile(r"^[ \t]*[-*+][ \t]+(?:\[[ xX]\][ \t]+)?")
_ORDERED_PREFIX = re.compile(r"^[ \t]*\d{1,3}[.)][ \t]+")


def _strong(line: _Line) -> Callable[[re.Match[str]], list[tuple[int, int, str]]]:
    def fn(m: re.Match[str]) -> list[tuple[int, int, str]]:
        cur_len = len(line.keep)
        d = 2
        a, b = m.start(), m.end()
        inner = m.group(1) or m.group(2)
        out = [(a, a + d, "markdown:emphasis"), (b - d, b, "markdown:emphasis")]
        # "**要点：** 华为…": the space after a CJK-ending span was only there for the markup.
        cur = line.current()
        if (b + 1 < cur_len and cur[b] == " " and _CJK.match(cur[b + 1])
                and _CJK.match(inner[-1])):
            out.append((b, b + 1, "markdown:emphasis"))
        return out
    return fn


def _strip_line(line: _Line, *, ordered: bool) -> None:
    cur = line.current()
    # Block prefixes: blockquote, heading, bullet (possibly nested in a quote).
    m = _QUOTE_PREFIX.match(cur)
    if m:
        line.delete([(0, m.end(), "markdown:blockquote")])
        cur = line.current()
    m = _HEADING_PREFIX.match(cur)
    if m:
        spans = [(0, m.end(), "markdown:heading")]
        c = _HEADING_CLOSE.search(cur, m.end())
        if c:
            spans.append((c.start(), c.end(), "markdown:heading"))
        line.delete(spans)
    else:
        m = _BULLET_PREFIX.match(cur)
        if m is None and ordered:
            m = _ORDERED_PREFIX.match(cur)
        if m:
            line.delete([(0, m.end(), "markdown:bullet")])
    # Inline constructs, innermost-protecting first.
    line.apply(_CODE_SPAN, lambda m: _protect_code(line, m), guard="`")
    line.apply(_ESCAPE, lambda m: _protect_escape(line, m), guard="\\")
    line.apply(_IMAGE_INLINE, lambda m: [(m.start(), m.end(), "markdown:image")], guard="![")
    line.apply(_EMPTY_LINK, lambda m: [(m.start(), m.end(), "markdown:link")], guard="[](")
    line.apply(_LINK_INLINE, lambda m: [(m.start(), m.start() + 1, "markdown:link"),
                                        (m.start(2) - 1, m.end(), "markdown:link")], guard="]")
    line.apply(_AUTOLINK, lambda m: [(m.start(), m.start() + 1, "markdown:link"),
                                     (m.end() - 1, m.end(), "markdown:link")], guard="<")
    line.apply(_STRONG, _strong(line))
    line.apply(_EM, lambda m: [(m.start(), m.start() + 1, "markdown:emphasis"),
                               (m.end() - 1, m.end(), "markdown:emphasis")], guard="*")
    line.apply(_STRIKE, lambda m: [(m.start(), m.start() + 2, "markdown:emphasis"),
                                   (m.end() - 2, m.end(), "markdown:emphasis")], guard="~~")


def _protect_code(line: _Line, m: re.Match[str]) -> list[tuple[int, int, str]]:
    line.protect(m.start(2), m.end(2))
    return [(m.start(1), m.end(1), "markdown:code"), (m.end(2), m.end(), "markdown:code")]


def _protect_escape(line: _Line, m: re.Match[str]) -> list[tuple[int, int, str]]:
    line.protect(m.start(1), m.end(1))
    return [(m.start(), m.start() + 1, "markdown:escape")]


def _table_row(line: _Line) -> None:
    cur = line.current()
    stripped = cur.strip()
    if len(stripped) > 2 and stripped.startswith("|") and stripped.endswith("|"):
        a = cur.index("|")
        b = cur.rindex("|")
        line.delete([(a, a + 1, "markdown:table"), (b, b + 1, "markdown:table")])


# --------------------------------------------------------------------------- the step


def _line_edits(text: str, off: int, line: _Line, body_end: int, ctx: Context) -> list[Edit]:
    """Edits for one processed line; a line emptied by markdown goes with its break."""
    if not line.deleted:
        return []
    rest = line.current()
    if not rest.strip():
        rules = list(line.deleted.values())
        rule = max(set(rules), key=rules.count)
        end = body_end
        ctx.count(f"rule.{rule}")
        return [Edit(STEP, rule, off, end, text[off:end], "")]
    edits: list[Edit] = []
    idx = sorted(line.deleted)
    run_start = prev = idx[0]
    rule = line.deleted[prev]
    for i in idx[1:] + [None]:  # type: ignore[list-item]
        if i is not None and i == prev + 1 and line.deleted[i] == rule:
            prev = i
            continue
        a, b = off + run_start, off + prev + 1
        edits.append(Edit(STEP, rule, a, b, text[a:b], ""))
        ctx.count(f"rule.{rule}")
        if i is not None:
            run_start = prev = i
            rule = line.deleted[i]
    return edits


def strip_markdown(text: str, ctx: Context) -> list[Edit]:
    """Pipeline step ``markdown``: front matter to metadata, markdown syntax out.

    >>> from cleaners.config import CleanerConfig
    >>> from cleaners.context import Context
    >>> from cleaners.document import Document, apply_edits
    >>> plain = "![]()\\n1.“双向脱钩”加速\\n2*3*4=24\\n"
    >>> ctx = Context(doc=Document.make("t", 0, plain), config=CleanerConfig(), text_in=plain)
    >>> apply_edits(plain, strip_markdown(plain, ctx))
    '1.“双向脱钩”加速\\n2*3*4=24\\n'
    """
    cfg = ctx.config.markdown
    if not cfg.enabled or not text:
        return []
    edits: list[Edit] = []
    body = 0
    fm = parse_front_matter(text)
    if fm is not None:
        body = fm.end
        if cfg.front_matter:
            edits.append(Edit(STEP, "markdown:front_matter", 0, fm.end, text[:fm.end], ""))
            ctx.count("rule.markdown:front_matter")
            for key, value in front_matter_metadata(fm.fields).items():
                if key == "front_matter" or not ctx.metadata.get(key):
                    ctx.metadata[key] = value
        # else: the block is left exactly as it is, and is not read as markdown
    is_md = fm is not None or markdown_evidence(text[body:]) >= MARKDOWN_THRESHOLD
    ctx.signals["markdown"] = 1.0 if is_md else 0.0
    if not is_md and "![" not in text:
        return edits

    in_fence: str | None = None
    prev_blank = True
    pos = body
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        content_end = n if nl < 0 else nl
        line_end = n if nl < 0 else nl + 1
        raw = text[pos:content_end]
        if raw.endswith("\r"):
            raw = raw[:-1]
        blank = not raw.strip()
        whole = None                      # rule of a line dropped whole (with its line break)
        if is_md:
            fence = _FENCE_LINE.match(raw)
            if in_fence is not None:
                if fence and fence.group(1)[0] == in_fence[0] and len(fence.group(1)) >= len(in_fence):
                    in_fence = None
                    whole = "markdown:code"
            elif fence:
                in_fence = fence.group(1)
                whole = "markdown:code"
            elif _HR.match(raw):
                whole = "markdown:rule"
            elif _SETEXT.match(raw) and not prev_blank:
                whole = "markdown:heading"
            elif _TABLE_SEP.match(raw):
                whole = "markdown:table"
            elif _REF_DEF.match(raw):
                whole = "markdown:link"
        if whole is not None:
            edits.append(Edit(STEP, whole, pos, line_end, text[pos:line_end], ""))
            ctx.count(f"rule.{whole}")
        elif not blank and in_fence is None:
            line = _Line(raw)
            if is_md:
                _strip_line(line, ordered=cfg.strip_ordered)
                _table_row(line)
            else:
                line.apply(_IMAGE_INLINE, lambda m: [(m.start(), m.end(), "markdown:image")], guard="![")
            edits.extend(_line_edits(text, pos, line, line_end, ctx))
        prev_blank = blank
        pos = line_end
    return edits

"""Main-content extraction from HTML pages, Chinese first.

``extract_html(page)`` turns one HTML page (``str`` or raw ``bytes``) into an
:class:`HtmlExtract`: the main text, one paragraph per line with a blank line
between paragraphs, plus the page metadata (title, canonical URL, ``<html
lang>``, publication time, description, source encoding) and an audit list of
what was dropped.

The method, in four passes over one lxml tree (see ``docs/html.md``):

1. **Decode and bound.**  Bytes are cut at ``max_bytes`` on a tag boundary and
   decoded with the page's declared charset (GBK and GB2312 as GB18030).  The
   parse runs with libxml2's ``huge_tree``; a page nested deeper than libxml2
   accepts is flattened and parsed again, so no text is lost to a depth limit.
2. **Drop chrome.**  Scripts, styles, forms, iframes, ``nav``/``aside``/
   ``footer``, ARIA landmarks, hidden elements, and elements whose class or id
   name page furniture (:data:`CHROME_SUBSTRINGS`, :data:`CHROME_TOKENS`,
   including pinyin abbreviations such as ``xgyd`` 相关阅读).  An element
   holding most of the page's text is never dropped for its class alone.
3. **Find the main element.**  The remaining body is cut into text blocks
   (block-level elements; ``<br>`` is a line break inside a block).  A block
   scores its non-link text minus its link text minus a fixed per-block cost,
   lengths counted in characters with a CJK character weighing 3 (Chinese has
   no spaces, so word counts mean nothing; 20 CJK characters weigh about what
   a 10-word English sentence does).  From ``<body>`` the walk descends into
   the child holding most (DESCEND_SHARE) of the positive score, stops where
   the content spreads over several children, then climbs back a level or
   two if that adds a lead paragraph or subtitle.
4. **Emit.**  The main element's blocks in document order, classified like
   jusText: GOOD (long, few links) kept, BAD (link lists, Chinese datelines
   ``来源：… 浏览次数：…``) dropped, SHORT ones decided by their neighbours.

Work is bounded: traversal is iterative (``lxml.etree.iterwalk``), input is
truncated beyond ``max_bytes``, nesting beyond ``max_depth`` is flattened, and
attribute values are read only up to a fixed prefix.

>>> page = '''<html lang="zh-CN"><head><title>标题 - 新闻网</title></head><body>
... <div class="nav"><a href="/">首页</a> <a href="/n">新闻</a></div>
... <div class="article"><h1>标题</h1>
... <p>这是正文的第一段，讲述了一件很重要的事情，内容比较长，足以成为正文。</p>
... <p>这是正文的第二段，补充了更多的细节和背景信息，也足够长。</p></div>
... <div class="share">分享到：微信 微博</div>
... <div class="footer">京ICP备12345678号</div></body></html>'''
>>> r = extract_html(page)
>>> print(r.text)
标题
<BLANKLINE>
这是正文的第一段，讲述了一件很重要的事情，内容比较长，足以成为正文。
<BLANKLINE>
这是正文的第二段，补充了更多的细节和背景信息，也足够长。
>>> r.title, r.lang
('标题', 'zh-CN')
>>> sorted({kind for kind, _ in r.removed})
['class:footer', 'class:nav', 'class:share']
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any
from urllib.parse import urljoin

from lxml import etree

__all__ = ["HtmlExtract", "extract_html"]


# --------------------------------------------------------------------------
# Rules (data).  Each entry carries one line of rationale.
# --------------------------------------------------------------------------

#: Tags whose whole subtree is never text: code, embedded objects, controls.
DROP_TAGS: tuple[str, ...] = (
    "script", "style", "noscript",      # code; noscript repeats page chrome for non-JS clients
    "template", "svg", "math", "canvas",  # not rendered as text
    "iframe", "object", "embed", "applet", "frame", "frameset",  # embedded documents and ads
    "button", "input", "select", "option", "textarea", "datalist",  # form controls
    "audio", "video", "picture", "source", "map", "dialog",  # media fallbacks, image maps, pop-ups
    "rt", "rp",                         # ruby readings: 子<rt>こ</rt> would read 子こ in the text
    "head",                             # metadata is read before this pass
)

#: Sectioning tags that are page chrome by definition (HTML5 semantics).
#: ``header`` and ``footer`` inside an ``article``/``main`` are the article's
#: own byline and notes: the header is kept, the footer dropped.
CHROME_TAGS: frozenset[str] = frozenset({"nav", "aside", "footer", "header", "form", "menu"})

#: ARIA roles of page chrome.
CHROME_ROLES: frozenset[str] = frozenset({
    "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar",
    "toolbar", "dialog", "alert", "alertdialog", "tablist",
})

#: Substrings of a lower-cased class or id that name page furniture.  Long
#: enough to be unambiguous inside compound names (``commentlist``,
#: ``bdsharebuttonbox``, ``sidebar2``).
CHROME_SUBSTRINGS: tuple[tuple[str, str], ...] = (
    ("comment", "reader comments and comment forms"),
    ("breadcrumb", "breadcrumb trail"),
    ("sidebar", "side columns"),
    ("share", "share bars (bdshare, sharethis, share-box)"),
    ("social", "social buttons"),
    ("related", "related-article lists"),
    ("recommend", "recommendation lists"),
    ("footer", "page footers"),
    ("copyright", "copyright lines"),
    ("advert", "advertising"),
    ("sponsor", "sponsored blocks"),
    ("banner", "banners"),
    ("toolbar", "tool bars"),
    ("pagination", "page navigation"),
    ("pager", "page navigation"),
    ("navbar", "navigation bars"),
    ("navigation", "navigation"),
    ("menu", "menus"),
    ("login", "login boxes"),
    ("signin", "login boxes"),
    ("signup", "registration boxes"),
    ("subscribe", "newsletter boxes"),
    ("newsletter", "newsletter boxes"),
    ("cookie", "cookie notices"),
    ("popup", "pop-ups"),
    ("modal", "pop-ups"),
    ("disqus", "comment system"),
    ("jiathis", "Chinese share widget"),
    ("pinglun", "评论 comments (pinyin)"),
    ("fenxiang", "分享 share (pinyin)"),
    ("xiangguan", "相关 related (pinyin)"),
    ("tuijian", "推荐 recommended (pinyin)"),
    ("remen", "热门 popular (pinyin)"),
    ("paihang", "排行 ranking (pinyin)"),
    ("banquan", "版权 copyright (pinyin)"),
    ("daohang", "导航 navigation (pinyin)"),
    ("mianbaoxie", "面包屑 breadcrumb (pinyin)"),
    ("skiplink", "skip links"),
    ("skip-link", "skip links"),
    ("caption", "image captions: photo credits and alt-like text, not article prose"),
    ("author-box", "author biographies after the article"),
    ("authorbox", "author biographies after the article"),
    ("author-bio", "author biographies after the article"),
    ("about-author", "author biographies after the article"),
    ("author-info", "author biographies after the article"),
    ("author-desc", "author biographies after the article"),
    ("paywall", "paywall prompts"),
    ("mostread", "most-read lists"),
    ("most-read", "most-read lists"),
    ("mostviewed", "most-viewed lists"),
    ("most-viewed", "most-viewed lists"),
    ("popular", "popular-article lists"),
    ("trending", "trending lists"),
    ("openapp", "打开APP prompts"),
    ("open-app", "打开APP prompts"),
    ("downloadapp", "app download prompts"),
    ("download-app", "app download prompts"),
    ("app-download", "app download prompts"),
    ("appdownload", "app download prompts"),
)

#: Whole tokens (class/id split at ``-``, ``_``, spaces, digits and camelCase)
#: that name furniture but are too short to match as substrings.
CHROME_TOKENS: dict[str, str] = {
    "nav": "navigation",
    "ad": "advertising", "ads": "advertising", "adv": "advertising", "advs": "advertising",
    "gg": "广告 ads (pinyin initials)",
    "tag": "tag lists", "tags": "tag lists", "tagcloud": "tag lists",
    "foot": "page footers",
    "crumb": "breadcrumb trail", "crumbs": "breadcrumb trail",
    "hot": "popular lists", "hots": "popular lists", "rank": "ranking lists", "ranking": "ranking lists",
    "print": "print buttons",
    "sign": "forum signatures (Discuz)", "signature": "forum signatures", "signatures": "forum signatures",
    "xgyd": "相关阅读 related reading (pinyin initials)",
    "xgxw": "相关新闻 related news (pinyin initials)",
    "xgwz": "相关文章 related articles (pinyin initials)",
    "xglj": "相关链接 related links (pinyin initials)",
    "tjyd": "推荐阅读 recommended reading (pinyin initials)",
    "rdph": "热点排行 trending (pinyin initials)",
    "rmtj": "热门推荐 popular (pinyin initials)",
    "bq": "版权 copyright (pinyin initials)",
    "dh": "导航 navigation (pinyin initials)",
    "mbx": "面包屑 breadcrumb (pinyin initials)",
}

#: Whole class names that hide an element (utility classes).  Ignored next to a
#: responsive "show" class (``hidden md:block``, ``d-none d-md-block``):
#: those elements are visible on a desktop.
HIDDEN_CLASSES: frozenset[str] = frozenset({
    "hidden", "hide", "is-hidden", "d-none", "visually-hidden", "sr-only", "screen-reader-text", "invisible",
})
_RESPONSIVE_SHOW = re.compile(r"[:-](block|flex|inline|grid|table|show)")

#: A class/id containing one of these marks content: it vetoes the weak
#: rules below, so ``entry-content tag-news`` (WordPress post classes) stays
#: while ``post-tags`` goes.
CONTENT_HINTS: tuple[str, ...] = (
    "article", "content", "entry", "post-body", "postbody", "story", "main", "text", "body",
    "zhengwen", "detail", "neirong", "wenzhang",
)

#: Rules too generic to overrule a content hint; every other rule names a
#: whole region of furniture and wins (``article-comments``, ``content-share``).
WEAK_CHROME: frozenset[str] = frozenset({
    "banner", "menu", "pager", "tag", "tags", "hot", "hots", "rank", "ranking", "foot",
    "print", "popular", "modal", "popup", "dh", "bq",
})

#: Tags that start a new text block.  ``br`` is a line break inside a block.
BLOCK_TAGS: frozenset[str] = frozenset({
    "p", "div", "section", "article", "main", "body", "li", "ul", "ol", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tbody", "thead", "tfoot",
    "tr", "td", "th", "caption", "figure", "figcaption", "address", "center", "hr", "details",
    "summary", "fieldset", "legend", "header", "footer", "nav", "aside", "form", "hgroup",
})
HEADINGS: frozenset[str] = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: Paragraph-level blocks: the main element is never one of these.
_LEAF_BLOCKS: frozenset[str] = HEADINGS | {
    "p", "li", "dt", "dd", "pre", "blockquote", "figcaption", "caption", "td", "th", "tr", "address",
    "summary", "legend",
}

#: Meta names/properties that carry the publication time, best first.
DATE_META: tuple[str, ...] = (
    "article:published_time", "og:published_time", "og:release_date", "datepublished",
    "publishdate", "publish_date", "publish-date", "pubdate", "publication_date", "publishtime",
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date",
    "citation_publication_date", "citation_date", "sailthru.date", "parsely-pub-date", "date",
    "article:create_at", "weibo:article:create_at", "created", "release_date",
)

# Scoring constants, in effective characters (a CJK character counts as 3,
# about one short Latin word with its space; see _eff_len).
BLOCK_COST = 20         # every block costs this much: many short blocks = chrome
LINK_WEIGHT = 1.0       # link text costs as much as the same amount of text earns
MAX_LINK_DENSITY = 0.5  # inside the main element, blocks above this are dropped
PROTECT_SHARE = 0.5     # never drop for its class an element with this share of the page's non-link text
DESCEND_SHARE = 0.75    # descend into a child holding this share of the content mass
CLIMB_LEVELS = 3        # how far above the core the main element may grow
CLIMB_SHARE = 0.3       # ... if that adds at most this share of the core's content mass
CLIMB_MIN_GAIN = 40     # ... and at least this net score (about one short paragraph)
CAPTION_MAX = 150       # captions shorter than this (credits, one-liners) are dropped; longer ones are prose
GOOD_MIN = 60           # a block with this much non-link text (20 CJK characters) is content on its own
GOOD_MAX_LINK_DENSITY = 0.3
INFO_LINE_MAX = 300     # datelines longer than this are prose that happens to contain labels
SAMPLE_CHARS = 80       # length of a sample in HtmlExtract.removed
SAMPLES_PER_KIND = 3
ATTR_PREFIX = 256       # class/id/style are read only up to this many characters
DEFAULT_MAX_DEPTH = 200


# --------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------

@dataclass(slots=True)
class HtmlExtract:
    """What :func:`extract_html` found on one page.

    ``text`` is the main content, one paragraph per line and a blank line
    between paragraphs (lines from ``<br>`` stay single-spaced).  ``removed``
    lists ``(kind, sample)`` for the dropped parts, at most three samples per
    kind: ``tag:nav``, ``class:share``, ``role:navigation``, ``hidden``,
    ``link_dense``, ``outside_main``...  ``encoding`` is set only when bytes
    were given; ``n_blocks`` counts the paragraphs in ``text``.
    """

    text: str
    title: str | None = None
    canonical_url: str | None = None
    lang: str | None = None
    published_at: str | None = None
    description: str | None = None
    encoding: str | None = None
    n_blocks: int = 0
    removed: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------
# Decoding (internal fallback until cleaners/decode.py lands)
# --------------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""")
_CHARSET_ALIASES = {
    # GB2312 and GBK pages routinely use characters outside those tables; GB18030 is a superset.
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
    "euc-cn": "gb18030", "hz-gb-2312": "hz", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
    # WHATWG: a page labelled Latin-1 or ASCII is decoded as windows-1252.
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "utf8": "utf-8", "unicode": "utf-8",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in its first 64 KB (``<meta>`` or ``<?xml?>``), as a Python codec.

    ``<script charset=...>`` does not count; only ``<meta>``.

    >>> _declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312"/>')
    'gb18030'
    >>> _declared_charset(b'<script charset="utf-8" src="a.js"></script>') is None
    True
    """
    head = raw[:65536]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_fallback(raw: bytes) -> tuple[str, str]:
    """Decode page bytes: BOM, else declared charset, else strict UTF-8, else GB18030.

    Valid UTF-8 with non-ASCII bytes wins over a declared legacy charset (pages
    converted to UTF-8 often keep their old ``<meta charset=gb2312>``).

    >>> _decode_fallback('<meta charset="gbk"><p>中文</p>'.encode('gbk'))
    ('<meta charset="gbk"><p>中文</p>', 'gb18030')
    >>> _decode_fallback('<p>中文</p>'.encode('gbk'))[1]
    'gb18030'
    """
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            return raw.decode(enc, errors="replace"), enc.replace("-sig", "")
    declared = _declared_charset(raw)
    if declared in ("utf-16-le", "utf-16-be", "utf-16", "utf-32"):
        declared = None  # a BOM-less page that reaches us as ASCII-compatible bytes is not UTF-16
    if declared and declared != "utf-8" and not raw.isascii():
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    for enc in filter(None, (declared, "utf-8", "gb18030")):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    # Nothing decodes cleanly (a stray byte, a cut multi-byte character): take the
    # candidate with the fewest replacement characters.
    best = None
    for enc in dict.fromkeys(filter(None, (declared, "utf-8", "gb18030"))):
        text = raw.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, text, enc)
    assert best is not None
    return best[1], best[2]


def _decode_with_module(raw: bytes) -> tuple[str, str]:
    """The page's bytes through ``cleaners.decode`` (BOM, declared charset,
    UTF-8, detection); bytes no codec accepts fall back to the lenient path,
    whose replacement characters the quality step then sees."""
    from cleaners.decode import UndecodableError, decode_bytes, sniff_declared_charset

    try:
        d = decode_bytes(raw, declared=sniff_declared_charset(raw))
    except UndecodableError:
        return _decode_fallback(raw)
    return d.text, d.encoding


_decode = _decode_with_module


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------

_CJK_CLASS = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
_NON_CJK_RUN = re.compile(f"[^{_CJK_CLASS}]+")
# Whitespace that contains a line break between two CJK characters is a source
# line wrap, not a space: browsers join such lines for Chinese and Japanese.
_CJK_WRAP = re.compile(
    r"(?<=[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef])[ \t\r\f\v]*\n\s*"
    r"(?=[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef])")


def _eff_len(text: str) -> int:
    """Length in effective characters: non-space characters, a CJK character counting 3.

    >>> _eff_len("hello world"), _eff_len("你好世界")
    (10, 12)
    """
    n = len(text) - text.count(" ")
    if n and not text.isascii():
        # Deleting the non-CJK runs leaves exactly the CJK characters; in Chinese
        # text those runs (punctuation, digits) are few, so this is half the work
        # of deleting every CJK character one match at a time.
        n += 2 * len(_NON_CJK_RUN.sub("", text))
    return n


def _norm(text: str) -> str:
    """Collapse whitespace; drop line wraps between CJK characters.

    >>> _norm("  第一行\\n  第二行  and   more ")
    '第一行第二行 and more'
    """
    if "\n" in text:
        text = _CJK_WRAP.sub("", text)
    # str.split() splits at exactly the characters regex \s matches (both use
    # Py_UNICODE_ISSPACE), so this equals re.sub(r"\s+", " ", text).strip() at
    # about half the cost; tests/test_html.py checks every code point.
    return " ".join(text.split())


def _sample(el: Any) -> str:
    """The first SAMPLE_CHARS characters of an element's text, without building all of it."""
    out: list[str] = []
    n = 0
    for piece in el.itertext():
        out.append(piece)
        n += len(piece)
        if n > SAMPLE_CHARS * 4:
            break
    return _norm("".join(out))[:SAMPLE_CHARS]


class _Removed:
    """Collects ``(kind, sample)`` pairs, at most SAMPLES_PER_KIND per kind."""

    __slots__ = ("items", "counts")

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.counts: dict[str, int] = {}

    def add(self, kind: str, sample: Any) -> None:
        n = self.counts.get(kind, 0)
        self.counts[kind] = n + 1
        if n < SAMPLES_PER_KIND:
            self.items.append((kind, sample() if callable(sample) else sample))


# --------------------------------------------------------------------------
# Parsing with bounds
# --------------------------------------------------------------------------

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr", "keygen"})
# End tags that HTML lets authors omit: counting them would drift the depth.
_OPTIONAL_END = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot",
                           "colgroup", "rt", "rp", "optgroup"})


def _flatten_deep(html: str, max_depth: int) -> str:
    """Remove start and end tags nested deeper than ``max_depth``; their text stays.

    Used only when libxml2 refused a page for nesting depth.

    >>> _flatten_deep("<div><div><div>x</div></div></div>", 2)
    '<div><div>x</div></div>'
    """
    out: list[str] = []
    pos = 0
    depth = 0
    suppressed = 0
    for m in _TAG_TOKEN.finditer(html):
        closing, name, selfclose = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or selfclose or name in _OPTIONAL_END:
            continue
        if not closing:
            if depth >= max_depth:
                out.append(html[pos:m.start()])
                pos = m.end()
                suppressed += 1
            else:
                depth += 1
        elif suppressed:
            out.append(html[pos:m.start()])
            pos = m.end()
            suppressed -= 1
        elif depth:
            depth -= 1
    out.append(html[pos:])
    return "".join(out)


def _new_parser() -> etree.HTMLParser:
    # Plain etree elements: lxml.html's element-class lookup costs a third of a walk.
    return etree.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True,
                            no_network=True, default_doctype=False)


def _parse(html: str, max_depth: int) -> Any | None:
    """Parse with lxml; re-parse flattened when libxml2 hit its depth limit.  None if empty."""
    html = _XML_DECL.sub("", html, count=1)
    data = html.encode("utf-8", errors="replace")
    if not data.strip():
        return None
    parser = _new_parser()
    root = etree.fromstring(data, parser=parser)
    if root is not None and any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        flat = _flatten_deep(html, max_depth).encode("utf-8", errors="replace")
        root = etree.fromstring(flat, parser=_new_parser())
    return root


def _drop(el: Any) -> None:
    """Remove an element and its subtree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _text_of(el: Any) -> str:
    return "".join(el.itertext())


# C0 controls other than \t \n \f \r, and U+FFFD: counted by the regex engine,
# since a Python loop over the 8 KB head cost as much as parsing a small page.
_BINARYISH = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _looks_binary(text: str) -> bool:
    """True for decoded bytes that are not text (images, archives, PDFs...).

    >>> _looks_binary(bytes(range(256)).decode("latin-1")), _looks_binary("<p>普通文本</p>")
    (True, False)
    """
    head = text[:8192]
    if not head or _BINARYISH.search(head) is None:
        return False
    return len(_BINARYISH.findall(head)) > len(head) * 0.05


# --------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?:[-/.年])\s*(?P<m>[01]?\d)\s*(?:[-/.月])\s*(?P<d>[0-3]?\d)\s*日?"
    r"(?:(?:\s+|T|\s*日?\s*)(?P<H>[0-2]?\d)[:：时](?P<M>[0-5]\d)(?:[:：分](?P<S>[0-5]\d))?"
    r"(?P<tz>Z|[+-][01]\d:?[0-5]\d)?)?")
# Field labels of Chinese datelines and bylines, with their colon.
_INFO_LABEL = re.compile(
    r"(来源|來源|作者|编辑|編輯|责任编辑|責任編輯|发布时间|發布時間|发布日期|發布日期|发表时间|时间|時間|日期|"
    r"浏览次数|瀏覽次數|浏览|瀏覽|阅读|閱讀|点击|點擊|点击数|字号|字號|字体|字體|分享到|稿源)\s*[:：]")
_DATEISH_CLASS = re.compile(r"time|date|pub|poston|shijian|riqi|fbsj", re.IGNORECASE)


def _norm_date(value: str | None) -> str | None:
    """Normalize a date string to ISO 8601 (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS][tz]``).

    >>> _norm_date("2020-02-19 20:29:58"), _norm_date("2019年6月4日 09:30")
    ('2020-02-19T20:29:58', '2019-06-04T09:30')
    >>> _norm_date("2020-01-02T03:04:05+08:00"), _norm_date("2020-01-02T03:04:05Z")
    ('2020-01-02T03:04:05+08:00', '2020-01-02T03:04:05Z')
    >>> _norm_date("not a date") is None
    True
    """
    if not value:
        return None
    m = _DATE_RE.search(value[:200])
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    out = f"{y:04d}-{mo:02d}-{d:02d}"
    if m["H"] is not None and int(m["H"]) < 24:
        out += f"T{int(m['H']):02d}:{m['M']}"
        if m["S"]:
            out += f":{m['S']}"
        if m["tz"]:
            tz = m["tz"]
            out += tz if tz == "Z" or ":" in tz else f"{tz[:3]}:{tz[3:]}"
    return out


def _jsonld_items(root: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for s in root.iter("script"):
        if "ld+json" not in (s.get("type") or "").lower():
            continue
        raw = (s.text or "")[:1_000_000]
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        todo = [data]
        while todo and len(items) < 50:
            d = todo.pop()
            if isinstance(d, list):
                todo.extend(d[:50])
            elif isinstance(d, dict):
                items.append(d)
                if isinstance(d.get("@graph"), list):
                    todo.extend(d["@graph"][:50])
    return items


def _meta_map(root: Any) -> dict[str, str]:
    """Lower-cased ``name``/``property``/``itemprop`` -> ``content`` of every ``<meta>`` (first wins)."""
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        content = m.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = m.get(attr)
            if key:
                out.setdefault(key.strip().lower()[:100], content.strip()[:2000])
    return out


def _clean_title(t: str | None) -> str | None:
    t = _norm(t or "")
    return t[:500] or None


def _metadata(root: Any, url: str | None) -> dict[str, Any]:
    meta = _meta_map(root)
    ld = _jsonld_items(root)

    # title: og:title, else <title>; replaced by an <h1> it contains when that
    # <h1> starts it or covers half of it (the rest is the site name).
    title_el = root.find(".//title")
    page_title = _clean_title(_text_of(title_el) if title_el is not None else None)
    ref = _clean_title(meta.get("og:title") or meta.get("twitter:title")) or page_title
    h1s = [_clean_title(_text_of(h)) for _, h in zip(range(5), root.iter("h1"))]
    title = ref
    for h in h1s:
        if h and ref and h in ref and (ref.startswith(h) or len(h) * 2 >= len(ref)):
            title = h
            break
    if title is None:
        title = next((h for h in h1s if h), None)

    canonical = None
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            canonical = link.get("href").strip()
            break
    canonical = canonical or meta.get("og:url") or None
    if canonical:
        canonical = urljoin(url, canonical) if url else canonical

    lang = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        lang = meta.get("content-language") or meta.get("og:locale")
    lang = lang.strip()[:35] or None if lang else None

    published = None
    for key in DATE_META:
        published = _norm_date(meta.get(key))
        if published:
            break
    if not published:
        for item in ld:
            published = _norm_date(str(item.get("datePublished") or item.get("dateCreated") or ""))
            if published:
                break
    if not published:
        for t in root.iter("time"):
            published = _norm_date(t.get("datetime") or t.get("pubdate") or _text_of(t)[:100])
            if published:
                break
    if not published:
        # Chinese news pages: <span class="h-time">2020-02-19 20:29:58</span>, <div class="info">...
        body = root.find("body")
        for n, el in enumerate(body.iter() if body is not None else ()):
            if n > 5000:
                break
            if not isinstance(el.tag, str) or el.tag in ("script", "style"):
                continue
            cls = ((el.get("class") or "") + " " + (el.get("id") or ""))[:ATTR_PREFIX]
            if cls.strip() and _DATEISH_CLASS.search(cls):
                own = (el.text or "") + " " + " ".join(c.text or "" for c in el[:5])
                if len(own) < 120:  # a dateline, not a paragraph that mentions a date
                    published = _norm_date(own)
                if published:
                    break

    description = meta.get("description") or meta.get("og:description") or meta.get("twitter:description")
    return {
        "title": title,
        "canonical_url": canonical,
        "lang": lang,
        "published_at": published,
        "description": _norm(description)[:2000] if description else None,
    }


# --------------------------------------------------------------------------
# Chrome removal
# --------------------------------------------------------------------------

_TOKEN_SPLIT = re.compile(r"[^a-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@lru_cache(maxsize=8192)
def _chrome_kind(names: str) -> str | None:
    """The chrome rule a class/id string matches, or None.

    >>> _chrome_kind("post-comments"), _chrome_kind("bdsharebuttonbox"), _chrome_kind("xgyd")
    ('comment', 'share', 'xgyd')
    >>> _chrome_kind("header"), _chrome_kind("article-content") is None, _chrome_kind("shadow") is None
    (None, True, True)
    >>> _chrome_kind("entry-content tag-news") is None, _chrome_kind("post-tags")
    (True, 'tags')
    >>> _chrome_kind("sr-only"), _chrome_kind("overflow-hidden") is None, _chrome_kind("hidden md:block") is None
    ('hidden', True, True)
    """
    low = names.lower()
    words = low.split()
    if any(w in HIDDEN_CLASSES for w in words) and not any(_RESPONSIVE_SHOW.search(w) for w in words):
        return "hidden"
    hit = None
    for sub, _ in CHROME_SUBSTRINGS:
        if sub in low:
            hit = sub
            break
    if hit is None:
        tokens = _TOKEN_SPLIT.split(_CAMEL.sub(" ", names).lower())
        hit = next((t for t in tokens if t in CHROME_TOKENS), None)
    if hit is None:
        return None
    if hit in WEAK_CHROME and any(h in low for h in CONTENT_HINTS):
        return None
    return hit


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CONTENTISH_TAGS = frozenset({"html", "body", "article", "main"})


def _nsp(s: str | None) -> int:
    """Characters that are not ASCII whitespace."""
    if not s:
        return 0
    return len(s) - s.count(" ") - s.count("\n") - s.count("\t") - s.count("\r")


# XPath string() is the element's itertext() joined, built in C without a Python
# string per text node; the link texts come back as one list.  That list holds
# each text node once, which equals the sum over links only when no link is
# inside another: nested links (rare, and a loop counts them twice) take the loop.
_STRING_VALUE = etree.XPath("string()", smart_strings=False)
_LINK_TEXTS = etree.XPath("descendant-or-self::a//text()", smart_strings=False)
_NESTED_LINK = etree.XPath("boolean(descendant-or-self::a//a)")


def _nonlink_size(el: Any) -> int:
    """Non-space characters of an element's text outside links: its text minus
    each ``<a>``'s text (an ``<a>`` inside another counts twice, as the per-link
    loop :func:`_nonlink_size_loop` defines it).
    """
    if _NESTED_LINK(el):
        return _nonlink_size_loop(el)
    return max(_nsp(_STRING_VALUE(el)) - _nsp("".join(_LINK_TEXTS(el))), 0)


def _nonlink_size_loop(el: Any) -> int:
    """The definition of :func:`_nonlink_size`, one ``<a>`` at a time."""
    size = _nsp("".join(el.itertext()))
    for a in el.iter("a"):
        size -= _nsp("".join(a.itertext()))
    return max(size, 0)


def _drop_chrome(body: Any, removed: _Removed) -> None:
    """Drop page furniture from ``body`` in place (see the module docstring)."""
    # 1. Code and embedded objects: whole subtrees, C-level iteration.
    for el in list(body.iter(*DROP_TAGS)):
        if el.getparent() is not None:
            code = el.tag in ("script", "style")
            removed.add(f"tag:{el.tag}", lambda el=el, code=code: "" if code else _sample(el))
            _drop(el)

    # 2. Chrome by tag, role, hidden state or class/id.  An element holding
    #    more than PROTECT_SHARE of the page's non-link text is kept whatever its
    #    class says: layout wrappers are named "has-sidebar", "c-fixed-sidebar-layout".
    limit = max(_nonlink_size(body), 1) * PROTECT_SHARE
    sizes: dict[Any, int] = {}

    def size(el: Any) -> int:
        if el not in sizes:
            sizes[el] = _nonlink_size(el)
        return sizes[el]

    to_drop: list[tuple[Any, str]] = []
    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        kind = None
        if tag in CHROME_TAGS:
            if not (tag == "header" and _inside_content(el)):
                kind = f"tag:{tag}"
        elif tag == "figcaption" and size(el) < CAPTION_MAX:
            kind = "tag:figcaption"
        elif not el.keys():
            continue  # every rule below reads an attribute: a bare <p>, <li>, <span> cannot match
        role = el.get("role")
        if kind is None and role and role.strip().lower()[:30] in CHROME_ROLES:
            kind = f"role:{role.strip().lower()[:30]}"
        if kind is None and (el.get("hidden") is not None or el.get("aria-hidden") == "true"
                             or _HIDDEN_STYLE.search((el.get("style") or "")[:ATTR_PREFIX])):
            kind = "hidden"
        if kind is None and tag not in _CONTENTISH_TAGS:
            names = ((el.get("class") or "")[:ATTR_PREFIX] + " " + (el.get("id") or "")[:ATTR_PREFIX]).strip()
            if names:
                rule = _chrome_kind(names)
                if rule and not (rule == "caption" and size(el) >= CAPTION_MAX):
                    kind = f"class:{rule}"
        if kind is None:
            continue
        if kind != "hidden" and size(el) > limit:
            continue
        to_drop.append((el, kind))
        walker.skip_subtree()
    for el, kind in to_drop:
        removed.add(kind, lambda el=el: _sample(el))
        _drop(el)


def _inside_content(el: Any) -> bool:
    for anc in el.iterancestors():
        if anc.tag in ("article", "main"):
            return True
    return False


# --------------------------------------------------------------------------
# Blocks and scoring
# --------------------------------------------------------------------------

class _Walk:
    """The body cut into text blocks, with the element tree as parallel arrays."""

    __slots__ = ("elements", "parent", "end", "blocks")

    def __init__(self) -> None:
        self.elements: list[Any] = []   # pre-order
        self.parent: list[int] = []     # index of parent element (-1 for the root)
        self.end: list[int] = []        # last pre-order index inside each element's subtree
        # blocks: [owner index, tag, lines (list of list of str), link chars, text]
        self.blocks: list[list[Any]] = []


def _walk(body: Any, max_depth: int) -> _Walk:
    w = _Walk()
    elements, parent, end, blocks = w.elements, w.parent, w.end, w.blocks
    stack: list[int] = []          # open elements (indices)
    block_stack: list[int] = []    # open block elements (indices)
    is_block_at: list[bool] = []
    cur_lines: list[list[str]] = [[]]
    cur_links: list[str] = []
    cur_owner = 0
    cur_tag = "body"
    link_depth = 0

    def flush() -> None:
        nonlocal cur_lines, cur_links
        if _has_text(cur_lines):
            blocks.append([cur_owner, cur_tag, cur_lines, cur_links])
        cur_lines = [[]]
        cur_links = []

    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str):
            if event == "end" and el.tail:
                cur_lines[-1].append(el.tail)
                if link_depth:
                    cur_links.append(el.tail)
            continue
        if event == "start":
            idx = len(elements)
            elements.append(el)
            parent.append(stack[-1] if stack else -1)
            end.append(idx)
            stack.append(idx)
            block = tag in BLOCK_TAGS and len(stack) <= max_depth
            is_block_at.append(block)
            if block:
                flush()
                block_stack.append(idx)
                cur_owner, cur_tag = idx, tag
            elif tag == "br":
                cur_lines.append([])
            if tag == "a":
                link_depth += 1
            if el.text:
                cur_lines[-1].append(el.text)
                if link_depth:
                    cur_links.append(el.text)
        else:
            idx = stack.pop()
            end[idx] = len(elements) - 1
            if tag == "a":
                link_depth -= 1
            if is_block_at[idx]:
                flush()
                block_stack.pop()
                if block_stack:
                    cur_owner = block_stack[-1]
                    cur_tag = elements[cur_owner].tag
            if el.tail and stack:
                cur_lines[-1].append(el.tail)
                if link_depth:
                    cur_links.append(el.tail)
    flush()
    return w


def _has_text(lines: list[list[str]]) -> bool:
    """Whether any piece of a block's lines is not blank.

    map/chain keep the test in C (the walk asks twice per block element).

    >>> _has_text([[]]), _has_text([[" ", "\\u3000"], ["\\n"]]), _has_text([[], [" x "]])
    (False, False, True)
    """
    return any(map(str.strip, chain.from_iterable(lines)))


def _block_text(lines: list[list[str]]) -> tuple[str, int]:
    r"""Join a block's ``<br>``-separated lines: one line break per ``<br>``, a
    blank line where ``<br><br>`` left an empty line (forum posts, old portals).
    Returns the text and its effective length.

    >>> _block_text([["第一段"], [], ["第二段", "续"], ["下一行"]])
    ('第一段\n\n第二段续\n下一行', 30)
    """
    out: list[str] = []
    eff = 0
    gap = False
    for line in lines:
        t = _norm("".join(line))
        if not t:
            gap = True
            continue
        if out:
            out.append("\n\n" if gap else "\n")
        out.append(t)
        eff += _eff_len(t)
        gap = False
    return "".join(out), eff


def _select(w: _Walk) -> tuple[int, list[tuple[int, str, str, int, int]]]:
    """Pick the main element.

    Every block scores its non-link text minus its link text (times
    LINK_WEIGHT) minus BLOCK_COST; only positive scores count as content mass.
    Starting at ``<body>``, descend into the child that holds at least
    DESCEND_SHARE of the current element's content mass, and stop when no
    child does (the content is spread over several children: this element is
    the article) or the child is a paragraph-level element.

    Then climb back up to CLIMB_LEVELS ancestors when that adds a net
    positive score (a lead paragraph in the article's header) that is small
    next to what was found.

    Returns the element's pre-order index and the normalized blocks as
    ``(owner, tag, text, effective length, effective link length)``.
    """
    n = len(w.elements)
    mass = [0.0] * n   # positive block scores only
    net = [0.0] * n    # signed block scores
    normed: list[tuple[int, str, str, int, int]] = []
    for owner, tag, lines, links in w.blocks:
        text, eff = _block_text(lines)
        if not text:
            continue
        leff = min(_eff_len(_norm("".join(links))), eff) if links else 0
        normed.append((owner, tag, text, eff, leff))
        score = (eff - leff) - LINK_WEIGHT * leff - BLOCK_COST
        net[owner] += score
        if score > 0:
            mass[owner] += score
    heaviest = [-1] * n  # the child with the most content mass
    parent = w.parent
    for i in range(n - 1, 0, -1):  # reversed pre-order: children before parents
        p = parent[i]
        mass[p] += mass[i]
        net[p] += net[i]
        h = heaviest[p]
        if h < 0 or mass[i] >= mass[h]:
            heaviest[p] = i
    cur = 0
    while heaviest[cur] >= 0:
        best = heaviest[cur]
        if mass[best] <= 0 or mass[best] < DESCEND_SHARE * mass[cur] or w.elements[best].tag in _LEAF_BLOCKS:
            break
        cur = best
    # Climb back a few levels when that adds net-positive material that is small
    # next to the core: the lead paragraph or subtitle in a sibling <header>.
    core, anc = cur, cur
    for _ in range(CLIMB_LEVELS):
        anc = w.parent[anc]
        if anc < 0 or mass[anc] - mass[core] > CLIMB_SHARE * mass[core]:
            break
        if net[anc] > net[cur] + CLIMB_MIN_GAIN:
            cur = anc
    return cur, normed


_GOOD, _SHORT, _BAD = 2, 1, 0


def _is_info_line(text: str, eff: int) -> bool:
    """A dateline/byline of a Chinese article: two or more ``label：`` fields.

    >>> _is_info_line("发布时间：2023-09-20 10:05 来源：市医保局 浏览次数：4521", 90)
    True
    >>> _is_info_line("他在来信中写道：来源于生活的作品最动人。", 60)
    False
    """
    return eff < INFO_LINE_MAX and len(set(_INFO_LABEL.findall(text))) >= 2


def _emit(w: _Walk, removed: _Removed) -> tuple[str, int]:
    """The main element's blocks, in order, classified jusText-style.

    GOOD blocks (long, few links) are kept, BAD ones (link-dominated, or a
    Chinese dateline such as ``来源：… 浏览次数：…``) dropped, and SHORT ones
    follow their nearest non-short neighbours: kept after a GOOD block, or
    before one unless they hold a link and follow a BAD block (the
    ``发表于 … | 只看该作者`` line between two forum posts).  Headings whose
    whole section was dropped ("Related posts" over a link list) go too, as
    does a heading that ends the text.
    """
    if not w.elements:
        return "", 0
    best, normed = _select(w)
    lo, hi = best, w.end[best]
    inside: list[tuple[str, str, int]] = []   # (tag, text, class)
    linked: list[bool] = []
    why: list[str] = []
    for owner, tag, text, eff, leff in normed:
        if not (lo <= owner <= hi):
            removed.add("outside_main", lambda text=text: text[:SAMPLE_CHARS])
            continue
        if leff > MAX_LINK_DENSITY * eff and tag not in HEADINGS:
            c, reason = _BAD, "link_dense"
        elif _is_info_line(text, eff):
            c, reason = _BAD, "info_line"
        elif eff - leff >= GOOD_MIN and leff <= GOOD_MAX_LINK_DENSITY * eff:
            c, reason = _GOOD, ""
        else:
            c, reason = _SHORT, "short_between_boilerplate"
        inside.append((tag, text, c))
        linked.append(leff > 0)
        why.append(reason)
    n = len(inside)
    has_good = any(c == _GOOD for _, _, c in inside)
    prev_c: list[int | None] = [None] * n
    next_c: list[int | None] = [None] * n
    last: int | None = None
    for i in range(n):
        prev_c[i] = last
        if inside[i][2] != _SHORT:
            last = inside[i][2]
    last = None
    for i in range(n - 1, -1, -1):
        next_c[i] = last
        if inside[i][2] != _SHORT:
            last = inside[i][2]
    keep = [False] * n
    for i, (tag, _, c) in enumerate(inside):
        if c == _GOOD:
            keep[i] = True
        elif c == _SHORT:
            keep[i] = (not has_good or prev_c[i] == _GOOD
                       or (next_c[i] == _GOOD and (tag in HEADINGS or prev_c[i] is None or not linked[i])))
    paras: list[str] = []
    for i, (tag, text, _) in enumerate(inside):
        if not keep[i]:
            removed.add(why[i], text[:SAMPLE_CHARS])
            continue
        if tag in HEADINGS:
            # the next kept block is a heading or the end, and something was dropped before it
            j = i + 1
            while j < n and not keep[j]:
                j += 1
            if j == n or (j > i + 1 and inside[j][0] in HEADINGS):
                removed.add("orphan_heading", text[:SAMPLE_CHARS])
                keep[i] = False
                continue
        paras.append(text)
    out = "\n\n".join(paras)
    return out, out.count("\n\n") + 1 if out else 0


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------

def _safe_cut(raw: bytes, limit: int) -> int:
    """An offset <= ``limit`` that does not split a multi-byte character.

    Cuts after the last ASCII byte below 0x40 in the final 64 KB (``<``,
    ``>``, newline, space, digits...): such bytes are never inside a UTF-8,
    GBK, Big5 or Shift_JIS character.

    >>> _safe_cut("中文<p>中文".encode("gbk"), 8)
    7
    """
    window = raw[max(0, limit - 65536):limit]
    for i in range(len(window) - 1, -1, -1):
        if window[i] < 0x40:
            return max(0, limit - 65536) + i + 1
    return limit


def extract_html(html: str | bytes, url: str | None = None, *, max_bytes: int = 10_000_000,
                 max_depth: int = DEFAULT_MAX_DEPTH) -> HtmlExtract:
    """Extract the main content and metadata of one HTML page.

    ``html`` is the page as text or as raw bytes (then decoded with its BOM or
    declared charset, GBK/GB2312 as GB18030, and ``encoding`` is set).  ``url``
    resolves a relative canonical link.  Input beyond ``max_bytes`` (bytes, or
    characters for ``str``) is dropped; elements nested deeper than
    ``max_depth`` are flattened into their ancestor.  Never raises on bad
    input: an empty or non-HTML document gives an empty ``text``.

    >>> r = extract_html('<meta charset="gbk"><p>%s</p>' % ("正文内容" * 10), url="http://a.cn/x")
    >>> r.text[:8], r.n_blocks, r.encoding
    ('正文内容正文内容', 1, None)
    >>> extract_html('<meta charset="gbk"><p>中文正文</p>'.encode("gbk")).encoding
    'gb18030'
    >>> extract_html(b"").text
    ''
    """
    removed = _Removed()
    encoding = None
    if isinstance(html, (bytes, bytearray, memoryview)):
        raw = bytes(html)
        truncated = len(raw) > max_bytes
        if truncated:
            removed.add("truncated", f"{len(raw) - max_bytes} bytes beyond max_bytes")
            raw = raw[:_safe_cut(raw, max_bytes)]
        text, encoding = _decode(raw)
        if truncated:
            text = text.rstrip("\ufffd")  # a character cut in half where no safe cut point was found
    else:
        text = html
        if len(text) > max_bytes:
            removed.add("truncated", f"{len(text) - max_bytes} characters beyond max_bytes")
            text = text[:max_bytes]
    if _looks_binary(text):
        removed.add("not_html", _norm(text[:SAMPLE_CHARS]))
        return HtmlExtract(text="", encoding=encoding, removed=removed.items)
    root = _parse(text, max_depth)
    if root is None:
        return HtmlExtract(text="", encoding=encoding, removed=removed.items)
    for el in list(root.iter("rt", "rp")):  # before the title is read from <h1>
        _drop(el)
    meta = _metadata(root, url)
    body = root.find("body")
    if body is None:
        body = root
    _drop_chrome(body, removed)
    w = _walk(body, max_depth)
    text_out, n_blocks = _emit(w, removed)
    return HtmlExtract(text=text_out, encoding=encoding, n_blocks=n_blocks, removed=removed.items, **meta)

"""PII redaction and blocked words (pipeline step ``moderation``).

Personal data is found by pattern *and* validation, because Chinese web text
is full of numbers that look like personal data and are not (order numbers,
prices, timestamps, phone-like figures in tables):

==============  ===========================================================  ==============
kind            accepted when                                                 placeholder
==============  ===========================================================  ==============
``email``       local@domain.tld (ASCII, a letter TLD)                        ``[EMAIL]``
``phone``       mainland mobile 1[3-9]x (11 digits, optional +86 / 0086,      ``[PHONE]``
                spaces or dashes 3-4-4); mainland landline 0xx(x)-xxxxxxx(x);
                Taiwan mobile 09xx-xxx-xxx (+886 9xx...); Taiwan landline
                (0x) xxxx-xxxx; Hong Kong 8 digits after +852 / 852, or
                after a phone word (电话, 手机, Tel...)
``id_card``     18-character PRC resident id: a known province code, a real   ``[ID_CARD]``
                birth date (1900-2099) and the ISO 7064 MOD 11-2 check
                character
``bank_card``   16-19 digits (grouped by 4 or not) passing the Luhn check     ``[BANK_CARD]``
                with a card-network prefix (4, 5, 62, 3, 6), or after a card
                word (卡号, 银行卡, card...)
``wechat``      an id after 微信 / 微信号 / WeChat / VX / wx and a colon or   ``[WECHAT]``
                space (6-20 characters, a letter first, or a mobile number)
``qq``          5-12 digits after QQ / QQ号 / QQ群 / 扣扣                     ``[QQ]``
==============  ===========================================================  ==============

A number is never taken when a word before it names it something else (订单号,
单号, 编号, 流水号, 快递, 运单, 型号, 工号, 学号, 金额, order, invoice, tracking...),
when a unit or decimal follows it (元, 万, 亿, %, 次, .5), or when it is part
of a longer run of digits, letters, dots or dashes (versions, timestamps).
Service numbers (400/800/95xxx) are not personal data and stay.

For the labels (微信：, QQ：) only the id is replaced, so ``微信：abc_123``
becomes ``微信：[WECHAT]``.  Counts go to ``ctx.signals`` (``pii_email``,
``pii_phone``...), ``ctx.flag("pii")`` marks the document; with
``moderation.pii_action = "flag"`` nothing is edited.

Blocked words come from ``moderation.blocked_words`` and the files in
``moderation.blocked_word_files`` (one word per line, ``#`` comments), are
matched case-insensitively with one Aho-Corasick automaton (pyahocorasick),
built once per word set and cached; Latin words only match whole words.
``blocked_action``: ``flag`` (flag ``blocked``), ``redact`` (replace with
``blocked_mask``), ``reject`` (reason ``blocked``).  ``blocked_hits`` counts them.

>>> from cleaners.config import CleanerConfig
>>> from cleaners.context import Context
>>> from cleaners.document import Document, apply_edits
>>> t = "联系人：王先生，手机 138-1234-5678，邮箱 wang@example.com；订单号 13812345678。"
>>> ctx = Context(Document.make("t", 0, t), CleanerConfig(), text_in=t)
>>> apply_edits(t, moderate(t, ctx))
'联系人：王先生，手机 [PHONE]，邮箱 [EMAIL]；订单号 13812345678。'
>>> ctx.signals["pii_phone"], ctx.signals["pii_email"], ctx.flags
(1.0, 1.0, ['pii'])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import ahocorasick

from cleaners.document import Edit

if TYPE_CHECKING:
    from cleaners.config import ModerationConfig
    from cleaners.context import Context

#: Every signal the step writes (fields of the ``quality`` struct column).
SIGNALS: tuple[str, ...] = ("pii_email", "pii_phone", "pii_id_card", "pii_bank_card", "pii_wechat", "pii_qq",
                            "blocked_hits")

PLACEHOLDERS = {"email": "[EMAIL]", "phone": "[PHONE]", "id_card": "[ID_CARD]", "bank_card": "[BANK_CARD]",
                "wechat": "[WECHAT]", "qq": "[QQ]"}

# ---------------------------------------------------------------------------
# Patterns (compiled once).  Digit patterns refuse to start or end inside a
# longer token of digits, ASCII letters, dots or dashes.
_NB = r"(?<![0-9A-Za-z_])(?<![0-9][.\-/])"  # no token char (or digit and . - /) before
_NA = r"(?![0-9A-Za-z_]|[.\-/][0-9])"     # no token char after (a full stop is fine)

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
                    r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}"
                    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])")
_CN_MOBILE = re.compile(_NB + r"(?:(?:\+|00)86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}" + _NA)
_CN_LANDLINE = re.compile(_NB + r"(?:\(0[0-9]{2,3}\)\s?|0[0-9]{2,3}-)[2-9][0-9]{6,7}" + _NA)
_TW_MOBILE = re.compile(_NB + r"(?:(?:\+|00)886[ \-]?9[0-9]{2}|09[0-9]{2})[ \-]?[0-9]{3}[ \-]?[0-9]{3}" + _NA)
_TW_LANDLINE = re.compile(_NB + r"(?:(?:\(0[2-8][0-9]?\)\s?|(?:\+|00)886[ \-]?[2-8][ \-]?)[0-9]{3,4}[ \-]?[0-9]{4}"
                                 r"|0[2-8][0-9]?-[0-9]{3,4}-[0-9]{4})" + _NA)
_HK = re.compile(_NB + r"(?:(?P<prefix>(?:\+|00)?852)[ \-]?)?[2-9][0-9]{3}[ \-]?[0-9]{4}" + _NA)
_ID = re.compile(_NB + r"[1-9][0-9]{16}[0-9Xx]" + _NA)
_CARD = re.compile(_NB + r"(?:[0-9]{4}[ \-]){3}[0-9]{4}(?:[ \-]?[0-9]{1,3})?" + _NA + r"|" + _NB + r"[0-9]{16,19}" + _NA)
_WECHAT = re.compile(r"(?<![A-Za-z])(?:微信号?|微信ID|微信id|微訊號?|WeChat|Wechat|wechat|WeChat ID|VX|vx|V信|v信|wx|WX|薇信|威信)"
                     r"\s*(?:号|號|ID|id)?\s*(?P<colon>[：:]?)\s*(?P<id>[A-Za-z][\-_A-Za-z0-9]{5,19}|1[3-9][0-9]{9})"
                     r"(?![\-_A-Za-z0-9])")
_QQ = re.compile(r"(?<![A-Za-z])(?:QQ|qq|Qq|扣扣)\s*(?:号码|號碼|号|號|群号|群號|群)?\s*[：:]?\s*(?P<id>[1-9][0-9]{4,11})(?![0-9])")

# What a number is, by the words just before it (12 characters window).
_NEG_BEFORE = re.compile(r"(?:订单|訂單|单号|單號|编号|編號|流水|序列号|序號|序号|条码|條碼|货号|貨號|运单|運單|快递|快遞|"
                         r"物流|工号|工號|学号|學號|账单|帳單|交易号|批号|批號|型号|型號|版本|金额|金額|合计|合計|"
                         r"总计|總計|票号|票號|发票|發票|准考证|考号|会员号|卡券|兑换码|验证码|驗證碼|邀请码|"
                         r"order|invoice|tracking|serial|ref|sku|isbn|issn|no\.|#)\s*[号號]?[码碼]?\s*[：:#]?\s*$",
                         re.I)
_PHONE_WORDS = re.compile(r"(?:电话|電話|手机|手機|联系|聯繫|聯絡|致电|致電|热线|熱線|拨打|撥打|电联|來電|来电|"
                          r"咨询|諮詢|tel|phone|mobile|call|whatsapp|fax|传真|傳真)", re.I)
_CARD_WORDS = re.compile(r"(?:卡号|卡號|银行卡|銀行卡|信用卡|借记卡|儲蓄卡|储蓄卡|账号|帳號|账户|帳戶|收款|"
                         r"card|account)", re.I)
_UNIT_AFTER = re.compile(r"\s?(?:元|块|塊|万|萬|亿|億|%|％|次|件|个|個|台|吨|噸|人|年|月|日|号|號|分|秒|米|"
                         r"kg|km|ms|mb|gb|美元|港币|港幣)", re.I)
_SERVICE = re.compile(r"(?:400|800)[ \-]?[0-9]{3}[ \-]?[0-9]{4}|95[0-9]{3}")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_id_card(s: str) -> bool:
    """An 18-character PRC resident id with a known province, a real birth date
    and the right check character.

    >>> valid_id_card("11010519491231002X"), valid_id_card("110105194912310021")
    (True, False)
    >>> valid_id_card("110105194902300025")  # 30 February
    False
    """
    if len(s) != 18 or not s[:17].isdigit():
        return False
    if int(s[:2]) not in _PROVINCES:
        return False
    year, month, day = int(s[6:10]), int(s[10:12]), int(s[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]):
        return False
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return False
    total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == s[17].upper()


def luhn_ok(digits: str) -> bool:
    """The Luhn check of a card number (digits only).

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
    (True, False)
    """
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_prefix_ok(d: str) -> bool:
    # Visa 4, Mastercard 51-55 / 2221-2720, UnionPay 62 / 81, JCB 35, Diners 30/36/38, Discover 6011/65, Maestro 5/6
    if d[0] in "456":
        return True
    if d[:2] in ("30", "35", "36", "38", "81"):
        return True
    return 2221 <= int(d[:4]) <= 2720


@dataclass(frozen=True, slots=True)
class Hit:
    """One accepted finding: ``text[start:end]`` is PII of ``kind``."""

    kind: str
    start: int
    end: int


def _before(text: str, start: int, n: int = 12) -> str:
    return text[max(0, start - n):start]


def _negative_context(text: str, start: int, end: int) -> bool:
    """Named as something else before, or a unit / decimal after."""
    if _NEG_BEFORE.search(_before(text, start)):
        return True
    return bool(_UNIT_AFTER.match(text, end)) or text.startswith((".", "．"), end) and text[end + 1:end + 2].isdigit()


def _phone_hits(text: str, lo: int, hi: int) -> Iterable[Hit]:
    for rx in (_TW_MOBILE, _TW_LANDLINE, _CN_LANDLINE, _CN_MOBILE):
        for m in rx.finditer(text, lo, hi):
            if _negative_context(text, m.start(), m.end()) and not _PHONE_WORDS.search(_before(text, m.start())):
                continue
            if _SERVICE.fullmatch(m.group(0).replace(" ", "")):
                continue
            yield Hit("phone", m.start(), m.end())
    for m in _HK.finditer(text, lo, hi):
        if m.group("prefix") or _PHONE_WORDS.search(_before(text, m.start(), 16)):
            if not _negative_context(text, m.start(), m.end()):
                yield Hit("phone", m.start(), m.end())


def _id_hits(text: str, lo: int, hi: int) -> Iterable[Hit]:
    for m in _ID.finditer(text, lo, hi):
        if valid_id_card(m.group(0)) and not _NEG_BEFORE.search(_before(text, m.start())):
            yield Hit("id_card", m.start(), m.end())


def _card_hits(text: str, lo: int, hi: int) -> Iterable[Hit]:
    for m in _CARD.finditer(text, lo, hi):
        digits = re.sub(r"[\s\-]", "", m.group(0))
        if not (16 <= len(digits) <= 19) or not luhn_ok(digits):
            continue
        if _negative_context(text, m.start(), m.end()):
            continue
        if _card_prefix_ok(digits) or _CARD_WORDS.search(_before(text, m.start(), 16)):
            yield Hit("bank_card", m.start(), m.end())


def _email_hits(text: str) -> Iterable[Hit]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        yield Hit("email", m.start(), m.end())


def _label_hits(rx: re.Pattern[str], kind: str, cues: tuple[str, ...]) -> Callable[[str], Iterable[Hit]]:
    def find(text: str) -> Iterable[Hit]:
        if not any(c in text for c in cues):   # str.lower() of CJK text costs more than these scans
            return
        for m in rx.finditer(text):
            ident = m.group("id")
            # without a colon, an id of letters only is more likely a word ("微信 WeChat")
            if "colon" in rx.groupindex and not m.group("colon") and ident.isalpha():
                continue
            yield Hit(kind, m.start("id"), m.end("id"))
    return find


# Words one of which a label detector needs in the text before it runs.
_WECHAT_CUES = ("微信", "微訊", "WeChat", "Wechat", "wechat", "VX", "vx", "V信", "v信", "wx", "WX", "薇信", "威信")
_QQ_CUES = ("QQ", "qq", "Qq", "扣扣")
#: Detectors in priority order: an earlier kind wins an overlap (微信：138... is WeChat, not a phone).
#: Text detectors scan the whole text (behind a cheap cue test); number detectors
#: only look at the neighbourhood of each run of 8+ digits, spaces and dashes.
TEXT_DETECTORS: dict[str, Callable[[str], Iterable[Hit]]] = {
    "email": _email_hits,
    "wechat": _label_hits(_WECHAT, "wechat", _WECHAT_CUES),
    "qq": _label_hits(_QQ, "qq", _QQ_CUES),
}
NUMBER_DETECTORS: dict[str, Callable[[str, int, int], Iterable[Hit]]] = {
    "id_card": _id_hits,
    "bank_card": _card_hits,
    "phone": _phone_hits,
}
_CLUSTER = re.compile(r"[0-9][0-9 \-]{6,40}[0-9]")
_MARGIN_BEFORE, _MARGIN_AFTER = 10, 3   # room for "+86 ", "(0755) ", "+852-" and the lookahead
#: Every label the text detectors need (one scan instead of one per label).
_CUES_RE = re.compile("|".join(re.escape(c) for c in (*_WECHAT_CUES, *_QQ_CUES)))


def may_hold_pii(text: str) -> bool:
    """A cheap necessary condition for any finding: an ``@`` (e-mail), a label
    of the WeChat or QQ detectors, or a run of 8+ digits, spaces and dashes
    (the number detectors look nowhere else).  Most documents have none.

    >>> may_hold_pii("今天天气很好，2024年的第3天。"), may_hold_pii("电话 138 1234 5678")
    (False, True)
    """
    return "@" in text or _CUES_RE.search(text) is not None or _CLUSTER.search(text) is not None


def find_pii(text: str, kinds: Sequence[str] = (*TEXT_DETECTORS, *NUMBER_DETECTORS)) -> list[Hit]:
    """Non-overlapping PII findings in text order (earlier kinds win overlaps).

    >>> [(h.kind, h.start, h.end) for h in find_pii("QQ群：123456789，身份证11010519491231002X")]
    [('qq', 4, 13), ('id_card', 17, 35)]
    >>> find_pii("版本 1.3.8123456789，订单号 2024011512345678，价格 13800000000元")
    []
    """
    if not may_hold_pii(text):
        return []
    taken: list[Hit] = []

    def take(h: Hit) -> None:
        if not any(h.start < t.end and t.start < h.end for t in taken):
            taken.append(h)

    for kind, det in TEXT_DETECTORS.items():
        if kind in kinds:
            for h in det(text):
                take(h)
    num_kinds = [k for k in NUMBER_DETECTORS if k in kinds]
    if num_kinds:
        n = len(text)
        windows = [(max(0, m.start() - _MARGIN_BEFORE), min(n, m.end() + _MARGIN_AFTER))
                   for m in _CLUSTER.finditer(text)]
        for kind in num_kinds:
            det = NUMBER_DETECTORS[kind]
            for lo, hi in windows:
                for h in det(text, lo, hi):
                    take(h)
    return sorted(taken, key=lambda h: h.start)


# ---------------------------------------------------------------------------
# Blocked words
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_AUTOMATA: dict[tuple[tuple[str, ...], tuple[str, ...]], ahocorasick.Automaton | None] = {}


def load_word_files(paths: Iterable[str]) -> list[str]:
    """Words from UTF-8 files, one per line; blank lines and ``#`` comments skipped."""
    out: list[str] = []
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            w = line.strip()
            if w and not w.startswith("#"):
                out.append(w)
    return out


def blocked_automaton(words: tuple[str, ...], files: tuple[str, ...] = ()) -> ahocorasick.Automaton | None:
    """The (cached) automaton of a word set, ``None`` when it is empty.

    Files are read once per process (the cache key is the word tuple and the
    file paths).

    >>> a = blocked_automaton(("赌博", "Casino"))
    >>> [w for _, (n, w) in a.iter("网上赌博和casino")]
    ['赌博', 'casino']
    """
    key = (words, files)
    if key in _AUTOMATA:
        return _AUTOMATA[key]
    all_words = {w.strip().translate(_ASCII_LOWER).lower() for w in (*words, *load_word_files(files))}
    all_words.discard("")
    auto = None
    if all_words:
        auto = ahocorasick.Automaton()
        for w in sorted(all_words):
            auto.add_word(w, (len(w), w))
        auto.make_automaton()
    if len(_AUTOMATA) > 32:
        _AUTOMATA.clear()
    _AUTOMATA[key] = auto
    return auto


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def find_blocked(text: str, auto: ahocorasick.Automaton | None) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping ``(start, end, word)`` matches.

    >>> find_blocked("class act, bad ass!", blocked_automaton(("ass",)))
    [(15, 18, 'ass')]
    """
    if auto is None or not text:
        return []
    low = text.lower()
    if len(low) != len(text):     # a few characters change length when lowered (İ)
        low = text.translate(_ASCII_LOWER)
    cands: list[tuple[int, int, str]] = []
    for end_idx, (n, w) in auto.iter(low):
        start, end = end_idx - n + 1, end_idx + 1
        if _is_word_char(w[0]) and start > 0 and _is_word_char(low[start - 1]):
            continue
        if _is_word_char(w[-1]) and end < len(low) and _is_word_char(low[end]):
            continue
        cands.append((start, end, w))
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out: list[tuple[int, int, str]] = []
    pos = 0
    for c in cands:
        if c[0] >= pos:
            out.append(c)
            pos = c[1]
    return out


def _mask(cfg: ModerationConfig, before: str) -> str:
    return cfg.blocked_mask * len(before) if len(cfg.blocked_mask) == 1 else cfg.blocked_mask


def moderate(text: str, ctx: Context) -> list[Edit]:
    """Pipeline step ``moderation``: PII and blocked words (see the module docstring)."""
    cfg = ctx.config.moderation
    edits: list[Edit] = []
    spans: list[tuple[int, int]] = []
    if cfg.pii:
        hits = find_pii(text, cfg.pii_types)
        counts = dict.fromkeys(PLACEHOLDERS, 0)
        for h in hits:
            counts[h.kind] += 1
        for kind, n in counts.items():
            ctx.signals[f"pii_{kind}"] = float(n)
        if hits:
            ctx.flag("pii")
            if cfg.pii_action == "redact":
                for h in hits:
                    edits.append(Edit("moderation", f"moderation:pii_{h.kind}", h.start, h.end,
                                      text[h.start:h.end], PLACEHOLDERS[h.kind]))
                    spans.append((h.start, h.end))
    auto = blocked_automaton(cfg.blocked_words, cfg.blocked_word_files) if (
        cfg.blocked_words or cfg.blocked_word_files) else None
    blocked = find_blocked(text, auto)
    ctx.signals["blocked_hits"] = float(len(blocked))
    if blocked:
        ctx.flag("blocked")
        if cfg.blocked_action == "reject":
            ctx.reject("blocked", f"{len(blocked)} blocked word(s), first {blocked[0][2]!r}")
        elif cfg.blocked_action == "redact":
            for start, end, _w in blocked:
                if any(start < e and s < end for s, e in spans):
                    continue
                edits.append(Edit("moderation", "moderation:blocked_word", start, end, text[start:end],
                                  _mask(cfg, text[start:end])))
    edits.sort(key=lambda e: e.start)
    return edits

"""Byte decoding: BOM, declared charset, strict UTF-8, detection with a plausibility check."""

from __future__ import annotations

import random
import time

import pytest
from damage import corpus

from cleaners.decode import Decoded, UndecodableError, decode_bytes, normalize_encoding, sniff_declared_charset

CORPUS = corpus()
JAPANESE = [s for s in CORPUS["negative"] if any("\u3040" <= c <= "\u30ff" for c in s)]
KOREAN = [s for s in CORPUS["negative"] if any("\uac00" <= c <= "\ud7af" for c in s)]


@pytest.mark.parametrize(("codec", "expected"), [("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_gbk_without_declaration(codec, expected):
    for text in CORPUS["clean_simplified"]:
        d = decode_bytes(text.encode(codec))
        assert (d.text, d.encoding, d.method) == (text, expected, "detected")


@pytest.mark.parametrize("text", ["中文", "数据", "你好", "价格"])
def test_short_gbk_is_not_mislabelled(text):
    assert decode_bytes(text.encode("gbk")).text == text


def test_big5_without_declaration():
    for text in CORPUS["clean_traditional"]:
        d = decode_bytes(text.encode("big5"))
        assert (d.text, d.encoding) == (text, "big5")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    for text in CORPUS["clean_simplified"][:10] + ["hello world 你好"]:
        d = decode_bytes(text.encode(codec))
        assert (d.text, d.encoding) == (text, codec)


def test_shift_jis_and_euc_kr():
    for text in JAPANESE:
        d = decode_bytes(text.encode("shift_jis"))
        assert (d.text, d.encoding) == (text, "shift_jis")
    for text in KOREAN:
        d = decode_bytes(text.encode("euc-kr"))
        assert (d.text, d.encoding) == (text, "euc-kr")


@pytest.mark.parametrize(("bom", "codec", "name"), [
    (b"\xef\xbb\xbf", "utf-8", "utf-8"), (b"\xff\xfe", "utf-16-le", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be"), (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32-be")])
def test_bom(bom, codec, name):
    d = decode_bytes(bom + "中文 text".encode(codec))
    assert d == Decoded("中文 text", name, "bom")


def test_declared_meta_charset_is_respected():
    page = '<html><head><meta charset="big5"></head><body>繁體中文</body></html>'.encode("big5")
    assert sniff_declared_charset(page) == "big5"
    d = decode_bytes(page, declared=sniff_declared_charset(page))
    assert (d.encoding, d.method) == ("big5", "declared") and "繁體中文" in d.text
    page = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>简体中文</p>'
            .encode("gbk"))
    d = decode_bytes(page)          # sniffed when the caller passes nothing
    assert (d.encoding, d.method) == ("gb18030", "declared") and "简体中文" in d.text
    xml = '<?xml version="1.0" encoding="GBK"?><a>数据</a>'.encode("gbk")
    assert decode_bytes(xml).text.endswith("<a>数据</a>")


def test_stale_declaration_on_utf8_page():
    page = '<meta charset="gbk"><p>这个页面早已转成 UTF-8 了</p>'.encode("utf-8")
    d = decode_bytes(page)
    assert (d.encoding, d.method) == ("utf-8", "utf-8")


def test_override_wins():
    raw = "中文".encode("gbk")
    assert decode_bytes(raw, override="GBK") == Decoded("中文", "gb18030", "override")
    with pytest.raises(UndecodableError):
        decode_bytes(raw, override="no-such-codec")


def test_utf8_and_ascii():
    assert decode_bytes("中文 ok".encode()) == Decoded("中文 ok", "utf-8", "utf-8")
    assert decode_bytes(b"") == Decoded("", "utf-8", "utf-8")
    assert decode_bytes("中文".encode()[:-1] + b"").encoding == "utf-8"   # cut at the very end


def test_png_and_binary_raise():
    with pytest.raises(UndecodableError, match="png"):
        decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(UndecodableError):
        decode_bytes(b"\x00\x01\x02\x03\x04\x05\x06\x07" * 64)


def test_random_bytes_raise():
    rng = random.Random(7)
    for n in (256, 1000, 4096):
        for _ in range(10):
            raw = bytes(rng.randrange(256) for _ in range(n))
            with pytest.raises(UndecodableError):
                decode_bytes(raw)


def test_large_input_is_bounded():
    raw = ("数据中心的能耗问题越来越突出。" * 40000).encode("gbk")     # ~1.2 MB
    t0 = time.perf_counter()
    d = decode_bytes(raw)
    assert d.encoding == "gb18030" and time.perf_counter() - t0 < 5.0


def test_normalize_encoding():
    assert normalize_encoding("GB2312") == normalize_encoding("cp936") == "gb18030"
    assert normalize_encoding("ISO-8859-1") == "windows-1252"
    assert normalize_encoding("Shift_JIS") == "shift_jis"
    assert normalize_encoding("UTF-16LE") == "utf-16-le"


def _control_ratio_reference(text: str) -> float:
    """The per-character loop `_control_ratio` replaced (kept as the specification)."""
    if not text:
        return 0.0
    bad = sum(1 for c in text if (ord(c) < 0x20 and c not in "\t\n\r\f") or 0x7F <= ord(c) < 0xA0)
    return bad / len(text)


def test_control_ratio_fast_path_matches_the_loop():
    from cleaners.decode import _control_ratio

    every = "".join(map(chr, range(0x300))) + "\ufffd\u2028\u3000\ufeff\U0002a6a5"
    cases = ["", "\x00", "\t\n\r\f", "\x0b", "\x1f\x20", "\x7e\x7f", "\x9f\xa0", every, every[::-1],
             "\ud800" + every, bytes(range(256)).decode("latin-1"), "中文\x00\x85" * 1000]
    rng = random.Random(11)
    alphabet = every + "中文数据"
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 300))) for _ in range(300)]
    for text in cases:
        assert _control_ratio(text) == _control_ratio_reference(text), repr(text[:40])


def test_utf8_is_decoded_once_with_the_same_results():
    """decode_bytes keeps the UTF-8 reading it validated with; a character cut at
    the very end still reads as U+FFFD, a bad byte elsewhere still means not UTF-8."""
    text = "数据中心的能耗问题 ünïcode 𠮷 end"
    raw = text.encode()
    for cut in range(1, len(raw) + 1):
        part = raw[:cut]
        d = decode_bytes(part)
        if d.encoding == "utf-8":
            assert d.text == part.decode("utf-8", "replace")
            assert d.method == "utf-8"
    # only a cut inside the last character is forgiven
    broken = raw[:2] + raw[3:]
    try:
        assert decode_bytes(broken).encoding != "utf-8"
    except UndecodableError:
        pass
    # a stale legacy declaration on a UTF-8 page, with and without a cut last character
    page = '<meta charset="gb2312"><p>简体中文的网页内容，已经转换成了统一码。</p>'.encode()
    for part in (page, page[:-1] + "中".encode()[:2]):
        d = decode_bytes(part)
        assert (d.text, d.encoding, d.method) == (part.decode("utf-8", "replace"), "utf-8", "utf-8")

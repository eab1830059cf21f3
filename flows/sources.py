"""Readers: turn input paths into a stream of :class:`Document`.

Supported: ``.txt``/``.md`` (one document per file, bytes decoded by
``cleaners.decode``), ``.html``/``.htm`` (main content extracted by
``cleaners.html``), ``.jsonl``/``.jsonl.gz``/``.ndjson`` (one record per line,
configurable text/id/url/title/html fields) and ``.parquet`` (configurable text
column, streamed by record batches).

Readers never raise on bad data: an unreadable file, an invalid JSON line or a
record without text becomes a Document carrying ``metadata["_reject"] =
(reason, detail)``, which the shard writes to ``rejected/`` with that reason.
Records read before a fault (a truncated gzip) are kept.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cleaners.config import InputConfig
from cleaners.decode import UndecodableError, decode_bytes
from cleaners.document import Document
from cleaners.html import extract_html
from flows.storage import input_info, list_inputs, open_input

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json.gz")
PARQUET_SUFFIXES = (".parquet",)
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES

REJECT = "_reject"


class InputError(ValueError):
    """An input path that does not exist or holds no supported file."""


def kind_of(path: str) -> str | None:
    low = path.lower()
    for kind, suffixes in (("jsonl", JSONL_SUFFIXES), ("parquet", PARQUET_SUFFIXES),
                           ("html", HTML_SUFFIXES), ("text", TEXT_SUFFIXES)):
        if low.endswith(suffixes):
            return kind
    return None


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file: the path as the user gave it (or as found under a
    folder they gave), its size and modification time (the fingerprint)."""

    path: str
    size: int
    mtime_ns: int | str  # local: st_mtime_ns; object stores: their modification stamp or ETag

    @property
    def kind(self) -> str:
        return kind_of(self.path) or "text"

    def fingerprint(self) -> str:
        return f"{self.path}\x00{self.size}\x00{self.mtime_ns}"


def discover(paths: list[str]) -> list[SourceFile]:
    """Expand files and folders (recursively, sorted) into supported files.

    Paths may be local or fsspec URLs (``s3://bucket/prefix``).  A path that
    does not exist is an error before anything runs; a folder with no
    supported file is an error; an explicitly named file of an unknown type is
    read as text (it will be rejected if it is not text).
    """
    if not paths:
        raise InputError("no input paths given")
    listed = [(p, *list_inputs(p)) for p in paths]
    missing = [p for p, exists, _ in listed if not exists]
    if missing:
        raise InputError("input path(s) not found: " + ", ".join(missing))
    found: list[SourceFile] = []
    seen: set[str] = set()
    for p, _, files in listed:
        explicit = files == [p]
        chosen = files if explicit else [f for f in files if kind_of(f) is not None]
        if not chosen:
            raise InputError(f"{p}: no supported files (looked for {', '.join(SUPPORTED)})")
        for f in chosen:
            if f not in seen:
                seen.add(f)
                found.append(_source_file(f))
    return found


def _source_file(path: str) -> SourceFile:
    try:
        size, stamp = input_info(path)
        return SourceFile(path, size, stamp)
    except OSError:
        return SourceFile(path, 0, 0)


def shard_files(files: list[SourceFile], shard_bytes: int, boundary_every: int = 256) -> list[list[SourceFile]]:
    """Group files, in order, into shards of at most about ``shard_bytes`` input bytes.

    Shard boundaries are content-defined: a shard also ends after any file
    whose path hashes to 0 modulo ``boundary_every``.  So a file added to (or
    removed from) a landing folder changes only the shard it falls in, and the
    other shards keep their keys and are not redone.  A file bigger than
    ``shard_bytes`` is a shard of its own.
    """
    shards: list[list[SourceFile]] = []
    cur: list[SourceFile] = []
    size = 0
    for f in files:
        if cur and size + f.size > shard_bytes:
            shards.append(cur)
            cur, size = [], 0
        cur.append(f)
        size += f.size
        if _path_hash(f.path) % boundary_every == 0:
            shards.append(cur)
            cur, size = [], 0
    if cur:
        shards.append(cur)
    return shards


def _path_hash(path: str) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def shard_key(files: list[SourceFile], config_hash: str, version: str) -> str:
    """The key of a shard's results: input fingerprint, config hash, qingxi version."""
    h = hashlib.sha256()
    for f in files:
        h.update(f.fingerprint().encode("utf-8", "surrogatepass"))
        h.update(b"\x01")
    h.update(config_hash.encode())
    h.update(version.encode())
    return h.hexdigest()[:20]


def read(f: SourceFile, cfg: InputConfig) -> Iterator[Document]:
    """All documents of one source file, rejects included, never raising."""
    kind = f.kind
    n = 0
    try:
        if kind == "jsonl":
            it: Iterator[Document] = _read_jsonl(f.path, cfg)
        elif kind == "parquet":
            it = _read_parquet(f.path, cfg)
        else:
            it = iter([_read_file(f.path, kind, cfg)])
        for doc in it:
            yield doc
            n += 1
    except Exception as exc:  # a source that cannot be read (further): what was read is kept
        yield _rejected(f.path, n, "unreadable_source", f"after {n} records: {type(exc).__name__}: {exc}")


def _rejected(source: str, record: int, reason: str, detail: str, **meta: Any) -> Document:
    doc = Document.make(source, record, None, None, **meta)
    doc.metadata[REJECT] = (reason, detail[:500])
    return doc


def _read_file(path: str, kind: str, cfg: InputConfig) -> Document:
    try:
        with open_input(path) as fh:
            raw = fh.read()
    except OSError as exc:
        return _rejected(path, 0, "unreadable_source", f"{type(exc).__name__}: {exc}")
    if kind == "html":
        return document_from_html(path, 0, raw, url=None)
    try:
        dec = decode_bytes(raw, override=cfg.encoding)
    except UndecodableError as exc:
        return _rejected(path, 0, "undecodable", str(exc), n_bytes=len(raw))
    return Document.make(path, 0, dec.text, None, source_encoding=dec.encoding)


def document_from_html(source: str, record: int, html: str | bytes, url: str | None,
                       **meta: Any) -> Document:
    """Extract the main content of an HTML page into a Document (metadata from meta tags)."""
    try:
        ex = extract_html(html, url=url)
    except Exception as exc:  # the extractor is bounded; anything else is a bad page
        return _rejected(source, record, "undecodable", f"HTML extraction failed: {type(exc).__name__}: {exc}")
    md: dict[str, Any] = dict(meta)
    for key in ("title", "canonical_url", "lang", "published_at", "description"):
        value = getattr(ex, key, None)
        if value:
            md["html_lang" if key == "lang" else key] = value
    if getattr(ex, "encoding", None):
        md["source_encoding"] = ex.encoding
    if url:
        md.setdefault("url", url)
    elif md.get("canonical_url"):
        md["url"] = md["canonical_url"]
    md["format"] = "html"
    return Document.make(source, record, ex.text, None, **md)


def _read_jsonl(path: str, cfg: InputConfig) -> Iterator[Document]:
    index = -1
    try:
        with open_input(path) as raw:
            lines = _gzip_lines(raw) if path.lower().endswith(".gz") else raw
            for index, line in enumerate(lines):
                yield _record_from_line(path, index, line, cfg)
    except (OSError, EOFError, zlib.error) as exc:
        # truncated or corrupt stream: what was read is kept, the fault is a row
        yield _rejected(path, index + 1, "unreadable_source",
                        f"stopped after {index + 1} records: {type(exc).__name__}: {exc}")


def _gzip_lines(raw, chunk: int = 1 << 16) -> Iterator[bytes]:
    """Lines of a gzip stream, yielded as soon as they are complete, so that a
    truncated or corrupt stream still gives every line before the damage
    (``gzip.GzipFile`` raises before handing out the lines of its last buffer).
    Multi-member files are read through."""
    dec = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    fed = False  # whether the current member has received any byte
    pending = b""
    while data := raw.read(chunk):
        while data:
            fed = True
            pending += dec.decompress(data)
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"
            data = b""
            if dec.eof:  # member complete: the rest, if any, is the next member
                data = dec.unused_data.lstrip(b"\x00")
                dec = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                fed = False
    if fed and not dec.eof:
        raise EOFError("compressed stream ended before its end marker (truncated file)")
    if pending:
        yield pending


def _record_from_line(path: str, index: int, line: bytes, cfg: InputConfig) -> Document:
    if not line.strip():
        return _rejected(path, index, "invalid_record", "blank line")
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        return _rejected(path, index, "invalid_record", f"invalid JSON: {exc}")
    if not isinstance(obj, dict):
        return _rejected(path, index, "invalid_record", f"a JSON {type(obj).__name__}, not an object")
    return _record_from_mapping(path, index, obj, cfg)


def _record_from_mapping(path: str, index: int, obj: dict[str, Any], cfg: InputConfig) -> Document:
    meta: dict[str, Any] = {}
    if cfg.id_field and obj.get(cfg.id_field) is not None:
        meta["record_id"] = str(obj[cfg.id_field])
    url = obj.get(cfg.url_field) if cfg.url_field else None
    if isinstance(url, str) and url:
        meta["url"] = url
    else:
        url = None
    title = obj.get(cfg.title_field) if cfg.title_field else None
    if isinstance(title, str) and title:
        meta["title"] = title
    text = obj.get(cfg.text_field)
    if isinstance(text, str):
        return Document.make(path, index, text, None, **meta)
    html = obj.get(cfg.html_field) if cfg.html_field else None
    if isinstance(html, str | bytes) and html:
        return document_from_html(path, index, html, url, **meta)
    if text is None:
        return _rejected(path, index, "invalid_record", f"no {cfg.text_field!r} field", **meta)
    return _rejected(path, index, "invalid_record",
                     f"field {cfg.text_field!r} is a {type(text).__name__}, not a string", **meta)


def _read_parquet(path: str, cfg: InputConfig) -> Iterator[Document]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(open_input(path))
    names = set(pf.schema_arrow.names)
    wanted = [c for c in (cfg.text_field, cfg.id_field, cfg.url_field, cfg.title_field, cfg.html_field)
              if c and c in names]
    if cfg.text_field not in names and not (cfg.html_field and cfg.html_field in names):
        yield _rejected(path, 0, "invalid_record",
                        f"no column {cfg.text_field!r} (columns: {', '.join(sorted(names))})")
        return
    index = 0
    for batch in pf.iter_batches(batch_size=cfg.batch_size, columns=wanted):
        for row in batch.to_pylist():
            yield _record_from_mapping(path, index, row, cfg)
            index += 1

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
import itertools
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cleaners.config import InputConfig
from cleaners.decode import UndecodableError, decode_bytes
from cleaners.document import Document
from cleaners.html import extract_html
from flows.storage import input_info, is_url, list_inputs, open_input

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
class Part:
    """A slice of one big input file, cleaned as a shard of its own: the lines
    of a JSONL file from byte ``start`` (a line's first byte) to byte
    ``stop``, or the row groups ``start`` to ``stop`` of a Parquet file.
    ``first_record`` is the file-wide index of its first record, so records
    keep the same ids however the file is split; ``n_bytes`` is the part's
    share of the file's bytes (shard sizes, progress)."""

    start: int
    stop: int
    first_record: int
    n_bytes: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file (or one :class:`Part` of it): the path as the user gave
    it (or as found under a folder they gave), its size and modification time
    (the fingerprint)."""

    path: str
    size: int
    mtime_ns: int | str  # local: st_mtime_ns; object stores: their modification stamp or ETag
    part: Part | None = None

    @property
    def kind(self) -> str:
        return kind_of(self.path) or "text"

    @property
    def n_bytes(self) -> int:
        """The input bytes this covers: the file's, or its part's share."""
        return self.size if self.part is None else self.part.n_bytes

    @property
    def label(self) -> str:
        """The path, with the part's range when this is one part of a file."""
        if self.part is None:
            return self.path
        unit = "row groups" if self.kind == "parquet" else "bytes"
        return f"{self.path} ({unit} {self.part.start}-{self.part.stop})"

    def fingerprint(self) -> str:
        """The whole file's identity (parts of one file share it)."""
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


MIN_SHARD_BYTES = 4 * 1024 * 1024  # about 2 s of cleaning: the shard size below which a run stops splitting
SHARDS_WANTED = 16  # on a small input, shards are made small enough for about this many


def shard_target(total_bytes: int, shard_bytes: int) -> int:
    """The shard size for an input of ``total_bytes``: ``shard_bytes`` (the
    configured maximum), lowered on a small input so that its work still
    spreads over the cores: the largest power of two up to a sixteenth of the
    input, not below :data:`MIN_SHARD_BYTES` (each shard costs about 35 ms of
    part files and a run's final pass).  A power of two, so that a file added
    to a landing folder moves the target, and every shard's key, only when the
    total crosses one.

    >>> MB = 1 << 20
    >>> [shard_target(n * MB, 16 * MB) // MB for n in (1, 19, 100, 300, 10_000)]
    [4, 4, 4, 16, 16]
    >>> shard_target(19 * MB, 4096)
    4096
    """
    want = 1 << max(0, (total_bytes // SHARDS_WANTED).bit_length() - 1)
    return min(shard_bytes, max(MIN_SHARD_BYTES, want))


def shard_files(files: list[SourceFile], shard_bytes: int, boundary_every: int = 256) -> list[list[SourceFile]]:
    """Group files, in order, into shards of at most about ``shard_bytes`` input bytes.

    Shard boundaries are content-defined: a shard also ends after any file
    whose path hashes to 0 modulo ``boundary_every``.  So a file added to (or
    removed from) a landing folder changes only the shard it falls in, and the
    other shards keep their keys and are not redone.  A file bigger than
    ``shard_bytes`` is a shard of its own (split it first, :func:`split_file`).
    """
    shards: list[list[SourceFile]] = []
    cur: list[SourceFile] = []
    size = 0
    for f in files:
        if cur and size + f.n_bytes > shard_bytes:
            shards.append(cur)
            cur, size = [], 0
        cur.append(f)
        size += f.n_bytes
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
        if f.part is not None:
            h.update(f"\x00{f.part.start}-{f.part.stop}".encode())
        h.update(b"\x01")
    h.update(config_hash.encode())
    h.update(version.encode())
    return h.hexdigest()[:20]


SCAN_CHUNK = 1 << 22


def split_file(f: SourceFile, target: int) -> list[SourceFile]:
    """``f`` as parts of ``target / 2`` to ``target`` bytes, at record
    boundaries, so that one big file spreads over the cores like many small ones.

    Splittable: a local, uncompressed JSONL file (one pass over its bytes,
    about a second per GB from the page cache, finds the line starts and
    counts the lines before each) and a Parquet file of several row groups
    (whole row groups: only its footer is read).  Anything else, or a file
    that cannot be read here (its reader reports why), stays whole.
    """
    if f.part is not None or f.size <= target:
        return [f]
    # A power of two of parts (of target/2 to target bytes): they share out
    # evenly over 2, 4, 8... processes, where 5 equal parts keep one of 2 busy
    # for a part's time after the other has finished.
    n = 1 << (-(-f.size // target) - 1).bit_length()
    try:
        if f.kind == "jsonl" and not f.path.lower().endswith(".gz") and not is_url(f.path):
            return _jsonl_parts(f, n)
        if f.kind == "parquet":
            return _parquet_parts(f, n)
    except Exception:  # noqa: BLE001  (unreadable, not Parquet: the shard's reader reports it)
        pass
    return [f]


def _jsonl_parts(f: SourceFile, n: int) -> list[SourceFile]:
    """Cut at the first line start at or after each ``k/n`` of the file."""
    wanted = [f.size * k // n for k in range(1, n)]
    cuts: list[tuple[int, int]] = []  # (a line's first byte, lines before it)
    w = base = lines = 0
    with open(f.path, "rb") as fh:
        while w < len(wanted) and (chunk := fh.read(SCAN_CHUNK)):
            while w < len(wanted):
                j = chunk.find(b"\n", max(wanted[w] - 1 - base, 0))
                if j < 0:
                    break  # the line end is in a later chunk
                start = base + j + 1
                if start >= f.size:
                    w = len(wanted)  # the last line: nothing after it
                    break
                cuts.append((start, lines + chunk.count(b"\n", 0, j + 1)))
                while w < len(wanted) and wanted[w] <= start:  # a long line may cover several
                    w += 1
            lines += chunk.count(b"\n")
            base += len(chunk)
    bounds = [(0, 0), *cuts, (f.size, -1)]
    return [SourceFile(f.path, f.size, f.mtime_ns, Part(a, b, first, b - a))
            for (a, first), (b, _) in itertools.pairwise(bounds)] if cuts else [f]


def _parquet_parts(f: SourceFile, n: int) -> list[SourceFile]:
    """Consecutive row groups, cut where their compressed bytes pass each ``k/n``."""
    import pyarrow.parquet as pq

    with open_input(f.path) as fh:
        md = pq.ParquetFile(fh).metadata
    groups = [md.row_group(i) for i in range(md.num_row_groups)]
    sizes = [sum(g.column(c).total_compressed_size for c in range(g.num_columns)) for g in groups]
    total = sum(sizes)
    if len(groups) < 2 or total <= 0:
        return [f]
    parts: list[SourceFile] = []
    start = first = rows = acc = done = 0
    for i, (g, size) in enumerate(zip(groups, sizes)):
        acc += size
        rows += g.num_rows
        last = i == len(groups) - 1
        if last or acc * n >= total * (len(parts) + 1):
            share = f.size - done if last else f.size * acc // total - done
            parts.append(SourceFile(f.path, f.size, f.mtime_ns, Part(start, i + 1, first, share)))
            done += share
            start, first = i + 1, rows
    return parts if len(parts) > 1 else [f]


def read(f: SourceFile, cfg: InputConfig) -> Iterator[Document]:
    """All documents of one source file, rejects included, never raising."""
    kind = f.kind
    first = f.part.first_record if f.part else 0
    n = 0
    try:
        if kind == "jsonl":
            it: Iterator[Document] = _read_jsonl(f.path, cfg, f.part)
        elif kind == "parquet":
            it = _read_parquet(f.path, cfg, f.part)
        else:
            it = iter([_read_file(f.path, kind, cfg)])
        for doc in it:
            yield doc
            n += 1
    except Exception as exc:  # a source that cannot be read (further): what was read is kept
        yield _rejected(f.path, first + n, "unreadable_source", f"after {n} records: {type(exc).__name__}: {exc}")


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


def _read_jsonl(path: str, cfg: InputConfig, part: Part | None = None) -> Iterator[Document]:
    first = part.first_record if part else 0
    index = first - 1
    try:
        with open_input(path) as raw:
            if part is not None:
                raw.seek(part.start)
                lines: Iterator[bytes] = _lines_within(raw, part.stop - part.start)
            else:
                lines = _gzip_lines(raw) if path.lower().endswith(".gz") else raw
            for index, line in enumerate(lines, first):
                yield _record_from_line(path, index, line, cfg)
    except (OSError, EOFError, zlib.error) as exc:
        # truncated or corrupt stream: what was read is kept, the fault is a row
        yield _rejected(path, index + 1, "unreadable_source",
                        f"stopped after {index + 1 - first} records: {type(exc).__name__}: {exc}")


def _lines_within(raw, n_bytes: int) -> Iterator[bytes]:
    """The lines of a stream that start within its next ``n_bytes``."""
    for line in raw:
        yield line
        n_bytes -= len(line)
        if n_bytes <= 0:
            return


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


def _read_parquet(path: str, cfg: InputConfig, part: Part | None = None) -> Iterator[Document]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(open_input(path))
    names = set(pf.schema_arrow.names)
    wanted = [c for c in (cfg.text_field, cfg.id_field, cfg.url_field, cfg.title_field, cfg.html_field)
              if c and c in names]
    if cfg.text_field not in names and not (cfg.html_field and cfg.html_field in names):
        yield _rejected(path, 0, "invalid_record",
                        f"no column {cfg.text_field!r} (columns: {', '.join(sorted(names))})")
        return
    index = part.first_record if part else 0
    groups = range(part.start, part.stop) if part else None
    for batch in pf.iter_batches(batch_size=cfg.batch_size, row_groups=groups, columns=wanted):
        for row in batch.to_pylist():
            yield _record_from_mapping(path, index, row, cfg)
            index += 1

"""Where output goes: a local folder or an fsspec URL (``s3://bucket/prefix``).

Writes are atomic either way: locally a temporary file in the same folder is
renamed into place; on object stores a finished local file is uploaded in one
PUT (objects are never visible half-written).  Readers of inputs use
:func:`open_input` and :func:`input_info`, which take local paths and URLs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any


def is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _fs(url: str):
    import fsspec

    return fsspec.core.url_to_fs(url)


class Store:
    """An output root with the few operations the runner needs."""

    def __init__(self, root: str):
        self.root = root.rstrip("/") if is_url(root) else str(Path(root))
        self.remote = is_url(root)
        if self.remote:
            self.fs, self.base = _fs(self.root)
            self.protocol = self.root.split("://", 1)[0]

    def __repr__(self) -> str:
        return f"Store({self.root!r})"

    def url(self, rel: str) -> str:
        return f"{self.root}/{rel}" if self.remote else os.path.join(self.root, rel)

    def _remote(self, rel: str) -> str:
        return f"{self.base}/{rel}" if rel else self.base

    # -- reading ---------------------------------------------------------
    def exists(self, rel: str) -> bool:
        return self.fs.exists(self._remote(rel)) if self.remote else os.path.exists(self.url(rel))

    def read_text(self, rel: str) -> str:
        if self.remote:
            return self.fs.cat_file(self._remote(rel)).decode("utf-8")
        return Path(self.url(rel)).read_text(encoding="utf-8")

    def listdir(self, rel: str) -> list[str]:
        """Names (not paths) in a folder; empty when it does not exist."""
        if self.remote:
            try:
                return sorted(p.rsplit("/", 1)[-1] for p in self.fs.ls(self._remote(rel), detail=False))
            except FileNotFoundError:
                return []
        d = Path(self.url(rel))
        return sorted(p.name for p in d.iterdir()) if d.is_dir() else []

    # -- writing ---------------------------------------------------------
    def makedirs(self, rel: str = "") -> None:
        if not self.remote:
            Path(self.url(rel)).mkdir(parents=True, exist_ok=True)

    def temp_file(self, rel: str, suffix: str) -> str:
        """A local temporary file to fill and then :meth:`commit` to ``rel``."""
        if self.remote:
            fd, tmp = tempfile.mkstemp(prefix=".qingxi-", suffix=suffix)
        else:
            folder = Path(self.url(rel)).parent
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
        os.close(fd)
        return tmp

    def commit(self, tmp: str, rel: str) -> None:
        """Make a finished temporary file visible at ``rel`` in one step."""
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if self.remote:
            try:
                self.fs.put_file(tmp, self._remote(rel))
            finally:
                os.unlink(tmp)
        else:
            os.replace(tmp, self.url(rel))

    def write_text(self, rel: str, text: str) -> None:
        tmp = self.temp_file(rel, Path(rel).suffix)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        self.commit(tmp, rel)

    def remove(self, rel: str) -> None:
        if self.remote:
            try:
                self.fs.rm_file(self._remote(rel))
            except FileNotFoundError:
                pass
        else:
            Path(self.url(rel)).unlink(missing_ok=True)

    def rmtree(self, rel: str) -> None:
        if self.remote:
            try:
                self.fs.rm(self._remote(rel), recursive=True)
            except FileNotFoundError:
                pass
        else:
            shutil.rmtree(self.url(rel), ignore_errors=True)

    def dataset_args(self, rel: str) -> dict[str, Any]:
        """Arguments for ``pyarrow.dataset.dataset`` reading ``rel``."""
        if self.remote:
            return {"source": self._remote(rel), "filesystem": self.fs}
        return {"source": self.url(rel)}


def input_info(path: str) -> tuple[int, int | str]:
    """(size, modification stamp) of an input, local or remote."""
    if not is_url(path):
        st = os.stat(path)
        return st.st_size, st.st_mtime_ns
    fs, p = _fs(path)
    info = fs.info(p)
    stamp = info.get("mtime") or info.get("LastModified") or info.get("ETag") or info.get("etag") or ""
    return int(info.get("size") or 0), str(stamp)


def open_input(path: str) -> IO[bytes]:
    """A binary file object for a local path or URL."""
    if not is_url(path):
        return open(path, "rb")
    import fsspec

    return fsspec.open(path, "rb").open()


def list_inputs(path: str) -> tuple[bool, list[str]]:
    """(exists, files under it): a file gives itself, a folder its files recursively, sorted."""
    if not is_url(path):
        if not os.path.exists(path):
            return False, []
        if not os.path.isdir(path):
            return True, [path]
        out = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            out.extend(os.path.join(root, f) for f in sorted(files) if not f.startswith("."))
        return True, out
    fs, p = _fs(path)
    if not fs.exists(p):
        return False, []
    if not fs.isdir(p):
        return True, [path]
    proto = path.split("://", 1)[0]
    found = sorted(fs.find(p))
    return True, [f"{proto}://{f}" for f in found if not f.rsplit("/", 1)[-1].startswith(".")]

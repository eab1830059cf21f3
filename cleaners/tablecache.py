"""Tables derived from data (other packages' or qingxi's own), kept on disk between processes.

These tables cost from 20 ms to 0.15 s in every process that needs them,
although they only change when a package or qingxi's code or data does:

- the character sets that tell the Han scripts apart (:func:`cleaners.script.han_sets`),
  derived from OpenCC: its ``s2t`` converter alone takes 0.1 s to load;
- the protected terms' spellings (:func:`cleaners.script._protected`), from six
  OpenCC converters;
- the characters OpenCC's ``t2s`` rewrites (:func:`cleaners.boilerplate._t2s_flags`), 20 ms;
- pypinyin's readings and syllables (:func:`cleaners.annotations._pinyin_arrays`), 40 ms
  and 60 ms;
- langdetect's profiles as a sparse map (:func:`cleaners.language._profile_arrays`), 0.15 s;
- the Han character and pair tables of :mod:`cleaners.plausibility` with the
  pairs' bonuses and index (:func:`cleaners.plausibility._derive_tables`), from
  ``cleaners/data/han_freq.tsv`` and ``han_bigram.tsv``: 0.1 s.

:func:`load_or_build` keeps the arrays of such a table in one ``.npz`` file (no
pickle) under ``$QINGXI_CACHE_DIR``, else ``$XDG_CACHE_HOME/qingxi``, else
``~/.cache/qingxi``.  The file name holds a hash of everything the table is
derived from: the Python version, the bytes of the qingxi modules and data
files that derive it, and the size and modification time of every file of the
packages whose data it reads.  A changed input makes a new name, so a stale
table is never read; ``QINGXI_CACHE_DIR=off`` turns the cache off.  A file that
cannot be read is rebuilt, a folder that cannot be written is skipped: the cache
only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import numpy as np

CACHE_ENV = "QINGXI_CACHE_DIR"
FORMAT = "1"  # bump when the layout of a cached table changes


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    v = os.environ.get(CACHE_ENV)
    if v is not None:
        return None if v.strip().lower() in ("", "off", "0", "none", "false") else Path(v)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qingxi"


@cache
def _tree_stamp(folder: str) -> str:
    """Paths, sizes and modification times of every file under ``folder``."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            p = os.path.join(root, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            h.update(f"{os.path.relpath(p, folder)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "replace"))
    return h.hexdigest()


def _key(name: str, modules: Iterable[str], packages: Iterable[str]) -> str:
    h = hashlib.sha256(f"{FORMAT}\0{name}\0{sys.version}\0{np.__version__}\n".encode())
    here = Path(__file__).resolve().parent
    for m in modules:              # qingxi's own code: its bytes
        h.update((here / m).read_bytes())
    for p in packages:             # other packages: their files' sizes and times
        h.update(_tree_stamp(p).encode())
    return h.hexdigest()[:24]


def load_or_build(name: str, build: Callable[[], dict[str, np.ndarray]], *, modules: Iterable[str] = (),
                  packages: Iterable[str] = ()) -> dict[str, np.ndarray]:
    """The arrays ``build()`` returns, from the cache when an earlier process
    built them from the same inputs: ``modules`` (paths under ``cleaners/``)
    and ``packages`` (folders of installed packages).

    >>> import tempfile
    >>> before, os.environ[CACHE_ENV] = os.environ.get(CACHE_ENV), tempfile.mkdtemp()
    >>> calls = []
    >>> def build():
    ...     calls.append(1)
    ...     return {"x": np.arange(3)}
    >>> [load_or_build("demo", build)["x"].tolist() for _ in range(2)], len(calls)
    ([[0, 1, 2], [0, 1, 2]], 1)
    >>> _ = os.environ.pop(CACHE_ENV) if before is None else os.environ.update({CACHE_ENV: before})
    """
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{_key(name, modules, packages)}.npz"
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # missing, cut short, not ours
        pass
    arrays = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".npz", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)   # atomic: a concurrent reader sees all of it or nothing
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass                        # a read-only home: the table is simply built every time
    return arrays


def chars_to_array(chars: Iterable[str]) -> np.ndarray:
    """Single characters as sorted code points (``uint32``)."""
    return np.array(sorted(map(ord, chars)), dtype=np.uint32)


def array_to_chars(a: np.ndarray) -> frozenset[str]:
    return frozenset(map(chr, a.tolist()))


def strings_to_array(items: Iterable[str]) -> np.ndarray:
    """Strings without NUL as one UTF-8 byte array (NUL-separated)."""
    return np.frombuffer("\0".join(items).encode("utf-8", "surrogatepass"), dtype=np.uint8)


def array_to_strings(a: np.ndarray) -> list[str]:
    s = a.tobytes().decode("utf-8", "surrogatepass")
    return s.split("\0") if s else []

"""Shared fixtures: paths, the ../shared folder (tests skip cleanly without it)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

# The table cache (cleaners/tablecache.py) of this test session, not the user's:
# the first process builds the tables, the session's other processes (CLI
# subprocesses, pool workers, Dask workers) read them.
os.environ.setdefault("QINGXI_CACHE_DIR", tempfile.mkdtemp(prefix="qingxi-test-cache-"))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "data" / "samples"
CASES = Path(__file__).resolve().parent / "cases"


def load_cases(name: str) -> list[dict]:
    """Cases from tests/cases/<name>.json (format in tests/cases/README.md)."""
    cases = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    assert cases, f"{name}.json holds no cases"
    return cases


def case_params(name: str) -> list:
    """pytest params for a case file; ``expect: fail`` cases are strict xfails."""
    out = []
    for c in load_cases(name):
        marks = [pytest.mark.xfail(strict=True, reason=c.get("comment", ""))] if c.get("expect") == "fail" else []
        out.append(pytest.param(c, id=c["label"], marks=marks))
    return out


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


def assert_same_parts(a: Path, b: Path) -> None:
    """The Parquet parts under a/ and b/ (kept and rejected) are byte-identical;
    on a difference, say which rows and columns differ."""
    import pyarrow.parquet as pq

    for sub in ("kept", "rejected"):
        names_a = sorted(p.name for p in (a / sub).glob("*.parquet"))
        names_b = sorted(p.name for p in (b / sub).glob("*.parquet"))
        assert names_a == names_b, f"{sub}: different parts"
        for name in names_a:
            pa_, pb_ = a / sub / name, b / sub / name
            if pa_.read_bytes() == pb_.read_bytes():
                continue
            ra, rb = pq.read_table(pa_).to_pylist(), pq.read_table(pb_).to_pylist()
            diffs = [(x["source"], k, str(x[k])[:120], str(y[k])[:120])
                     for x, y in zip(ra, rb, strict=False) for k in x if x[k] != y[k]]
            raise AssertionError(f"{sub}/{name} differs: {len(ra)} vs {len(rb)} rows; {diffs[:5]}")

"""Shared fixtures: paths, the ../shared folder (tests skip cleanly without it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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

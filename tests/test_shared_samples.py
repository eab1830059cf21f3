"""The three real scraped documents of ../shared/samples, scored by their own scorer.

Skips cleanly when ../shared is not beside the project.  The floors are what
qingxi reaches now; a change that lowers them fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.shared

# Mean over the three seeds, as printed by score.py's last line.
FLOOR = {"present_recall": 1.0, "char_f1": 0.995}
CEILING = {"absent_leak": 0.0}


def test_shared_samples_do_not_regress(shared_dir, tmp_path):
    samples = sorted((shared_dir / "samples").glob("0*_*.txt"))
    assert samples, "no sample documents in ../shared/samples"
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "flows.cli", "run", *map(str, samples), "--out", str(out), "-q"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    score = subprocess.run([sys.executable, str(shared_dir / "samples" / "score.py"), str(out),
                            "--seeds", str(shared_dir / "samples")], capture_output=True, text=True, timeout=300)
    assert score.returncode == 0, score.stderr
    last = score.stdout.strip().splitlines()[-1]
    got = {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", last)}
    print(score.stdout)
    for k, floor in FLOOR.items():
        assert got[k] >= floor, f"{k} fell to {got[k]} (floor {floor})\n{score.stdout}"
    for k, ceiling in CEILING.items():
        assert got[k] <= ceiling, f"{k} rose to {got[k]} (ceiling {ceiling})\n{score.stdout}"

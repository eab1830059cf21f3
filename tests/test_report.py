"""Run reports: `qingxi report`, the markdown summary, and OUT/report.html
rendered by headless Chromium without console errors (screenshot kept in
test-artifacts/)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import ROOT, SAMPLES
from typer.testing import CliRunner

from cleaners.config import CleanerConfig
from flows.cli import app
from flows.report import load, markdown
from flows.runner import run_local


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("report-out")
    run_local([str(SAMPLES)], str(out), CleanerConfig(), workers=1)
    return out


def test_markdown_report_has_counts_rules_and_steps(run_out):
    manifest, hist = load(run_out)
    md = markdown(manifest, hist)
    assert f"| kept | {manifest['kept']} |" in md
    for reason in manifest["rejected_by_reason"]:
        assert f"rejected: {reason}" in md
    some_rule = next(iter(manifest["rules"]))
    assert f"`{some_rule}`" in md
    assert "Time per step" in md and sum(hist) == manifest["kept"]


def test_report_command(run_out):
    res = CliRunner().invoke(app, ["report", str(run_out)])
    assert res.exit_code == 0, res.output
    assert "edits and removals per rule" in res.output and "report.html" in res.output
    res = CliRunner().invoke(app, ["report", str(run_out / "nope")])
    assert res.exit_code == 2 and "manifest.json" in res.output


def test_report_html_is_self_contained(run_out):
    page = (run_out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Quality score" in page
    assert not re.search(r"""(src|href)=["']?https?://""", page), "the page must not load anything"
    assert "<script" not in page


def test_report_renders_in_chromium(run_out):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "report.png"
    shot.unlink(missing_ok=True)
    profile = run_out / "chromium-profile"
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--window-size=1000,1600",
         f"--screenshot={shot}", (run_out / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln
               or "Failed to load resource" in ln]
    assert not console, console
    assert shot.is_file() and shot.stat().st_size > 10_000

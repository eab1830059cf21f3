"""The `qingxi` command: help, errors, a run, the summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLES
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


def test_help_lists_commands():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    assert "run" in res.output and "explain" in res.output
    res = runner.invoke(app, ["run", "--help"])
    assert res.exit_code == 0
    for opt in ("--out", "--config", "--workers", "--fresh", "--prefect", "--set"):
        assert opt in res.output


def test_missing_path_is_a_clear_error(tmp_path):
    res = runner.invoke(app, ["run", str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "not found" in res.output
    assert not (tmp_path / "o").exists()


def test_bad_config_is_a_clear_error(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("script:\n  target: klingon\n", encoding="utf-8")
    res = runner.invoke(app, ["run", str(SAMPLES), "--out", str(tmp_path / "o"), "--config", str(cfg)])
    assert res.exit_code == 2
    assert "script.target" in res.output


def test_unknown_config_key_is_an_error(tmp_path):
    res = runner.invoke(app, ["run", str(SAMPLES), "--out", str(tmp_path / "o"), "--set", "scirpt.target=t"])
    assert res.exit_code == 2
    assert "scirpt" in res.output


def test_run_subprocess_prints_summary(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "run", str(SAMPLES), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert f"{manifest['kept']}" in proc.stderr
    assert "rejected" in proc.stderr and "read_parquet" in proc.stderr
    for reason in manifest["rejected_by_reason"]:
        assert reason in proc.stderr
    assert Path(out / "kept").is_dir()


def test_broken_user_rule_file_is_reported_with_file_and_line(tmp_path):
    rules = tmp_path / "my_rules.yaml"
    rules.write_text("rules:\n  - id: bad\n    why: a regex that does not compile\n    patterns: ['(unclosed']\n"
                     "    where: tail\n    action: drop_line\n", encoding="utf-8")
    res = runner.invoke(app, ["run", str(SAMPLES), "--out", str(tmp_path / "o"),
                              "--set", f'boilerplate.extra_rule_files=["{rules}"]'])
    assert res.exit_code == 2, res.output
    assert "my_rules.yaml" in res.output and not (tmp_path / "o").exists()


def test_a_pool_run_with_its_progress_bar_writes_what_a_serial_run_writes(tmp_path):
    """Workers fork from the CLI's process, before its progress bar starts its
    thread; the parts are those of a serial run."""
    from conftest import assert_same_parts

    small = ["--set", "output.shard_bytes=4096"]
    res = runner.invoke(app, ["run", str(SAMPLES), "--out", str(tmp_path / "pool"), "--workers", "2", *small])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["run", str(SAMPLES), "--out", str(tmp_path / "one"), "--workers", "1", *small])
    assert res.exit_code == 0, res.output
    assert len(json.loads((tmp_path / "pool" / "manifest.json").read_text())["shards"]) >= 2
    assert_same_parts(tmp_path / "pool", tmp_path / "one")

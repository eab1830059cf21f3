"""The Prefect flow `cleanup` on a temporary Prefect server (prefect_test_harness):
same bytes as the local recipe."""

from __future__ import annotations

import os

import pytest
from conftest import SAMPLES

from cleaners.config import CleanerConfig
from flows.runner import run_local


@pytest.fixture(scope="module")
def prefect_harness(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-home")
    env = {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    os.environ.pop("PREFECT_API_URL", None)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_flow_writes_same_bytes_as_local_run(prefect_harness, tmp_path):
    from flows.cleanup import cleanup

    overrides = {"output": {"shard_bytes": 8192}}
    m_flow = cleanup([str(SAMPLES)], str(tmp_path / "flow"), overrides, workers=1)
    m_local = run_local([str(SAMPLES)], str(tmp_path / "local"), CleanerConfig().replace(**overrides), workers=1)
    assert m_flow["reconciled"] and m_flow["records_in"] == m_local["records_in"]
    assert m_flow["rejected_by_reason"] == m_local["rejected_by_reason"]
    assert len(m_flow["shards"]) > 1
    for sub in ("kept", "rejected"):
        flow_parts = sorted((tmp_path / "flow" / sub).glob("*.parquet"))
        assert flow_parts
        for p in flow_parts:
            assert p.read_bytes() == (tmp_path / "local" / sub / p.name).read_bytes()


def _break_one_shard(out, overrides):
    """Make the staging folder of one shard a file, so that shard cannot write."""
    from flows.runner import plan

    shards = plan([str(SAMPLES)], CleanerConfig().replace(**overrides))
    (out / "_staging").mkdir(parents=True)
    (out / "_staging" / shards[1].key).write_text("in the way", encoding="utf-8")
    return shards


def test_failed_shard_is_reported_and_the_others_are_kept(prefect_harness, tmp_path):
    from flows.cleanup import cleanup

    overrides = {"output": {"shard_bytes": 8192}}
    out = tmp_path / "partial"
    shards = _break_one_shard(out, overrides)
    m = cleanup([str(SAMPLES)], str(out), overrides, workers=1, allow_partial=True)
    assert [f["index"] for f in m["failed_shards"]] == [1]
    assert len(m["shards"]) == len(shards) - 1
    with pytest.raises(Exception, match="1 shard"):
        cleanup([str(SAMPLES)], str(tmp_path / "strict"), overrides, workers=1) if _break_one_shard(
            tmp_path / "strict", overrides) else None


def test_local_run_reports_a_failed_shard_and_exits_nonzero(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    overrides = {"output": {"shard_bytes": 8192}}
    out = tmp_path / "cli"
    _break_one_shard(out, overrides)
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "run", str(SAMPLES), "--out", str(out),
                           "--set", "output.shard_bytes=8192", "--workers", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "shard 1 failed" in proc.stderr

"""Real components, started here on 127.0.0.1: a Prefect server with a process
work pool, deployments from the repository's prefect.yaml run by a real worker,
and a Dask scheduler with two workers running the flow's shard tasks."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from conftest import ROOT, SAMPLES, assert_same_parts
from services import dask_cluster, prefect_env, prefect_server

from cleaners.config import CleanerConfig
from flows.runner import run_local

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-server")
    with prefect_server(home) as api:
        yield api, home


def _prefect(args: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    exe = str(Path(sys.executable).parent / "prefect")
    return subprocess.run([exe, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_deployment_runs_on_a_worker(server, tmp_path):
    api, home = server
    env = prefect_env(home, api)
    env["PROJECT_DIR"] = str(ROOT)
    r = _prefect(["work-pool", "create", "cleanup-pool", "--type", "process"], env)
    assert r.returncode == 0, r.stdout + r.stderr
    r = _prefect(["--no-prompt", "deploy", "--all"], env)
    assert r.returncode == 0, r.stdout + r.stderr
    out = tmp_path / "deployed-out"
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}):
        fr = run_deployment("cleanup/cleanup-adhoc", parameters={"inputs": [str(SAMPLES)], "out": str(out)},
                            timeout=0)
        w = _prefect(["worker", "start", "--pool", "cleanup-pool", "--run-once"], env, timeout=400)
        assert w.returncode == 0, w.stdout + w.stderr

        async def check():
            async with get_client() as client:
                run = await client.read_flow_run(fr.id)
                from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

                arts = await client.read_artifacts(
                    artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["qingxi-run-report",
                                                                              "qingxi-run-counts",
                                                                              "qingxi-progress"])))
                return run, arts

        run, arts = asyncio.run(check())
    assert run.state.is_completed(), run.state
    # the nightly deployment: incremental, into a partition named by the run's scheduled date
    nightly_out = tmp_path / "nightly-out"
    with temporary_settings({PREFECT_API_URL: api}):
        fr2 = run_deployment("cleanup/cleanup-nightly",
                             parameters={"inputs": [str(SAMPLES)], "out": str(nightly_out)}, timeout=0)
        w = _prefect(["worker", "start", "--pool", "cleanup-pool", "--run-once"], env, timeout=400)
        assert w.returncode == 0, w.stdout + w.stderr

        async def state2():
            async with get_client() as client:
                return (await client.read_flow_run(fr2.id)).state

        assert asyncio.run(state2()).is_completed()
    parts = sorted(p.name for p in nightly_out.iterdir())
    assert "_ledger.json" in parts and any(p.startswith("run_date=") for p in parts), parts
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reconciled"] and manifest["kept"] > 0
    assert ds.dataset(out / "kept").count_rows() == manifest["kept"]
    keys = {a.key for a in arts}
    assert {"qingxi-run-report", "qingxi-run-counts", "qingxi-progress"} <= keys
    report = next(a for a in arts if a.key == "qingxi-run-report")
    assert "qingxi run report" in report.data and str(manifest["kept"]) in report.data


def test_flow_on_real_dask_cluster_equals_local_run(server, tmp_path):
    api, _ = server
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.cleanup import cleanup

    overrides = {"output": {"shard_bytes": 4096}}
    with dask_cluster(tmp_path) as address, temporary_settings({PREFECT_API_URL: api}):
        m = cleanup([str(SAMPLES)], str(tmp_path / "dask"), overrides, dask_address=address)
    local = run_local([str(SAMPLES)], str(tmp_path / "local"), CleanerConfig().replace(**overrides), workers=1)
    assert m["reconciled"] and len(m["shards"]) == len(local["shards"]) > 2
    assert_same_parts(tmp_path / "local", tmp_path / "dask")


def test_flow_on_local_dask_cluster_equals_local_run(server, tmp_path):
    api, _ = server
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.cleanup import cleanup

    overrides = {"output": {"shard_bytes": 4096}}
    with temporary_settings({PREFECT_API_URL: api}):
        m = cleanup([str(SAMPLES)], str(tmp_path / "dask-local"), overrides, workers=2, dask_local=True)
    local = run_local([str(SAMPLES)], str(tmp_path / "local"), CleanerConfig().replace(**overrides), workers=1)
    assert m["reconciled"] and len(m["shards"]) == len(local["shards"])
    assert_same_parts(tmp_path / "local", tmp_path / "dask-local")

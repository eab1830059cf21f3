"""Input read from and output written to an S3 bucket served by moto on
127.0.0.1, then read back with pyarrow and DuckDB."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLES
from services import _start, _stop, free_port

from cleaners.config import CleanerConfig
from flows.runner import run_local

pytestmark = pytest.mark.server
pytest.importorskip("s3fs")
pytest.importorskip("moto")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    import httpx

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    proc = _start([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], log,
                  dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(endpoint, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto server did not start: " + log.read_text(errors="replace"))
                time.sleep(0.3)
        env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL_S3": endpoint}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        import fsspec

        fs = fsspec.filesystem("s3", endpoint_url=endpoint, skip_instance_cache=True)
        fs.mkdir("qingxi-in")
        fs.mkdir("qingxi-out")
        for p in sorted(SAMPLES.iterdir()):
            if p.is_file():
                fs.put_file(str(p), f"qingxi-in/samples/{p.name}")
        yield endpoint
    finally:
        for k, v in locals().get("old", {}).items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _stop(proc)


def test_s3_in_s3_out_equals_local_run(s3, tmp_path):
    import fsspec
    import pyarrow.dataset as ds

    cfg = CleanerConfig()
    m = run_local(["s3://qingxi-in/samples"], "s3://qingxi-out/run1", cfg, workers=1)
    assert m["reconciled"] and m["records_in"] > 10
    fs = fsspec.filesystem("s3", endpoint_url=s3, skip_instance_cache=True)
    table = ds.dataset("qingxi-out/run1/kept", filesystem=fs, format="parquet").to_table()
    assert table.num_rows == m["kept"]
    assert all(s.startswith("s3://qingxi-in/samples/") for s in table.column("source").to_pylist())
    assert fs.exists("qingxi-out/run1/manifest.json") and fs.exists("qingxi-out/run1/report.html")
    # the same texts as a local run over the same files
    local = run_local([str(SAMPLES)], str(tmp_path / "local"), cfg, workers=1)
    texts_s3 = sorted(table.column("text").to_pylist())
    texts_local = sorted(ds.dataset(tmp_path / "local" / "kept").to_table().column("text").to_pylist())
    assert texts_s3 == texts_local and local["kept"] == m["kept"]
    # a rerun resumes from the bucket
    again = run_local(["s3://qingxi-in/samples"], "s3://qingxi-out/run1", cfg, workers=1)
    assert all(s["resumed"] for s in again["shards"])
    # DuckDB reads the bucket's parts after a download (httpfs needs a network extension install)
    duckdb = pytest.importorskip("duckdb")
    dl = tmp_path / "dl"
    fs.get("qingxi-out/run1/kept/", str(dl) + "/", recursive=True)
    n, = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{dl}/*.parquet')").fetchone()
    assert n == m["kept"]


def test_a_process_pool_reads_and_writes_the_bucket(s3, tmp_path):
    """Pool workers fork from this process after it has listed the bucket
    (fsspec's event loop thread runs here by then): they reach the bucket
    with their own.  Shards are cleaned and finalized in the workers; the
    parts equal a serial run's."""
    import fsspec
    import pyarrow.dataset as ds

    cfg = CleanerConfig().replace(output={"shard_bytes": 4096})
    m = run_local(["s3://qingxi-in/samples"], "s3://qingxi-out/pool", cfg, workers=2, fresh=True)
    assert m["reconciled"] and len(m["shards"]) >= 2 and not m["failed_shards"]
    one = run_local(["s3://qingxi-in/samples"], "s3://qingxi-out/one", cfg, workers=1, fresh=True)
    fs = fsspec.filesystem("s3", endpoint_url=s3, skip_instance_cache=True)
    for sub in ("kept", "rejected"):
        a = ds.dataset(f"qingxi-out/pool/{sub}", filesystem=fs, format="parquet").to_table()
        b = ds.dataset(f"qingxi-out/one/{sub}", filesystem=fs, format="parquet").to_table()
        assert a.sort_by("id").equals(b.sort_by("id"))
    assert m["kept"] == one["kept"]

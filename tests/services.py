"""Real services started by the tests on 127.0.0.1 and stopped at the end:
a Prefect server and a Dask scheduler with workers.  Each runs in its own
process group so nothing outlives the test session."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    fh = open(log, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


def prefect_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_SERVER_UI_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING"})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    else:
        env.pop("PREFECT_API_URL", None)
    return env


@contextmanager
def prefect_server(home: Path, timeout: float = 180):
    """A real `prefect server` on a free loopback port; yields its API URL."""
    import httpx

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = prefect_env(home, api)
    proc = _start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                  home / "server.log", env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("prefect server exited:\n" + (home / "server.log").read_text(errors="replace"))
            try:
                if httpx.get(api + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("prefect server did not answer /health in time")
            time.sleep(0.5)
        yield api
    finally:
        _stop(proc)


@contextmanager
def dask_cluster(logdir: Path, n_workers: int = 2, timeout: float = 120):
    """A real `dask scheduler` and `dask worker` processes on loopback; yields the address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ)
    sched = _start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                   logdir / "scheduler.log", env)
    workers = _start([str(BIN / "dask"), "worker", address, "--nworkers", str(n_workers), "--nthreads", "1",
                      "--no-dashboard", "--host", "127.0.0.1"], logdir / "workers.log", env)
    try:
        from distributed import Client

        deadline = time.monotonic() + timeout
        with Client(address, timeout=timeout) as client:
            while len(client.scheduler_info()["workers"]) < n_workers:
                if time.monotonic() > deadline:
                    raise TimeoutError("dask workers did not register in time")
                time.sleep(0.5)
        yield address
    finally:
        _stop(workers)
        _stop(sched)

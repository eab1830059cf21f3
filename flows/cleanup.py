"""The Prefect flow ``cleanup``: discover shards -> map clean_shard -> finalize.

A thin recipe over the plain functions of :mod:`flows.runner`, which the CLI
also runs directly; both write the same bytes.  Task boundaries follow shards
(tens of seconds of work each), never single documents: Prefect's per-task
overhead is about 12 ms on the client and a few hundred tasks per run is the
practical ceiling of its SQLite server (docs/architecture.md).
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.futures import as_completed

from cleaners.config import CleanerConfig, load_config
from flows import runner


def _resolve_config(config: str | dict[str, Any] | None) -> CleanerConfig:
    if config is None:
        return CleanerConfig()
    if isinstance(config, str):
        return load_config(config)
    return load_config(None, config)


@task(name="plan-shards", retries=2, retry_delay_seconds=1)
def plan_task(inputs: list[str], config: CleanerConfig, skip: set[str]) -> list[runner.Shard]:
    return runner.plan(inputs, config, skip)


def _scheduled_date() -> str:
    """The date of this flow run's scheduled start (UTC), or today."""
    import datetime as dt

    from prefect.runtime import flow_run

    when = flow_run.scheduled_start_time
    if when is None:
        when = dt.datetime.now(dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).date().isoformat()


@task(name="clean-shard", retries=2, retry_delay_seconds=[1, 5], task_run_name="clean-shard-{shard.index}")
def clean_shard_task(shard: runner.Shard, config: CleanerConfig, out: str) -> dict[str, Any]:
    return runner.clean_shard(shard, config, out)


@task(name="finalize", retries=2, retry_delay_seconds=1)
def finalize_task(out: str, shards: list[runner.Shard], results: list[dict[str, Any]], config: CleanerConfig,
                  elapsed: float, failed: list[dict[str, Any]],
                  dedup_state: tuple[str, str] | None = None) -> dict[str, Any]:
    return runner.finalize(out, shards, results, config, elapsed, failed, dedup_state)


def _task_runner(workers: int, dask_address: str | None, dask_local: bool = False):
    """Local processes (the work is CPU-bound Python: threads do not scale), or
    Dask through prefect-dask: an existing cluster, or a LocalCluster."""
    if dask_address or dask_local:
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": max(1, workers), "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    if workers > 1:
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=workers)
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=1)


@flow(name="clean-shards", persist_result=False, log_prints=False)
def clean_shards_flow(shards: list[runner.Shard], config: CleanerConfig, out: str) -> list[Any]:
    """Map ``clean_shard`` over the shards on this flow's task runner (chosen
    per run by the parent's parameters); returns each shard's stats or error."""
    futures = clean_shard_task.map(shards, config=unmapped(config), out=unmapped(out))
    progress_id = create_progress_artifact(0.0, key="qingxi-progress", description="shards done, percent")
    done = 0
    for _ in as_completed(futures):
        done += 1
        update_progress_artifact(progress_id, 100.0 * done / max(len(shards), 1))
    outcomes: list[Any] = []
    for shard, fut in zip(shards, futures, strict=True):
        try:
            outcomes.append(fut.result())
        except Exception as exc:  # failed after its retries: reported, the other shards are kept
            outcomes.append(runner._failure(shard, exc) | {"failed": True})
    return outcomes


@flow(name="cleanup", persist_result=True, log_prints=False)
def cleanup_flow(inputs: list[str], out: str, config: str | dict[str, Any] | None = None,
                 fresh: bool = False, allow_partial: bool = False, incremental: bool = False,
                 run_date: str | None = None, workers: int = 1, dask_address: str | None = None,
                 dask_local: bool = False) -> dict[str, Any]:
    """Clean ``inputs`` (local paths or fsspec URLs, files or folders) into
    ``out``/kept and ``out``/rejected.

    ``config`` is a YAML path or a mapping of overrides over the defaults.
    ``incremental`` (or an explicit ``run_date``) processes only files that no
    earlier run date processed, into ``out``/run_date=<date>/; a scheduled
    run's date is its scheduled start date.  The flow fails when a shard still
    fails after its retries, unless ``allow_partial`` is set.

    Shards run in a subflow whose task runner the parameters choose: one
    thread (``workers=1``), ``workers`` local processes, a Dask LocalCluster
    of ``workers`` processes (``dask_local``), or an existing Dask cluster
    (``dask_address``, e.g. ``tcp://scheduler:8786``).
    """
    log = get_run_logger()
    t0 = time.perf_counter()
    cfg = _resolve_config(config)
    if incremental and run_date is None:
        run_date = _scheduled_date()
    ledger = runner._load_ledger(out) if run_date else {}
    skip = {fp for fp, date in ledger.items() if date != run_date}
    base = out
    if run_date:
        out = f"{out.rstrip('/')}/run_date={run_date}"
    shards = plan_task(inputs, cfg, skip)
    runner.prepare_output(out, fresh)
    log.info("%d shard(s), %d bytes", len(shards), sum(s.n_bytes for s in shards))
    sub = clean_shards_flow.with_options(task_runner=_task_runner(workers, dask_address, dask_local))
    outcomes = sub(shards, cfg, out) if shards else []
    results = [o for o in outcomes if not o.get("failed")]
    failed = [{k: v for k, v in o.items() if k != "failed"} for o in outcomes if o.get("failed")]
    manifest = finalize_task(out, shards, results, cfg, time.perf_counter() - t0, failed,
                             (base, runner.DEDUP_STATE) if run_date else None)
    if run_date:
        runner.update_ledger(base, shards, results, run_date)
    publish_artifacts(out, manifest)
    if failed and not allow_partial:
        raise RuntimeError(f"{len(failed)} shard(s) failed: " + "; ".join(f["error"] for f in failed))
    return manifest


def publish_artifacts(out: str, manifest: dict[str, Any]) -> None:
    """The run report as Prefect artifacts with stable keys (their history shows in the UI)."""
    from flows.report import markdown, score_histogram

    create_markdown_artifact(markdown(manifest, score_histogram(out)), key="qingxi-run-report",
                             description=f"qingxi run into {out}")
    rows = [{"outcome": "kept", "documents": manifest["kept"]}]
    rows += [{"outcome": f"rejected: {k}", "documents": v} for k, v in manifest["rejected_by_reason"].items()]
    rows += [{"outcome": f"language: {k}", "documents": v} for k, v in manifest["languages"].items()]
    create_table_artifact(rows, key="qingxi-run-counts", description="documents by outcome and language")


def cleanup(inputs: list[str], out: str, config: str | dict[str, Any] | None = None, *, workers: int = 1,
            fresh: bool = False, allow_partial: bool = False, dask_address: str | None = None,
            dask_local: bool = False, run_date: str | None = None) -> dict[str, Any]:
    """Run the flow (the CLI's ``--prefect`` path)."""
    return cleanup_flow(inputs=inputs, out=out, config=config, fresh=fresh, allow_partial=allow_partial,
                        run_date=run_date, workers=workers, dask_address=dask_address, dask_local=dask_local)

"""The ``qingxi`` command (typer + rich)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    name="qingxi",
    help="qingxi (清洗): clean Chinese and mixed-language web text into kept/rejected Parquet "
    "with a quality score per document.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console(stderr=True)
out_console = Console()


def _load_config(config: Path | None, sets: list[str] | None):
    from cleaners.config import ConfigError, load_config

    overrides: dict[str, Any] = {}
    for item in sets or []:
        if "=" not in item:
            raise typer.BadParameter(f"--set expects KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        cur = overrides
        parts = key.split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = parsed
    try:
        return load_config(config, overrides)
    except ConfigError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Input files or folders (searched recursively for "
                                               ".txt .md .html .jsonl .jsonl.gz .parquet).",
                                               show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: kept/, rejected/, manifest.json.")],
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML config file "
                                                "(see data/config.example.yaml).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override one option, e.g. "
                                                   "--set script.target=t (repeatable).")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=0,
                                         help="Local worker processes (0 = one per core).")] = 0,
    fresh: Annotated[bool, typer.Option("--fresh", help="Ignore and remove results of earlier runs "
                                        "in --out instead of resuming.")] = False,
    prefect: Annotated[bool, typer.Option("--prefect", help="Run as a tracked Prefect flow (uses "
                                          "PREFECT_API_URL, or starts a temporary server).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Clean PATHS into OUT/kept and OUT/rejected (Parquet, zstd) and OUT/manifest.json.

    Runs locally with no server to set up; a rerun with the same command resumes,
    skipping finished shards.
    """
    from flows.sources import InputError

    cfg = _load_config(config, set_)
    started = time.perf_counter()
    try:
        if prefect or os.environ.get("PREFECT_API_URL"):
            from flows.cleanup import cleanup

            if not quiet:
                console.print("[dim]running as a Prefect flow[/dim]")
            manifest = cleanup(inputs=list(paths), out=str(out), config=cfg.model_dump(mode="json"),
                               workers=workers, fresh=fresh)
        else:
            manifest = _run_with_progress(paths, out, cfg, workers, fresh, quiet)
    except InputError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if not quiet:
        print_summary(manifest, out, time.perf_counter() - started)
    if manifest.get("failed_shards"):
        raise typer.Exit(1)


def _run_with_progress(paths: list[str], out: Path, cfg, workers: int, fresh: bool, quiet: bool) -> dict:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.runner import run_local

    if quiet:
        return run_local(list(paths), str(out), cfg, workers=workers or None, fresh=fresh)
    with Progress(TextColumn("[bold]cleaning[/bold] {task.description}"), BarColumn(), DownloadColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("", total=None)

        def on_plan(shards):
            total = sum(s.n_bytes for s in shards)
            nfiles = sum(len(s.files) for s in shards)
            bar.update(task, total=max(total, 1), description=f"{nfiles} files in {len(shards)} shard(s)")

        return run_local(list(paths), str(out), cfg, workers=workers or None, fresh=fresh,
                         progress=lambda n: bar.advance(task, n), on_plan=on_plan)


def print_summary(manifest: dict, out: Path, seconds: float | None = None) -> None:
    """The end-of-run table: documents in/kept/rejected by reason, languages, time."""
    t = Table(title="qingxi run", show_header=True, header_style="bold")
    t.add_column("", style="bold")
    t.add_column("documents", justify="right")
    t.add_row("in", str(manifest["records_in"]))
    t.add_row("kept", f"[green]{manifest['kept']}[/green]")
    t.add_row("rejected", f"[yellow]{manifest['rejected']}[/yellow]")
    for reason, n in manifest["rejected_by_reason"].items():
        t.add_row(f"  {reason}", str(n))
    langs = ", ".join(f"{k} {v}" for k, v in list(manifest["languages"].items())[:8]) or "-"
    t.add_row("languages", langs)
    resumed = sum(1 for s in manifest["shards"] if s["resumed"])
    t.add_row("shards", f"{len(manifest['shards'])}" + (f" ({resumed} resumed)" if resumed else ""))
    secs = seconds if seconds is not None else manifest.get("elapsed_seconds", 0)
    t.add_row("time", f"{secs:.1f} s")
    console.print(t)
    if manifest.get("failed_shards"):
        for f in manifest["failed_shards"]:
            console.print(f"[red]shard {f['index']} failed:[/red] {f['error']}")
    if not manifest.get("reconciled", True):
        console.print("[red]records in != kept + rejected: see manifest.json[/red]")
    console.print(f"output: [bold]{out}/kept[/bold] and [bold]{out}/rejected[/bold]; "
                  f"query: duckdb -c \"SELECT lang, count(*) FROM read_parquet('{out}/kept/*.parquet') "
                  f"GROUP BY 1\"")


@app.command()
def version() -> None:
    """Print the qingxi version."""
    from flows.runner import VERSION

    out_console.print(VERSION)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())

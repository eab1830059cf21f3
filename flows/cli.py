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
        cfg = load_config(config, overrides)
    except ConfigError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    from cleaners.boilerplate import RuleError, get_ruleset

    try:  # a broken user rule file is an error before anything runs, not on the first document
        get_ruleset(cfg.boilerplate)
    except RuleError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    return cfg


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
    incremental: Annotated[bool, typer.Option("--incremental", help="Only files not processed by an earlier "
                                              "run date; output under OUT/run_date=<date>/ (see --run-date).")] = False,
    run_date: Annotated[str | None, typer.Option("--run-date", help="The run date (YYYY-MM-DD) of an "
                                                 "incremental run; default today (UTC).")] = None,
    dask_address: Annotated[str | None, typer.Option("--dask-address", help="Run the shards on an existing "
                                                     "Dask cluster (tcp://HOST:8786); implies --prefect.")] = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run the shards on a local Dask cluster of --workers "
                                       "processes; implies --prefect.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Clean PATHS into OUT/kept and OUT/rejected (Parquet, zstd) and OUT/manifest.json.

    Runs locally with no server to set up; a rerun with the same command resumes,
    skipping finished shards.
    """
    tracked = prefect or dask or dask_address or os.environ.get("PREFECT_API_URL")
    from flows.sources import InputError

    cfg = _load_config(config, set_)
    if run_date is not None or incremental:
        run_date = _check_date(run_date)
    started = time.perf_counter()
    try:
        if tracked:
            from flows.cleanup import cleanup
            from flows.runner import default_workers

            if not quiet:
                console.print("[dim]running as a Prefect flow[/dim]")
            manifest = cleanup(inputs=list(paths), out=str(out), config=cfg.model_dump(mode="json"),
                               workers=workers or default_workers(), fresh=fresh, run_date=run_date,
                               dask_address=dask_address, dask_local=dask)
        else:
            manifest = _run_with_progress(paths, out, cfg, workers, fresh, quiet, run_date)
    except InputError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if not quiet:
        print_summary(manifest, Path(f"{out}/run_date={run_date}") if run_date else out,
                      time.perf_counter() - started)
    if manifest.get("failed_shards"):
        raise typer.Exit(1)


def _check_date(value: str | None) -> str:
    import datetime as dt

    if value is None:
        return dt.datetime.now(dt.timezone.utc).date().isoformat()
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"--run-date expects YYYY-MM-DD, got {value!r}") from None


def _run_with_progress(paths: list[str], out: Path, cfg, workers: int, fresh: bool, quiet: bool,
                       run_date: str | None) -> dict:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.runner import run_local

    if quiet:
        return run_local(list(paths), str(out), cfg, workers=workers or None, fresh=fresh, run_date=run_date)
    bar = Progress(TextColumn("[bold]cleaning[/bold] {task.description}"), BarColumn(), DownloadColumn(),
                   TimeElapsedColumn(), console=console, transient=True)
    task = bar.add_task("", total=None)

    def on_plan(shards):
        total = sum(s.n_bytes for s in shards)
        nfiles = len({f.path for s in shards for f in s.files})
        bar.update(task, total=max(total, 1), description=f"{nfiles} files in {len(shards)} shard(s)")
        bar.start()  # its refresh thread: only once the pool's workers have forked (run_local)

    try:
        return run_local(list(paths), str(out), cfg, workers=workers or None, fresh=fresh,
                         progress=lambda n: bar.advance(task, n), on_plan=on_plan, run_date=run_date)
    finally:
        bar.stop()


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
    console.print(f"output: [bold]{out}/kept[/bold] (kept) and [bold]{out}/rejected[/bold] (rejected, with "
                  f"reject_reason); counts in [bold]{out}/manifest.json[/bold]")
    console.print(f"query with DuckDB: [cyan]SELECT lang, count(*), avg(quality_score) FROM "
                  f"read_parquet('{out}/kept/*.parquet') GROUP BY lang[/cyan]", soft_wrap=True)


@app.command()
def explain(
    path: Annotated[str, typer.Argument(help="One input file (.txt .md .html .jsonl .jsonl.gz .parquet).",
                                        show_default=False)],
    record: Annotated[int | None, typer.Option("--record", "-r", help="Only this record of the file "
                                               "(its source_record).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many records.")] = 5,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML config file.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override one option (repeatable).")] = None,
    show_text: Annotated[bool, typer.Option("--text", help="Also print the clean text.")] = False,
    context_chars: Annotated[int, typer.Option("--context", help="Characters of context around "
                                               "each edit.")] = 12,
) -> None:
    """Show what cleaning does to a document: every edit with its rule, what was
    there (red) and what replaced it (green), then the verdict."""
    import os as _os

    from cleaners.pipeline import clean
    from flows.sources import REJECT, SourceFile, read

    cfg = _load_config(config, set_)
    if not _os.path.isfile(path):
        console.print(f"[red]error:[/red] not a file: {path}")
        raise typer.Exit(2)
    st = _os.stat(path)
    shown = 0
    for doc in read(SourceFile(path, st.st_size, st.st_mtime_ns), cfg.input):
        if record is not None and doc.source_record != record:
            continue
        bad = doc.metadata.get(REJECT)
        out_console.rule(f"[bold]{doc.source}[/bold] record {doc.source_record}")
        if bad:
            out_console.print(f"[yellow]rejected by the reader:[/yellow] {bad[0]} ({bad[1]})")
        else:
            res = clean(doc, cfg)
            _print_explanation(res, context_chars, show_text)
        shown += 1
        if shown >= limit:
            break
    if shown == 0:
        console.print(f"[red]error:[/red] no record{'' if record is None else f' {record}'} in {path}")
        raise typer.Exit(2)


def _print_explanation(res, context_chars: int, show_text: bool) -> None:
    from rich.markup import escape

    from cleaners.document import apply_edits

    verdict = "[green]kept[/green]" if res.verdict.keep else \
        f"[yellow]rejected: {res.verdict.reason}[/yellow] {escape(res.verdict.detail)}"
    out_console.print(f"{verdict}  lang={res.lang} ({res.lang_prob:.2f})  script={res.script_in}->{res.script}  "
                      f"quality={res.quality_score:.3f}  encoding={res.source_encoding or '-'}  "
                      f"flags={','.join(res.flags) or '-'}")
    out_console.print(f"{len(res.text_in)} characters in, {len(res.text)} out, {len(res.edits)} edit(s)")
    # Replay step by step so each edit is shown in the text it applied to.
    text = res.text_in
    group: list = []

    def flush(group: list, text: str) -> str:
        for e in group:
            left = text[max(0, e.start - context_chars):e.start].replace("\n", "⏎")
            right = text[e.end:e.end + context_chars].replace("\n", "⏎")
            before = e.before.replace("\n", "⏎")
            after = e.after.replace("\n", "⏎")
            if len(before) > 300:
                before = before[:300] + f"… (+{len(e.before) - 300})"
            note = f"  [dim]{escape(e.note)}[/dim]" if e.note else ""
            out_console.print(f"[cyan]{escape(e.rule):<32}[/cyan] [dim]{escape(left)}[/dim]"
                              f"[red strike]{escape(before)}[/red strike][green]{escape(after)}[/green]"
                              f"[dim]{escape(right)}[/dim]{note}", soft_wrap=True)
        return apply_edits(text, group)

    from cleaners.document import edit_group

    current = None
    for e in res.edits:
        if current is not None and edit_group(e) != current:
            text = flush(group, text)
            group = []
        current = edit_group(e)
        group.append(e)
    text = flush(group, text)
    if show_text:
        out_console.rule("clean text")
        out_console.print(escape(res.text), soft_wrap=True)


@app.command()
def report(
    out: Annotated[Path, typer.Argument(help="A qingxi output folder (holding manifest.json).",
                                        show_default=False)],
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the markdown report instead.")] = False,
) -> None:
    """Print the summary of an earlier run (the same as at the end of `qingxi run`)."""
    from flows import report as rep

    try:
        manifest, hist = rep.load(out)
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if markdown:
        out_console.print(rep.markdown(manifest, hist), markup=False, highlight=False)
        return
    print_summary(manifest, out, manifest.get("elapsed_seconds"))
    t = Table(title="edits and removals per rule", header_style="bold")
    t.add_column("rule")
    t.add_column("count", justify="right")
    t.add_column("chars removed", justify="right")
    t.add_column("sample", overflow="fold")
    for rule, v in list(manifest["rules"].items())[:30]:
        t.add_row(rule, str(v["count"]), str(v["chars_removed"]), v["sample"])
    console.print(t)
    h = Table(title="quality score of kept documents", header_style="bold")
    h.add_column("score")
    h.add_column("documents", justify="right")
    for i, n in enumerate(hist):
        h.add_row(f"{i / len(hist):.1f}-{(i + 1) / len(hist):.1f}", str(n))
    console.print(h)
    console.print(f"report page: [bold]{out}/report.html[/bold]")


@app.command()
def version() -> None:
    """Print the qingxi version."""
    from flows.runner import VERSION

    out_console.print(VERSION)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())

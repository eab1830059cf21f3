"""data-juicer and datatrove on the equivalent recipe, against qingxi, same corpus, same run.

Recipes (language identification left out of the peers: their models need a download):

``datatrove``   JsonlReader -> FTFYFormatter (datatrove's CJK-safe defaults) -> GopherRepetitionFilter ->
                GopherQualityFilter (defaults, English word tokenizer: no language ID) -> ParquetWriter (zstd);
                LocalPipelineExecutor, one task per JSONL file
``data-juicer`` fix_unicode_mapper -> chinese_convert_mapper (t2s) -> clean_html_mapper ->
                text_length_filter -> document_deduplicator; DefaultExecutor, export to Parquet, no cache
``qingxi``      the full default pipeline (language detection on), ``flows.runner.run_local``
``naive-nolang`` bench/run.py's naive pipeline without langdetect (the issue's third peer number)

Each peer runs with its own interpreter from its own virtual environment
(``bash bench/setup_peers.sh`` creates ``bench/.venv-datatrove`` and
``bench/.venv-dj``; they are never project dependencies and CI never runs
this).  Every variant is measured in its own process tree by
``bench/measure.py``: documents per CPU-second (user + system time of every
process of the tree) is the comparable number on a shared machine; wall
docs/s is printed too.  ``--workers 2`` runs every variant with 2 processes.

    .venv/bin/python bench/peers.py --docs 2000
    .venv/bin/python bench/peers.py --docs 2000 --only datatrove,qingxi --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
VENVS = {"datatrove": BENCH / ".venv-datatrove", "data-juicer": BENCH / ".venv-dj"}


# ---------------------------------------------------------------------------
# Peer bodies: these run under the peer's own interpreter
# ---------------------------------------------------------------------------


def _run_datatrove(jsonl_dir: str, out: str, workers: int) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
    from datatrove.pipeline.formatters import FTFYFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import ParquetWriter

    files = sorted(Path(jsonl_dir).glob("*.jsonl"))
    ex = LocalPipelineExecutor(
        pipeline=[
            # keep text and id only: the corpus's extra fields (an often-empty list) confuse the
            # Parquet writer's schema inference, which takes the first batch's types
            JsonlReader(jsonl_dir, glob_pattern="*.jsonl", adapter=_dt_adapter),
            FTFYFormatter(),
            GopherRepetitionFilter(),
            GopherQualityFilter(),
            ParquetWriter(str(Path(out) / "kept"), compression="zstd"),
        ],
        tasks=len(files),
        workers=workers,
        logging_dir=str(Path(out) / "logs"),
    )
    ex.run()
    _result(out, {"records_in": _count_jsonl(files), "kept": _count_parquet(Path(out) / "kept")})


def _dt_adapter(_reader: Any, data: dict, path: str, id_in_file: int | str) -> dict:
    return {"text": data["text"], "id": data.get("id") or f"{path}/{id_in_file}", "metadata": {}}


def _run_dj(jsonl_dir: str, out: str, workers: int) -> None:
    import yaml
    from data_juicer.config import init_configs
    from data_juicer.core import DefaultExecutor

    outp = Path(out)
    outp.mkdir(parents=True, exist_ok=True)
    cfg = {
        "project_name": "qingxi-bench",
        "dataset_path": jsonl_dir,
        "export_path": str(outp / "kept" / "dj.parquet"),
        "work_dir": str(outp / "work"),
        "np": workers,
        "use_cache": False,
        "open_tracer": False,
        "text_keys": "text",
        "process": [
            {"fix_unicode_mapper": {}},
            {"chinese_convert_mapper": {"mode": "t2s"}},
            {"clean_html_mapper": {}},
            {"text_length_filter": {"min_len": 10}},
            {"document_deduplicator": {}},
        ],
    }
    path = outp / "dj.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    conf = init_configs(args=["--config", str(path)])
    DefaultExecutor(conf).run()
    files = sorted(Path(jsonl_dir).glob("*.jsonl"))
    _result(out, {"records_in": _count_jsonl(files), "kept": _count_parquet(outp / "kept")})


def _result(out: str, info: dict[str, Any]) -> None:
    """Counts for the orchestrator, in a file: data-juicer sends stdout to its own log."""
    Path(out, "result.json").write_text(json.dumps(info), encoding="utf-8")


def _count_jsonl(files: list[Path]) -> int:
    n = 0
    for f in files:
        with open(f, "rb") as fh:
            n += sum(1 for _ in fh)
    return n


def _count_parquet(folder: Path) -> int | None:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return None
    return sum(pq.ParquetFile(p).metadata.num_rows for p in folder.rglob("*.parquet"))


# ---------------------------------------------------------------------------
# Orchestration (runs under any Python 3.11 with the standard library)
# ---------------------------------------------------------------------------


def _peer_env(name: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    hf = OUT / "hf-home"
    env.update(
        {
            # no hub access: everything runs offline on local files
            "HF_HOME": str(hf),
            "HF_DATASETS_CACHE": str(hf / "datasets"),
            "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "DATA_JUICER_CACHE_HOME": str(OUT / "dj-cache"),
            "LOGURU_LEVEL": "WARNING",
        }
    )
    return env


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("_datatrove", "_dj"):
        jsonl_dir, out, workers = argv[1], argv[2], int(argv[3])
        (_run_datatrove if argv[0] == "_datatrove" else _run_dj)(jsonl_dir, out, workers)
        return 0

    sys.path.insert(0, str(BENCH))
    from measure import compile_project, measure
    from run import PY, _env, best_run, ensure_corpus

    compile_project()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", help="comma-separated: qingxi,naive-nolang,datatrove,data-juicer")
    ap.add_argument("--json", type=Path, default=OUT / "results-peers.json")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None

    corpus = ensure_corpus(args.docs, args.seed, ("jsonl", "txt") if args.docs <= 20000 else ("jsonl",))
    cmeta = json.loads((corpus / "corpus.json").read_text(encoding="utf-8"))
    jdir = str(corpus / "jsonl")
    jfiles = sorted((corpus / "jsonl").glob("*.jsonl"))
    mb = cmeta["bytes_utf8"] / 1e6
    print(
        f"corpus {corpus}: {cmeta['docs']} docs, {mb:.1f} MB, {len(jfiles)} JSONL files; workers {args.workers}",
        flush=True,
    )

    variants: list[tuple[str, list[str], dict[str, str]]] = []
    o = OUT / "peer-qingxi"
    variants.append(
        (
            "qingxi",
            [
                PY,
                str(BENCH / "run.py"),
                "_qingxi",
                str(o),
                jdir,
                "--workers",
                str(args.workers),
            ],
            _env(),
        )
    )
    if args.workers == 1:
        variants.append(
            (
                "naive-nolang",
                [
                    PY,
                    str(BENCH / "run.py"),
                    "_naive",
                    str(OUT / "peer-naive-nolang"),
                    jdir,
                    "--no-langdetect",
                ],
                _env(),
            )
        )
    for name, sub in (("datatrove", "_datatrove"), ("data-juicer", "_dj")):
        py = VENVS[name] / "bin" / "python"
        if not py.exists():
            print(f"  {name}: no {VENVS[name]} (run bash bench/setup_peers.sh)", file=sys.stderr)
            continue
        variants.append(
            (
                name,
                [
                    str(py),
                    str(Path(__file__).resolve()),
                    sub,
                    jdir,
                    str(OUT / f"peer-{name}"),
                    str(args.workers),
                ],
                _peer_env(name),
            )
        )
    if only:
        variants = [v for v in variants if v[0] in only]

    runs: dict[str, list[dict[str, Any]]] = {v[0]: [] for v in variants}
    for i in range(args.repeat):
        print(f"round {i + 1}/{args.repeat}", flush=True)
        for name, cmd, env in variants:
            shutil.rmtree(OUT / f"peer-{name}", ignore_errors=True)
            r = measure(cmd, env=env)
            r["name"] = name
            if r.get("returncode") != 0:
                print(
                    f"  {name}: FAILED (exit {r.get('returncode')})\n{(r.get('stderr') or r.get('error', ''))[-3000:]}",
                    file=sys.stderr,
                )
                runs[name].append(r)
                continue
            res_file = OUT / f"peer-{name}" / "result.json"
            try:
                info = (
                    json.loads(res_file.read_text(encoding="utf-8"))
                    if res_file.is_file()
                    else json.loads(r["stdout"].strip().splitlines()[-1])
                )
            except (ValueError, IndexError):
                info = {}
            r.update(info)
            r["docs"] = info.get("records_in", cmeta["docs"])
            r["docs_per_s"] = r["docs"] / r["wall_s"]
            r["mb_per_s"] = mb / r["wall_s"]
            r["docs_per_cpu_s"] = r["docs"] / r["cpu_s"] if r["cpu_s"] else None
            print(
                f"  {name:13s} {r['docs']:>6} docs  kept {r.get('kept')}  wall {r['wall_s']:7.2f}s  "
                f"cpu {r['cpu_s']:7.2f}s  {r['docs_per_s']:7.1f} docs/s  {r['docs_per_cpu_s']:7.1f} docs/cpu-s  "
                f"rss {r['max_rss_mb']:.0f} MB (tree {r.get('tree_rss_mb') or 0:.0f})",
                flush=True,
            )
            runs[name].append(r)
    results = {name: best_run(rs) for name, rs in runs.items()}

    head = [
        "recipe",
        "docs",
        "kept",
        "wall s",
        "CPU s",
        "docs/s",
        "docs/CPU-s",
        "peak RSS MB",
        "qingxi ratio",
    ]
    q = results.get("qingxi")
    qrate = q.get("docs_per_cpu_s") if q and q.get("returncode") == 0 else None
    rows = []
    for name, r in results.items():
        if r.get("returncode") != 0:
            rows.append([name, "failed", "", "", "", "", "", "", ""])
            continue
        ratio = f"{qrate / r['docs_per_cpu_s']:.2f}x" if qrate and name != "qingxi" else ""
        rows.append(
            [
                name,
                str(r["docs"]),
                str(r.get("kept", "-")),
                f"{r['wall_s']:.2f}",
                f"{r['cpu_s']:.2f}",
                f"{r['docs_per_s']:.1f}",
                f"{r['docs_per_cpu_s']:.1f}",
                f"{r['max_rss_mb']:.0f}",
                ratio,
            ]
        )
    from run import _table

    print()
    print(_table(head, rows, False))
    print(
        "\nqingxi ratio = qingxi's documents per CPU-second over the recipe's (targets: >= 4x data-juicer, "
        ">= 2x datatrove)"
    )
    if args.markdown:
        print()
        print(_table(head, rows, True))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "corpus": cmeta,
                    "workers": args.workers,
                    "results": results,
                    "argv": sys.argv,
                    "time": time.strftime("%Y-%m-%d %H:%M"),
                },
                ensure_ascii=False,
                indent=1,
                default=str,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Create the peers' virtual environments for bench/peers.py, one per peer, under bench/:
#
#   bench/.venv-datatrove   datatrove 0.10.1 (+ ftfy, pyarrow, spaCy for the Gopher word tokenizer)
#   bench/.venv-dj          py-data-juicer 1.6.1 (+ ftfy, opencc 1.1.9, selectolax for its ops)
#
# They are never project dependencies and CI never runs this (the test suite
# does not import bench/).  Both folders are gitignored (bench/.venv*/).
#
#   bash bench/setup_peers.sh            # both
#   bash bench/setup_peers.sh datatrove  # one of them: datatrove | dj
#
# data-juicer's base install declares no torch or ray (those are in its extras
# `generic`/`distributed`, which we do not install), but 1.6.1 still needs:
# - aiohttp: imported by data_juicer.utils.file_utils at import time, not declared;
# - torch: imported at run time after every op (model_utils.free_models,
#   resource_utils.is_cuda_available).  When it is missing, data-juicer's
#   LazyLoader installs it with uv in the middle of the run (we saw a 34 s pause
#   and a 6 GB CUDA build), so we install a CPU build first: the local
#   torch==2.13.0+cpu wheel when the machine has one, else torch from PyPI;
# - ftfy, opencc, selectolax: its text ops load them lazily; we pin the versions
#   its own `nlp` extra pins (opencc==1.1.9, the older, slower binding).
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3.11}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

which_ones=("${@:-datatrove dj}")
sel=" ${which_ones[*]} "

if [[ "$sel" == *" datatrove "* ]]; then
  echo "== bench/.venv-datatrove"
  "$PY" -m venv .venv-datatrove
  .venv-datatrove/bin/pip install -q \
    "datatrove[io]==0.10.1" "ftfy==6.3.1" "regex" "pyarrow" "spacy==3.8.18" "psutil"
  .venv-datatrove/bin/python -c "import datatrove, importlib.metadata as m; print('datatrove', m.version('datatrove'))"
fi

if [[ "$sel" == *" dj "* ]]; then
  echo "== bench/.venv-dj"
  "$PY" -m venv .venv-dj
  .venv-dj/bin/pip install -q \
    "py-data-juicer==1.6.1" "aiohttp" "ftfy==6.3.1" "opencc==1.1.9" "selectolax" "psutil"
  .venv-dj/bin/pip install -q "torch==2.13.0+cpu" 2>/dev/null || .venv-dj/bin/pip install -q "torch"
  .venv-dj/bin/python -c "import data_juicer, importlib.metadata as m; print('py-data-juicer', m.version('py-data-juicer'))"
fi

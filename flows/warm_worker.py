"""Imported by the forkserver of :func:`flows.runner._run_pool` before it forks
any worker: it imports the pipeline and loads its lazy tables with the default
configuration, so every pool worker starts from a warm copy-on-write image
instead of spending about a second of CPU importing and loading them again
(measured in docs/performance.md)."""

import logging

import flows.runner  # noqa: F401  (the shard code and pyarrow)
from cleaners.pipeline import warm_up

try:
    warm_up()
except Exception:  # noqa: BLE001
    # Only an optimisation: the forkserver must still start (anything but
    # ImportError raised here would kill it), and workers then load lazily.
    logging.getLogger("qingxi").warning("warm-up of the pool's forkserver failed", exc_info=True)

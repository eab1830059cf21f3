"""The local process pool's start method, kept free of heavy imports so the
CLI can start the pool's forkserver before it imports the pipeline itself.

Workers fork from a forkserver that preloaded :mod:`flows.warm_worker` (the
pipeline imported, its tables loaded: about 1.2 s).  Started when the pool
is created, that time is spent after this process's own imports, with the
other cores idle; started first thing, the two overlap (``qingxi run`` on
inputs big enough for a pool does this).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from multiprocessing.context import BaseContext

PRELOAD = ["flows.warm_worker"]


def pool_context() -> BaseContext:
    """forkserver with the warm preload where the platform has it, else spawn."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)  # ignored once this process's forkserver runs
        return ctx
    return mp.get_context("spawn")


def start_forkserver() -> None:
    """Start the forkserver now (it imports and warms up in the background);
    a later pool forks its workers from it."""
    if "forkserver" not in mp.get_all_start_methods():
        return
    pool_context()
    from multiprocessing import forkserver

    forkserver.ensure_running()


def local_input_bytes(paths: list[str], limit: int) -> int:
    """Bytes of the local files under ``paths``, counting stops past ``limit``
    (remote URLs count 0: this is only a guess at the size of the run)."""
    total = 0
    stack = [p for p in paths if "://" not in p]
    while stack and total <= limit:
        p = stack.pop()
        try:
            if os.path.isdir(p):
                with os.scandir(p) as it:
                    stack.extend(e.path for e in it)
            else:
                total += os.path.getsize(p)
        except OSError:
            continue
    return total

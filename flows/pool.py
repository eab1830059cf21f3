"""The local process pool's start method, kept free of heavy imports so the
CLI can start the pool's forkserver before it imports the pipeline itself.

Workers fork from a forkserver that preloaded :mod:`flows.warm_worker` (the
pipeline imported, its tables loaded: about 1.2 s).  Started when the pool
is created, that time is spent after this process's own imports, with the
other cores idle; started first thing, the two overlap (``qingxi run`` on
inputs big enough for a pool does this).

:class:`SharedPool` makes the calling process one of the pool's workers: it
cleans shards itself from the moment it is ready, beside ``N - 1`` forked
workers, instead of waiting idle for N of them.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from multiprocessing.context import BaseContext
from typing import Any, Self

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


Outcome = tuple[bool, Any]  # (True, value) or (False, the exception raised)


class SharedPool:
    """Work shared between the calling thread and an executor's workers.

    With N cores a pool of N workers leaves the caller idle, and the workers
    cannot start before the forkserver has imported the pipeline and loaded
    its tables (about 1 s after start; the caller's imports are done at about
    0.6 s).  Here the caller is one of the N: it runs calls itself while a
    feeder thread keeps each of the executor's ``n_workers`` busy with one
    call at a time, and whoever is free takes the next call.  Calls start in
    the order given (put the biggest first): the first is the caller's, the
    next ``n_workers`` go to the executor, then whoever is free takes the next.

    The feeder submits (a process pool's first submit blocks until its
    forkserver is ready) and otherwise waits on futures without holding the
    GIL, so the caller's work is not slowed.  If the executor breaks (a
    worker killed), the calls not yet handed to it are run by the caller.
    """

    def __init__(self, executor: Executor, n_workers: int) -> None:
        self.executor = executor
        self.n_workers = n_workers

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.executor.shutdown(wait=True)

    def run(self, fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], *,
            local: dict[str, Any] | None = None,
            done: Callable[[int, bool, Any, bool], None] | None = None) -> list[Outcome]:
        """``fn(*args)`` for every ``args`` in ``calls``; returns their
        outcomes in the order of ``calls``, never raises for a call's
        exception.  ``local`` adds keyword arguments to the calls run in this
        thread (a progress callback, say: it cannot cross to a worker).
        ``done(i, ok, value, in_caller)`` is called as each call ends, from
        this thread or the feeder's.  An exception of this thread itself
        (KeyboardInterrupt) stops the feeding and propagates."""
        outcomes: list[Outcome | None] = [None] * len(calls)
        pending = iter(range(len(calls)))
        lock = threading.Lock()
        stopped = threading.Event()

        def take() -> int | None:
            with lock:
                return None if stopped.is_set() else next(pending, None)

        def finish(i: int, ok: bool, value: Any, in_caller: bool) -> None:
            outcomes[i] = (ok, value)
            if done is not None:
                done(i, ok, value, in_caller)

        running: dict[Future[Any], int] = {}  # the feeder's alone once it runs
        back: list[int] = []
        broken = False

        def submit(i: int | None = None) -> bool:
            nonlocal broken
            if i is None:
                i = None if broken else take()
            if i is None:
                return False
            try:
                running[self.executor.submit(fn, *calls[i])] = i
            except Exception:  # a broken executor: give the call back to the caller
                broken = True
                with lock:
                    back.append(i)
                return False
            return True

        def feed(first: list[int]) -> None:
            # Submitting can block until the forkserver has warmed up: done
            # here, not in the caller, which is working by then.
            for k, i in enumerate(first):
                if not submit(i):  # broken: this call is back with the caller, the rest too
                    with lock:
                        back.extend(first[k + 1:])
                    break
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    i = running.pop(fut)
                    exc = fut.exception()
                    finish(i, exc is None, exc if exc is not None else fut.result(), False)
                    if not stopped.is_set():
                        submit()

        # The first call is this thread's (it is ready first), the next ones
        # the workers': every worker has one before anyone takes a second.
        mine = take()
        first = [i for i in (take() for _ in range(self.n_workers)) if i is not None]
        feeder = threading.Thread(target=feed, args=(first,), name="qingxi-pool-feeder", daemon=True)

        def next_call() -> int | None:
            """A call not yet started, or one the executor could not take;
            None once every call has ended or runs in a worker."""
            while True:
                i = take()
                with lock:
                    if i is None and back:
                        i = back.pop()
                if i is not None or not feeder.is_alive():
                    return i
                feeder.join(0.05)  # the executor may still hand calls back

        feeder.start()
        try:
            while mine is not None:
                try:
                    value = fn(*calls[mine], **(local or {}))
                except Exception as exc:
                    finish(mine, False, exc, True)
                else:
                    finish(mine, True, value, True)
                mine = next_call()
        except BaseException:
            stopped.set()
            raise
        feeder.join()
        if any(o is None for o in outcomes):  # not reachable unless the feeder itself failed
            raise RuntimeError("a call of the shared pool ended without an outcome")
        return outcomes  # type: ignore[return-value]

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> list[Any]:
        """``Executor.map``'s contract (results in order; the first failed
        call's exception is raised), the work shared as in :meth:`run`."""
        outcomes = self.run(fn, list(zip(*iterables)))
        for ok, value in outcomes:
            if not ok:
                raise value
        return [value for _, value in outcomes]

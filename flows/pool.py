"""The local process pool: where its workers come from, and
:class:`SharedPool`, which makes the calling process one of them.

On Linux the workers are forked from the calling process once it has imported
the pipeline and loaded its tables (:func:`flows.runner._pool`): they start
cleaning at once, import and load nothing again, and share those tables'
memory copy-on-write.  The fork happens in the calling thread before any
thread of the pool exists.  Elsewhere (macOS, Windows, where fork is unsafe or
missing) they are spawned and load the pipeline themselves.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from multiprocessing.context import BaseContext
from typing import Any, Self


def pool_context() -> BaseContext:
    """fork on Linux, spawn elsewhere."""
    return mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")


Outcome = tuple[bool, Any]  # (True, value) or (False, the exception raised)


class SharedPool:
    """Work shared between the calling thread and an executor's workers.

    With N cores a pool of N workers would leave the caller idle.  Here the
    caller is one of the N: it runs calls itself while a feeder thread keeps
    each of the executor's ``n_workers`` busy with one call at a time, and
    whoever is free takes the next call.  Calls start in the order given (put
    the biggest first): the first is the caller's, the next ``n_workers`` go
    to the executor, then whoever is free takes the next.

    The feeder submits (a spawning pool's first submit blocks while its
    processes start) and otherwise waits on futures without holding the GIL,
    so the caller's work is not slowed.  If the executor breaks (a worker
    killed), the calls not yet handed to it are run by the caller.
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
            # Submitting can block while a spawning pool starts its
            # processes: done here, not in the caller, which is working by then.
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

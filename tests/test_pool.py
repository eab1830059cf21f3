"""flows.pool.SharedPool: the caller works beside the executor's workers."""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from flows.pool import SharedPool


def _slow_square(x: int, *, seen: list[str] | None = None) -> int:
    time.sleep(0.02)
    if seen is not None:
        seen.append(threading.current_thread().name)
    return x * x


def test_every_call_runs_once_in_order_and_both_sides_work():
    where: list[bool] = []
    seen: list[str] = []
    with SharedPool(ThreadPoolExecutor(max_workers=2), 2) as pool:
        out = pool.run(_slow_square, [(i,) for i in range(30)], local={"seen": seen},
                       done=lambda i, ok, v, in_caller: where.append(in_caller))
    assert out == [(True, i * i) for i in range(30)]
    assert len(where) == 30 and any(where) and not all(where)
    # ``local`` reaches only the calls run by the caller
    assert set(seen) == {threading.current_thread().name} and len(seen) == sum(where)


def test_the_first_call_is_the_callers_and_the_next_go_to_the_workers():
    started: dict[int, bool] = {}
    with SharedPool(ThreadPoolExecutor(max_workers=2), 2) as pool:
        pool.run(_slow_square, [(i,) for i in range(3)],
                 done=lambda i, ok, v, in_caller: started.__setitem__(i, in_caller))
    assert started == {0: True, 1: False, 2: False}


def test_failures_are_outcomes_and_map_raises_the_first():
    with SharedPool(ThreadPoolExecutor(max_workers=1), 1) as pool:
        out = pool.run(divmod, [(7, 2), (1, 0), (9, 3), (1, 0)])
        assert out[0] == (True, (3, 1)) and out[2] == (True, (3, 0))
        assert not out[1][0] and isinstance(out[1][1], ZeroDivisionError)
        assert not out[3][0] and isinstance(out[3][1], ZeroDivisionError)
        assert pool.map(divmod, [7, 9], [2, 3]) == [(3, 1), (3, 0)]
        with pytest.raises(ZeroDivisionError):
            pool.map(divmod, [7, 1], [2, 0])


def test_calls_a_broken_executor_refuses_run_in_the_caller():
    broken = ThreadPoolExecutor(max_workers=2)
    broken.shutdown()  # submit() now raises RuntimeError
    where: list[bool] = []
    out = SharedPool(broken, 2).run(_slow_square, [(i,) for i in range(6)],
                                    done=lambda i, ok, v, in_caller: where.append(in_caller))
    assert out == [(True, i * i) for i in range(6)] and all(where)


def test_an_interrupt_in_the_caller_stops_the_feeding():
    calls = 0

    def step(x: int) -> int:
        nonlocal calls
        calls += 1
        if threading.current_thread() is threading.main_thread() and x >= 2:
            raise KeyboardInterrupt
        time.sleep(0.05)
        return x

    with SharedPool(ThreadPoolExecutor(max_workers=1), 1) as pool:
        with pytest.raises(KeyboardInterrupt):
            pool.run(step, [(i,) for i in range(50)])
    assert calls < 10


class _SlowToStart(ThreadPoolExecutor):
    """An executor whose first submit blocks, as a spawning process pool's
    does while its processes start."""

    def submit(self, *args, **kwargs):
        if not getattr(self, "_started", False):
            time.sleep(0.5)
            self._started = True
        return super().submit(*args, **kwargs)


def test_the_caller_works_while_the_executor_is_still_starting():
    t0 = time.perf_counter()
    started: dict[int, float] = {}

    def step(i: int) -> int:
        started[i] = time.perf_counter() - t0
        time.sleep(0.02)
        return i

    with SharedPool(_SlowToStart(max_workers=1), 1) as pool:
        out = pool.run(step, [(i,) for i in range(12)])
    assert out == [(True, i) for i in range(12)]
    assert started[0] < 0.25 and started[1] >= 0.5   # call 1 waited for the executor, call 0 did not
    assert sum(1 for i in started if started[i] < 0.5) >= 5   # the caller went on meanwhile


def _tables_loaded() -> bool:
    """Whether this process holds the plausibility tables without loading them."""
    from cleaners import plausibility

    return plausibility._tables.cache_info().currsize > 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")
def test_workers_fork_warm_from_the_caller_before_any_pool_thread():
    from cleaners.config import CleanerConfig
    from flows.runner import _pool

    before = threading.active_count()
    with _pool(CleanerConfig(), 2) as pool:
        # forked in _pool, from the warm caller: the worker never loaded a table itself
        assert pool.executor.submit(_tables_loaded).result(timeout=60)
        assert len(multiprocessing.active_children()) >= 1
    assert threading.active_count() == before


def test_on_plan_is_called_once_the_workers_exist(tmp_path):
    from conftest import SAMPLES

    from cleaners.config import CleanerConfig
    from flows.runner import run_local

    seen: list[int] = []
    cfg = CleanerConfig().replace(output={"shard_bytes": 4096})
    m = run_local([str(SAMPLES)], str(tmp_path / "out"), cfg, workers=2,
                  on_plan=lambda shards: seen.append(len(multiprocessing.active_children())))
    assert m["reconciled"] and len(m["shards"]) >= 2
    assert seen and seen[0] >= 1

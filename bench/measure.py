"""Measure one command in its own process tree: wall time, CPU seconds, peak RSS.

Used by ``bench/run.py``, ``bench/peers.py`` and ``bench/memory.py``.  Only
the standard library is required (psutil, when importable, adds a sampled
peak of the whole tree's RSS), so it also runs under the peers' interpreters.

How the numbers are taken (Linux):

- The measuring process makes itself a *child subreaper*
  (``prctl(PR_SET_CHILD_SUBREAPER)``), so pool workers whose parent exits
  first (a multiprocessing forkserver's children, for example) are re-parented
  to it instead of to init; after the command exits it reaps every remaining
  descendant.  ``getrusage(RUSAGE_CHILDREN)`` then covers the whole tree:
  CPU seconds = user + system of every process of the command, and
  ``ru_maxrss`` = the peak RSS of the largest *single* process.
- ``ru_maxrss`` of RUSAGE_CHILDREN only grows during a process's life, so each
  measurement runs in a fresh measuring process (``python bench/measure.py --
  CMD...`` prints one JSON line); :func:`measure` does that for you.
- With psutil, a thread samples the tree every 50 ms and records the peak of
  the *sum* of RSS over its processes (what 2 workers really hold together).
- Wall time runs from just before the command is spawned to its exit, so the
  interpreter start and imports are included ("start-up included").
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
ROOT = Path(__file__).resolve().parent.parent


def compile_project() -> None:
    """Compile qingxi's modules to bytecode, as an installed package has them.

    With ``PYTHONDONTWRITEBYTECODE`` set (this machine sets it) an editable
    checkout never writes its ``.pyc`` files, so every measured process would
    compile qingxi from source (about 0.08 s each) while the peers and the
    naive pipeline load their packages' bytecode.  Call before measuring."""
    import compileall

    for pkg in ("cleaners", "flows"):
        compileall.compile_dir(str(ROOT / pkg), quiet=1)


def _subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


class _TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and its descendants (psutil, if installed)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.max_procs = 0
        self.available = True
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            import psutil
        except ImportError:
            self.available = False
            return
        me = psutil.Process(os.getpid())
        while not self._halt.is_set():
            total = 0
            n = 0
            try:
                procs = me.children(recursive=True)
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    total += p.memory_info().rss
                    n += 1
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.max_procs = max(self.max_procs, n)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()


def measure_here(
    cmd: list[str], *, env: dict[str, str] | None = None, cwd: str | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """Run ``cmd`` as a child of this process and measure it (call once per fresh process)."""
    reaper = _subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = _TreeSampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    wall = time.perf_counter() - t0
    # reap descendants that were re-parented to us (they exit once their parent is gone)
    deadline = time.monotonic() + 30
    while reaper and time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.02)
    sampler.stop()
    sampler.join(1)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cmd": cmd,
        "returncode": proc.returncode,
        "wall_s": round(wall, 3),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 3),
        "user_s": round(after.ru_utime - before.ru_utime, 3),
        "sys_s": round(after.ru_stime - before.ru_stime, 3),
        "max_rss_mb": round(after.ru_maxrss / 1024, 1),  # KiB on Linux; largest single process
        "tree_rss_mb": round(sampler.peak / 2**20, 1) if sampler.available else None,
        "max_procs": sampler.max_procs if sampler.available else None,
        "subreaper": reaper,
        "stdout": out.decode("utf-8", "replace")[-4000:],
        "stderr": err.decode("utf-8", "replace")[-4000:],
    }


def measure(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    timeout: float | None = None,
    python: str | None = None,
) -> dict[str, Any]:
    """Measure ``cmd`` from a fresh measuring process (so ``ru_maxrss`` belongs to this command only)."""
    args = [python or sys.executable, str(Path(__file__).resolve()), "--json"]
    if timeout:
        args += ["--timeout", str(timeout)]
    if cwd:
        args += ["--cwd", cwd]
    res = subprocess.run(args + ["--", *cmd], env=env, capture_output=True, text=True, check=False)
    try:
        return json.loads(res.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"cmd": cmd, "returncode": -1, "error": res.stderr[-4000:] or res.stdout[-4000:]}


def main(argv: list[str]) -> int:
    timeout = None
    cwd = None
    if "--" not in argv:
        print("usage: measure.py [--json] [--timeout S] [--cwd DIR] -- CMD...", file=sys.stderr)
        return 2
    i = argv.index("--")
    opts, cmd = argv[:i], argv[i + 1 :]
    if "--timeout" in opts:
        timeout = float(opts[opts.index("--timeout") + 1])
    if "--cwd" in opts:
        cwd = opts[opts.index("--cwd") + 1]
    r = measure_here(cmd, cwd=cwd, timeout=timeout)
    if "--json" in opts:
        print(json.dumps(r, ensure_ascii=False))
    else:
        sys.stderr.write(r.pop("stderr"))
        sys.stdout.write(r.pop("stdout"))
        print(json.dumps(r, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

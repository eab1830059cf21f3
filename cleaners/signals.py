"""The named signals of the ``quality`` struct column.

Each step module may declare ``SIGNALS: tuple[str, ...]``, the names it writes
into ``ctx.signals``; the output schema is their union, in registry order, so
the struct's fields are fixed for a given qingxi version (typed Parquet, no
schema drift between shards).  Signals a step writes without declaring them
are not stored.

>>> "han_share" in SIGNAL_NAMES
True
"""

from __future__ import annotations

import sys

from cleaners.pipeline import STEPS


def _collect() -> tuple[str, ...]:
    names: list[str] = []
    for fn in STEPS.values():
        for name in getattr(sys.modules[fn.__module__], "SIGNALS", ()):
            if name not in names:
                names.append(name)
    return tuple(names)


SIGNAL_NAMES: tuple[str, ...] = _collect()

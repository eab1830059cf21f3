"""Helpers that turn a transformation into minimal :class:`Edit` records.

Steps that call a library on a whole line (ftfy, OpenCC) use
:func:`line_edits`; steps driven by patterns use :func:`regex_edits`.

>>> [(e.start, e.end, e.before, e.after) for e in diff_edits("s", "r", "ab華c", "ab华c")]
[(2, 3, '華', '华')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from cleaners.document import Edit

# When a line changes with its length kept (OpenCC, width fixes), changed
# characters closer than this are recorded as one edit, so a converted
# paragraph is a handful of edits, not one per character.
_MERGE_GAP = 3


def diff_edits(step: str, rule: str, before: str, after: str, offset: int = 0,
               note: str = "") -> list[Edit]:
    """Minimal edits turning ``before`` into ``after`` (offsets shifted by ``offset``).

    Equal lengths: runs of changed characters (position by position).
    Otherwise: one edit spanning what lies between the common prefix and suffix.
    """
    if before == after:
        return []
    if len(before) == len(after):
        edits: list[Edit] = []
        i, n = 0, len(before)
        while i < n:
            if before[i] == after[i]:
                i += 1
                continue
            j = i + 1
            last = i
            while j < n and j - last <= _MERGE_GAP:
                if before[j] != after[j]:
                    last = j
                j += 1
            end = last + 1
            edits.append(Edit(step, rule, offset + i, offset + end, before[i:end], after[i:end], note))
            i = end
        return edits
    p = 0
    m = min(len(before), len(after))
    while p < m and before[p] == after[p]:
        p += 1
    s = 0
    while s < m - p and before[len(before) - 1 - s] == after[len(after) - 1 - s]:
        s += 1
    return [Edit(step, rule, offset + p, offset + len(before) - s,
                 before[p:len(before) - s], after[p:len(after) - s], note)]


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line without its line break) for every line of ``text``.

    Lines end at ``\n`` only (a ``\r`` before it is not part of the line):
    ``str.splitlines`` also breaks at U+001C-001E, U+0085 and U+2028, which
    would hide mojibake sequences that span those characters.
    """
    pos = 0
    for line in text.split("\n"):
        body = line[:-1] if line.endswith("\r") else line
        yield pos, body
        pos += len(line) + 1


def line_edits(step: str, rule: str, text: str, fn: Callable[[str], str],
               precheck: Callable[[str], bool] | None = None) -> list[Edit]:
    """Apply ``fn`` to every line (line breaks untouched) and record what changed.

    ``precheck(line)`` (optional) skips lines that cannot change, cheaply.
    """
    edits: list[Edit] = []
    for off, line in iter_lines(text):
        if not line or (precheck is not None and not precheck(line)):
            continue
        new = fn(line)
        if new != line:
            edits.extend(diff_edits(step, rule, line, new, off))
    return edits


def regex_edits(step: str, rule: str, text: str, pattern: re.Pattern[str],
                repl: str | Callable[[re.Match[str]], str | None], note: str = "") -> list[Edit]:
    """One edit per match; ``repl`` may return ``None`` to leave a match alone."""
    edits: list[Edit] = []
    for m in pattern.finditer(text):
        if callable(repl):
            new = repl(m)
            if new is None:
                continue
        else:
            new = m.expand(repl)
        if new != m.group(0):
            edits.append(Edit(step, rule, m.start(), m.end(), m.group(0), new, note))
    return edits

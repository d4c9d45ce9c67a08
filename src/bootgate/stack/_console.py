"""What `bootgate up` prints: every process's output behind its name, and bootgate's own news.

    db       | LOG:  database system is ready to accept connections
    bootgate | db ready after 1.31s
    migrate  | applied 16/25

Each process gets a colour for its prefix when the output is a terminal (and NO_COLOR is not
set); otherwise lines are plain, with control characters escaped so no line can forge another.
With `json`, each line is one JSON object instead, for machines.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from typing import TextIO

from bootgate import Event, EventKind

#: 31-36 and their bright twins: distinct on dark and light terminals; red is kept for last.
_COLOURS = ("36", "33", "32", "35", "34", "96", "93", "92", "95", "94", "31", "91")
_BOLD = "1"
SELF = "bootgate"

#: The graph's events worth a line; attempts and progress would drown the processes' output.
_SHOWN = {
    EventKind.RETRY,
    EventKind.READY,
    EventKind.FAILED,
    EventKind.DEGRADED,
    EventKind.BLOCKED,
    EventKind.OVER_BUDGET,
    EventKind.BOOT_READY,
    EventKind.BOOT_FAILED,
    EventKind.STOPPING,
    EventKind.TEARDOWN_FAILED,
}


def wants_colour(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def plain(text: str) -> str:
    """`text` with control characters escaped (tabs kept)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text)


class Console:
    """Writes output lines and events to `stream`: prefixed text, or JSON lines."""

    def __init__(
        self,
        names: Iterable[str],
        *,
        stream: TextIO | None = None,
        colour: bool | None = None,
        as_json: bool = False,
        completes: Iterable[str] = (),
    ) -> None:
        self.stream = stream or sys.stdout
        self.as_json = as_json
        self.colour = wants_colour(self.stream) if colour is None else colour
        known = list(names)
        self.width = max(len(n) for n in [SELF, *known])
        self._colours = {n: _COLOURS[i % len(_COLOURS)] for i, n in enumerate(known)}
        self._began = time.monotonic()
        self.broken = False
        self._completes = set(completes)

    def line(self, process: str, stream: str, text: str) -> None:
        """One line of a process's output."""
        if self.as_json:
            self._json({"process": process, "stream": stream, "line": text})
        elif self.colour:
            self._write(self._prefix(process) + text.replace("\r", ""))
        else:
            self._write(self._prefix(process) + plain(text))

    def news(self, process: str | None, kind: str, message: str) -> None:
        """bootgate's own news about `process` (or the stack when None)."""
        if self.as_json:
            self._json({"event": kind, "process": process, "message": message})
            return
        text = f"{process} {message}" if process else message
        self._write(self._prefix(SELF) + plain(text))

    def hook(self, event: Event) -> None:
        """A bootgate Hook: the graph's notable events as news."""
        if event.kind not in _SHOWN:
            return
        node = event.node.name if event.node is not None else None
        if node is not None and "." in node and event.kind is EventKind.READY:
            process, _, condition = node.partition(".")
            self.news(process, condition, condition)
            return
        if event.kind is EventKind.READY and node in self._completes:
            message = event.message.replace("ready after", "completed after", 1)
        elif event.kind is EventKind.FAILED:
            message = f"failed: {event.message}"
        elif event.kind is EventKind.BOOT_READY:
            message = f"stack ready after {event.at_s:.2f}s"
        elif event.kind is EventKind.BOOT_FAILED:
            message = f"stack cannot start: {event.message}"
        elif event.kind is EventKind.STOPPING:
            message = "stopping, in reverse order"
        else:
            message = event.message
        self.news(
            node if event.kind not in (EventKind.BLOCKED,) else None, event.kind.value, message
        )

    def _prefix(self, name: str) -> str:
        padded = name.ljust(self.width)
        if not self.colour:
            return f"{padded} | "
        code = _BOLD if name == SELF else self._colours.get(name, "0")
        return f"\x1b[{code}m{padded} |\x1b[0m "

    def _json(self, record: dict[str, object]) -> None:
        record = {"at": round(time.monotonic() - self._began, 3), **record}
        self._write(json.dumps(record, ensure_ascii=False))

    def _write(self, text: str) -> None:
        if self.broken:
            return
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            # The reader went away: the stack goes on (it is stopped by signals, not by a
            # closed pipe), silently.
            self.broken = True

"""Server-Sent Events, client side: one parser, bounded in line and event size.

Used by the probe that follows a bootgate service's status stream and by `bootgate status
--watch`. It follows the WHATWG event-stream rules that matter to a client: lines end with
CRLF, LF or CR; `data:` lines of one event are joined with newlines; a blank line dispatches
the event; comments (`:`) and unknown fields are ignored; one space after the colon is dropped.
"""

from __future__ import annotations

from ._conversation import Malformed

#: Bound on one line, and on the data of one event (a status document of a large graph fits).
LINE_LIMIT = 1024 * 1024
EVENT_LIMIT = 4 * 1024 * 1024


class EventStream:
    """Feed it bytes as they arrive; it returns the complete events as (type, data) pairs."""

    __slots__ = ("_after_cr", "_data", "_line", "_size", "_type", "event_limit", "line_limit")

    def __init__(self, *, line_limit: int = LINE_LIMIT, event_limit: int = EVENT_LIMIT) -> None:
        self.line_limit = line_limit
        self.event_limit = event_limit
        self._line = bytearray()
        self._after_cr = False
        self._type = ""
        self._data: list[str] = []
        self._size = 0

    def feed(self, data: bytes) -> list[tuple[str, str]]:
        """The events that `data` completes (Malformed past a limit)."""
        events: list[tuple[str, str]] = []
        start = 0
        if self._after_cr and data[:1] == b"\n":
            start = 1  # the LF of a CRLF split across two pieces
        self._after_cr = False
        end = len(data)
        while start < end:
            cr = data.find(b"\r", start)
            lf = data.find(b"\n", start)
            stop = min(cr if cr >= 0 else end, lf if lf >= 0 else end)
            self._line += data[start:stop]
            if len(self._line) > self.line_limit:
                raise Malformed(f"event stream line longer than {self.line_limit} bytes")
            if stop == end:
                break
            start = stop + 1
            if data[stop] == 13:  # CR: a following LF belongs to the same line end
                if start < end and data[start] == 10:
                    start += 1
                elif start == end:
                    self._after_cr = True
            event = self._line_done(bytes(self._line).decode("utf-8", "replace"))
            self._line.clear()
            if event is not None:
                events.append(event)
        return events

    def _line_done(self, line: str) -> tuple[str, str] | None:
        if not line:
            if not self._data:
                self._type = ""
                return None
            event = (self._type or "message", "\n".join(self._data))
            self._type, self._data, self._size = "", [], 0
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            self._size += len(value) + 1
            if self._size > self.event_limit:
                raise Malformed(f"event stream event larger than {self.event_limit} bytes")
            self._data.append(value)
        elif name == "event":
            self._type = value
        return None

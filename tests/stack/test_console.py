"""What `bootgate up` prints: prefixes, colours only on terminals, escaped control characters,
JSON lines, and a reader that went away."""

from __future__ import annotations

import io
import json

import pytest

from bootgate import Event, EventKind, NodeStatus
from bootgate.stack import Console
from bootgate.stack._console import plain, wants_colour


def test_plain_lines_have_a_padded_prefix() -> None:
    """Every line starts with its process name padded to the longest name."""
    out = io.StringIO()
    console = Console(["db", "gateway"], stream=out, colour=False)
    console.line("db", "stdout", "hello")
    console.news("db", "started", "db started (pid 1)")
    assert out.getvalue().splitlines() == ["db       | hello", "bootgate | db db started (pid 1)"]


def test_control_characters_are_escaped_when_plain() -> None:
    """A line cannot forge another line or move a cursor."""
    assert plain("a\rb\x1b[2Jc\td") == "a\\rb\\x1b[2Jc\td"


def test_colour_prefixes_differ_per_process() -> None:
    """On a terminal each process has its own colour; carriage returns are dropped."""
    out = io.StringIO()
    console = Console(["a", "b"], stream=out, colour=True)
    console.line("a", "stdout", "x\r")
    console.line("b", "stdout", "y")
    first, second = out.getvalue().splitlines()
    assert first.startswith("\x1b[36m") and first.endswith(" x")  # noqa: PT018
    assert second.startswith("\x1b[33m")


def test_json_lines() -> None:
    """--json: one object per line, output and news alike."""
    out = io.StringIO()
    console = Console(["a"], stream=out, as_json=True)
    console.line("a", "stderr", "oops")
    console.news(None, "http", "status on x")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0]["process"] == "a" and records[0]["stream"] == "stderr"  # noqa: PT018
    assert records[1]["event"] == "http"


def test_no_color_and_non_terminals_get_no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR wins; a StringIO is no terminal."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not wants_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(io.StringIO())


def test_graph_events_become_news() -> None:
    """Ready, failed and stack-level events are printed; attempts and progress are not."""
    out = io.StringIO()
    console = Console(["migrate"], stream=out, colour=False, completes=["migrate"])
    node = NodeStatus(name="migrate", kind="step")
    console.hook(Event("s", EventKind.ATTEMPT, 0.0, node, "attempt 1"))
    console.hook(Event("s", EventKind.READY, 1.0, node, "ready after 1.00s"))
    console.hook(Event("s", EventKind.FAILED, 1.0, node, "boom"))
    console.hook(Event("s", EventKind.READY, 1.0, NodeStatus("db.started", "step"), "ready"))
    console.hook(Event("s", EventKind.BOOT_READY, 2.0, None, "ready"))
    assert out.getvalue().splitlines() == [
        "bootgate | migrate completed after 1.00s",
        "bootgate | migrate failed: boom",
        "bootgate | db started",
        "bootgate | stack ready after 2.00s",
    ]


def test_a_closed_reader_is_quiet() -> None:
    """When the reader goes away the stack goes on without printing (and without raising)."""

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    console = Console(["a"], stream=Closed(), colour=False)
    console.line("a", "stdout", "x")
    console.line("a", "stdout", "y")
    assert console.broken

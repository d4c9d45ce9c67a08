"""Driving a protocol conversation by hand: bytes in, what it sends and its verdict out."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

from bootgate.probes._conversation import EMIT, RECEIVE, SEND


def run(step: Generator[Any, Any, Any], replies: Iterable[bytes]) -> tuple[Any, list[Any]]:
    """Run `step` to its end with `replies` as what arrives (then b"": closed).

    Returns its value and what it sent (bytes) or emitted (("emit", value)) in order.
    """
    incoming = list(replies)
    out: list[Any] = []
    value: Any = None
    try:
        while True:
            op = step.send(value)
            value = None
            if op[0] == SEND:
                out.append(op[1])
            elif op[0] == RECEIVE:
                value = incoming.pop(0) if incoming else b""
            elif op[0] == EMIT:
                out.append(("emit", op[1]))
            else:
                raise AssertionError(f"unexpected step {op!r}")
    except StopIteration as stop:
        return stop.value, out

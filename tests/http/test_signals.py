"""SIGTERM/SIGINT drop readiness before the server's own handler runs; nothing else changes."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import anyio
import pytest

from bootgate.http import stop_on_signals

from .helpers import Service

pytestmark = pytest.mark.anyio


@pytest.fixture
def server_handler() -> Iterator[list[int]]:
    """A Python-level SIGTERM handler standing in for the server's; restored afterwards."""
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, frame: received.append(number))
    yield received
    signal.signal(signal.SIGTERM, previous)


async def test_sigterm_marks_stopping_then_reaches_the_server(server_handler: list[int]) -> None:
    """Inside: the signal drops readiness on the loop and still reaches the server's handler."""
    svc = Service()
    await svc.boot.start(wait=False)
    try:
        await svc.finish()
        original = signal.getsignal(signal.SIGTERM)
        with stop_on_signals(svc.boot):
            assert signal.getsignal(signal.SIGTERM) is not original
            signal.raise_signal(signal.SIGTERM)
            assert server_handler == [signal.SIGTERM]
            await anyio.wait_all_tasks_blocked()
            assert not svc.boot.ready
            assert svc.boot.status().stopping
        assert signal.getsignal(signal.SIGTERM) is original
    finally:
        await svc.boot.stop()


async def test_default_dispositions_are_left_alone() -> None:
    """Without a Python handler (SIG_DFL/SIG_IGN) nothing is wrapped."""
    svc = Service()
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with stop_on_signals(svc.boot):
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)

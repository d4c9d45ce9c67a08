"""Scenario S5: under a request hammer, no request reaches the handler before its data loads."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import anyio
import httpx
import pytest

from tests.examples.uvicorn_server import spare_port, uvicorn

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """End-to-end runs need one event loop for the client, not both."""
    return "asyncio"


EXPECTED = {"id": 7, "name": "item-7"}


@dataclass
class Tally:
    """What the hammer saw."""

    answers: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)
    missing_retry_after: int = 0


async def hammer(port: int, factory: str, workers: int = 16) -> Tally:
    """Fire requests from before the server starts until 200 answers have been correct.

    Bounded: at most 20,000 requests or 20 seconds, whichever comes first.
    """
    tally = Tally()
    url = f"http://127.0.0.1:{port}/items/7"
    deadline = time.monotonic() + 20

    def done() -> bool:
        total = sum(tally.answers.values())
        return tally.answers["200"] >= 200 or total >= 20_000 or time.monotonic() > deadline

    async def worker(client: httpx.AsyncClient) -> None:
        while not done():
            try:
                response = await client.get(url, headers={"accept": "application/json"})
            except httpx.TransportError:
                tally.answers["no connection"] += 1
                await anyio.sleep(0.002)  # pacing while nothing listens, not logic
                continue
            tally.answers[str(response.status_code)] += 1
            if response.status_code == 200 and response.json() != EXPECTED:
                tally.wrong.append(response.text)
            if response.status_code == 503 and "retry-after" not in response.headers:
                tally.missing_retry_after += 1

    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with (
        httpx.AsyncClient(timeout=5, limits=limits) as client,
        anyio.create_task_group() as tg,
    ):
        for _ in range(workers):
            tg.start_soon(worker, client)
        await anyio.sleep(0.05)  # the hammer is already firing when the server starts
        with uvicorn(f"examples.s5_data_endpoint.app:{factory}", port):
            while not done():
                await anyio.sleep(0.05)
    return tally


async def test_gate_keeps_every_request_from_the_handler_until_data_is_loaded() -> None:
    """With the gate: only 503 (with Retry-After) or the correct item, never the handler's 500."""
    tally = await hammer(spare_port(), "gated")
    print(dict(tally.answers))
    assert tally.answers["500"] == 0
    assert tally.wrong == []
    assert tally.answers["503"] > 0  # the window before ready was really hammered
    assert tally.answers["200"] >= 200
    assert tally.missing_retry_after == 0
    assert set(tally.answers) <= {"no connection", "503", "200"}


async def test_without_the_gate_requests_hit_the_handler_too_early() -> None:
    """Negative control: the same app without the gate serves 500s while its data loads."""
    tally = await hammer(spare_port(), "ungated")
    print(dict(tally.answers))
    assert tally.answers["500"] > 0

"""The status stream: events on change, coalesced, keep-alive, Last-Event-ID, clean endings."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.abc
import pytest

from bootgate.http import Gate

from .helpers import Connection, Service, echo_app, http_scope, parse_events

pytestmark = pytest.mark.anyio


class Stream:
    """An open status stream: its connection, and the events it has delivered so far."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.done = anyio.Event()

    def events(self) -> list[dict[str, str]]:
        """Events (and comments) received so far, after the `retry:` preamble."""
        return parse_events(self.connection.body())[1:]

    def statuses(self) -> list[dict[str, str]]:
        """Only the `status` events."""
        return [e for e in self.events() if e.get("event") == "status"]


@asynccontextmanager
async def open_stream(
    gate: Gate, path: str = "/status/stream", headers: list[tuple[str, str]] | None = None
) -> AsyncIterator[Stream]:
    """Open the stream in a task; on leaving, the client disconnects and the task must end."""
    stream = Stream(Connection())

    async def run() -> None:
        await gate(
            http_scope(path, headers=headers or []),
            stream.connection.receive,
            stream.connection.send,
        )
        stream.done.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        await anyio.wait_all_tasks_blocked()
        yield stream
        stream.connection.left.set()
        with anyio.fail_after(5):
            await stream.done.wait()


async def test_stream_sends_the_current_snapshot_then_changes() -> None:
    """First event at once (id = seq, data = the /status document), then one per change."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        async with open_stream(gate) as stream:
            start = stream.connection.sent[0]
            assert start["status"] == 200
            assert (b"content-type", b"text/event-stream; charset=utf-8") in start["headers"]
            assert stream.connection.body().startswith(b"retry: 1000\n\n")
            first = stream.statuses()
            assert len(first) == 1
            assert int(first[0]["id"]) == svc.boot.status().seq
            doc = json.loads(first[0]["data"])
            assert doc["bootgate"]["nodes"]["db"]["phase"] == "waiting"
            await svc.finish()
            svc.clock.advance(0.1)
            await svc.settle()
            last = json.loads(stream.statuses()[-1]["data"])
            assert last["bootgate"]["ready"] is True
            assert int(stream.statuses()[-1]["id"]) == svc.boot.status().seq
    finally:
        await svc.boot.stop()


async def test_changes_are_coalesced_to_ten_per_second() -> None:
    """Many changes within 100 ms arrive as one event carrying the latest snapshot."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.db_up()
        async with open_stream(gate) as stream:
            assert len(stream.statuses()) == 1
            runner = svc.boot._runner
            assert runner is not None
            for i in range(20):  # twenty progress reports, no time passing
                runner.store.attempt_began("migrations", svc.clock.now(), attempt=i + 2)
            await svc.settle()
            assert len(stream.statuses()) == 1
            svc.clock.advance(0.1)
            await svc.settle()
            statuses = stream.statuses()
            assert len(statuses) == 2
            assert (
                json.loads(statuses[1]["data"])["bootgate"]["nodes"]["migrations"]["attempts"] == 21
            )
    finally:
        await svc.boot.stop()


async def test_keep_alive_comment_every_fifteen_seconds() -> None:
    """An idle stream gets a ": keep-alive" comment after 15 s, not before."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.finish()
        async with open_stream(gate) as stream:
            svc.clock.advance(0.1)
            await svc.settle()
            svc.clock.advance(14.8)
            await svc.settle()
            assert [e for e in stream.events() if ":" in e] == []
            svc.clock.advance(0.2)
            await svc.settle()
            assert stream.connection.body().endswith(b": keep-alive\n\n")
    finally:
        await svc.boot.stop()


async def test_last_event_id_skips_what_the_client_already_has() -> None:
    """Reconnecting with the current seq gets no repeat; an older id gets the snapshot at once."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        seq = svc.boot.status().seq
        async with open_stream(gate, headers=[("last-event-id", str(seq))]) as stream:
            assert stream.statuses() == []
            await svc.db_up()
            svc.clock.advance(0.1)
            await svc.settle()
            assert int(stream.statuses()[0]["id"]) > seq
        async with open_stream(gate, headers=[("last-event-id", str(seq))]) as stream:
            assert int(stream.statuses()[0]["id"]) == svc.boot.status().seq
        async with open_stream(gate, headers=[("last-event-id", "garbage")]) as stream:
            assert len(stream.statuses()) == 1
    finally:
        await svc.boot.stop()


async def test_accept_event_stream_on_status_streams() -> None:
    """GET /status with Accept: text/event-stream is the same stream."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        async with open_stream(gate, "/status", [("accept", "text/event-stream")]) as stream:
            assert len(stream.statuses()) == 1
    finally:
        await svc.boot.stop()


async def test_disconnect_ends_the_stream_and_its_subscription() -> None:
    """When the client leaves, the handler returns and sends nothing more."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        async with open_stream(gate) as stream:
            pass
        assert stream.done.is_set()
        count = len(stream.connection.sent)
        await svc.finish()
        assert len(stream.connection.sent) == count
        assert stream.connection.sent[-1].get("more_body") is True  # no closing body after leave
    finally:
        await svc.boot.stop()


async def test_stream_ends_when_the_run_shuts_down() -> None:
    """At shutdown the stream sends the final snapshot and ends the response."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    connection = Connection()
    async with anyio.create_task_group() as tg:
        async with svc.boot.running(wait=False):
            await svc.finish()
            tg.start_soon(gate, http_scope("/status/stream"), connection.receive, connection.send)
            await svc.settle()
        with anyio.fail_after(5):
            while connection.sent[-1].get("more_body", False):
                svc.clock.advance(0.1)
                await svc.settle()
    last = [e for e in parse_events(connection.body()) if e.get("event") == "status"][-1]
    assert json.loads(last["data"])["bootgate"]["stopping"] is True
    assert connection.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_head_on_the_stream_path_answers_like_status() -> None:
    """HEAD /status/stream is a plain health+json HEAD, not a stream."""
    from .helpers import call

    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        reply = await call(gate, "/status/stream", method="HEAD")
        assert reply.headers["content-type"] == "application/health+json"
        assert reply.body == b""
    finally:
        await svc.boot.stop()

"""Reports that stay true over HTTP: answers read at the present, per-check paths, withheld
reasons for untrusted clients, health+json keys and fields, stream ticks, honest Retry-After."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest

from bootgate import Boot, FakeClock, Ready, StepContext, Transient
from bootgate.http import Access, Gate
from bootgate.http._checks import go_quote

from .helpers import Connection, call, echo_app, http_scope, parse_events

pytestmark = pytest.mark.anyio

REMOTE = ("203.0.113.9", 40000)
TOKEN = "a-token-of-sixteen-chars"


class Stalled:
    """A service on a fake clock whose migrations report 2/10 after 2 s and then stall."""

    def __init__(self, version: str | None = None, release_id: str | None = None) -> None:
        self.clock = FakeClock()
        self.boot = Boot(
            "gateway", clock=self.clock, hooks=[], version=version, release_id=release_id
        )
        self.db_answer: Transient | Ready = Ready()
        self.go = anyio.Event()

        async def db() -> Transient | Ready:
            return self.db_answer

        dep = self.boot.dependency("db", db, recheck=None)

        @self.boot.step(requires=[dep])
        async def migrations(ctx: StepContext) -> None:
            await self.clock.sleep(2)
            ctx.progress(2, 10, "Migration0002")
            await self.go.wait()

    async def at_report(self) -> None:
        """Run until the progress report (2 s into the attempt: ETA 8 s)."""
        await anyio.wait_all_tasks_blocked()
        self.clock.advance(2)
        await anyio.wait_all_tasks_blocked()
        progress = self.boot.status().nodes["migrations"].progress
        assert progress is not None
        assert progress.eta_s == 8.0

    async def later(self, seconds: float) -> None:
        """Let `seconds` pass on the fake clock in steps of 100 ms (every waiter wakes)."""
        for _ in range(round(seconds * 10)):
            self.clock.advance(0.1)
            await anyio.wait_all_tasks_blocked()


async def test_readyz_verbose_counts_down_then_says_overdue() -> None:
    """The same snapshot, asked later: ETA 8 s, then 3 s, then overdue by 2 s."""
    svc = Stalled()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.at_report()
        seq = svc.boot.status().seq
        line = "[-]migrations starting: running 2/10 Migration0002"
        assert f"{line}, ETA 8.00s\n" in (await call(gate, "/readyz")).text
        svc.clock.advance(5)
        assert f"{line}, ETA 3.00s\n" in (await call(gate, "/readyz", query="verbose")).text
        svc.clock.advance(5)
        assert f"{line}, overdue by 2.00s\n" in (await call(gate, "/readyz")).text
        doc = (await call(gate, "/status")).json()
        progress = doc["bootgate"]["nodes"]["migrations"]["progress"]
        assert (progress["eta_s"], progress["overdue_s"]) == (0.0, 2.0)
        assert doc["bootgate"]["blocking"] == [
            "migrations: running 2/10 Migration0002, overdue by 2.00s"
        ]
        assert doc["bootgate"]["elapsed_s"] == 12.0
        assert svc.boot.status().seq == seq  # nothing changed: only the reading moved
    finally:
        await svc.boot.stop()


async def test_retry_after_falls_back_to_the_pace_once_overdue() -> None:
    """Retry-After is the ETA left while there is one, then the time one unit took (1 s)."""
    svc = Stalled()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.at_report()
        assert (await call(gate, "/orders")).headers["retry-after"] == "8"
        svc.clock.advance(5.5)
        assert (await call(gate, "/orders")).headers["retry-after"] == "3"
        svc.clock.advance(30)
        reply = await call(gate, "/orders")
        assert reply.headers["retry-after"] == "1"  # 2 units in 2 s: one a second
        assert "overdue by 27.50s" in reply.json()["blocking"][0]
    finally:
        await svc.boot.stop()


async def test_status_shows_the_time_left_before_a_dependency_gives_up() -> None:
    """deadline_in_s counts down from the document's instant; the chain says "gives up in"."""
    svc = Stalled()
    svc.db_answer = Transient("connection refused")
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.later(8.0)
        doc = (await call(gate, "/status")).json()
        db = doc["bootgate"]["nodes"]["db"]
        assert db["deadline_in_s"] == pytest.approx(52.0, abs=0.15)  # 60 s from the first probe
        assert db["deadline"].endswith("Z")
        [chain] = doc["bootgate"]["blocking"]
        assert chain.startswith("migrations ← db: connection refused, attempt ")
        assert ", gives up in 52 s" in chain
    finally:
        await svc.boot.stop()


async def test_a_warning_makes_status_warn_with_output_then_pass() -> None:
    """Boot.warn: /status warn with an output naming the node, for as long as it lasts."""
    svc = Stalled(version="1.4.2", release_id="1.4.2-7-gabc")
    svc.go.set()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.at_report()
        assert svc.boot.ready
        svc.boot.warn("migrations", "took 2.0 s, 4.0x its median", lasts=60)
        doc = (await call(gate, "/status")).json()
        assert (doc["status"], doc["version"], doc["releaseId"]) == (
            "warn",
            "1.4.2",
            "1.4.2-7-gabc",
        )
        assert doc["output"] == "migrations: took 2.0 s, 4.0x its median"
        entry = doc["checks"]["migrations:ready"][0]
        assert (entry["status"], entry["output"]) == ("warn", "took 2.0 s, 4.0x its median")
        [warning] = doc["bootgate"]["nodes"]["migrations"]["warnings"]
        assert warning["current"] is True
        svc.clock.advance(61)
        doc = (await call(gate, "/status")).json()
        assert doc["status"] == "pass"
        assert "output" not in doc
        assert doc["bootgate"]["nodes"]["migrations"]["warnings"][0]["current"] is False
    finally:
        await svc.boot.stop()


async def test_every_check_key_is_component_colon_measurement() -> None:
    """health+json checks: <node>:ready always, :duration and :progress where they fit."""
    svc = Stalled()
    svc.go.set()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.at_report()
        checks = (await call(gate, "/status")).json()["checks"]
        assert set(checks) == {
            "db:ready",
            "db:duration",
            "migrations:ready",
            "migrations:duration",
            "migrations:progress",
        }
        for key, [entry] in checks.items():
            assert entry["componentId"] == key.split(":")[0]
            assert entry["status"] in ("pass", "warn", "fail")
            assert entry["status"] == "pass" or entry["output"]
        assert checks["migrations:duration"][0]["observedValue"] == 2.0
        assert checks["migrations:duration"][0]["observedUnit"] == "s"
    finally:
        await svc.boot.stop()


async def test_per_check_paths_answer_for_one_check() -> None:
    """/readyz/<name>, /livez/<name>, /startupz/<name>: ok, 503 with the line, or 404."""
    svc = Stalled()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.at_report()
        assert (await call(gate, "/readyz/db")).text == "ok"
        reply = await call(gate, "/readyz/migrations")
        assert reply.status == 503
        assert reply.text == "[-]migrations starting: running 2/10 Migration0002, ETA 8.00s\n"
        assert (await call(gate, "/readyz/shutdown")).text == "ok"
        assert (await call(gate, "/livez/ping")).text == "ok"
        assert (await call(gate, "/startupz/db")).text == "ok"
        assert (await call(gate, "/startupz/migrations")).status == 503
        missing = await call(gate, "/readyz/nope")
        assert (missing.status, missing.text) == (404, 'no readyz check named "nope"\n')
        assert (await call(gate, "/livez/db")).status == 404  # livez lists critical nodes only
        assert (await call(gate, "/readyz/db", method="POST")).status == 405
        assert (await call(gate, "/readyz/db", method="HEAD")).body == b""
        svc.go.set()
        await anyio.wait_all_tasks_blocked()
        assert svc.boot.ready
        assert (await call(gate, "/readyz/migrations")).text == "ok"  # not the app's
        assert (await call(gate, "/readyz-like")).text == "app /readyz-like"
    finally:
        await svc.boot.stop()


async def test_untrusted_clients_read_reason_withheld() -> None:
    """A remote client without a token gets kube-apiserver's "failed: reason withheld"."""
    svc = Stalled()
    svc.db_answer = Transient("connection refused by 10.1.2.3")
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.later(0.5)
        reply = await call(gate, "/readyz", client=REMOTE)
        assert reply.status == 503
        assert reply.text == (
            "[-]db failed: reason withheld\n"
            "[-]migrations failed: reason withheld\n"
            "[+]shutdown ok\n"
            "readyz check failed\n"
        )
        one = await call(gate, "/readyz/db", client=REMOTE)
        assert one.text == "[-]db failed: reason withheld\n"
        assert "10.1.2.3" in (await call(gate, "/readyz")).text  # loopback: the reason
    finally:
        await svc.boot.stop()


async def test_token_holders_see_the_reasons() -> None:
    """With the dashboard's token rule, a remote client with the token is trusted."""
    svc = Stalled()
    svc.db_answer = Transient("connection refused")
    gate = Gate(echo_app, svc.boot, dashboard=Access(token=TOKEN, loopback=False))
    await svc.boot.start(wait=False)
    try:
        await svc.later(0.5)
        withheld = await call(gate, "/readyz/db")
        assert withheld.text == "[-]db failed: reason withheld\n"  # loopback=False: no exception
        bearer = [("authorization", f"Bearer {TOKEN}")]
        shown = await call(gate, "/readyz/db", headers=bearer, client=REMOTE)
        assert shown.text.startswith("[-]db waiting: connection refused, attempt")
        query = await call(gate, "/readyz", query=f"token={TOKEN}", client=REMOTE)
        assert "[-]db waiting: connection refused" in query.text
    finally:
        await svc.boot.stop()


async def test_unknown_exclusions_are_quoted_as_kube_does() -> None:
    """The warn line lists unknown names sorted, each in Go's %q, separated by commas."""
    svc = Stalled()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.at_report()
        query = "exclude=zeta&exclude=a%22b%0A&exclude=db"
        reply = await call(gate, "/readyz", query=query + "&verbose")
        assert (
            'warn: some health checks cannot be excluded: no matches for "a\\"b\\n","zeta"'
            in reply.text.splitlines()
        )
        assert "[+]db excluded: ok" in reply.text.splitlines()
    finally:
        await svc.boot.stop()


def test_go_quote_matches_strconv_quote() -> None:
    """Examples checked against Go's strconv.Quote."""
    assert go_quote("etcd") == '"etcd"'
    assert go_quote('a"b\\c') == '"a\\"b\\\\c"'
    assert go_quote("tab\there\n") == '"tab\\there\\n"'
    assert go_quote("\x00\x7f") == '"\\x00\\x7f"'
    assert go_quote("naïve ☃") == '"naïve ☃"'
    assert go_quote("\u200b") == '"\\u200b"'


@asynccontextmanager
async def stream_of(gate: Gate) -> AsyncIterator[Connection]:
    """An open status stream (a task) that the client leaves on exit."""
    connection = Connection()
    done = anyio.Event()

    async def run() -> None:
        await gate(http_scope("/status/stream"), connection.receive, connection.send)
        done.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        await anyio.wait_all_tasks_blocked()
        yield connection
        connection.left.set()
        with anyio.fail_after(5):
            await done.wait()


def statuses(connection: Connection) -> list[tuple[int, dict[str, object]]]:
    """(id, bootgate object) of each status event received so far."""
    return [
        (int(e["id"]), json.loads(e["data"])["bootgate"])
        for e in parse_events(connection.body())
        if e.get("event") == "status"
    ]


async def test_the_stream_ticks_while_time_counts_and_is_quiet_after() -> None:
    """Stalled: the same snapshot again each second, read a second later, until overdue;
    ready: only changes and keep-alives."""
    svc = Stalled()
    gate = Gate(echo_app, svc.boot, stream_interval=0)
    await svc.boot.start(wait=False)
    try:
        await svc.at_report()
        async with stream_of(gate) as connection:
            await svc.later(10.1)
            events = statuses(connection)
            ids = {seq for seq, _ in events}
            assert ids == {svc.boot.status().seq}  # no change: the same id every time
            details = [doc["nodes"]["migrations"]["detail"] for _, doc in events]  # type: ignore[index]
            assert details[0] == "running 2/10 Migration0002, ETA 8.00s"
            assert "running 2/10 Migration0002, ETA 1.00s" in details
            assert details[-1] == "running 2/10 Migration0002, overdue by 2.00s"
            assert 10 <= len(events) <= 12
            svc.go.set()
            await svc.later(0.2)
            count = len(statuses(connection))
            assert statuses(connection)[-1][1]["ready"] is True
            await svc.later(16.0)
            assert len(statuses(connection)) == count  # ready: nothing counts any more
            assert connection.body().endswith(b": keep-alive\n\n")
    finally:
        await svc.boot.stop()


async def test_a_subscriber_joining_late_gets_the_present() -> None:
    """The first event of a stream opened long after the change is already overdue."""
    svc = Stalled()
    gate = Gate(echo_app, svc.boot, stream_interval=0)
    await svc.boot.start(wait=False)
    try:
        await svc.at_report()
        svc.clock.advance(20.5)
        async with stream_of(gate) as connection:
            [(_, doc)] = statuses(connection)
            assert doc["nodes"]["migrations"]["detail"].endswith("overdue by 12.00s")  # type: ignore[index]
    finally:
        await svc.boot.stop()

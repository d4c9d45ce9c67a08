"""/livez, /readyz, /startupz and /status against a real Boot on a fake clock."""

from __future__ import annotations

import anyio
import pytest

from bootgate import Boot, FakeClock, Retry
from bootgate.http import Gate, Paths

from .helpers import Service, call, echo_app

pytestmark = pytest.mark.anyio


async def test_probes_while_starting_then_ready() -> None:
    """Before ready: livez 200, readyz and startupz 503; after: all three 200 "ok"."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        assert (await call(gate, "/livez")).status == 200
        assert (await call(gate, "/readyz")).status == 503
        assert (await call(gate, "/startupz")).status == 503
        await svc.finish()
        for path in ("/livez", "/readyz", "/startupz"):
            reply = await call(gate, path)
            assert (reply.status, reply.text) == (200, "ok")
            assert reply.headers["content-type"].startswith("text/plain")
    finally:
        await svc.boot.stop()


async def test_readyz_failing_report_in_kube_format() -> None:
    """A failing readyz lists every check as [+]/[-] with phase and reason, then the verdict."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        reply = await call(gate, "/readyz")
        lines = reply.text.splitlines()
        assert lines[0].startswith("[-]db waiting: connection refused")
        assert "attempt 1, next in" in lines[0]
        assert lines[1] == "[-]migrations pending: waiting for db"
        assert lines[2] == "[+]shutdown ok"
        assert lines[-1] == "readyz check failed"
        await svc.db_up()
        reply = await call(gate, "/readyz", query="verbose")
        assert "[+]db ok" in reply.text.splitlines()
        assert "[-]migrations starting: running 16/25 Migration0016, ETA" in reply.text
    finally:
        await svc.boot.stop()


async def test_verbose_and_exclude() -> None:
    """?verbose lists passing checks; ?exclude (repeatable) leaves checks out of the verdict."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        reply = await call(gate, "/readyz", query="exclude=db&exclude=migrations&verbose")
        assert reply.status == 200
        assert reply.text.splitlines() == [
            "[+]db excluded: ok",
            "[+]migrations excluded: ok",
            "[+]shutdown ok",
            "readyz check passed",
        ]
        reply = await call(gate, "/readyz", query="exclude=nope")
        assert reply.status == 503
        assert 'warn: some health checks cannot be excluded: no matches for "nope"' in reply.text
        await svc.finish()
        reply = await call(gate, "/livez", query="verbose")
        assert reply.text == "[+]ping ok\nlivez check passed\n"
        reply = await call(gate, "/readyz", query="verbose=1")
        assert reply.text.splitlines() == [
            "[+]db ok",
            "[+]migrations ok",
            "[+]shutdown ok",
            "readyz check passed",
        ]
        assert (await call(gate, "/readyz", query="verbose=false")).text == "ok"
    finally:
        await svc.boot.stop()


async def test_livez_fails_only_for_a_critical_failure() -> None:
    """A failed ordinary step keeps livez at 200; a failed critical step turns it 503."""
    for critical in (False, True):
        boot = Boot("svc", clock=FakeClock(), hooks=[])

        @boot.step(critical=critical, retry=Retry(attempts=1))
        async def boom() -> None:
            raise RuntimeError("broken for good")

        gate = Gate(echo_app, boot)
        await boot.start(wait=False)
        try:
            await anyio.wait_all_tasks_blocked()
            reply = await call(gate, "/livez", query="verbose")
            assert reply.status == (503 if critical else 200)
            if critical:
                assert reply.text.splitlines() == [
                    "[+]ping ok",
                    "[-]boom failed: RuntimeError: broken for good (gave up after 1 attempt)",
                    "livez check failed",
                ]
            assert (await call(gate, "/readyz")).status == 503
        finally:
            await boot.stop()


async def test_readyz_drops_on_mark_stopping_while_startupz_stays() -> None:
    """On SIGTERM readiness falls first (shutdown check fails); startupz stays 200."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.finish()
        svc.boot.mark_stopping()
        reply = await call(gate, "/readyz")
        assert reply.status == 503
        assert "[-]shutdown stopping: shutting down" in reply.text
        assert (await call(gate, "/startupz")).status == 200
        assert (await call(gate, "/livez")).status == 200
    finally:
        await svc.boot.stop()


async def test_status_is_health_json_with_bootgate_details() -> None:
    """/status: health+json pass/fail, checks per node, progress, ETA, blocking chains, times."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        reply = await call(gate, "/status")
        assert reply.status == 503
        assert reply.headers["content-type"] == "application/health+json"
        assert reply.headers["cache-control"] == "no-store"
        doc = reply.json()
        assert doc["status"] == "fail"
        assert set(doc["checks"]) == {"db:ready", "migrations:ready"}
        assert doc["checks"]["db:ready"][0]["componentType"] == "system"
        assert doc["checks"]["db:ready"][0]["status"] == "fail"
        assert doc["checks"]["db:ready"][0]["output"].startswith("connection refused")
        assert doc["output"].startswith("migrations ← db: connection refused")
        bg = doc["bootgate"]
        assert bg["service"] == "gateway"
        assert bg["nodes"]["db"]["phase"] == "waiting"
        assert bg["nodes"]["db"]["attempts"] == 1
        assert bg["nodes"]["db"]["next_retry_in_s"] is not None
        assert bg["blocking"][0].startswith("migrations ← db: connection refused")
        assert bg["began"].endswith("Z")

        svc.clock.advance(0.05)
        await svc.db_up()
        svc.clock.advance(2.0)
        svc.boot.status()  # the ETA is computed when progress is reported
        doc = (await call(gate, "/status")).json()
        node = doc["bootgate"]["nodes"]["migrations"]
        assert node["phase"] == "starting"
        assert node["progress"]["done"] == 16
        assert node["progress"]["total"] == 25
        assert node["progress"]["percent"] == 64.0
        assert node["progress"]["message"] == "Migration0016"
        assert node["progress"]["eta_s"] == 0.0
        assert node["progress"]["overdue_s"] == 2.0  # read now: 2 s past its ETA
        assert "overdue by 2.00s" in node["detail"]
        assert doc["checks"]["migrations:progress"][0]["observedValue"] == 64.0
        assert doc["checks"]["migrations:progress"][0]["observedUnit"] == "percent"
        assert doc["checks"]["migrations:progress"][0]["status"] == "warn"
        assert node["started"].endswith("Z")

        svc.release.set()
        await svc.settle()
        reply = await call(gate, "/status")
        assert reply.status == 200
        doc = reply.json()
        assert doc["status"] == "pass"
        assert doc["bootgate"]["ready"] is True
        assert doc["bootgate"]["blocking"] == []
        assert doc["bootgate"]["nodes"]["migrations"]["duration_s"] >= 0
        assert doc["bootgate"]["nodes"]["migrations"]["ready"].endswith("Z")
        duration = doc["checks"]["migrations:duration"][0]
        assert duration["observedUnit"] == "s"
        assert duration["observedValue"] == doc["bootgate"]["nodes"]["migrations"]["duration_s"]
        assert [link["name"] for link in doc["bootgate"]["critical_chain"]] == ["db", "migrations"]
        assert "output" not in doc
    finally:
        await svc.boot.stop()


async def test_optional_failure_warns_but_stays_ready() -> None:
    """A failed optional node: /status warn with its reason; readyz 200 with a degraded line."""
    svc = Service(optional_cache=True)
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.finish()
        while svc.boot.status().nodes["cache"].phase.value != "degraded":
            svc.clock.advance(1.0)
            await svc.settle()
        doc = (await call(gate, "/status")).json()
        assert doc["status"] == "warn"
        assert doc["checks"]["cache:ready"][0]["status"] == "warn"
        assert "cache backend down" in doc["checks"]["cache:ready"][0]["output"]
        assert doc["output"].startswith("cache: ")
        reply = await call(gate, "/readyz", query="verbose")
        assert reply.status == 200
        assert any(
            line.startswith("[+]cache degraded (optional): ") for line in reply.text.split("\n")
        )
    finally:
        await svc.boot.stop()


async def test_paths_and_prefix_are_configurable() -> None:
    """Custom paths under a prefix answer; the default paths then belong to the app."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, paths=Paths(prefix="/-", readyz="/ready", livez="/alive"))
    await svc.boot.start(wait=False)
    try:
        await svc.finish()
        assert (await call(gate, "/-/ready")).text == "ok"
        assert (await call(gate, "/-/alive")).text == "ok"
        assert (await call(gate, "/-/status")).status == 200
        assert (await call(gate, "/readyz")).text == "app /readyz"
    finally:
        await svc.boot.stop()


async def test_root_path_is_stripped_before_routing() -> None:
    """Mounted under a root_path, the endpoints still answer at their own paths."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        reply = await call(gate, "/livez", root_path="/api")
        assert reply.text == "ok"
    finally:
        await svc.boot.stop()


async def test_head_and_other_methods() -> None:
    """HEAD gets headers with the length but no body; POST gets 405 with Allow."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        reply = await call(gate, "/status", method="HEAD")
        assert reply.status == 503
        assert reply.body == b""
        assert int(reply.headers["content-length"]) > 100
        reply = await call(gate, "/readyz", method="POST")
        assert reply.status == 405
        assert reply.headers["allow"] == "GET, HEAD"
    finally:
        await svc.boot.stop()


def test_paths_reject_bad_configuration() -> None:
    """Paths must start with '/', be strings, and not collide."""
    with pytest.raises(ValueError, match="must start with '/'"):
        Paths(readyz="readyz")
    with pytest.raises(ValueError, match="share the path"):
        Paths(readyz="/health", livez="/health")
    with pytest.raises(TypeError, match="must be a str"):
        Paths(prefix=3)  # type: ignore[arg-type]
    assert Paths(prefix="/").route("/livez") is not None


def test_gate_rejects_a_source_without_status() -> None:
    """A source that lacks ready/status()/subscribe() is refused up front, by TypeError."""
    with pytest.raises(TypeError, match="source must have"):
        Gate(echo_app, object())  # type: ignore[arg-type]


async def test_status_document_is_encoded_once_per_snapshot() -> None:
    """Between changes every reader shares one encoding; a change makes a new one."""
    from bootgate.http._render import health_json

    svc = Service()
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        first = svc.boot.status()
        assert health_json(first) is health_json(svc.boot.status())
        await svc.db_up()
        assert health_json(svc.boot.status()) != health_json(first)
    finally:
        await svc.boot.stop()

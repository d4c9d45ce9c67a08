"""OpenTelemetryHook: a real Boot on the fake clock, traced into the SDK's in-memory exporter."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from bootgate import MissingExtraError, PermanentError, Ready, StartupError, StepContext, Transient
from bootgate.integrations.opentelemetry import OpenTelemetryHook

from .helpers import gateway, start_once

pytestmark = pytest.mark.anyio

SECOND = 1_000_000_000


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    """Finished spans, kept in memory."""
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.shutdown()


@pytest.fixture
def hook(exporter: InMemorySpanExporter) -> OpenTelemetryHook:
    """A tracing hook on an SDK provider that exports each span as soon as it ends."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return OpenTelemetryHook(provider)


def spans(exporter: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    """Finished spans by name."""
    return {span.name: span for span in exporter.get_finished_spans()}


def offset(span: ReadableSpan, root: ReadableSpan) -> tuple[float, float]:
    """When `span` started and how long it lasted, in seconds, from the start of `root`."""
    assert span.start_time is not None
    assert span.end_time is not None
    assert root.start_time is not None
    return (span.start_time - root.start_time) / SECOND, (span.end_time - span.start_time) / SECOND


async def test_one_startup_span_and_a_child_span_per_node(
    hook: OpenTelemetryHook, exporter: InMemorySpanExporter
) -> None:
    """Each node's span is a child of the startup span and lasts from its first attempt to ready,
    on the boot's own clock."""
    boot, clock = gateway([hook])
    await start_once(boot, clock)
    found = spans(exporter)
    assert set(found) == {
        "startup gateway",
        "step db",
        "step migrations",
        "step tenant",
        "step cache",
    }
    root = found["startup gateway"]
    assert root.parent is None
    assert offset(root, root) == (0.0, 2.5)
    assert root.attributes is not None
    assert root.attributes["bootgate.outcome"] == "ready"
    for name in ("db", "migrations", "tenant", "cache"):
        span = found[f"step {name}"]
        assert span.parent is not None
        assert span.parent.span_id == root.context.span_id
        assert span.context.trace_id == root.context.trace_id
        assert span.status.status_code is StatusCode.UNSET
    assert offset(found["step migrations"], root) == (0.0, 2.0)
    assert offset(found["step tenant"], root) == (2.0, 0.5)
    attributes = found["step migrations"].attributes
    assert attributes is not None
    assert attributes["bootgate.requires"] == ("db",)
    assert (attributes["bootgate.phase"], attributes["bootgate.attempts"]) == ("ready", 1)


async def test_attempts_retries_and_progress_are_span_events(
    hook: OpenTelemetryHook, exporter: InMemorySpanExporter
) -> None:
    """A dependency's probes and a step's attempts, retries (with the error) and progress show
    up as events on the node's span."""
    boot, clock = gateway([hook])
    answers: Iterator[Ready | Transient] = iter(
        [Transient("connection refused"), Transient("connection refused"), Ready()]
    )

    async def database() -> Ready | Transient:
        return next(answers)

    boot.dependency("postgres", database, budget=0.01)
    tries = 0

    @boot.step(requires=["postgres"])
    async def load(ctx: StepContext) -> None:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise RuntimeError("disk busy")
        for i in range(1, 3):
            await clock.sleep(1)
            ctx.progress(i, 2, f"file{i}")

    await start_once(boot, clock)
    found = spans(exporter)
    postgres = found["dependency postgres"]
    # The budget (10 ms) runs out before the first pause (25-50 ms) ends.
    assert [e.name for e in postgres.events] == [
        "attempt",
        "retry",
        "over_budget",
        "attempt",
        "retry",
        "attempt",
    ]
    retry = postgres.events[1].attributes
    assert retry is not None
    assert retry["bootgate.error"] == "connection refused"
    assert isinstance(retry["bootgate.next_retry_in_s"], float)
    assert retry["bootgate.next_retry_in_s"] > 0
    load_span = found["step load"]
    assert [e.name for e in load_span.events] == [
        "attempt",
        "retry",
        "attempt",
        "progress",
        "progress",
    ]
    failed = load_span.events[1].attributes
    assert failed is not None
    assert failed["bootgate.error"] == "RuntimeError: disk busy"
    assert dict(load_span.events[4].attributes or {}) == {
        "bootgate.done": 2,
        "bootgate.total": 2,
        "bootgate.message": "file2",
        "bootgate.percent": 100.0,
    }


async def test_a_failure_is_the_error_status_and_blocked_nodes_say_why(
    hook: OpenTelemetryHook, exporter: InMemorySpanExporter
) -> None:
    """The failed node's reason is its span's error status, the startup span fails with it, a
    node blocked by it is a span of no length with the reason, and nodes cut short by the
    shutdown end as stopped, without an error."""
    boot, clock = gateway([hook], {"cache": 30.0})

    @boot.step(requires=["migrations"])
    def providers() -> None:
        raise PermanentError("tenant table missing")

    boot.step(name="ui", requires=["providers"])(lambda: None)
    with pytest.raises(StartupError):
        await start_once(boot, clock)
    found = spans(exporter)
    root = found["startup gateway"]
    assert root.status.status_code is StatusCode.ERROR
    assert "tenant table missing" in (root.status.description or "")
    failed = found["step providers"]
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "PermanentError: tenant table missing"
    blocked = found["step ui"]
    assert blocked.status.status_code is StatusCode.ERROR
    assert blocked.status.description == (
        "ui requires providers, but providers failed: PermanentError: tenant table missing"
    )
    assert offset(blocked, root) == (2.0, 0.0)
    cache = found["step cache"]
    assert cache.status.status_code is StatusCode.UNSET
    assert [e.name for e in cache.events] == ["attempt", "stopped"]
    assert cache.attributes is not None
    assert cache.attributes["bootgate.phase"] == "stopped"


async def test_a_shutdown_before_ready_ends_every_span_as_stopped(
    hook: OpenTelemetryHook, exporter: InMemorySpanExporter
) -> None:
    """Leaving before startup completes is not a failure: spans end, marked stopped."""
    boot, clock = gateway([hook])
    async with clock.autojump(), boot.running(wait=False):
        await clock.sleep(1.5)
    found = spans(exporter)
    root = found["startup gateway"]
    assert root.status.status_code is StatusCode.UNSET
    assert root.attributes is not None
    assert root.attributes["bootgate.outcome"] == "stopped"
    assert [e.name for e in root.events] == ["stopping"]
    assert offset(found["step migrations"], root) == (0.0, 1.5)
    assert "step tenant" not in found  # it never started


async def test_a_lost_dependency_is_a_trace_of_its_own(
    hook: OpenTelemetryHook, exporter: InMemorySpanExporter
) -> None:
    """A dependency lost after startup gets a span from the loss until it answers again,
    linked to the startup span."""
    boot, clock = gateway([hook])
    up = True

    async def database() -> Ready | Transient:
        return Ready() if up else Transient("connection refused")

    boot.dependency("postgres", database, recheck=1.0)
    async with clock.autojump(), boot.running():
        up = False
        await clock.sleep(1.5)
        up = True
        await clock.sleep(2.0)
    found = spans(exporter)
    root, lost = found["startup gateway"], found["lost postgres"]
    assert lost.parent is None
    assert lost.context.trace_id != root.context.trace_id
    assert [link.context.span_id for link in lost.links] == [root.context.span_id]
    assert lost.attributes is not None
    assert lost.attributes["bootgate.error"] == "connection refused"
    # Ready at 2.5 s; the look at 3 s finds it gone; it answers again from 4 s.
    start, length = offset(lost, root)
    assert start == 3.0
    assert 1.0 <= length < 1.5


async def test_each_run_is_a_trace_of_its_own(
    hook: OpenTelemetryHook, exporter: InMemorySpanExporter
) -> None:
    """Starting the same boot again opens a new startup span in a new trace."""
    boot, clock = gateway([hook])
    await start_once(boot, clock)
    await start_once(boot, clock)
    roots = [s for s in exporter.get_finished_spans() if s.name == "startup gateway"]
    assert len(roots) == 2
    assert roots[0].context.trace_id != roots[1].context.trace_id
    assert len(exporter.get_finished_spans()) == 10


def test_without_a_provider_the_global_one_is_used() -> None:
    """`OpenTelemetryHook()` traces into whatever provider the application set globally."""
    code = """
import anyio
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from bootgate.integrations.opentelemetry import OpenTelemetryHook
from tests.observe.helpers import gateway, start_once

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
boot, clock = gateway([OpenTelemetryHook()])
anyio.run(start_once, boot, clock)
print(sorted(span.name for span in exporter.get_finished_spans()))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(
        sorted(["startup gateway", "step cache", "step db", "step migrations", "step tenant"])
    )


def test_a_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without opentelemetry installed, making the hook says which extra to install."""
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'bootgate\[opentelemetry\]'") as info:
        OpenTelemetryHook()
    assert info.value.extra == "opentelemetry"
    assert str(info.value).startswith("OpenTelemetryHook needs")


async def test_a_wait_for_a_lock_is_an_event_on_the_steps_span(
    hook: OpenTelemetryHook, exporter: InMemorySpanExporter, tmp_path: Path
) -> None:
    """An exclusive step that waits for its lock carries a waiting_for_lock event naming the
    holder, as every other kind of event the boot sends becomes one on the node's span."""
    import anyio

    from bootgate import Boot, locks

    path = tmp_path / "migrations.lock"
    held = anyio.Event()
    boot = Boot("svc", hooks=[hook])

    @boot.step(exclusive=locks.file(path))
    async def migrate() -> None:
        pass

    async def holder(lease: locks.Lease) -> None:
        await held.wait()

    async with anyio.create_task_group() as tg:
        tg.start_soon(locks.run_exclusive, locks.file(path), print, holder)
        await anyio.sleep(0.05)
        async with boot.running(wait=False):
            with anyio.fail_after(10):
                while boot.status().nodes["migrate"].phase.value != "waiting":
                    await anyio.sleep(0.01)
            held.set()
            with anyio.fail_after(10):
                while not boot.ready:
                    await anyio.sleep(0.01)
    events = [e for e in spans(exporter)["step migrate"].events if e.name == "waiting_for_lock"]
    assert events
    assert str((events[0].attributes or {})["bootgate.message"]).startswith(
        "lock migrations.lock held by "
    )

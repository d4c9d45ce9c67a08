"""Retries, timeouts, budgets, optional nodes, permanent errors and blocked dependents."""

from __future__ import annotations

import anyio
import pytest

from bootgate import (
    EventKind,
    PermanentError,
    Phase,
    Retry,
    StartupError,
    StartupTimeout,
    StepContext,
)

from .helpers import fake_boot

pytestmark = pytest.mark.anyio


async def test_a_failing_step_is_retried_with_backoff_until_it_succeeds() -> None:
    """Two failures, then success: three attempts, two retry events, waits within full jitter."""
    boot, clock, events = fake_boot()
    attempts: list[int] = []

    @boot.step(retry=Retry(attempts=3, timeout=None, interval=1, max_interval=5, jitter="full"))
    async def flaky(ctx: StepContext) -> None:
        attempts.append(ctx.attempt)
        if ctx.attempt < 3:
            raise ConnectionError("not yet")

    async with clock.autojump(), boot.running() as status:
        assert status.nodes["flaky"].attempts == 3
    assert attempts == [1, 2, 3]
    assert events.kinds("flaky").count(EventKind.RETRY) == 2
    assert 0 <= clock.now() <= 1 + 2


async def test_giving_up_blocks_dependents_and_names_both_ends() -> None:
    """When a step runs out of attempts, running() raises and each dependent says why it waits."""
    boot, clock, events = fake_boot()

    @boot.step(retry=Retry(attempts=2, timeout=None, interval=0.1))
    async def migrations() -> None:
        raise RuntimeError("relation already exists")

    @boot.step(requires=[migrations])
    async def default_tenant() -> None:
        raise AssertionError("must never run")

    @boot.step(requires=[default_tenant])
    async def providers() -> None:
        raise AssertionError("must never run")

    with pytest.raises(StartupError) as info:
        async with clock.autojump(), boot.running():
            pass
    assert "migrations: failed: RuntimeError: relation already exists" in str(info.value)
    nodes = boot.status().nodes
    assert nodes["migrations"].attempts == 2
    assert nodes["default_tenant"].phase is Phase.BLOCKED
    assert nodes["default_tenant"].reason == (
        "default_tenant requires migrations, but migrations failed: "
        "RuntimeError: relation already exists (gave up after 2 attempts)"
    )
    assert nodes["providers"].reason == (
        "providers requires default_tenant, which is blocked because migrations failed"
    )
    assert EventKind.BOOT_FAILED in events.kinds()


async def test_permanent_errors_are_not_retried() -> None:
    """PermanentError fails the step on its first attempt."""
    boot, clock, _ = fake_boot()

    @boot.step
    async def config() -> None:
        raise PermanentError("DATABASE_URL has no host")

    with pytest.raises(StartupError, match="DATABASE_URL has no host"):
        async with clock.autojump(), boot.running():
            pass
    assert boot.status().nodes["config"].attempts == 1


async def test_each_attempt_is_bounded_by_the_step_timeout() -> None:
    """A hanging attempt is cancelled at its timeout, retried, and finally fails."""
    boot, clock, _ = fake_boot()
    cancelled: list[float] = []

    @boot.step(
        timeout="1s",
        retry=Retry(attempts=2, timeout=None, interval=0.5, max_interval=1, jitter="none"),
    )
    async def hangs() -> None:
        try:
            await clock.sleep(3600)
        finally:
            cancelled.append(clock.now())

    with pytest.raises(StartupError, match="did not finish within 1s"):
        async with clock.autojump(), boot.running():
            pass
    assert cancelled == [1.0, 2.5]


async def test_overall_startup_timeout() -> None:
    """running(timeout=...) gives up waiting with StartupTimeout, after tearing down."""
    boot, clock, _ = fake_boot()

    @boot.step
    async def forever() -> None:
        await clock.sleep(10**6)

    with pytest.raises(StartupTimeout, match="svc startup did not finish within 30s"):
        async with clock.autojump(), boot.running(timeout="30s"):
            pass
    assert boot.status().nodes["forever"].phase is Phase.STOPPED


async def test_over_budget_is_a_warning_not_a_failure() -> None:
    """A step still running when its budget ends emits one warning and still becomes ready;
    once it is done the fact stays in its warnings and the health is back to pass."""
    boot, clock, events = fake_boot()

    @boot.step(budget="20s")
    async def cache() -> None:
        await clock.sleep(30)

    @boot.step(budget="20s")
    async def fast() -> None:
        await clock.sleep(1)

    async with clock.autojump(), boot.running() as status:
        assert status.ready
        assert status.nodes["cache"].over_budget
        assert not status.nodes["fast"].over_budget
        [warning] = status.nodes["cache"].warnings
        assert (warning.message, warning.at_s) == ("not ready after its budget of 20.00s", 20.0)
        assert status.nodes["cache"].current_warnings(status.at_s) == ()
        assert status.health == "pass"
    over = [e for e in events.events if e.kind is EventKind.OVER_BUDGET]
    assert [(e.node.name if e.node else None, e.at_s) for e in over] == [("cache", 20.0)]


async def test_an_optional_step_over_budget_warns_while_it_runs() -> None:
    """Ready without an optional step that overran its budget: warn while it still runs, pass
    once it is done."""
    boot, clock, _ = fake_boot()
    done = anyio.Event()

    @boot.step(budget="5s", optional=True)
    async def cache() -> None:
        await done.wait()

    @boot.step
    async def core() -> None:
        pass

    async with clock.autojump(), boot.running() as status:
        assert status.health == "pass"
        await clock.sleep(6)
        assert boot.status().health == "warn"
        done.set()
        while not boot.status().nodes["cache"].ok:
            await clock.sleep(0.1)
        assert boot.status().health == "pass"
        assert len(boot.status().nodes["cache"].warnings) == 1


async def test_optional_failure_degrades_instead_of_blocking() -> None:
    """An optional step that fails leaves the service ready, with health "warn"."""
    boot, clock, events = fake_boot()

    @boot.step(optional=True, retry=Retry(attempts=1, timeout=None))
    async def metrics_exporter() -> None:
        raise OSError("port in use")

    @boot.step
    async def api() -> None:
        pass

    async with clock.autojump(), boot.running() as status:
        assert status.ready
        assert status.nodes["metrics_exporter"].phase is Phase.DEGRADED
        assert status.health == "warn"
    assert EventKind.DEGRADED in events.kinds("metrics_exporter")


async def test_critical_failure_turns_liveness_off() -> None:
    """A critical step that failed for good makes the snapshot not live."""
    boot, clock, _ = fake_boot()

    @boot.step(critical=True, retry=Retry(attempts=1, timeout=None))
    async def license_check() -> None:
        raise PermanentError("expired")

    async with clock.autojump(), boot.running(wait=False):
        await clock.sleep(1)
        assert not boot.status().live
        assert boot.status().failed


async def test_hook_errors_do_not_break_startup(caplog: pytest.LogCaptureFixture) -> None:
    """A hook that raises is logged and ignored."""
    boot, clock, _ = fake_boot()

    def broken(event: object) -> None:
        raise ValueError("hook bug")

    boot.add_hook(broken)

    @boot.step
    async def a() -> None:
        pass

    async with clock.autojump(), boot.running() as status:
        assert status.ready
    assert "hook" in caplog.text
    assert "failed" in caplog.text


async def test_secrets_in_errors_are_redacted() -> None:
    """An exception message carrying a DSN password shows *** in status and StartupError."""
    boot, clock, _ = fake_boot()

    @boot.step(retry=Retry(attempts=1, timeout=None))
    async def connect() -> None:
        raise ConnectionError("cannot reach postgres://app:hunter2@db/app")

    with pytest.raises(StartupError) as info:
        async with clock.autojump(), boot.running():
            pass
    assert "hunter2" not in str(info.value)
    assert "postgres://app:***@db/app" in str(boot.status().nodes["connect"].error)

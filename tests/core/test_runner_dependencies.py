"""Dependencies: waiting with backoff, failing fast, deadlines, runtime loss and return."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Sequence

import pytest

from bootgate import (
    EventKind,
    Permanent,
    Phase,
    ProbeResult,
    Ready,
    Retry,
    StartupError,
    Transient,
)

from .helpers import fake_boot
from .scripted import Plain, Scripted

pytestmark = pytest.mark.anyio


def scripted(answers: Sequence[ProbeResult]) -> Callable[[], Awaitable[ProbeResult]]:
    """A probe that gives these answers in turn, then repeats the last one."""
    calls = iter(answers)
    last: list[ProbeResult] = [answers[-1]]

    async def probe() -> ProbeResult:
        last[0] = next(calls, last[0])
        return last[0]

    return probe


async def test_waits_with_backoff_until_the_dependency_answers() -> None:
    """Three refusals, then ready: four attempts, equal-jitter delays, dependents start after."""
    boot, clock, events = fake_boot()
    refused = Transient("connection refused")
    db = boot.dependency("db", scripted([refused, refused, refused, Ready()]), recheck=None)
    started: list[float] = []

    @boot.step(requires=[db])
    async def migrations() -> None:
        started.append(clock.now())

    async with clock.autojump(), boot.running() as status:
        assert status.nodes["db"].attempts == 4
    # equal jitter: 25-50 ms, 50-100 ms, 100-200 ms
    assert 0.175 <= started[0] <= 0.35
    assert events.kinds("db").count(EventKind.RETRY) == 3


async def test_chain_while_waiting_names_attempts_and_next_retry() -> None:
    """While refused, the status says what blocks readiness down to the attempt count."""
    boot, clock, _ = fake_boot()
    db = boot.dependency("db", scripted([Transient("connection refused")]), recheck=None)
    boot.step(name="migrations", requires=[db])(lambda: None)
    async with clock.autojump(), boot.running(wait=False):
        await clock.sleep(1)
        (chain,) = boot.status().blocking()
    assert chain.startswith("migrations ← db: connection refused, attempt ")
    assert ", next in 0." in chain


async def test_permanent_answers_fail_fast() -> None:
    """Bad credentials fail on the first attempt with the probe's reason."""
    boot, clock, _ = fake_boot()
    boot.dependency("db", scripted([Permanent("password authentication failed")]))
    with pytest.raises(StartupError, match="db: failed: password authentication failed"):
        async with clock.autojump(), boot.running():
            pass
    assert boot.status().nodes["db"].attempts == 1
    assert clock.now() == 0


async def test_no_fail_fast_keeps_retrying_permanent_answers() -> None:
    """With fail_fast=False a permanent answer is retried like a transient one."""
    boot, clock, _ = fake_boot()
    missing = Permanent("database does not exist")
    answers: list[ProbeResult] = [missing, missing, Ready()]
    boot.dependency("db", scripted(answers), fail_fast=False, recheck=None)
    async with clock.autojump(), boot.running() as status:
        assert status.nodes["db"].attempts == 3


async def test_gives_up_at_the_deadline() -> None:
    """A dependency that never answers fails once the wait deadline has passed, not later."""
    boot, clock, _ = fake_boot()
    boot.dependency("db", scripted([Transient("connection refused")]), retry=Retry(timeout=10))
    with pytest.raises(StartupError, match=r"connection refused \(gave up after \d+ attempts"):
        async with clock.autojump(), boot.running():
            pass
    assert 10 - 0.25 <= clock.now() < 10


async def test_retry_after_is_honoured() -> None:
    """A Retry-After hint longer than the backoff delay is waited out."""
    boot, clock, _ = fake_boot()
    boot.dependency("api", scripted([Transient("HTTP 503", retry_after=5), Ready()]), recheck=None)
    async with clock.autojump(), boot.running():
        assert clock.now() == 5


async def test_a_hanging_probe_is_bounded_by_the_attempt_timeout() -> None:
    """A probe that never returns counts as a transient failure after attempt_timeout."""
    boot, clock, _ = fake_boot()
    calls: list[float] = []

    async def hangs() -> ProbeResult:
        calls.append(clock.now())
        if len(calls) == 1:
            await clock.sleep(3600)
        return Ready()

    boot.dependency("db", hangs, recheck=None)
    async with clock.autojump(), boot.running():
        pass
    assert calls[1] >= 3.0
    assert calls[1] <= 3.05


async def test_probe_exceptions_are_transient() -> None:
    """A probe that raises is treated as not ready yet, with the exception as the reason."""
    boot, clock, _ = fake_boot()
    calls: list[int] = []

    async def buggy() -> ProbeResult:
        calls.append(1)
        if len(calls) < 2:
            raise OSError("network unreachable")
        return Ready()

    boot.dependency("db", buggy, recheck=None)
    async with clock.autojump(), boot.running() as status:
        assert status.nodes["db"].attempts == 2


async def test_lost_dependency_lowers_readiness_and_its_return_restores_it() -> None:
    """After startup, a failing re-probe makes the service not ready; success makes it ready."""
    boot, clock, events = fake_boot()
    up = [True]

    async def probe() -> ProbeResult:
        return Ready() if up[0] else Transient("connection refused")

    boot.dependency("db", probe, recheck="5s")
    async with clock.autojump(), boot.running():
        assert boot.ready
        up[0] = False
        await clock.sleep(5.5)
        assert not boot.status().ready
        status = boot.status()
        assert status.started
        assert status.nodes["db"].phase is Phase.WAITING
        assert status.blocking()[0].startswith("db: connection refused, attempt ")
        up[0] = True
        await clock.sleep(1)
        assert boot.ready
    kinds = events.kinds("db")
    assert kinds.count(EventKind.LOST) == 1
    assert kinds.count(EventKind.READY) == 2


async def test_probe_reasons_are_redacted_at_the_source() -> None:
    """A reason quoting the target's password never reaches status, events or the error."""
    boot, clock, events = fake_boot()
    answers: list[ProbeResult] = [
        Transient("refused by postgres://app:hunter2@db/app"),
        Permanent("password=hunter2 rejected"),
    ]
    boot.dependency("db", scripted(answers), recheck=None)
    with pytest.raises(StartupError) as info:
        async with clock.autojump(), boot.running():
            pass
    seen = [e.message for e in events.events] + [str(info.value)]
    seen += [str(boot.status().nodes["db"].error), str(boot.status().nodes["db"].reason)]
    assert not [text for text in seen if "hunter2" in text]
    assert any("postgres://app:***@db/app" in text for text in seen)


async def test_a_layered_dependency_polls_the_cheap_layer_and_paces_handshakes() -> None:
    """A Boot waits through the same engine as wait_for: connects often, handshakes paced."""
    boot, clock, events = fake_boot()
    probe = Scripted(5, [Transient("starting")] * 6 + [Ready()], clock)
    boot.dependency("db", probe, recheck=None)
    async with clock.autojump(), boot.running() as status:
        assert status.nodes["db"].attempts == 5 + 7
    times = probe.handshake_times
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(times[2:]))
    assert events.kinds("db").count(EventKind.RETRY) == 5 + 6


async def test_a_give_up_names_the_last_real_reason() -> None:
    """Without fail-fast, a last attempt cut short by the deadline does not hide the reason."""
    boot, clock, _ = fake_boot()
    answers = [Permanent("password authentication failed")] * 3 + [3600.0]
    boot.dependency("db", Plain(answers, clock), retry=Retry(timeout=1), fail_fast=False)
    with pytest.raises(StartupError, match=r"db: failed: password authentication failed \(gave"):
        async with clock.autojump(), boot.running():
            pass


async def test_a_lost_dependency_whose_probe_raises_lowers_readiness() -> None:
    """An exception from a re-probe is a loss with a one-line reason, never a crash."""
    boot, clock, events = fake_boot()
    calls: list[float] = []

    async def probe() -> ProbeResult:
        calls.append(clock.now())
        if len(calls) == 1 or len(calls) > 4:
            return Ready()
        raise OSError("network unreachable\nsecond line")

    boot.dependency("db", probe, recheck="5s")
    async with clock.autojump(), boot.running():
        await clock.sleep(5.01)
        assert not boot.status().ready
        assert boot.status().nodes["db"].error == "OSError: network unreachable"
        await clock.sleep(1)
        assert boot.ready
    lost = [e.message for e in events.events if e.kind is EventKind.LOST]
    assert lost == ["lost: OSError: network unreachable"]
    assert [e.message for e in events.events if e.kind is EventKind.READY][-1] == (
        "back after 4 attempts"
    )


async def test_a_recheck_that_finds_the_dependency_ready_changes_nothing() -> None:
    """Re-probing a healthy dependency publishes no snapshot and emits no event."""
    boot, clock, events = fake_boot()
    calls: list[float] = []

    async def probe() -> ProbeResult:
        calls.append(clock.now())
        return Ready()

    boot.dependency("db", probe, recheck="5s")
    async with clock.autojump(), boot.running():
        seq, seen = boot.status().seq, len(events.events)
        await clock.sleep(16)
        assert (boot.status().seq, len(events.events)) == (seq, seen)
    assert calls == [0, 5, 10, 15]

"""The waiting engine on a fake clock: containment, redaction, the deadline and the last reason."""

from __future__ import annotations

import functools
import random

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bootgate import (
    FakeClock,
    FollowingProbe,
    LayeredProbe,
    Permanent,
    PermanentError,
    Probe,
    Ready,
    Retry,
    StartupTimeout,
    Transient,
    WaitEvent,
    wait_for,
)
from bootgate._pacing import FREE_AFTER_OPENING
from bootgate._waiting import WaitOutcome, wait_until_ready

from .scripted import Answer, Plain, Scripted

pytestmark = pytest.mark.anyio


async def wait(
    probe: Probe, clock: FakeClock, retry: Retry, *, fail_fast: bool = True
) -> tuple[WaitOutcome, list[WaitEvent]]:
    """Run one wait to its end on the fake clock; its outcome and every event."""
    events: list[WaitEvent] = []
    async with clock.autojump():
        outcome = await wait_until_ready(
            probe,
            retry,
            clock=clock,
            rng=random.Random(3),
            fail_fast=fail_fast,
            on_event=events.append,
        )
    return outcome, events


async def test_probe_exceptions_become_one_redacted_line() -> None:
    """A probe that raises is not ready yet; its reason is one line, with the password hidden."""
    clock = FakeClock()
    probe = Plain([OSError("refused by postgres://app:hunter2@db/app\nat line 2"), Ready()], clock)
    outcome, events = await wait(probe, clock, Retry())
    assert outcome.kind == "ready"
    assert events[0].reason == "OSError: refused by postgres://app:***@db/app"


async def test_either_layer_may_raise() -> None:
    """Exceptions from the cheap layer or from the handshake are contained alike."""
    clock = FakeClock()

    class Broken(Scripted):
        async def reachable(self) -> Transient | None:
            if self.connects == 0:
                self.connects += 1
                raise ConnectionResetError("reset")
            return await super().reachable()

    probe = Broken(0, [RuntimeError("driver bug"), Ready()], clock)
    outcome, events = await wait(probe, clock, Retry())
    assert outcome.kind == "ready"
    assert [(e.layer, e.reason) for e in events[:2]] == [
        ("connect", "ConnectionResetError: reset"),
        ("handshake", "RuntimeError: driver bug"),
    ]


async def test_a_permanent_error_raised_by_a_probe_fails_fast() -> None:
    """PermanentError from a probe is a permanent answer, as it is from a step."""
    clock = FakeClock()
    outcome, _ = await wait(Plain([PermanentError("bad DSN")], clock), clock, Retry())
    assert (outcome.kind, outcome.reason, outcome.attempts) == (
        "permanent",
        "PermanentError: bad DSN",
        1,
    )


async def test_reasons_are_redacted_at_the_source() -> None:
    """Reasons a probe gives are redacted before any event or outcome carries them."""
    clock = FakeClock()
    probe = Plain([Transient("password=hunter2 refused"), Permanent("token: abc rejected")], clock)
    outcome, events = await wait(probe, clock, Retry())
    assert [e.reason for e in events] == ["password=*** refused", "token: *** rejected"]
    assert outcome.reason == "token: *** rejected"


async def test_a_retry_after_past_the_deadline_ends_at_once_with_the_real_reason() -> None:
    """A Retry-After that reaches past the deadline stops the wait now, saying why."""
    clock = FakeClock()
    probe = Plain([Transient("HTTP 503", retry_after=120)], clock)
    outcome, events = await wait(probe, clock, Retry(timeout=60))
    assert (outcome.kind, outcome.reason, clock.now()) == ("timeout", "HTTP 503", 0)
    assert outcome.gave_up() == (
        "HTTP 503 (gave up after 1 attempt in 0ms: asked to retry after 2m00s, "
        "past the 1m00s deadline)"
    )
    assert [e.kind for e in events] == ["attempt", "timeout"]
    with pytest.raises(StartupTimeout) as info:
        async with clock.autojump():
            await wait_for([probe], retry=Retry(timeout=60), clock=clock)
    assert str(info.value).endswith(
        "HTTP 503 (gave up after 1 attempt in 0ms: asked to retry "
        "after 2m00s, past the 1m00s deadline)"
    )


async def test_an_attempt_cut_short_by_the_deadline_keeps_the_last_real_reason() -> None:
    """With fail_fast=False, a last attempt with too little time left does not name itself."""
    clock = FakeClock()
    probe = Plain([Permanent("password authentication failed")] * 3 + [3600.0], clock)
    outcome, events = await wait(probe, clock, Retry(timeout=1), fail_fast=False)
    assert outcome.kind == "timeout"
    assert outcome.reason == "password authentication failed"
    assert events[-2].reason.startswith("no answer within ")  # the attempt itself, as it was
    assert clock.now() == 1


async def test_an_attempt_that_used_its_whole_timeout_is_a_real_reason() -> None:
    """A dependency that hangs for a full attempt timeout is reported as not answering."""
    clock = FakeClock()
    outcome, _ = await wait(Plain([3600.0], clock), clock, Retry(timeout=10, attempt_timeout=3))
    assert outcome.reason == "no answer within 3.00s"
    assert outcome.attempts == 4
    assert clock.now() == 10


async def test_a_following_probe_gets_the_rest_of_the_deadline() -> None:
    """A probe that waits for an event itself is not cut off at the attempt timeout."""
    clock = FakeClock()

    class Following(Plain, FollowingProbe):
        pass

    outcome, _ = await wait(Following([30.0], clock), clock, Retry(timeout=60, attempt_timeout=3))
    assert (outcome.kind, outcome.attempts, clock.now()) == ("ready", 1, 30)


async def test_no_handshake_is_begun_whose_turn_comes_after_the_deadline() -> None:
    """When the next handshake's turn lies past the deadline the wait ends with what it heard."""
    clock = FakeClock()
    probe = Scripted(0, [Transient("the database system is starting up")], clock)
    outcome, _ = await wait(probe, clock, Retry(timeout=1, max_interval=0.6))
    assert outcome.reason == "the database system is starting up"
    assert all(t < 1 for t in probe.handshake_times)
    assert len(probe.handshake_times) == 2
    assert clock.now() < 1


async def test_a_layered_probe_satisfies_the_protocol_structurally() -> None:
    """The engine knows a layered probe by its two layers, not by its base class."""
    assert isinstance(Scripted(0, [Ready()], FakeClock()), LayeredProbe)
    assert not isinstance(Plain([Ready()], FakeClock()), LayeredProbe)


async def test_a_hanging_cheap_layer_is_bounded_by_the_attempt_timeout() -> None:
    """A connect that never completes counts as a failed attempt after attempt_timeout."""
    clock = FakeClock()

    class Hanging(Scripted):
        async def reachable(self) -> Transient | None:
            if self.connects == 0:
                self.connects += 1
                await self.clock.sleep(3600)
            return None

    outcome, events = await wait(Hanging(0, [Ready()], clock), clock, Retry(attempt_timeout=2))
    assert outcome.kind == "ready"
    assert (events[0].layer, events[0].reason) == ("connect", "no answer within 2.00s")


async def test_a_handshake_cut_short_after_its_turn_keeps_the_last_reason() -> None:
    """A handshake whose paced turn leaves it too little time does not replace the reason."""
    clock = FakeClock()
    probe = Scripted(0, [Transient("starting up"), HANG], clock)
    outcome, events = await wait(probe, clock, Retry(timeout=0.5, max_interval=0.3))
    assert outcome.reason == "starting up"
    assert events[-2].reason.startswith("no answer within ")
    assert clock.now() == 0.5


async def test_no_time_at_all_means_no_attempt() -> None:
    """A wait whose deadline has already passed ends at once, saying so."""
    clock = FakeClock()
    probe = Plain([Ready()], clock)
    outcome, _ = await wait(probe, clock, Retry(timeout=0))
    assert (outcome.kind, outcome.attempts, probe.times) == ("timeout", 0, [])
    assert outcome.reason == "no attempt finished before the deadline"


# -- properties ------------------------------------------------------------------------------

HANG = 3600.0
ATTEMPT_TIMEOUT = 0.5
DEADLINE = 2.0

answers = st.lists(
    st.one_of(
        st.integers(0, 9).map(lambda i: Transient(f"reason {i}")),
        st.integers(0, 9).map(lambda i: Permanent(f"permanent {i}")),
        st.integers(0, 9).map(lambda i: Transient(f"busy {i}", retry_after=i / 4)),
        st.just(HANG),
        st.integers(0, 9).map(lambda i: OSError(f"error {i}")),
    ),
    min_size=1,
    max_size=30,
)


def expected_last_reason(script: list[Answer], times: list[float]) -> str:
    """The oracle: the reason of the last attempt the deadline did not cut short."""
    reason = None
    for index, began in enumerate(times):
        answer = script[min(index, len(script) - 1)]
        if isinstance(answer, float):
            if began + ATTEMPT_TIMEOUT > DEADLINE and reason is not None:
                continue  # cut short by the deadline: not a reason of the dependency's
            reason = "no answer within 500ms" if began + ATTEMPT_TIMEOUT <= DEADLINE else None
            reason = reason or f"no answer within {(DEADLINE - began) * 1000:.0f}ms"
        elif isinstance(answer, BaseException):
            reason = f"{type(answer).__name__}: {answer}"
        else:
            assert not isinstance(answer, Ready)
            reason = answer.reason
    assert reason is not None
    return reason


@settings(max_examples=80, deadline=None)
@given(script=answers)
def test_any_sequence_of_answers_ends_with_the_last_real_reason(
    script: list[Answer],
) -> None:
    """Whatever the probe says, a wait that runs out names the last thing it really said, and
    never runs past its deadline."""
    clock = FakeClock()
    probe = Plain(list(script), clock)
    policy = Retry(timeout=DEADLINE, attempt_timeout=ATTEMPT_TIMEOUT)
    outcome, events = anyio.run(functools.partial(wait, probe, clock, policy, fail_fast=False))
    assert outcome.kind == "timeout"
    assert clock.now() <= DEADLINE
    assert outcome.attempts == len(probe.times)
    assert outcome.reason == expected_last_reason(script, probe.times)
    assert events[-1].kind == "timeout"


@settings(max_examples=60, deadline=None)
@given(
    refusals=st.integers(0, 6),
    reasons=st.lists(st.sampled_from(["starting", "loading", "busy"]), min_size=1, max_size=40),
    max_interval=st.sampled_from([0.1, 0.25, 0.5]),
)
def test_never_more_than_one_handshake_per_max_interval_after_the_free_ones(
    refusals: int, reasons: list[str], max_interval: float
) -> None:
    """After the handshakes freed by the port opening, handshakes start max_interval apart."""
    clock = FakeClock()
    probe = Scripted(refusals, [Transient(r) for r in reasons], clock)
    policy = Retry(timeout=5, max_interval=max_interval)
    outcome, _ = anyio.run(wait, probe, clock, policy)
    assert outcome.kind == "timeout"
    free = FREE_AFTER_OPENING if refusals else 1
    times = probe.handshake_times
    gaps = [
        later - earlier for earlier, later in zip(times[free - 1 :], times[free:], strict=False)
    ]
    assert all(gap >= max_interval for gap in gaps)
    assert len(times) <= free + 5 / max_interval

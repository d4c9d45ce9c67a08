"""wait_for on a fake clock: all/any, deadlines, fail-fast, cheap-then-deep, rate; and the
probes room's side of the core's probe protocols."""

from __future__ import annotations

import pytest

from bootgate import (
    ConfigError,
    FakeClock,
    FollowingProbe,
    LayeredProbe,
    Permanent,
    PermanentError,
    Ready,
    Retry,
    StartupTimeout,
    Transient,
    WaitEvent,
    wait_for,
)
from bootgate.probes import probe_for
from tests.core.scripted import Scripted

pytestmark = pytest.mark.anyio


async def test_cheap_layer_first_and_handshake_rate_is_bounded() -> None:
    """Refusals are polled on the cheap schedule; handshakes average at most one per cap."""
    clock = FakeClock()
    probe = Scripted(5, [Transient("starting")] * 40 + [Ready()], clock)
    events: list[WaitEvent] = []
    async with clock.autojump():
        waited = await wait_for([probe], clock=clock, on_event=events.append)
    layers = [e.layer for e in events if e.kind == "attempt"]
    assert layers[:5] == ["connect"] * 5
    assert set(layers[5:]) == {"handshake"}
    assert all(e.next_delay is not None and e.next_delay <= 0.1 for e in events[:5])
    times = probe.handshake_times
    span = times[-1] - times[0]
    assert len(times) - 1 <= span / 0.25 + 2
    assert waited[0].attempts == 5 + 41


async def test_deadline_gives_up_with_the_last_reason() -> None:
    """A target that never answers ends in StartupTimeout naming it and the last reason."""
    clock = FakeClock()
    probe = Scripted(1000, [Ready()], clock)
    with pytest.raises(StartupTimeout, match="connection refused") as info:
        async with clock.autojump():
            await wait_for([probe], retry=Retry(timeout=2.0), clock=clock)
    assert info.value.seconds == 2.0
    assert clock.now() <= 2.0
    # No burst of zero-length polls at the deadline (float rounding once made one).
    assert 1000 - probe.refusals < 2.0 / 0.03


async def test_permanent_fails_fast_unless_told_otherwise() -> None:
    """Permanent ends the wait at once; with fail_fast=False it is retried like transient."""
    clock = FakeClock()
    with pytest.raises(PermanentError, match="bad password"):
        async with clock.autojump():
            await wait_for([Scripted(0, [Permanent("bad password")], clock)], clock=clock)
    probe = Scripted(0, [Permanent("bad password"), Ready()], clock)
    async with clock.autojump():
        await wait_for([probe], clock=clock, fail_fast=False)
    assert len(probe.handshake_times) == 2


async def test_any_returns_the_first_ready_and_all_waits_for_every() -> None:
    """With any=True one ready target is enough; by default every target must be ready."""
    clock = FakeClock()
    slow = Scripted(1000, [Ready()], clock)
    fast = Scripted(2, [Ready()], clock)
    policy = Retry(timeout=1.0)
    async with clock.autojump():
        waited = await wait_for([slow, fast], any=True, retry=policy, clock=clock)
    assert [w.attempts for w in waited] == [3]
    with pytest.raises(StartupTimeout):
        async with clock.autojump():
            await wait_for([slow, fast], retry=policy, clock=clock)


async def test_retry_after_is_honoured() -> None:
    """A Retry-After hint lengthens the pause before the next handshake."""
    clock = FakeClock()
    probe = Scripted(0, [Transient("HTTP 503", retry_after=5.0), Ready()], clock)
    async with clock.autojump():
        await wait_for([probe], clock=clock)
    assert probe.handshake_times[1] - probe.handshake_times[0] >= 5.0


async def test_no_targets_is_a_config_error() -> None:
    """An empty target list is refused before anything runs."""
    with pytest.raises(ConfigError, match="no targets"):
        await wait_for([])


def test_network_probes_implement_the_core_protocols() -> None:
    """The layered base implements the core's LayeredProbe; a bootgate URL is a FollowingProbe."""
    assert isinstance(probe_for("tcp://127.0.0.1:1"), LayeredProbe)
    assert isinstance(probe_for("postgres://app@127.0.0.1:1/app"), LayeredProbe)
    assert isinstance(probe_for("http://127.0.0.1:1/readyz"), FollowingProbe)
    assert not isinstance(probe_for("http://127.0.0.1:1/"), FollowingProbe)

"""Progress carries only finite, JSON-safe numbers; an unknown total is a supported case."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate import Progress, StepContext

from .helpers import fake_boot

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([math.inf, -math.inf, math.nan, 0, -0.0, 5e-324, 1e308]),
)


def _float(value: float) -> float:
    try:
        return float(value)
    except OverflowError:  # an int beyond any float: not a usable number
        return math.nan


def _valid(done: float, total: float | None) -> bool:
    """The rule, written plainly: done finite and >= 0; total None, +inf, or finite >= 0."""
    count = _float(done)
    if not (math.isfinite(count) and count >= 0):
        return False
    if total is None or total == math.inf:
        return True
    known = _float(total)
    return math.isfinite(known) and known >= 0


@given(
    numbers,
    st.one_of(st.none(), numbers),
    st.floats(min_value=0, max_value=1e9),
    st.floats(min_value=0, max_value=1e9),
)
def test_progress_is_json_safe_or_refused_for_any_numbers(
    done: float, total: float | None, running_s: float, reported_s: float
) -> None:
    """Any (done, total): a ValueError exactly when they are not progress, otherwise finite
    numbers or None, percent and ETA None when the total is unknown, and strict JSON works."""
    if not _valid(done, total):
        with pytest.raises(ValueError, match=r"progress (done|total) must be"):
            Progress.measure(done, total, "items", running_s, reported_s)
        return
    progress = Progress.measure(done, total, "items", running_s, reported_s)
    for value in (progress.done, progress.total, progress.percent, progress.eta_s):
        assert value is None or math.isfinite(value)
    if progress.total is None:
        assert (progress.percent, progress.eta_s) == (None, None)
        assert progress.text().startswith(f"{progress.done:g}/? ")
    json.dumps(dataclasses.asdict(progress), allow_nan=False)


@pytest.mark.anyio
async def test_an_infinite_total_is_an_unknown_total() -> None:
    """`ctx.progress(1, math.inf)` reads as "1/? items": no percent, no ETA, strict JSON."""
    boot, clock, _ = fake_boot()

    @boot.step
    async def scan(ctx: StepContext) -> None:
        await clock.sleep(2)
        ctx.progress(1, math.inf, "items")

    async with clock.autojump(), boot.running() as status:
        progress = status.nodes["scan"].progress
    assert progress is not None
    assert (progress.total, progress.percent, progress.eta_s) == (None, None, None)
    assert progress.text() == "1/? items"
    json.dumps(dataclasses.asdict(progress), allow_nan=False)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("done", "total", "message"),
    [
        (math.nan, 3, "progress done must be a finite number >= 0, got nan"),
        (-1, 3, "progress done must be a finite number >= 0, got -1"),
        (1, math.nan, "progress total must be a number >= 0, or None or math.inf when unknown"),
        (1, -3, "progress total must be a number >= 0, or None or math.inf when unknown"),
    ],
)
async def test_numbers_that_are_not_progress_are_refused_where_they_are_reported(
    done: float, total: float, message: str
) -> None:
    """NaN or a negative number raises ValueError in the step's own `ctx.progress` call,
    from a sync step's thread as from async code."""
    boot, clock, _ = fake_boot()
    refused: list[str] = []

    def report(ctx: StepContext) -> None:
        try:
            ctx.progress(done, total, "items")
        except ValueError as exc:
            refused.append(str(exc))

    boot.step(name="in_thread")(report)

    @boot.step
    async def on_loop(ctx: StepContext) -> None:
        report(ctx)

    async with clock.autojump(), boot.running() as status:
        assert status.nodes["in_thread"].progress is None
    assert len(refused) == 2
    assert all(message in text for text in refused)


def test_an_eta_beyond_the_horizon_is_no_estimate() -> None:
    """One item in an hour out of 1e300: no ETA rather than a number no clock can show."""
    progress = Progress.measure(1, 1e300, "rows", 3600.0, 3600.0)
    assert progress.eta_s is None
    assert progress.percent == pytest.approx(0.0)

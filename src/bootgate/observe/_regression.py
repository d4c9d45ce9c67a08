"""Is this node slower than usual? A pure comparison with its median over recent startups."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Regression:
    """A node that took `ratio` times its median over the last `startups` startups."""

    node: str
    took_s: float
    median_s: float
    ratio: float
    startups: int

    def text(self) -> str:
        """ "migrations took 9.1 s, 3.4x its median of 2.7 s over the last 10 startups"."""
        times = f"{self.ratio:.1f}x its" if self.median_s > 0 else "against a"
        return (
            f"{self.node} took {_seconds(self.took_s)}, {times} median of "
            f"{_seconds(self.median_s)} over the last {self.startups} startups"
        )


def regression(
    node: str,
    took_s: float,
    past: Sequence[float],
    *,
    factor: float = 3.0,
    min_startups: int = 3,
    floor_s: float = 1.0,
) -> Regression | None:
    """A Regression if `took_s` is at least `factor` times the median of `past` durations.

    Nothing is said with fewer than `min_startups` past durations (no "usual" yet) or when the
    node took less than `floor_s` (3x of a few milliseconds is noise, not news).
    """
    if len(past) < min_startups or took_s < floor_s:
        return None
    median = statistics.median(past)
    if took_s < factor * median:
        return None
    ratio = took_s / median if median > 0 else float("inf")
    return Regression(node, took_s, median, ratio, len(past))


def _seconds(value: float) -> str:
    if value < 1.0:
        return f"{value * 1000:.0f} ms"
    return f"{value:.1f} s"

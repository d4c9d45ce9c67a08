"""A step's progress: "16/25 Migration0016", its percent, and an ETA that keeps counting.

An ETA is an estimate made when the step reported (`reported_s`); read later, it counts down
(`eta_at`), and once that moment has passed without the step finishing, the step is overdue
by the difference (`overdue_at`). Nothing here reads a clock: every reading takes the instant
it is made for, so a snapshot read later says what is true then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import SupportsFloat

#: An estimate further away than this (about 31 years) is no estimate: the ETA is None.
ETA_HORIZON_S = 1e9


@dataclass(frozen=True, slots=True)
class Progress:
    """A step's own account of its work: "16/25 Migration0016", with percent and ETA.

    Every number is finite (JSON-safe) or None. `done` is a finite number >= 0; `total` is a
    finite number >= 0, or None when it is unknown (`math.inf` is taken as unknown too);
    anything else (NaN, a negative number, an infinite `done`) is a ValueError. `percent` and
    `eta_s` are None when the total is unknown, and so is a derived number that overflowed or an
    ETA beyond `ETA_HORIZON_S`.
    """

    done: float
    total: float | None
    message: str = ""
    percent: float | None = None
    eta_s: float | None = None
    """Seconds left, as estimated when the progress was reported (at `reported_s`)."""
    reported_s: float | None = None
    """When this progress was reported, in seconds since the boot began."""
    running_s: float | None = None
    """How long the attempt had been running when it reported: with `done`, the rate so far."""

    def __post_init__(self) -> None:
        done = _finite(self.done)
        if done is None or done < 0:
            raise ValueError(f"progress done must be a finite number >= 0, got {self.done!r:.40}")
        total = self.total
        if total is not None and _infinite(total):
            total = None
        elif total is not None:
            total = _finite(total)
            if total is None or total < 0:
                raise ValueError(
                    "progress total must be a number >= 0, or None or math.inf when unknown,"
                    f" got {self.total!r:.40}"
                )
        object.__setattr__(self, "done", done)
        object.__setattr__(self, "total", total)
        for name in ("percent", "eta_s", "reported_s", "running_s"):
            object.__setattr__(self, name, _finite(getattr(self, name)))
        if total is None:
            object.__setattr__(self, "percent", None)
        eta = self.eta_s
        if total is None or (eta is not None and not 0 <= eta <= ETA_HORIZON_S):
            object.__setattr__(self, "eta_s", None)

    @classmethod
    def measure(
        cls, done: float, total: float | None, message: str, running_s: float, reported_s: float
    ) -> Progress:
        """Progress reported `running_s` seconds into an attempt: percent, and an ETA from the
        rate so far. Raises ValueError for numbers that are not progress (see the class)."""
        percent = eta = None
        known, count = _finite(total), _finite(done)
        if known is not None and known > 0 and count is not None:
            percent = max(0.0, min(100.0, 100.0 * count / known))
            if 0 < count <= known:
                eta = running_s / count * (known - count)
        return cls(done, total, message, percent, eta, reported_s, running_s)

    def eta_at(self, at_s: float) -> float | None:
        """Seconds left as of `at_s` (seconds since the boot began): the ETA keeps counting
        down between reports instead of freezing while a step is stuck; 0 once it has passed."""
        if self.eta_s is None:
            return None
        if self.reported_s is None:
            return self.eta_s
        return max(self.eta_s - (at_s - self.reported_s), 0.0)

    def overdue_at(self, at_s: float) -> float | None:
        """Seconds since the ETA passed, as of `at_s`, or None while it has not (or there is
        no ETA): a step that said "ETA 805ms" 8 s ago is overdue by about 7.2 s."""
        if self.eta_s is None or self.reported_s is None:
            return None
        late = (at_s - self.reported_s) - self.eta_s
        return late if late > 0 else None

    def unit_s(self) -> float | None:
        """Seconds one unit of work took on average so far (None when unknown): the honest
        pace to expect once the ETA has passed."""
        if self.running_s is None or not self.done:
            return None
        return self.running_s / self.done

    def text(self) -> str:
        """ "16/25 Migration0016", or "16/? Migration0016" when the total is unknown."""
        total = "?" if self.total is None else f"{self.total:g}"
        return f"{self.done:g}/{total} {self.message}".strip()


def _finite(value: object) -> float | None:
    """`value` as a finite, JSON-safe number (an int stays an int), or None."""
    if isinstance(value, bool) or not isinstance(value, SupportsFloat):
        return None
    try:
        as_float = float(value)
    except (OverflowError, ValueError):  # an int too large for a float
        return None
    if not math.isfinite(as_float):
        return None
    return value if type(value) is int else as_float


def _infinite(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, SupportsFloat) and value == math.inf

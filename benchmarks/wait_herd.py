"""A herd of 1,000 waiters against a server that accepts 200 connections per second once up.

A discrete-event simulation (no sockets, no sleeping) driven by bootgate's own backoff code:
each waiter polls on the schedule `bootgate wait` uses for a refused connect (WAIT_RETRY capped
at the cheap-layer cap, equal jitter). The waiters start within the first second (and, in a
second run, all at the same instant); the server
comes up at t = 2 s and from then on accepts at most 200 connections per second (a token bucket
holding at most 20: a short accept backlog); a connect beyond that is refused and retried.
Every waiter is served after at least 1000 / 200 = 5 s: the capacity floor. Side by side, the
same herd with schedules that have no jitter: a fixed 250 ms interval (wait-on's default) and
bootgate's exponential backoff with jitter switched off.

    .venv/bin/python benchmarks/wait_herd.py [--waiters 1000] [--seeds 5]
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from bootgate import WAIT_RETRY, Retry
from bootgate._pacing import CHEAP_CAP

RATE = 200.0
DEPTH = 20.0
UP_AT = 2.0
HORIZON = 120.0  # bound on simulated time

Schedule = Callable[[int, float, random.Random], float]


def policy_schedule(policy: Retry) -> Schedule:
    """A waiter's delay after failed attempt n, from a bootgate retry policy."""

    def delay(attempt: int, elapsed: float, rng: random.Random) -> float:
        return policy.delay(attempt, rng)

    return delay


def simulate(waiters: int, schedule: Schedule, seed: int, spread: float) -> float:
    """Seconds from the server coming up until the last waiter is served."""
    rng = random.Random(seed)
    events = [(rng.uniform(0.0, spread), i, 1) for i in range(waiters)]
    heapq.heapify(events)
    tokens, stamp, last = 0.0, UP_AT, UP_AT
    served = 0
    while events and served < waiters:
        now, waiter, attempt = heapq.heappop(events)
        if now > HORIZON:
            return float("inf")
        if now >= UP_AT:
            tokens = min(DEPTH, tokens + (now - max(stamp, UP_AT)) * RATE)
            stamp = now
            if tokens >= 1:
                tokens -= 1
                served += 1
                last = now
                continue
        heapq.heappush(events, (now + schedule(attempt, now, rng), waiter, attempt + 1))
    return last - UP_AT


def main() -> None:
    """Run each schedule over a few seeds; print the time to serve all against the floor."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--waiters", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    floor = args.waiters / RATE
    cheap = WAIT_RETRY.replace(max_interval=min(WAIT_RETRY.max_interval, CHEAP_CAP))
    schedules: dict[str, Schedule] = {
        "bootgate (equal jitter)": policy_schedule(cheap),
        "fixed 250 ms (wait-on)": lambda attempt, elapsed, rng: 0.25,
        "bootgate, no jitter": policy_schedule(replace(cheap, jitter="none")),
    }
    print(
        f"{args.waiters} waiters, server accepts {RATE:.0f}/s from t={UP_AT:g}s; floor {floor:g}s"
    )
    for spread, title in ((1.0, "waiters start within 1 s"), (0.0, "waiters start together")):
        print(f" {title}:")
        for name, schedule in schedules.items():
            times = [simulate(args.waiters, schedule, s, spread) for s in range(args.seeds)]
            worst = max(times)
            print(
                f"  {name:26s} all served after {statistics.median(times):7.2f} s median,"
                f" {worst:7.2f} s worst = {worst / floor:5.2f}x the floor"
            )


if __name__ == "__main__":
    main()

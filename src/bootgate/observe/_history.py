"""`History`: a hook that keeps each startup's node timings and warns when a node is slow.

    bootgate.observe.History(".bootgate/history.sqlite", boot=boot)

When a node becomes ready, its time is compared with its median over its last `window`
startups (read once per startup); at least `factor` times the median is a warning with the
figures: given the boot, through `boot.warn` (a `warning` event the boot logs, and an entry in
the node's status that makes the health `warn` for a while), else a log line. When startup
completes (or fails, or is shut down first), the startup is appended to the file in one
transaction. Both are a few small SQLite statements per startup,
never one per event; a file that cannot be written is logged and otherwise ignored, since
history must never stand in the way of a startup.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bootgate import Boot, ConfigError, Event, EventKind, NodeStatus, parse_duration

from ._regression import Regression, regression
from ._store import HistoryError, HistoryFile
from ._timing import Startup, timing_of

_SETTLED = {EventKind.BOOT_READY: "ready", EventKind.BOOT_FAILED: "failed"}


@dataclass
class _Run:
    """What the hook knows about one service's current startup."""

    began_wall: float
    nodes: dict[str, NodeStatus] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    past: dict[str, list[float]] | None = None
    startup_id: int | None = None
    written: bool = False


class History:
    """Appends every startup's node timings to the SQLite file at `path` and logs a warning
    when a node takes at least `factor` times its median over its last `window` startups.

    No warning before `min_startups` earlier startups of the node, nor for a node that took
    less than `floor` (a duration: 3x of a few milliseconds is noise). The file keeps the last
    `keep` startups of each service. Warnings are kept in `warnings`, and go to the boot the
    hook is attached to (`boot=`, or `attach(boot)`: the node's status shows them for
    `warn_for`, 5 minutes by default) or else to `log` (default: the "bootgate" logger).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        window: int = 10,
        factor: float = 3.0,
        min_startups: int = 3,
        floor: float | str = 1.0,
        keep: int = 1000,
        log: logging.Logger | None = None,
        boot: Boot | None = None,
        warn_for: float | str = 300.0,
    ) -> None:
        if window < 1 or min_startups < 1 or keep < 1:
            raise ConfigError("History: window, min_startups and keep must be at least 1")
        if min_startups > window:
            raise ConfigError(
                f"History: min_startups ({min_startups}) cannot exceed window ({window})"
            )
        if not factor > 1.0:
            raise ConfigError(f"History: factor must be more than 1, got {factor!r}")
        self.file = HistoryFile(path, keep_open=True)
        self.window = window
        self.factor = factor
        self.min_startups = min_startups
        self.floor_s = parse_duration(floor, what="History floor")
        self.keep = keep
        self._log = log or logging.getLogger("bootgate")
        self._runs: dict[str, _Run] = {}
        self._warnings: list[Regression] = []
        self._boots: dict[str, Boot] = {}
        self.warn_for_s = parse_duration(warn_for, what="History warn_for")
        if boot is not None:
            self.attach(boot)

    def attach(self, boot: Boot) -> None:
        """Follow `boot`'s startups (this adds the hook to it), and put each warning into its
        status with `boot.warn`. A History may follow several boots, one per service name."""
        if self._boots.get(boot.name) is not boot:
            self._boots[boot.name] = boot
            boot.add_hook(self)

    @property
    def warnings(self) -> tuple[Regression, ...]:
        """Every regression this hook has found, oldest first."""
        return tuple(self._warnings)

    def __call__(self, event: Event) -> None:
        """Follow one event of a startup."""
        run = self._runs.get(event.service)
        if run is None:
            run = self._runs[event.service] = _Run(began_wall=time.time() - event.at_s)
        node = event.node
        if node is not None:
            run.nodes[node.name] = node
        kind = event.kind
        if kind is EventKind.READY and node is not None and node.name not in run.warnings:
            self._became_ready(event.service, run, node)
        elif kind in _SETTLED and not run.written:
            self._write(event.service, run, _SETTLED[kind])
        elif kind is EventKind.STOPPED:
            if not run.written:
                self._write(event.service, run, "stopped")
            del self._runs[event.service]
            if not self._runs:
                self.file.close()

    def _became_ready(self, service: str, run: _Run, node: NodeStatus) -> None:
        # A lost dependency that comes back is ready again: only its first time counts.
        run.warnings[node.name] = ""
        if node.duration_s is not None:
            if run.past is None:
                run.past = self._read_past(service)
            found = regression(
                node.name,
                node.duration_s,
                run.past.get(node.name, []),
                factor=self.factor,
                min_startups=self.min_startups,
                floor_s=self.floor_s,
            )
            if found is not None:
                run.warnings[node.name] = found.text()
                self._warnings.append(found)
                self._warn(service, node.name, found)
        if run.startup_id is not None:  # a straggler: the startup was written without it
            timing = timing_of(node, run.warnings[node.name] or None)
            self._guard(lambda: self.file.update_node(run.startup_id or 0, timing))

    def _warn(self, service: str, node: str, found: Regression) -> None:
        boot = self._boots.get(service)
        if boot is not None:
            try:
                boot.warn(node, found.text(), lasts=self.warn_for_s)
                return
            except ConfigError:  # that boot is not the one running: say it in the log instead
                pass
        self._log.warning(
            "%s/%s: %s", service, node, found.text(), extra={"bootgate_regression": found}
        )

    def _read_past(self, service: str) -> dict[str, list[float]]:
        past: dict[str, list[float]] = {}

        def read() -> None:
            past.update(self.file.recent_durations(service, self.window))

        self._guard(read)
        return past

    def _write(self, service: str, run: _Run, outcome: str) -> None:
        run.written = True
        nodes = sorted(
            run.nodes.values(),
            key=lambda n: (n.started_s is None, n.started_s or 0.0),
        )
        ready = [n.ready_s for n in nodes if n.ready_s is not None and not n.optional]
        startup = Startup(
            service=service,
            began_wall=run.began_wall,
            nodes=tuple(timing_of(n, run.warnings.get(n.name) or None) for n in nodes),
            outcome=outcome,
            ended_s=max(ready, default=0.0) if outcome == "ready" else None,
        )

        def append() -> None:
            run.startup_id = self.file.append(startup, keep=self.keep)

        self._guard(append)

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except (sqlite3.Error, OSError, HistoryError) as exc:
            self._log.warning("history: cannot use %s: %s", self.file.path, exc)

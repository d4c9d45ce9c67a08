"""Prometheus metrics for a Boot (extra `prometheus`): durations, attempts, phases, readiness.

    from bootgate.integrations.prometheus import PrometheusMetrics
    PrometheusMetrics(boot)                  # registers on prometheus_client's default registry

| metric | type | labels | meaning |
|---|---|---|---|
| bootgate_ready | gauge | service | 1 while ready |
| bootgate_started | gauge | service | 1 once startup completed |
| bootgate_startup_seconds | gauge | service | time from boot to ready |
| bootgate_node_phase | gauge | service, node, phase | 1 for the node's current phase |
| bootgate_node_duration_seconds | gauge | service, node | time the node took to become ready |
| bootgate_node_attempts_total | counter | service, node | attempts (steps run, probes sent) |
| bootgate_node_over_budget_total | counter | service, node | times the node overran its budget |
| bootgate_node_time_left_seconds | gauge | service, node | time before it gives up |
| bootgate_node_overdue_seconds | gauge | service, node | time a step is past its ETA |
| bootgate_node_warnings | gauge | service, node | its warnings that are current |

The last three are read when scraped, from the latest snapshot at the boot's present, so they
move between events as `/status` does: time left only for nodes with a deadline, overdue only
for running steps with an ETA (0 while on time).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bootgate import Boot, Event, EventKind, MissingExtraError, Phase, Status

try:
    from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge
    from prometheus_client.core import GaugeMetricFamily, Metric
    from prometheus_client.registry import Collector
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError(
        "prometheus", "prometheus", "prometheus_client", feature="Prometheus metrics"
    ) from exc


class PrometheusMetrics:
    """Keeps the metrics of one Boot up to date; it adds itself to the boot as a hook."""

    def __init__(
        self, boot: Boot, *, registry: CollectorRegistry = REGISTRY, namespace: str = "bootgate"
    ) -> None:
        self._boot = boot
        node = ["service", "node"]
        kw: dict[str, Any] = {"namespace": namespace, "registry": registry}
        self.ready = Gauge("ready", "1 while the service is ready", ["service"], **kw)
        self.started = Gauge("started", "1 once startup completed", ["service"], **kw)
        self.startup_seconds = Gauge(
            "startup_seconds", "Seconds from boot to ready", ["service"], **kw
        )
        self.phase = Gauge("node_phase", "1 for the node's current phase", [*node, "phase"], **kw)
        self.duration = Gauge(
            "node_duration_seconds", "Seconds the node took to become ready", node, **kw
        )
        self.attempts = Counter("node_attempts", "Attempts made by the node", node, **kw)
        self.over_budget = Counter(
            "node_over_budget", "Times the node ran past its time budget", node, **kw
        )
        self.ready.labels(boot.name).set(0)
        self.started.labels(boot.name).set(0)
        self._latest: Status | None = None
        registry.register(_Moving(self, namespace))
        boot.add_hook(self)

    def snapshot(self) -> Status | None:
        """The latest snapshot seen, read at the boot's present (None before the first event)."""
        latest = self._latest
        return None if latest is None else latest.as_of(self._boot.clock.now())

    def __call__(self, event: Event) -> None:
        """Update the metrics touched by one event."""
        service = event.service
        node = event.node
        if node is not None:
            for phase in Phase:
                value = 1.0 if phase is node.phase else 0.0
                self.phase.labels(service, node.name, phase.value).set(value)
            if event.kind is EventKind.ATTEMPT:
                self.attempts.labels(service, node.name).inc()
            elif event.kind is EventKind.OVER_BUDGET:
                self.over_budget.labels(service, node.name).inc()
            elif event.kind is EventKind.READY and node.duration_s is not None:
                self.duration.labels(service, node.name).set(node.duration_s)
        if event.kind is EventKind.BOOT_READY:
            self.startup_seconds.labels(service).set(event.at_s)
            self.started.labels(service).set(1)
        self.ready.labels(service).set(1 if self._boot.ready else 0)
        # Taken here, on the event loop: a scrape (often another thread) only reads it.
        self._latest = self._boot.status()


class _Moving(Collector):
    """The gauges that change with time alone, computed when scraped."""

    def __init__(self, metrics: PrometheusMetrics, namespace: str) -> None:
        self._metrics = metrics
        self._names = (
            f"{namespace}_node_time_left_seconds",
            f"{namespace}_node_overdue_seconds",
            f"{namespace}_node_warnings",
        )

    def describe(self) -> Iterator[Metric]:
        """The families, without reading a snapshot (registration asks for them)."""
        yield from self._families()

    def collect(self) -> Iterator[Metric]:
        """The families with one sample per node that has the value."""
        families = self._families()
        status = self._metrics.snapshot()
        if status is not None:
            left, overdue, warnings = families
            for node in status.nodes.values():
                labels = [status.service, node.name]
                if node.deadline_s is not None:
                    left.add_metric(labels, max(node.deadline_s - status.at_s, 0.0))
                progress = node.progress
                if (
                    node.phase is Phase.STARTING
                    and progress is not None
                    and progress.eta_s is not None
                ):
                    overdue.add_metric(labels, progress.overdue_at(status.at_s) or 0.0)
                warnings.add_metric(labels, len(node.current_warnings(status.at_s)))
        yield from families

    def _families(self) -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        labels = ["service", "node"]
        left, overdue, warnings = self._names
        return (
            GaugeMetricFamily(
                left, "Seconds before the node gives up waiting or retrying", labels=labels
            ),
            GaugeMetricFamily(
                overdue, "Seconds a running step is past its progress ETA", labels=labels
            ),
            GaugeMetricFamily(warnings, "Warnings about the node that are current", labels=labels),
        )

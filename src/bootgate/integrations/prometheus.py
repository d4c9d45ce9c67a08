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
"""

from __future__ import annotations

from typing import Any

from bootgate import Boot, Event, EventKind, MissingExtraError, Phase

try:
    from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("prometheus", "prometheus", "prometheus_client") from exc


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
        boot.add_hook(self)

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

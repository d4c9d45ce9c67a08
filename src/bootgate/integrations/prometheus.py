"""Prometheus metrics as a Boot hook (extra `prometheus`): readiness, phases, attempts, timings.

    boot.add_hook(PrometheusHook())      # metrics land in prometheus_client's default registry

Metrics (labels: `service`, and `node` where it applies):

- `bootgate_ready` (gauge): 1 while the service is ready.
- `bootgate_startup_seconds` (gauge): how long the last startup took until ready.
- `bootgate_node_ready` (gauge): 1 while the node is ready (or degraded).
- `bootgate_node_phase` (gauge, label `phase`): 1 for the node's current phase, 0 for the others.
- `bootgate_node_duration_seconds` (gauge): how long the node took to become ready (e.g. a
  cache sync), the last time it did.
- `bootgate_attempts_total`, `bootgate_retries_total`, `bootgate_lost_total`,
  `bootgate_over_budget_total` (counters).
"""

from __future__ import annotations

from typing import Any

from bootgate import Event, EventKind, NodeStatus, Phase

try:
    import prometheus_client
except ImportError as exc:  # pragma: no cover - the extra is installed wherever tests run
    raise ImportError(
        "bootgate.integrations.prometheus needs prometheus_client: "
        "pip install 'bootgate[prometheus]'"
    ) from exc

__all__ = ["PrometheusHook"]

_PHASES = tuple(phase.value for phase in Phase)


class PrometheusHook:
    """A hook that keeps Prometheus metrics of every Boot it is added to.

    `registry` defaults to prometheus_client's default one; `namespace` prefixes every name.
    One hook may serve several boots: the `service` label tells them apart.
    """

    def __init__(self, registry: Any = None, namespace: str = "bootgate") -> None:
        reg = prometheus_client.REGISTRY if registry is None else registry
        service = ["service"]
        node = ["service", "node"]

        def gauge(name: str, doc: str, labels: list[str]) -> Any:
            return prometheus_client.Gauge(name, doc, labels, namespace=namespace, registry=reg)

        def counter(name: str, doc: str) -> Any:
            return prometheus_client.Counter(name, doc, node, namespace=namespace, registry=reg)

        self.ready = gauge("ready", "1 while the service is ready.", service)
        self.startup_seconds = gauge(
            "startup_seconds", "Seconds the last startup took until ready.", service
        )
        self.node_ready = gauge("node_ready", "1 while the node is ready or degraded.", node)
        self.node_phase = gauge("node_phase", "1 for the node's current phase.", [*node, "phase"])
        self.node_duration = gauge(
            "node_duration_seconds", "Seconds the node took to become ready, last time.", node
        )
        self.attempts = counter("attempts", "Attempts made (steps run, dependencies probed).")
        self.retries = counter("retries", "Attempts that failed and were retried.")
        self.lost = counter("lost", "Times a ready dependency stopped answering.")
        self.over_budget = counter("over_budget", "Times a node ran past its time budget.")
        # Readiness from events alone: up after BOOT_READY, down while a required node is lost.
        self._up: set[str] = set()
        self._lost: dict[str, set[str]] = {}

    def __call__(self, event: Event) -> None:
        """Update the metrics for one event."""
        service = event.service
        kind = event.kind
        lost = self._lost.setdefault(service, set())
        if kind is EventKind.BOOT_READY:
            self._up.add(service)
            lost.clear()
            self.startup_seconds.labels(service).set(event.at_s)
        elif kind is EventKind.STOPPING:
            self._up.discard(service)
        node = event.node
        if node is not None:
            self._node(event, node)
            if kind is EventKind.LOST and not node.optional:
                lost.add(node.name)
            elif kind is EventKind.READY:
                lost.discard(node.name)
        self.ready.labels(service).set(1 if service in self._up and not lost else 0)

    def _node(self, event: Event, node: NodeStatus) -> None:
        kind = event.kind
        labels = (event.service, node.name)
        if kind is EventKind.ATTEMPT:
            self.attempts.labels(*labels).inc()
        elif kind is EventKind.RETRY:
            self.retries.labels(*labels).inc()
        elif kind is EventKind.LOST:
            self.lost.labels(*labels).inc()
        elif kind is EventKind.OVER_BUDGET:
            self.over_budget.labels(*labels).inc()
        elif kind is EventKind.READY and node.duration_s is not None:
            self.node_duration.labels(*labels).set(node.duration_s)
        self.node_ready.labels(*labels).set(1 if node.ok else 0)
        for phase in _PHASES:
            self.node_phase.labels(*labels, phase).set(1 if phase == node.phase.value else 0)

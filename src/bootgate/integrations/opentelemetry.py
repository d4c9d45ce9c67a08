"""OpenTelemetry traces of startup (extra `opentelemetry`): a span per node under one startup span.

    from bootgate.integrations.opentelemetry import OpenTelemetryHook
    boot.add_hook(OpenTelemetryHook())       # the global tracer provider, or pass your own

- `startup <service>`: from the moment the boot began until it is ready (or cannot be, or is
  shut down first); its status is an error with the failures when startup failed.
- `<kind> <node>` (`step migrations`, `dependency db`), a child of the startup span: from the
  node's first attempt until it is ready, failed, blocked or stopped. Attempts, retries (with
  the error and the pause), progress and a budget overrun are span events; a failure's reason
  is the span's error status. A node blocked by a failed requirement is a span of no length
  with that reason.
- `lost <node>`: a dependency lost while the service runs, until it answers again; a trace of
  its own, linked to the startup span.

Times come from the boot's own clock (seconds since it began), so the spans of a test run on
a fake clock have its durations. Anything that reports through the boot's events (lock waits,
processes of a stack) appears the same way. OpenTelemetry is imported when the hook is made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bootgate import Event, EventKind, MissingExtraError, NodeStatus

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.trace import Span, SpanContext, Status, TracerProvider

_EXTRA = "opentelemetry"


@dataclass
class _Run:
    """The spans of one service's current run."""

    anchor_ns: int
    """Wall time, in ns, at which the boot began: the origin of every `at_s`."""
    startup: Span
    parent: Context
    nodes: dict[str, Span] = field(default_factory=dict)
    """Open node spans."""
    done: set[str] = field(default_factory=set)
    """Nodes whose span has ended."""
    lost: dict[str, Span] = field(default_factory=dict)
    startup_open: bool = True


class OpenTelemetryHook:
    """A hook that traces startup: one span for it, one child span per node.

    `tracer_provider` defaults to the global one (`opentelemetry.trace.get_tracer_provider()`).
    Raises MissingExtraError when the `opentelemetry` extra is not installed.
    """

    def __init__(self, tracer_provider: TracerProvider | None = None) -> None:
        try:
            from opentelemetry import trace
            from opentelemetry.trace import Link, Status, StatusCode
        except ImportError as exc:
            error = MissingExtraError(_EXTRA, _EXTRA, _EXTRA)
            # The error's own wording is about URL targets; this extra serves a hook.
            error.msg = (
                f"OpenTelemetryHook needs the {_EXTRA!r} module: pip install 'bootgate[{_EXTRA}]'"
            )
            error.args = (error.msg,)
            raise error from exc
        self._trace = trace
        self._link = Link
        self._status = Status
        self._error_code = StatusCode.ERROR
        self._tracer = trace.get_tracer("bootgate", _version(), tracer_provider=tracer_provider)
        self._runs: dict[str, _Run] = {}

    def __call__(self, event: Event) -> None:
        """Turn one event into span starts, span events and span ends."""
        run = self._runs.get(event.service) or self._begin(event)
        node = event.node
        kind = event.kind
        if node is None:
            self._boot_event(run, event)
        elif kind is EventKind.LOST:
            self._lost(run, event, node)
        elif node.name in run.lost and kind is EventKind.READY:
            span = run.lost.pop(node.name)
            span.set_attribute("bootgate.attempts", node.attempts)
            span.end(end_time=self._ns(run, event.at_s))
        elif kind is EventKind.BLOCKED:
            self._blocked(run, event, node)
        elif node.name not in run.done:
            self._node_event(run, event, node)

    # -- the startup ----------------------------------------------------------------------------

    def _begin(self, event: Event) -> _Run:
        anchor = time.time_ns() - round(event.at_s * 1e9)
        span = self._tracer.start_span(
            f"startup {event.service}",
            attributes={"bootgate.service": event.service},
            start_time=anchor,
        )
        run = _Run(anchor, span, self._trace.set_span_in_context(span))
        self._runs[event.service] = run
        return run

    def _boot_event(self, run: _Run, event: Event) -> None:
        at = self._ns(run, event.at_s)
        kind = event.kind
        if kind is EventKind.STOPPED:
            self._stopped(run, event)
            return
        if not run.startup_open:
            return
        if kind is EventKind.BOOT_READY:
            run.startup.set_attribute("bootgate.outcome", "ready")
            self._end_startup(run, at)
        elif kind is EventKind.BOOT_FAILED:
            run.startup.set_attribute("bootgate.outcome", "failed")
            run.startup.set_status(self._error(event.message))
            self._end_startup(run, at)
        elif kind is EventKind.STOPPING:
            run.startup.add_event("stopping", timestamp=at)

    def _stopped(self, run: _Run, event: Event) -> None:
        # Shutdown ends whatever is still open: nodes cut short, the startup if it never
        # settled, outages. Being stopped is not a failure, so no error status.
        at = self._ns(run, event.at_s)
        for span in [*run.nodes.values(), *run.lost.values()]:
            span.set_attribute("bootgate.phase", "stopped")
            span.add_event("stopped", {"bootgate.reason": "shut down"}, timestamp=at)
            span.end(end_time=at)
        if run.startup_open:
            run.startup.set_attribute("bootgate.outcome", "stopped")
            self._end_startup(run, at)
        del self._runs[event.service]

    @staticmethod
    def _end_startup(run: _Run, at: int) -> None:
        run.startup_open = False
        run.startup.end(end_time=at)

    # -- nodes ----------------------------------------------------------------------------------

    def _node_event(self, run: _Run, event: Event, node: NodeStatus) -> None:
        span = run.nodes.get(node.name) or self._open(run, event, node)
        at = self._ns(run, event.at_s)
        kind = event.kind
        if kind is EventKind.ATTEMPT:
            span.add_event("attempt", {"bootgate.attempt": node.attempts}, timestamp=at)
        elif kind is EventKind.RETRY:
            attributes: dict[str, Any] = {"bootgate.attempt": node.attempts}
            if node.error:
                attributes["bootgate.error"] = node.error
            if node.next_retry_s is not None:
                attributes["bootgate.next_retry_in_s"] = round(node.next_retry_s - event.at_s, 6)
            span.add_event("retry", attributes, timestamp=at)
        elif kind is EventKind.PROGRESS and node.progress is not None:
            progress = node.progress
            attributes = {"bootgate.done": progress.done, "bootgate.message": progress.message}
            if progress.total is not None:
                attributes["bootgate.total"] = progress.total
            if progress.percent is not None:
                attributes["bootgate.percent"] = progress.percent
            span.add_event("progress", attributes, timestamp=at)
        elif kind is EventKind.OVER_BUDGET:
            span.add_event("over_budget", {"bootgate.budget_s": node.budget_s or 0.0}, timestamp=at)
        elif kind is EventKind.READY:
            self._close(run, span, node, at)
        elif kind in (EventKind.FAILED, EventKind.DEGRADED):
            span.set_status(self._error(node.reason or event.message))
            self._close(run, span, node, at)
        else:  # waiting for a lock or a thread, overdue, a warning, ...: an event with its words
            span.add_event(kind.value, {"bootgate.message": event.message}, timestamp=at)

    def _open(self, run: _Run, event: Event, node: NodeStatus) -> Span:
        start = node.started_s if node.started_s is not None else event.at_s
        attributes: dict[str, Any] = {
            "bootgate.service": event.service,
            "bootgate.node": node.name,
            "bootgate.kind": node.kind,
            "bootgate.requires": list(node.requires),
            "bootgate.optional": node.optional,
            "bootgate.critical": node.critical,
        }
        if node.target:
            attributes["bootgate.target"] = node.target
        if node.budget_s is not None:
            attributes["bootgate.budget_s"] = node.budget_s
        span = self._tracer.start_span(
            f"{node.kind} {node.name}",
            context=run.parent,
            attributes=attributes,
            start_time=self._ns(run, start),
        )
        run.nodes[node.name] = span
        return span

    @staticmethod
    def _close(run: _Run, span: Span, node: NodeStatus, at: int) -> None:
        span.set_attribute("bootgate.phase", node.phase.value)
        span.set_attribute("bootgate.attempts", node.attempts)
        if node.duration_s is not None:
            span.set_attribute("bootgate.duration_s", node.duration_s)
        span.end(end_time=at)
        run.nodes.pop(node.name, None)
        run.done.add(node.name)

    def _blocked(self, run: _Run, event: Event, node: NodeStatus) -> None:
        span = self._open(run, event, node)
        span.set_status(self._error(node.reason or event.message))
        self._close(run, span, node, self._ns(run, event.at_s))

    def _lost(self, run: _Run, event: Event, node: NodeStatus) -> None:
        at = self._ns(run, event.at_s)
        attributes: dict[str, Any] = {
            "bootgate.service": event.service,
            "bootgate.node": node.name,
            "bootgate.kind": node.kind,
        }
        if node.error:
            attributes["bootgate.error"] = node.error
        if node.target:
            attributes["bootgate.target"] = node.target
        span = self._tracer.start_span(
            f"lost {node.name}",
            context=self._trace.set_span_in_context(self._trace.INVALID_SPAN),
            links=[self._link(self._context_of(run))],
            attributes=attributes,
            start_time=at,
        )
        run.lost[node.name] = span

    def _error(self, reason: str) -> Status:
        return self._status(self._error_code, reason)

    # -- plumbing -------------------------------------------------------------------------------

    @staticmethod
    def _context_of(run: _Run) -> SpanContext:
        return run.startup.get_span_context()

    @staticmethod
    def _ns(run: _Run, at_s: float) -> int:
        return run.anchor_ns + round(at_s * 1e9)


def _version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bootgate")
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        return None

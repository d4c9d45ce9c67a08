"""What the runner knows about each node: a step's function or a dependency's probe, and the
options it was declared with. Built by `Boot`, read by the runner's parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from ._backoff import STEP_RETRY, WAIT_RETRY, Retry
from ._exclusive import ExclusiveLock
from ._probe import Probe
from ._snapshot import NodeKind, NodeStatus

AfterDeadline = Literal["heal", "exit"]
"""What a dependency that outlasts its startup deadline does to a running service: "heal"
(keep waiting for it, readiness follows when it answers) or "exit" (fail: startup can no
longer complete, and a served process exits so that its supervisor restarts it)."""

AFTER_DEADLINE: tuple[AfterDeadline, ...] = ("heal", "exit")


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSpec:
    """The options every node has."""

    name: str
    requires: tuple[str, ...] = ()
    budget: float | None = None
    """Seconds after which a node that is still not ready is reported over budget (a warning)."""
    optional: bool = False
    critical: bool = False

    kind: ClassVar[NodeKind]

    def initial_status(self) -> NodeStatus:
        """The node as the first snapshot shows it: pending."""
        return NodeStatus(
            name=self.name,
            kind=self.kind,
            requires=self.requires,
            optional=self.optional,
            critical=self.critical,
            target=self.probe.display if isinstance(self, DependencySpec) else None,
            budget_s=self.budget,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StepSpec(NodeSpec):
    """A step: the user's function, retried per `retry`, each attempt bounded by `timeout`."""

    kind: ClassVar[NodeKind] = "step"
    fn: Callable[..., Any]
    retry: Retry = STEP_RETRY
    timeout: float | None = None
    takes_context: bool = True
    """Whether `fn` is called with the StepContext."""
    exclusive: ExclusiveLock | None = None
    """A lock held around each attempt: one replica at a time runs the step."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DependencySpec(NodeSpec):
    """A dependency: probed by the waiting engine until ready, then re-probed every `recheck`
    seconds (None: only at startup)."""

    kind: ClassVar[NodeKind] = "dependency"
    probe: Probe
    retry: Retry = WAIT_RETRY
    recheck: float | None = None
    fail_fast: bool = True
    """A Permanent answer fails the node at once (False: keep retrying)."""
    after_deadline: AfterDeadline | None = None
    """When its startup wait runs out: "heal" or "exit" (None: the Boot's choice)."""

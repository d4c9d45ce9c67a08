"""Stacks of processes as one bootgate graph: the stack file, the supervisor, `bootgate up`.

    stack = load_stack("bootgate.toml")          # validated, or StackFileError (one line)
    code = anyio.run(up, stack, Console(p.name for p in stack.processes))

Nothing here is imported by `import bootgate`.
"""

from ._conditions import ConditionState, Life, Met, Never, Pending, condition_state, holds
from ._console import Console
from ._errors import StackFileError
from ._load import load_stack, parse_address, parse_stack
from ._model import (
    Condition,
    LiveCheck,
    LogCheck,
    Process,
    Restart,
    RestartPolicy,
    Stack,
    Stop,
    TargetCheck,
)
from ._nodes import build_boot, node_name
from ._preflight import preflight
from ._runtime import Options, StackRun, up
from ._supervisor import ProcessExited, ProcessFailed, Supervisor, restart_allowed, retry_policy
from ._view import StackView

__all__ = [
    "Condition",
    "ConditionState",
    "Console",
    "Life",
    "LiveCheck",
    "LogCheck",
    "Met",
    "Never",
    "Options",
    "Pending",
    "Process",
    "ProcessExited",
    "ProcessFailed",
    "Restart",
    "RestartPolicy",
    "Stack",
    "StackFileError",
    "StackRun",
    "StackView",
    "Stop",
    "Supervisor",
    "TargetCheck",
    "build_boot",
    "condition_state",
    "holds",
    "load_stack",
    "node_name",
    "parse_address",
    "parse_stack",
    "preflight",
    "restart_allowed",
    "retry_policy",
    "up",
]

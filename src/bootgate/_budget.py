"""A node's time budget: a warning, never a failure, when it is still not ready in time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from ._duration import format_duration
from ._events import EventKind
from ._snapshot import SETTLED_BAD, SETTLED_OK, NodeWarning

if TYPE_CHECKING:
    from ._runner import Runner


async def watch(run: Runner, name: str, budget: float) -> None:
    """Wait `budget` seconds; if node `name` has not settled by then, report it over budget."""
    with anyio.CancelScope() as scope:
        run.budget_scopes[name] = scope
        await run.clock.sleep(budget)
        phase = run.store.phase(name)
        if phase in SETTLED_OK or phase in SETTLED_BAD or run.store.stopping:
            return
        # Current until the node is done: the fact stays in its warnings, the health does not
        # stay `warn` for the life of the process.
        now = run.clock.now()
        message = f"not ready after its budget of {format_duration(budget)}"
        run.store.ran_over_budget(name, now, warning=NodeWarning(message, run.elapsed(now)))
        run.emit(EventKind.OVER_BUDGET, name, message)


def cancel(run: Runner, name: str) -> None:
    """Node `name` has settled: its budget watch, if it runs, has nothing left to say."""
    scope = run.budget_scopes.pop(name, None)
    if scope is not None:
        scope.cancel()

"""The condition state machine: met, pending, or never — and never stuck in between."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate.stack import Condition, Life, Met, Never, Pending, condition_state, holds
from bootgate.stack._conditions import unmet_reason

S, R, C = Condition.STARTED, Condition.READY, Condition.COMPLETED


@pytest.mark.parametrize(
    ("life", "condition", "expected"),
    [
        (Life(), S, Pending("not started yet")),
        (Life(), R, Pending("not started yet")),
        (Life(runs=1, running=True), S, Met()),
        (Life(runs=1, running=True), R, Pending("running, not ready yet")),
        (Life(runs=1, running=True, ready=True), R, Met()),
        (Life(runs=1, running=True), C, Pending("running")),
        (Life(runs=1, completed=True, returncode=0), C, Met()),
        (
            Life(final=True, reason="could not be started: command not found: x"),
            S,
            Never("could not be started: command not found: x"),
        ),
        (
            Life(
                runs=1,
                final=True,
                last_exit="exited with status 1",
                reason="exited with status 1 (restart = no)",
            ),
            R,
            Never("exited with status 1 (restart = no)"),
        ),
        (
            Life(runs=1, final=True, returncode=1, reason="exited with status 1 (restart = no)"),
            C,
            Never("exited with status 1 (restart = no)"),
        ),
        (Life(runs=1, final=True, returncode=1), S, Met()),
        (
            Life(
                runs=2, last_exit="exited with status 1", reason="exited with status 1; restarting"
            ),
            R,
            Pending("exited with status 1; restarting"),
        ),
    ],
)
def test_verdicts(life: Life, condition: Condition, expected: object) -> None:
    """A table of histories and what each condition says about them."""
    assert condition_state(condition, life) == expected


lives = st.builds(
    Life,
    runs=st.integers(0, 3),
    running=st.booleans(),
    ready=st.booleans(),
    completed=st.booleans(),
    returncode=st.sampled_from([None, 0, 1, -9]),
    final=st.booleans(),
    reason=st.sampled_from([None, "why"]),
)


@given(lives, st.sampled_from(list(Condition)))
def test_a_final_process_never_leaves_a_condition_pending(life: Life, condition: Condition) -> None:
    """Once no run will follow, every condition is met or never: nothing waits forever."""
    if life.final and not life.running:
        assert not isinstance(condition_state(condition, life), Pending)


@given(lives)
def test_ready_holds_only_while_running(life: Life) -> None:
    """`ready` is met only by a run that is up and passed its check (never by a past run)."""
    if isinstance(condition_state(R, life), Met):
        assert life.running
        assert life.ready
    assert holds(R, life) == (life.running and life.ready)


def test_a_restarting_process_does_not_hold_started() -> None:
    """Between runs a started process is down: the stack is not ready meanwhile."""
    assert not holds(S, Life(runs=1, returncode=1, last_exit="exited with status 1"))
    assert holds(S, Life(runs=1, running=True))
    assert holds(S, Life(runs=1, final=True, returncode=0))


def test_the_reason_names_both_ends() -> None:
    """ "ui needs gateway to be ready, but gateway exited with status 1"."""
    reason = unmet_reason("ui", "gateway", R, Never("exited with status 1 (restart = no)"))
    assert reason == "ui needs gateway to be ready, but gateway exited with status 1 (restart = no)"

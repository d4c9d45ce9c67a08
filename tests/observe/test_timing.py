"""Reading a startup from a live Status and from a /status document."""

from __future__ import annotations

from typing import Any

import pytest

from bootgate.observe import NodeTiming, Startup, from_document, from_status

from .helpers import gateway

pytestmark = pytest.mark.anyio


async def test_a_live_status_becomes_a_startup() -> None:
    """Every node's kind, requirements and times carry over; startup ended at the last ready."""
    boot, clock = gateway([])
    async with clock.autojump(), boot.running():
        startup = from_status(boot.status())
    assert (startup.service, startup.outcome, startup.ended_s) == ("gateway", "ready", 2.5)
    assert startup.node("tenant") == NodeTiming(
        "tenant", "step", ("migrations",), "ready", 2.0, 2.5, 0.5, attempts=1
    )
    with pytest.raises(KeyError):
        startup.node("nope")


async def test_a_status_before_any_run_is_still_starting() -> None:
    """A boot that has not run is a startup with every node pending and no end."""
    boot, _ = gateway([])
    startup = from_status(boot.status())
    assert (startup.outcome, startup.ended_s) == ("starting", None)
    assert {n.phase for n in startup.nodes} == {"pending"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "not a bootgate status document"),
        ({"bootgate": {"nodes": []}}, "not a bootgate status document"),
        ({"bootgate": {"nodes": {"a": {"ready_s": "soon"}}}}, "'soon' is not a number"),
        ({"bootgate": {"nodes": {"a": {"requires": "db"}}}}, "a: requires is not a list"),
        ({"bootgate": {"nodes": {"a": {"attempts": "x"}}}}, "malformed"),
        ({"bootgate": {"began": "yesterday", "nodes": {}}}, "malformed"),
    ],
)
def test_malformed_documents_are_refused_in_one_line(
    document: dict[str, Any], message: str
) -> None:
    """Anything that is not a bootgate status document is a ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=message):
        from_document(document)


def test_span_covers_the_latest_time_seen() -> None:
    """The time an account covers is the latest start, ready or snapshot time in it."""
    nodes = (NodeTiming("a", started_s=0.0, ready_s=1.0), NodeTiming("b", started_s=2.0))
    assert Startup("s", 0.0, nodes, "starting", None, at_s=3.5).span_s == 3.5
    assert Startup("s", 0.0, nodes, "failed").span_s == 2.0

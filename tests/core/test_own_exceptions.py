"""A user's exception comes out of bootgate's task groups as itself; cancellation is untouched."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bootgate import Retry, wait_for
from bootgate._tasks import task_group
from tests.servers import free_port

from .helpers import fake_boot

pytestmark = pytest.mark.anyio


class Mine(Exception):
    """An exception only the test raises."""


async def test_an_exception_in_the_running_block_comes_out_as_itself() -> None:
    """`except Mine` catches what the block raised, after the teardown ran."""
    boot, clock, _ = fake_boot()
    log: list[str] = []

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        log.append("pool down")

    with pytest.raises(Mine) as info:
        async with clock.autojump(), boot.running():
            raise Mine("from the block")
    assert type(info.value) is Mine
    assert not isinstance(info.value.__context__, BaseExceptionGroup)
    assert log == ["pool down"]


async def test_an_exception_from_main_comes_out_of_serve_as_itself() -> None:
    """`serve(main)` re-raises what `main()` raised, unwrapped, after tearing down."""
    boot, clock, _ = fake_boot()
    log: list[str] = []

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        log.append("pool down")

    async def main() -> None:
        raise Mine("from main")

    with pytest.raises(Mine):
        async with clock.autojump():
            await boot.serve(main)
    assert log == ["pool down"]


async def test_an_exception_from_on_event_comes_out_of_wait_for_as_itself() -> None:
    """A callback that raises stops `wait_for` with the callback's own exception."""

    def on_event(event: object) -> None:
        raise Mine("from on_event")

    with pytest.raises(Mine):
        await wait_for(
            [f"tcp://127.0.0.1:{free_port()}"],
            retry=Retry(timeout=5, interval=0, max_interval=0),
            on_event=on_event,
        )


async def test_cancelling_a_running_block_is_still_a_plain_cancellation() -> None:
    """An outer cancel scope cancels `running()` and catches its own cancellation."""
    boot, clock, _ = fake_boot()

    @boot.step
    async def slow() -> None:
        await clock.sleep(3600)

    async with clock.autojump():
        with anyio.CancelScope() as outer:
            async with boot.running(wait=False):
                outer.cancel()
                await clock.sleep(3600)
    assert outer.cancelled_caught


async def test_genuine_multiple_failures_stay_a_group() -> None:
    """Two tasks failing at once are both reported: the group is kept."""

    async def fail(message: str) -> None:
        raise Mine(message)

    async def both() -> None:
        async with task_group() as tg:
            tg.start_soon(fail, "one")
            tg.start_soon(fail, "two")

    with pytest.raises(BaseExceptionGroup) as info:
        await both()
    assert sorted(str(e) for e in info.value.exceptions) == ["one", "two"]


async def test_a_lone_failure_in_a_nested_group_comes_out_as_itself() -> None:
    """A group holding a group of one failure is unwrapped to the failure."""

    async def inner() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(fail)

    async def fail() -> None:
        raise Mine("deep")

    with pytest.raises(Mine, match="deep"):
        async with task_group() as tg:
            tg.start_soon(inner)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from([Mine, ValueError, KeyError, OSError, TimeoutError, LookupError]),
    st.integers(0, 5),
    st.booleans(),
)
def test_a_lone_exception_is_the_very_object_raised(
    kind: type[BaseException], siblings: int, from_a_task: bool
) -> None:
    """Whatever its class, with any number of idle sibling tasks, raised in the block or in a
    task: the exception that comes out is the one raised, never chained to a group."""
    raised = kind("boom")

    async def fail() -> None:
        raise raised

    async def main() -> None:
        async with task_group() as tg:
            for _ in range(siblings):
                tg.start_soon(anyio.sleep_forever)
            if from_a_task:
                tg.start_soon(fail)
                await anyio.sleep_forever()
            await fail()

    with pytest.raises(kind) as info:
        anyio.run(main)
    assert info.value is raised
    assert not isinstance(info.value.__context__, BaseExceptionGroup)

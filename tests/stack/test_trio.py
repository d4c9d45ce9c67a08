"""A stack on anyio's other backend: processes, conditions and stop work on trio too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stack.helpers import output, py, running, stack_from, until

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """trio, for this module."""
    return "trio"


async def test_a_small_stack_on_trio(tmp_path: Path, marker: str) -> None:
    """db ready by its log, app after it; both stopped at the end."""
    stack = stack_from(
        tmp_path,
        f"""
        [process.db]
        command = {py("import time; print('listening', flush=True); time.sleep(60)")}
        ready = {{ log = "listening" }}
        [process.app]
        command = {py("import time; print('up', flush=True); time.sleep(60)")}
        ready = {{ log = "up" }}
        requires = {{ db = "ready" }}
        """,
    )
    async with running(stack, marker) as run:
        await until(run, lambda s: s.ready, "ready")
    assert [line.split()[2] for line in output(run) if "stopping:" in line] == ["app", "db"]

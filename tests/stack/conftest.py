"""Fixtures for stacks of real processes: a marker in every process's environment, and a check
after each test that no process carrying it is left running."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.stack.helpers import leftovers


@pytest.fixture
def anyio_backend() -> str:
    """Stacks run real processes: asyncio here (the engine itself is tested on both backends;
    `test_trio.py` runs a stack on trio)."""
    return "asyncio"


@pytest.fixture
def marker() -> Iterator[str]:
    """A value put in every test process's environment; none may be running afterwards."""
    value = uuid.uuid4().hex
    yield value
    assert leftovers(value) == []

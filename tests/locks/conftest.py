"""Lock tests wait in real time against real servers: one anyio backend unless a test asks."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["asyncio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """The locks run their drivers in worker threads, the same on both backends; tests that
    exercise the backend itself use `both_backends`."""
    backend: str = request.param
    return backend


both_backends = pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
"""Mark a test to run on trio as well."""

"""Shared fixtures: the anyio backends the engine is tested on."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each async test on both of anyio's backends."""
    backend: str = request.param
    return backend

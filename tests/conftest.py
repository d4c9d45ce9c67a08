"""Shared fixtures: the anyio backends the engine is tested on; secrets forgotten per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from bootgate._redact import forget_secrets

# CI runs the properties on a fixed sequence of examples, so a run is reproducible; exploring
# new examples is for development runs and the long fuzz in docs/reliability.md.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each async test on both of anyio's backends."""
    backend: str = request.param
    return backend


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """Each test starts with no remembered secret: one test's password never blanks another's
    expected output."""
    forget_secrets()
    yield
    forget_secrets()


@pytest.fixture(autouse=True)
def _state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """State that commands keep by default (`bootgate up`'s startup history) goes to a
    temporary folder, never the home of whoever runs the tests."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))

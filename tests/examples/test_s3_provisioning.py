"""Scenario S3, ordering half: tenant before providers, shown failing without the graph's order."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bootgate import EventKind, FakeClock, StartupError
from examples.s3_provisioning.app import PROVIDERS, build_boot, provider_count
from tests.core.helpers import Recorder

pytestmark = pytest.mark.anyio


async def test_without_the_requirement_providers_hit_the_foreign_key(tmp_path: Path) -> None:
    """Negative control: providers racing the tenant fail exactly as in the incident."""
    clock = FakeClock()
    boot = build_boot(tmp_path / "p.db", ordered=False, clock=clock, hooks=[])
    with pytest.raises(StartupError, match="FOREIGN KEY constraint failed"):
        async with clock.autojump(), boot.running():
            pass
    assert provider_count(tmp_path / "p.db") == 0


async def test_with_the_graph_every_provider_lands_after_its_tenant(tmp_path: Path) -> None:
    """In dependency order all providers are inserted, each reported as progress."""
    clock, recorder = FakeClock(), Recorder()
    boot = build_boot(tmp_path / "p.db", clock=clock, hooks=[recorder])
    async with clock.autojump(), boot.running() as status:
        assert status.ready
    assert provider_count(tmp_path / "p.db") == len(PROVIDERS)
    progress = [e.message for e in recorder.events if e.kind is EventKind.PROGRESS]
    assert progress[0] == f"1/{len(PROVIDERS)} {PROVIDERS[0]}"
    assert progress[-1] == f"{len(PROVIDERS)}/{len(PROVIDERS)} {PROVIDERS[-1]}"


async def test_provisioning_twice_is_idempotent(tmp_path: Path) -> None:
    """A second startup against the same database changes nothing and succeeds."""
    for _ in range(2):
        clock = FakeClock()
        async with clock.autojump(), build_boot(tmp_path / "p.db", clock=clock, hooks=[]).running():
            pass
    with sqlite3.connect(tmp_path / "p.db") as db:
        assert db.execute("SELECT count(*) FROM tenant").fetchone() == (1,)
    assert provider_count(tmp_path / "p.db") == len(PROVIDERS)

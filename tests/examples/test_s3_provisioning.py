"""Scenario S3: tenant before providers (failing without the graph's order), and a second
deploy that prunes the providers it owns while leaving those created through the UI alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bootgate import EventKind, FakeClock, StartupError
from examples.s3_provisioning.app import (
    PROVIDERS,
    build_boot,
    create_through_ui,
    provider_count,
    provider_rows,
)
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
    n = len(PROVIDERS)
    summary = f"create {n}, update 0, delete 0, unchanged 0, conflict 0"
    assert progress[0] == f"0/{n} plan: {summary}"
    assert f"1/{n} create {PROVIDERS[0]}" in progress
    assert progress[-1] == f"{n}/{n} {summary}"


async def test_provisioning_twice_is_idempotent(tmp_path: Path) -> None:
    """A second startup against the same database changes nothing and succeeds."""
    for _ in range(2):
        clock = FakeClock()
        async with clock.autojump(), build_boot(tmp_path / "p.db", clock=clock, hooks=[]).running():
            pass
    with sqlite3.connect(tmp_path / "p.db") as db:
        assert db.execute("SELECT count(*) FROM tenant").fetchone() == (1,)
    assert provider_count(tmp_path / "p.db") == len(PROVIDERS)


async def deploy(path: Path, names: tuple[str, ...]) -> str:
    """Run one startup against `path` provisioning `names`; the providers' final progress."""
    clock = FakeClock()
    boot = build_boot(path, names=names, clock=clock, hooks=[])
    async with clock.autojump(), boot.running():
        progress = boot.status().nodes["providers"].progress
    assert progress is not None
    return progress.message


async def test_a_rename_prunes_the_old_provider_and_spares_the_ui_one(tmp_path: Path) -> None:
    """Deploy 2 renames a provider: the stale row goes, a row made through the UI stays."""
    path = tmp_path / "p.db"
    await deploy(path, PROVIDERS)
    create_through_ui(path, "custom-sso")
    before = provider_rows(path)
    renamed = tuple("entra-id" if n == "azure-ad" else n for n in PROVIDERS)
    summary = await deploy(path, renamed)
    assert summary == "create 1, update 0, delete 1, unchanged 11, conflict 0"
    after = provider_rows(path)
    assert "azure-ad" not in after
    assert after["entra-id"] == "config"
    assert after["custom-sso"] is None
    assert {k: v for k, v in after.items() if k != "entra-id"} == {
        k: v for k, v in before.items() if k != "azure-ad"
    }
    assert await deploy(path, renamed) == "create 0, update 0, delete 0, unchanged 12, conflict 0"


async def test_a_provider_named_like_a_ui_one_is_a_conflict_not_an_overwrite(
    tmp_path: Path,
) -> None:
    """Configuring a name a person already created reports a conflict and leaves their row."""
    path = tmp_path / "p.db"
    await deploy(path, ())
    create_through_ui(path, "github")
    summary = await deploy(path, ("github", "gitlab"))
    assert summary == "create 1, update 0, delete 0, unchanged 0, conflict 1"
    assert provider_rows(path) == {"github": None, "gitlab": "config"}

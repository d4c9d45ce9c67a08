"""Scenario S1, engine side: the gateway is ready only after its 25 migrations."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootgate import EventKind, Phase
from examples.s1_gateway.app import build_gateway
from tests.core.helpers import Recorder

pytestmark = pytest.mark.anyio


async def test_ready_only_after_every_migration_with_progress(tmp_path: Path) -> None:
    """Readiness follows the 25th migration; progress counted 1/25 .. 25/25 on the way."""
    recorder = Recorder()
    boot, _ = build_gateway(str(tmp_path / "g.db"), migration_delay=0, hooks=[recorder])
    async with boot.running() as status:
        assert status.ready
        assert status.nodes["package_catalog"].phase is Phase.READY
    progress = [e.message for e in recorder.events if e.kind is EventKind.PROGRESS]
    assert progress[0] == "1/25 Migration0001"
    assert progress[-1] == "25/25 Migration0025"
    ready = [e.node.name for e in recorder.events if e.kind is EventKind.READY and e.node]
    assert ready.index("schema_migrations") < ready.index("package_catalog")


async def test_a_restart_resumes_without_reapplying(tmp_path: Path) -> None:
    """The second start finds nothing pending and reports no migration progress."""
    for _ in range(2):
        recorder = Recorder()
        boot, _ = build_gateway(str(tmp_path / "g.db"), migration_delay=0, hooks=[recorder])
        async with boot.running():
            pass
    assert [e for e in recorder.events if e.kind is EventKind.PROGRESS] == []

"""Scenario S1 over HTTP: the gateway's API is gated during its migrations, with progress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from bootgate.http import asgi
from examples.s1_gateway.app import build_gateway

from .helpers import served

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """uvicorn runs on asyncio only."""
    return "asyncio"


async def test_gateway_is_gated_until_its_migrations_are_done(tmp_path: Path) -> None:
    """While migrating: 503 with the blocking migration; then the API answers with every row."""
    boot, app = build_gateway(str(tmp_path / "gateway.db"), migration_delay=0.05, hooks=[])
    async with served(asgi(boot, app)) as client:
        seen: list[dict[str, Any]] = []
        async with client.stream("GET", "/status/stream") as stream:
            with anyio.fail_after(30):
                async for line in stream.aiter_lines():
                    if not line.startswith("data: "):
                        continue
                    state = json.loads(line.removeprefix("data: "))["bootgate"]
                    seen.append(state)
                    progress = state["nodes"]["schema_migrations"]["progress"]
                    if progress and 1 <= progress["done"] <= 10:
                        # At least 0.75 s of migrations to go: the gate must still hold.
                        gated = await client.get(
                            "/api/packages", headers={"accept": "application/json"}
                        )
                        assert gated.status_code == 503
                        assert int(gated.headers["retry-after"]) >= 1
                        blocking = gated.json()["blocking"]
                        assert blocking[0].startswith("package_catalog ← schema_migrations: ")
                        assert "/25 Migration00" in blocking[0]
                        assert progress["total"] == 25
                        assert progress["eta_s"] is not None
                        seen.append({"checked": True, **state})
                    if state["ready"]:
                        break
        assert any(s.get("checked") for s in seen)
        reply = await client.get("/api/packages")
        assert reply.status_code == 200
        assert len(reply.json()["packages"]) == 24
        assert (await client.get("/readyz")).text == "ok"

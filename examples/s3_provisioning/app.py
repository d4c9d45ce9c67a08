"""Scenario S3, ordering half: providers must not be inserted before their tenant exists.

Three steps on SQLite with foreign keys on: `schema` -> `default_tenant` -> `providers`. The
tenant step creates the default tenant if it is missing (it takes a moment, as a call to an
identity service would); the providers step inserts one row per provider and reports progress.

`build_boot(..., ordered=False)` declares providers as needing only the schema — the bug from the
incident — so providers race the tenant and hit the foreign key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from bootgate import Boot, Clock, Hook, Retry, StepContext

PROVIDERS = (
    "github",
    "gitlab",
    "bitbucket",
    "google",
    "azure-ad",
    "okta",
    "keycloak",
    "auth0",
    "ldap",
    "saml",
    "oidc-generic",
    "gitea",
)


def connect(path: Path) -> sqlite3.Connection:
    """A connection with foreign keys enforced (SQLite leaves them off by default)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    return db


def build_boot(
    path: Path,
    *,
    ordered: bool = True,
    names: Sequence[str] = PROVIDERS,
    tenant_delay: float = 0.2,
    provider_delay: float = 0.0,
    clock: Clock | None = None,
    hooks: Sequence[Hook] | None = None,
) -> Boot:
    """The provisioning graph for the database at `path`."""
    boot = Boot("provisioning", clock=clock, hooks=hooks)
    sleep = boot.clock.sleep
    once = Retry(attempts=1, timeout=None)

    @boot.step
    def schema() -> None:
        with connect(path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS tenant (id TEXT PRIMARY KEY)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS provider ("
                " name TEXT PRIMARY KEY,"
                " tenant_id TEXT NOT NULL REFERENCES tenant(id))"
            )

    @boot.step(requires=[schema])
    async def default_tenant() -> str:
        await sleep(tenant_delay)  # the identity service answers after a moment
        with connect(path) as db:
            db.execute("INSERT OR IGNORE INTO tenant (id) VALUES ('default')")
        return "default"

    @boot.step(requires=[default_tenant] if ordered else [schema], retry=once)
    async def providers(ctx: StepContext) -> int:
        with connect(path) as db:
            for i, name in enumerate(names, 1):
                db.execute(
                    "INSERT INTO provider (name, tenant_id) VALUES (?, 'default')"
                    " ON CONFLICT (name) DO UPDATE SET tenant_id = excluded.tenant_id",
                    (name,),
                )
                ctx.progress(i, len(names), name)
                await sleep(provider_delay)
        return len(names)

    return boot


def provider_count(path: Path) -> int:
    """How many providers the database holds."""
    with connect(path) as db:
        (count,) = db.execute("SELECT count(*) FROM provider").fetchone()
    return int(count)

"""Scenario S3: providers after their tenant, and provisioning that prunes what it owns.

Three steps on SQLite with foreign keys on: `schema` -> `default_tenant` -> `providers`. The
tenant step creates the default tenant if it is missing (it takes a moment, as a call to an
identity service would). The providers step reconciles the provider table with the configured
names (`bootgate.provision`): it creates what is missing and deletes the providers it created
earlier that the configuration no longer names — a rename prunes the old row — while providers
created through the UI (rows without the `provisioned_by` marker) are never touched. Its
progress shows the plan ("create 1, update 0, delete 1, unchanged 11, conflict 0").

`build_boot(..., ordered=False)` declares providers as needing only the schema — the bug from the
incident — so providers race the tenant and hit the foreign key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from bootgate import Boot, Clock, Hook, Retry, StepContext
from bootgate.provision import Plan, SqlTable, reconcile_sync

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

OWNER = ("provisioned_by", "config")
"""The marker of rows this service provisions; rows created through the UI have none."""


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
    clock: Clock | None = None,
    hooks: Sequence[Hook] | None = None,
) -> Boot:
    """The provisioning graph for the database at `path`, provisioning the providers `names`."""
    boot = Boot("provisioning", clock=clock, hooks=hooks)
    sleep = boot.clock.sleep
    once = Retry(attempts=1, timeout=None)

    @boot.step
    def schema() -> None:
        with closing(connect(path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS tenant (id TEXT PRIMARY KEY)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS provider ("
                " name TEXT PRIMARY KEY,"
                " tenant_id TEXT NOT NULL REFERENCES tenant(id),"
                " provisioned_by TEXT)"
            )

    @boot.step(requires=[schema])
    async def default_tenant() -> str:
        await sleep(tenant_delay)  # the identity service answers after a moment
        with closing(connect(path)) as db, db:
            db.execute("INSERT OR IGNORE INTO tenant (id) VALUES ('default')")
        return "default"

    @boot.step(requires=[default_tenant] if ordered else [schema], retry=once)
    def providers(ctx: StepContext) -> Plan:
        desired = [{"name": name, "tenant_id": "default"} for name in names]
        with closing(connect(path)) as db:
            table = SqlTable(db, "provider", key="name", owner=OWNER)
            return reconcile_sync(desired, table, progress=ctx.progress)

    return boot


def create_through_ui(path: Path, name: str) -> None:
    """Add a provider the way a person does in the UI: no provisioning marker."""
    with closing(connect(path)) as db, db:
        db.execute("INSERT INTO provider (name, tenant_id) VALUES (?, 'default')", (name,))


def provider_rows(path: Path) -> dict[str, str | None]:
    """Every provider's name and marker (None: created through the UI)."""
    with closing(connect(path)) as db:
        return dict(db.execute("SELECT name, provisioned_by FROM provider ORDER BY name"))


def provider_count(path: Path) -> int:
    """How many providers the database holds."""
    with closing(connect(path)) as db:
        (count,) = db.execute("SELECT count(*) FROM provider").fetchone()
    return int(count)

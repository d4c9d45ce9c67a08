"""`alembic(config)`: upgrade to head one revision at a time, with a progress tick per revision."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import anyio.to_thread

from bootgate.locks._common import require

Progress = Callable[[float, "float | None", str], None]


class AlembicMigrations:
    """An Alembic project (its `alembic.ini` or `Config`), upgraded to its head(s) by `apply`."""

    def __init__(self, config: str | os.PathLike[str] | Any) -> None:
        alembic = require("alembic.config", "alembic", "Alembic migrations")
        if isinstance(config, str | os.PathLike):
            config = alembic.Config(str(config))
        self.config = config
        """The `alembic.config.Config` used for every command."""

    def __repr__(self) -> str:
        return f"alembic({self.config.config_file_name!r})"

    async def pending(self) -> list[str]:
        """Revisions between the database's current one(s) and head, in upgrade order."""
        return [r for r, _ in await anyio.to_thread.run_sync(self._pending)]

    async def apply(self, progress: Progress | None = None) -> list[str]:
        """Upgrade revision by revision; `progress(done, total, "rev message")` after each."""
        from alembic import command

        pending = await anyio.to_thread.run_sync(self._pending)
        total = len(pending)
        if progress is not None:
            progress(0, total, f"{total} pending" if total else "up to date")
        for i, (revision, doc) in enumerate(pending, 1):
            await anyio.to_thread.run_sync(command.upgrade, self.config, revision)
            if progress is not None:
                progress(i, total, f"{revision} {doc}".strip())
        return [r for r, _ in pending]

    def _pending(self) -> list[tuple[str, str]]:
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self.config)
        current: list[str] = []

        def read_current(rev: Any, context: Any) -> list[Any]:
            current.extend(context.get_current_heads())
            return []

        with EnvironmentContext(self.config, script, fn=read_current, dont_mutate=True):
            script.run_env()
        lower = tuple(current) if current else "base"
        revisions = list(script.iterate_revisions("heads", lower))
        return [(r.revision, (r.doc or "").strip()) for r in reversed(revisions)]

"""The history file: startups and their node timings in a small SQLite database.

Two tables, one row per startup and one per node of it. A writer keeps the last `keep`
startups of each service; readers open the file read-only and never create one. The file is
in WAL mode with `synchronous = NORMAL`: appending a startup costs no disk sync.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._timing import NodeTiming, Startup

_SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS startups (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    began REAL NOT NULL,
    outcome TEXT NOT NULL,
    ended_s REAL
);
CREATE INDEX IF NOT EXISTS startups_by_service ON startups (service, id);
CREATE TABLE IF NOT EXISTS nodes (
    startup INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    requires TEXT NOT NULL,
    phase TEXT NOT NULL,
    started_s REAL,
    ready_s REAL,
    duration_s REAL,
    optional INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    reason TEXT,
    warning TEXT,
    PRIMARY KEY (startup, name)
);
PRAGMA user_version = 1;
"""

_NODE_COLUMNS = (
    "name, kind, requires, phase, started_s, ready_s, duration_s, optional, attempts, reason, "
    "warning"
)


class HistoryError(Exception):
    """The history file cannot be read: missing, not SQLite, or not a bootgate history."""


class HistoryFile:
    """A history file at `path`: `append` startups, read them back, recent durations per node.

    Each call opens and closes its own connection unless `keep_open` is set.
    """

    def __init__(self, path: str | os.PathLike[str], *, keep_open: bool = False) -> None:
        self.path = Path(path)
        self.keep_open = keep_open
        """Keep the connection that first wrote open until `close()`: the last connection to
        close a WAL file checkpoints it, a disk sync better paid at shutdown than per write."""
        self._writer: sqlite3.Connection | None = None

    def append(self, startup: Startup, *, keep: int | None = 1000) -> int:
        """Add `startup` (creating the file if needed); keep only the last `keep` startups of its
        service. Returns the new startup's id."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect(write=True) as db:
            cursor = db.execute(
                "INSERT INTO startups (service, began, outcome, ended_s) VALUES (?, ?, ?, ?)",
                (startup.service, startup.began_wall, startup.outcome, startup.ended_s),
            )
            startup_id = cursor.lastrowid
            if startup_id is None:  # pragma: no cover - sqlite3 always sets it after an INSERT
                raise sqlite3.OperationalError("no row id after INSERT")
            db.executemany(
                f"INSERT INTO nodes (startup, position, {_NODE_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(startup_id, i, *_row(node)) for i, node in enumerate(startup.nodes)],
            )
            if keep is not None:
                self._prune(db, startup.service, keep)
        return startup_id

    def update_node(self, startup_id: int, node: NodeTiming) -> None:
        """Record how a node of an already written startup ended (one that finished later)."""
        with self._connect(write=True) as db:
            db.execute(
                "UPDATE nodes SET phase = ?, started_s = ?, ready_s = ?, duration_s = ?, "
                "attempts = ?, reason = ?, warning = ? WHERE startup = ? AND name = ?",
                (
                    node.phase,
                    node.started_s,
                    node.ready_s,
                    node.duration_s,
                    node.attempts,
                    node.reason,
                    node.warning,
                    startup_id,
                    node.name,
                ),
            )

    def recent_durations(self, service: str, window: int) -> dict[str, list[float]]:
        """Each node's durations to ready over the service's last `window` startups, newest
        first (a node that was not ready in some of them has fewer).

        An absent file has no history: an empty mapping, and no file is created.
        """
        if not self.path.exists():
            return {}
        with self._connect(write=False) as db:
            rows = db.execute(
                "SELECT name, duration_s FROM nodes WHERE startup IN ("
                "  SELECT id FROM startups WHERE service = ? ORDER BY id DESC LIMIT ?"
                ") AND duration_s IS NOT NULL ORDER BY startup DESC",
                (service, window),
            ).fetchall()
        durations: dict[str, list[float]] = {}
        for name, duration in rows:
            durations.setdefault(name, []).append(duration)
        return durations

    def startups(self, service: str | None = None, limit: int | None = None) -> list[Startup]:
        """The last `limit` startups (all without it), oldest first, of `service` or of all."""
        with self._connect(write=False) as db:
            where, args = ("WHERE service = ?", [service]) if service is not None else ("", [])
            heads = db.execute(
                "SELECT id, service, began, outcome, ended_s FROM startups "
                f"{where} ORDER BY id DESC LIMIT ?",
                [*args, -1 if limit is None else limit],
            ).fetchall()
            found = []
            for startup_id, name, began, outcome, ended in reversed(heads):
                rows = db.execute(
                    f"SELECT {_NODE_COLUMNS} FROM nodes WHERE startup = ? ORDER BY position",
                    (startup_id,),
                ).fetchall()
                nodes = tuple(_node(row) for row in rows)
                found.append(Startup(name, began, nodes, outcome, ended))
        return found

    def last(self, service: str | None = None) -> Startup | None:
        """The most recent startup (of `service`, if given), or None if there is none."""
        found = self.startups(service, limit=1)
        return found[0] if found else None

    def services(self) -> list[str]:
        """The services this file has startups of, most recent first."""
        with self._connect(write=False) as db:
            rows = db.execute(
                "SELECT service FROM startups GROUP BY service ORDER BY MAX(id) DESC"
            ).fetchall()
        return [name for (name,) in rows]

    def close(self) -> None:
        """Close the connection `keep_open` kept, if any (the next use opens a new one)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        try:
            db = self._writer or self._open(write=write)
            try:
                with db:  # one transaction, committed on success
                    yield db
            finally:
                if db is not self._writer:
                    db.close()
        except sqlite3.DatabaseError as exc:
            if write:
                raise
            raise HistoryError(f"{self.path}: {exc}") from None

    def _open(self, *, write: bool) -> sqlite3.Connection:
        if not write:
            if not self.path.is_file():
                raise HistoryError(f"{self.path}: no such history file")
            # Never created here; opened writable when it may be, so that closing the last
            # connection tidies the WAL's side files away instead of leaving them behind.
            mode = "rw" if os.access(self.path, os.W_OK) else "ro"
            uri = f"{self.path.resolve().as_uri()}?mode={mode}"
            db = sqlite3.connect(uri, timeout=5.0, uri=True)
            if not _is_history(db):
                db.close()
                raise HistoryError(f"{self.path}: not a bootgate history file")
            return db
        db = sqlite3.connect(self.path, timeout=5.0)
        try:
            # Made once: a PRAGMA write on every open would cost a sync per startup.
            if db.execute("PRAGMA user_version").fetchone()[0] == 0:
                db.executescript(_SCHEMA)
            # In WAL mode a commit then costs no sync; a power cut may lose the last
            # startup or two, never the file: the right trade for a history.
            db.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            db.close()
            raise
        if self.keep_open:
            self._writer = db
        return db

    @staticmethod
    def _prune(db: sqlite3.Connection, service: str, keep: int) -> None:
        old = "SELECT id FROM startups WHERE service = ? ORDER BY id DESC LIMIT -1 OFFSET ?"
        db.execute(f"DELETE FROM nodes WHERE startup IN ({old})", (service, keep))
        db.execute(f"DELETE FROM startups WHERE id IN ({old})", (service, keep))


def _is_history(db: sqlite3.Connection) -> bool:
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"startups", "nodes"} <= names


def _row(node: NodeTiming) -> tuple[object, ...]:
    return (
        node.name,
        node.kind,
        json.dumps(list(node.requires)),
        node.phase,
        node.started_s,
        node.ready_s,
        node.duration_s,
        int(node.optional),
        node.attempts,
        node.reason,
        node.warning,
    )


def _node(row: Any) -> NodeTiming:
    name, kind, requires, phase, started, ready, duration, optional, attempts, reason, warning = row
    return NodeTiming(
        name=str(name),
        kind=str(kind),
        requires=tuple(json.loads(str(requires))),
        phase=str(phase),
        started_s=started,
        ready_s=ready,
        duration_s=duration,
        optional=bool(optional),
        attempts=attempts,
        reason=None if reason is None else str(reason),
        warning=None if warning is None else str(warning),
    )

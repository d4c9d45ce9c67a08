"""Reconcile: read the stored rows, plan, and apply the plan, all in one transaction."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Protocol

from ._plan import Plan, Row, key_columns, make_plan

Progress = Callable[[float, "float | None", str], None]
"""`progress(done, total, message)`: the shape of `StepContext.progress`, so a step passes it."""

BATCHES = 100
"""Changes are written in at most this many batches, with a progress report after each."""


class Transaction(Protocol):
    """What `reconcile` does inside a synchronous store's transaction."""

    def rows(self, columns: Sequence[str]) -> Iterable[Row]:
        """Every stored row (owned or not), with at least `columns`."""
        ...

    def insert(self, rows: Sequence[Row]) -> None:
        """Insert `rows` (each has the same columns, owner marker included)."""
        ...

    def update(self, rows: Sequence[Row]) -> None:
        """Set each row's non-key columns where key and owner marker both match."""
        ...

    def delete(self, rows: Sequence[Row]) -> None:
        """Delete each row where key and owner marker both match."""
        ...


class AsyncTransaction(Protocol):
    """What `reconcile` does inside an asynchronous store's transaction."""

    async def rows(self, columns: Sequence[str]) -> Iterable[Row]:
        """Every stored row (owned or not), with at least `columns`."""
        ...

    async def insert(self, rows: Sequence[Row]) -> None:
        """Insert `rows` (each has the same columns, owner marker included)."""
        ...

    async def update(self, rows: Sequence[Row]) -> None:
        """Set each row's non-key columns where key and owner marker both match."""
        ...

    async def delete(self, rows: Sequence[Row]) -> None:
        """Delete each row where key and owner marker both match."""
        ...


class Store(Protocol):
    """A place that holds rows: `SqlTable`, `SqlAlchemyTable`, or your own.

    `transaction()` returns a context manager, sync or async, that commits when its block
    ends and rolls back when it raises.
    """

    @property
    def key(self) -> tuple[str, ...]:
        """The column(s) that identify a row."""
        ...

    @property
    def owner(self) -> tuple[str, object]:
        """(column, value): the marker of rows provisioned here."""
        ...

    def transaction(
        self,
    ) -> AbstractContextManager[Transaction] | AbstractAsyncContextManager[AsyncTransaction]:
        """One transaction for reading, planning and writing."""
        ...


async def reconcile(
    desired: Iterable[Row],
    store: Store,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Make the store's owned rows equal `desired`; return the plan (only planned if `dry_run`).

    Creates the missing rows, updates owned rows that differ, deletes owned rows no longer
    desired; rows without the owner marker are never written, and a desired row whose key
    they hold is a conflict in the plan. One transaction; running it again plans nothing.
    A synchronous store runs in the calling thread (use `reconcile_sync` in a sync step).
    """
    rows = list(desired)
    manager = store.transaction()
    if isinstance(manager, AbstractAsyncContextManager):
        async with manager as txn:
            plan = _plan(rows, await txn.rows(_read_columns(rows, store)), store)
            report = _Reporter(plan, dry_run, progress)
            if not dry_run:
                for kind, batch in _batches(plan):
                    await getattr(txn, kind)(batch)
                    report.step(kind, batch)
            report.done()
            return plan
    return _reconcile_sync(rows, store, manager, dry_run, progress)


def reconcile_sync(
    desired: Iterable[Row],
    store: Store,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """`reconcile` for synchronous code (a sync step, a script) and synchronous stores."""
    rows = list(desired)
    manager = store.transaction()
    if isinstance(manager, AbstractAsyncContextManager):
        raise TypeError(f"{store!r} is asynchronous: use `await reconcile(...)`")
    return _reconcile_sync(rows, store, manager, dry_run, progress)


def _reconcile_sync(
    rows: list[Row],
    store: Store,
    manager: AbstractContextManager[Transaction],
    dry_run: bool,
    progress: Progress | None,
) -> Plan:
    with manager as txn:
        plan = _plan(rows, txn.rows(_read_columns(rows, store)), store)
        report = _Reporter(plan, dry_run, progress)
        if not dry_run:
            for kind, batch in _batches(plan):
                getattr(txn, kind)(batch)
                report.step(kind, batch)
        report.done()
        return plan


def _read_columns(rows: list[Row], store: Store) -> list[str]:
    wanted = [*key_columns(store.key), store.owner[0]]
    for column in rows[0] if rows else ():
        if column not in wanted:
            wanted.append(column)
    return wanted


def _plan(rows: list[Row], existing: Iterable[Row], store: Store) -> Plan:
    return make_plan(rows, existing, key=store.key, owner=store.owner)


def _batches(plan: Plan) -> Iterator[tuple[str, list[Row]]]:
    # Deletes first: a renamed row may reuse a value another unique column of the old one held.
    size = max(math.ceil(plan.changes / BATCHES), 1)
    updates = [u.after for u in plan.update]
    for kind, rows in (
        ("delete", list(plan.delete)),
        ("update", updates),
        ("insert", list(plan.create)),
    ):
        for start in range(0, len(rows), size):
            yield kind, rows[start : start + size]


_VERB = {"delete": "delete", "update": "update", "insert": "create"}


class _Reporter:
    def __init__(self, plan: Plan, dry_run: bool, progress: Progress | None) -> None:
        self._plan = plan
        self._progress = progress
        self._done = 0
        self._dry_run = dry_run
        if progress is not None:
            head = "dry run" if dry_run else "plan"
            progress(0, plan.changes, f"{head}: {plan.summary()}")

    def step(self, kind: str, batch: list[Row]) -> None:
        self._done += len(batch)
        if self._progress is not None and self._done < self._plan.changes:
            key = [batch[-1][c] for c in self._plan.key]
            name = key[0] if len(key) == 1 else tuple(key)
            self._progress(self._done, self._plan.changes, f"{_VERB[kind]} {name}")

    def done(self) -> None:
        if self._progress is not None and not self._dry_run:
            self._progress(self._plan.changes, self._plan.changes, self._plan.summary())

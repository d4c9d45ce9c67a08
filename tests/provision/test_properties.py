"""Properties of reconcile on a real SQLite table, for any desired set and any stored table."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from bootgate.provision import SqlTable, reconcile_sync

NAMES = st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h"])
VALUES = st.one_of(st.integers(-3, 3), st.text(max_size=3), st.none())
OWNER = ("owner", "config")


def table(stored: dict[str, tuple[object, bool]]) -> sqlite3.Connection:
    """An in-memory table with the stored rows: name -> (value, owned)."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, value, "
        "created TEXT DEFAULT 'by hand', owner TEXT)"
    )
    db.executemany(
        "INSERT INTO item (name, value, owner) VALUES (?, ?, ?)",
        [(name, value, "config" if owned else None) for name, (value, owned) in stored.items()],
    )
    db.commit()
    return db


def rows(db: sqlite3.Connection, owned: bool) -> list[tuple[object, ...]]:
    """Every column of the owned (or unowned) rows, in id order."""
    where = "owner IS NOT NULL" if owned else "owner IS NULL"
    return list(db.execute(f"SELECT * FROM item WHERE {where} ORDER BY id"))


@settings(max_examples=100, deadline=None)
@given(
    stored=st.dictionaries(NAMES, st.tuples(VALUES, st.booleans())),
    desired=st.dictionaries(NAMES, VALUES),
)
def test_apply_then_plan_again_changes_nothing_and_spares_unowned_rows(
    stored: dict[str, tuple[object, bool]], desired: dict[str, object]
) -> None:
    """After one apply: a second plan has no changes; unowned rows are byte-identical; owned
    rows not desired are gone; every desired row not in conflict is stored as desired."""
    db = table(stored)
    store = SqlTable(db, "item", key="name", owner=OWNER)
    unowned_before = rows(db, owned=False)
    wanted = [{"name": n, "value": v} for n, v in desired.items()]
    first = reconcile_sync(wanted, store)
    again = reconcile_sync(wanted, store, dry_run=True)
    assert again.changes == 0
    assert again.conflict == first.conflict
    assert rows(db, owned=False) == unowned_before
    unowned = {name for name, (_, owned) in stored.items() if not owned}
    assert {r[1] for r in rows(db, owned=True)} == set(desired) - unowned
    stored_values = {r[1]: r[2] for r in rows(db, owned=True)}
    assert stored_values == {n: v for n, v in desired.items() if n not in unowned}
    assert {c.key[0] for c in first.conflict} == set(desired) & unowned


@settings(max_examples=50, deadline=None)
@given(
    stored=st.dictionaries(NAMES, st.tuples(VALUES, st.booleans())),
    desired=st.dictionaries(NAMES, VALUES),
)
def test_a_dry_run_writes_nothing_and_predicts_the_apply(
    stored: dict[str, tuple[object, bool]], desired: dict[str, object]
) -> None:
    """dry_run returns the same plan the real run then applies, and leaves the table as it was."""
    db = table(stored)
    store = SqlTable(db, "item", key="name", owner=OWNER)
    before = list(db.execute("SELECT * FROM item ORDER BY id"))
    wanted = [{"name": n, "value": v} for n, v in desired.items()]
    predicted = reconcile_sync(wanted, store, dry_run=True)
    assert list(db.execute("SELECT * FROM item ORDER BY id")) == before
    assert reconcile_sync(wanted, store) == predicted

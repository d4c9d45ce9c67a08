"""Pure planning: desired rows and existing rows in, a Plan out. No database in sight."""

from __future__ import annotations

from collections.abc import Callable, Iterable, KeysView, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from bootgate._errors import ConfigError

Row = Mapping[str, object]
"""One row: column name to value."""
Key = tuple[object, ...]
"""The values of a row's key columns, in the order of the key."""


@dataclass(frozen=True, slots=True)
class Update:
    """An owned row whose desired values differ from the stored ones."""

    key: Key
    before: Row
    """The stored values of the columns being written."""
    after: Row
    """The desired row, owner marker included."""

    @property
    def changed(self) -> tuple[str, ...]:
        """The columns whose values change."""
        return tuple(c for c in self.after if self.before.get(c) != self.after[c])


@dataclass(frozen=True, slots=True)
class Conflict:
    """A desired row whose key is taken by a row that is not ours: reported, never overwritten."""

    key: Key
    existing: Row
    desired: Row

    def __str__(self) -> str:
        key = self.key[0] if len(self.key) == 1 else self.key
        return f"{key!r} exists and was not provisioned here; left as it is"


@dataclass(frozen=True, slots=True)
class Plan:
    """What reconciling would do (or did): create, update, delete; and what it leaves alone."""

    create: tuple[Row, ...] = ()
    update: tuple[Update, ...] = ()
    delete: tuple[Row, ...] = ()
    """Owned rows that are no longer desired (their stored values)."""
    unchanged: tuple[Row, ...] = ()
    conflict: tuple[Conflict, ...] = ()
    key: tuple[str, ...] = field(default=(), compare=False)
    columns: tuple[str, ...] = field(default=(), compare=False)
    """The columns reconciling writes (the desired rows' columns and the owner column)."""

    @property
    def changes(self) -> int:
        """How many rows applying the plan writes: creates, updates and deletes."""
        return len(self.create) + len(self.update) + len(self.delete)

    def summary(self) -> str:
        """One line for progress and status.

        "create 2, update 1, delete 1, unchanged 7, conflict 0"
        """
        return (
            f"create {len(self.create)}, update {len(self.update)}, delete {len(self.delete)}, "
            f"unchanged {len(self.unchanged)}, conflict {len(self.conflict)}"
        )


def key_columns(key: str | Sequence[str]) -> tuple[str, ...]:
    """The key as a tuple of column names (a single name is a one-column key)."""
    columns = (key,) if isinstance(key, str) else tuple(key)
    if not columns:
        raise ConfigError("a provisioned table needs a key: one column name or several")
    return columns


def _getter(columns: tuple[str, ...]) -> Callable[[Row], Key]:
    """A fast function from a row to the tuple of its `columns`' values."""
    pick = itemgetter(*columns)
    if len(columns) == 1:
        return lambda row: (pick(row),)
    return pick  # itemgetter of several names gives a tuple


def desired_rows(
    desired: Iterable[Row], key: tuple[str, ...], owner: tuple[str, object]
) -> tuple[tuple[Row, ...], tuple[str, ...]]:
    """Check the desired rows and mark them with the owner; also return the written columns."""
    marker, mine = owner
    rows: list[Row] = []
    seen: set[Key] = set()
    names: KeysView[str] | None = None
    get_key = _getter(key)
    for row in desired:
        if marker in row and row[marker] != mine:
            raise ConfigError(
                f"desired row {dict(row)!r} carries {marker}={row[marker]!r}, not {mine!r}"
            )
        marked = {**row, marker: mine}
        if names is None:
            names = marked.keys()
        elif marked.keys() != names:
            raise ConfigError(
                f"desired rows must all have the same columns: {dict(row)!r} has "
                f"{sorted(marked)}, the first row had {sorted(names)}"
            )
        try:
            k = get_key(marked)
        except KeyError:
            k = (None,)
        if None in k:
            missing = next(c for c in key if marked.get(c) is None)
            raise ConfigError(f"desired row {dict(row)!r} has no value for key column {missing!r}")
        if k in seen:
            raise ConfigError(f"two desired rows have the key {k!r}")
        seen.add(k)
        rows.append(marked)
    return tuple(rows), tuple(names) if names is not None else (*key, marker)


def make_plan(
    desired: Iterable[Row],
    existing: Iterable[Row],
    *,
    key: str | Sequence[str],
    owner: tuple[str, object],
) -> Plan:
    """Compare desired rows with the stored ones. Only rows marked with `owner` may change."""
    keys = key_columns(key)
    marker, mine = owner
    rows, columns = desired_rows(desired, keys, owner)
    get_key, get_values = _getter(keys), _getter(columns)
    stored: dict[Key, list[Row]] = {}
    for row in existing:
        stored.setdefault(get_key(row), []).append(row)
    create: list[Row] = []
    update: list[Update] = []
    unchanged: list[Row] = []
    conflict: list[Conflict] = []
    for row in rows:
        k = get_key(row)
        found = stored.get(k)
        if not found:
            create.append(row)
            continue
        theirs = [r for r in found if r.get(marker) != mine]
        if theirs:
            conflict.append(Conflict(k, theirs[0], row))
            continue
        values = get_values(row)
        differing = [r for r in found if get_values(r) != values]
        if differing:
            update.append(Update(k, {c: differing[0].get(c) for c in columns}, row))
        else:
            unchanged.append(row)
    wanted = {get_key(row) for row in rows}
    delete = [
        r for k, found in stored.items() if k not in wanted for r in found if r.get(marker) == mine
    ]
    return Plan(
        tuple(create),
        tuple(update),
        tuple(delete),
        tuple(unchanged),
        tuple(conflict),
        key=keys,
        columns=columns,
    )

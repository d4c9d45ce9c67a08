"""make_plan: what changes, what stays, what conflicts; refusals of malformed desired rows."""

from __future__ import annotations

import pytest

from bootgate import ConfigError
from bootgate.provision import Conflict, Plan, Update, make_plan

OWNER = ("provisioned_by", "config")


def mine(name: str, label: str = "") -> dict[str, object]:
    """A stored row this service provisioned."""
    return {"name": name, "label": label or name.upper(), "provisioned_by": "config"}


def theirs(name: str, label: str = "") -> dict[str, object]:
    """A stored row a person created (no marker)."""
    return {"name": name, "label": label or name.upper(), "provisioned_by": None}


def want(name: str, label: str = "") -> dict[str, object]:
    """A desired row."""
    return {"name": name, "label": label or name.upper()}


def test_each_kind_of_row_lands_in_its_place() -> None:
    """Missing rows are created, differing owned ones updated, stale owned ones deleted,
    equal ones unchanged, and a key held by someone else's row is a conflict."""
    existing = [
        mine("same"),
        mine("old"),
        mine("renamed-label", "X"),
        theirs("ui"),
        theirs("taken"),
    ]
    desired = [want("same"), want("new"), want("renamed-label", "Y"), want("taken")]
    plan = make_plan(desired, existing, key="name", owner=OWNER)
    assert plan.create == ({**want("new"), "provisioned_by": "config"},)
    assert plan.update == (
        Update(("renamed-label",), mine("renamed-label", "X"), mine("renamed-label", "Y")),
    )
    assert plan.update[0].changed == ("label",)
    assert plan.delete == (mine("old"),)
    assert plan.unchanged == (mine("same"),)
    assert plan.conflict == (Conflict(("taken",), theirs("taken"), mine("taken")),)
    assert str(plan.conflict[0]) == "'taken' exists and was not provisioned here; left as it is"
    assert plan.summary() == "create 1, update 1, delete 1, unchanged 1, conflict 1"
    assert plan.changes == 3


def test_nothing_desired_deletes_only_what_is_owned() -> None:
    """An empty configuration prunes every owned row and no other."""
    plan = make_plan([], [mine("a"), theirs("b")], key="name", owner=OWNER)
    assert plan == Plan(delete=(mine("a"),))


def test_composite_keys_and_unrelated_columns() -> None:
    """A key of several columns identifies rows; columns not desired are not compared."""
    existing = [{"tenant": "t", "name": "a", "extra": 1, "provisioned_by": "config"}]
    desired = [{"tenant": "t", "name": "a"}, {"tenant": "u", "name": "a"}]
    plan = make_plan(desired, existing, key=("tenant", "name"), owner=OWNER)
    assert [r["tenant"] for r in plan.unchanged] == ["t"]
    assert [r["tenant"] for r in plan.create] == ["u"]


@pytest.mark.parametrize(
    ("desired", "message"),
    [
        ([want("a"), want("a")], r"two desired rows have the key \('a',\)"),
        ([{"label": "x"}], "has no value for key column 'name'"),
        ([{"name": None}], "has no value for key column 'name'"),
        ([want("a"), {"name": "b"}], "must all have the same columns"),
        ([{**want("a"), "provisioned_by": "someone"}], "carries provisioned_by='someone'"),
    ],
)
def test_malformed_desired_rows_are_refused(desired: list[dict[str, object]], message: str) -> None:
    """Configuration mistakes are ConfigErrors before anything is written."""
    with pytest.raises(ConfigError, match=message):
        make_plan(desired, [], key="name", owner=OWNER)


def test_a_key_is_required() -> None:
    """An empty key cannot identify rows."""
    with pytest.raises(ConfigError, match="needs a key"):
        make_plan([], [], key=(), owner=OWNER)

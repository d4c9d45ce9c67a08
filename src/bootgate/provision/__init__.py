"""Provisioning that reconciles: desired rows in, a plan out, applied in one transaction.

```python
from bootgate import provision

table = provision.SqlTable(conn, "provider", key="name", owner=("provisioned_by", "config"))
plan = await provision.reconcile(desired_rows, table, progress=ctx.progress)
print(plan.summary())   # "create 2, update 1, delete 1, unchanged 7, conflict 0"
```

Only rows carrying the owner marker are updated or deleted; rows people created are never
written; a desired row whose key such a row holds is a `Conflict` in the plan. A second run plans
nothing. `dry_run=True` returns the plan without writing. Adapters: `SqlTable` (DB-API: sqlite3,
psycopg, PyMySQL...), `SqlAlchemyTable` (Engine or Connection, sync or async); any object with
the `Store` shape works too.
"""

from __future__ import annotations

from ._dbapi import SqlTable
from ._plan import Conflict, Key, Plan, Row, Update, make_plan
from ._reconcile import AsyncTransaction, Progress, Store, Transaction, reconcile, reconcile_sync
from ._sqlalchemy import SqlAlchemyTable

__all__ = [
    "AsyncTransaction",
    "Conflict",
    "Key",
    "Plan",
    "Progress",
    "Row",
    "SqlAlchemyTable",
    "SqlTable",
    "Store",
    "Transaction",
    "Update",
    "make_plan",
    "reconcile",
    "reconcile_sync",
]

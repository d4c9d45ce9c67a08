"""S1's migrations as a process of their own: apply what is pending, one line per migration.

    DATABASE_URL=postgres://... python -m examples.s1_stack.migrate

Each line reads "applied Migration0016 (16/25)", which the stack file's `progress` pattern
turns into the stack's progress and ETA. Exit 0 when the schema is complete.
"""

from __future__ import annotations

import os

from examples.s1_gateway import migrations


def main() -> int:
    """Apply the pending migrations to DATABASE_URL."""
    url = os.environ["DATABASE_URL"]
    delay = float(os.environ.get("MIGRATION_DELAY", "0.4"))
    todo = migrations.pending(url)
    print(f"{len(todo)} migrations to apply", flush=True)

    def report(done: int, total: int, name: str) -> None:
        print(f"applied {name} ({done}/{total})", flush=True)

    migrations.apply(url, todo, delay, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""alembic(config): upgrade to head one revision at a time, a progress tick per revision."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy
from alembic.config import Config

from bootgate.migrations import alembic

pytestmark = pytest.mark.anyio

ENV = """
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
engine = engine_from_config(
    config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"""

REVISION = '''"""{doc}"""
from alembic import op

revision = {rev!r}
down_revision = {down!r}


def upgrade():
    op.execute("CREATE TABLE {table} (id TEXT)")
'''


def project(tmp_path: Path) -> Config:
    """An Alembic project with three revisions on a SQLite file."""
    scripts = tmp_path / "alembic"
    (scripts / "versions").mkdir(parents=True)
    (scripts / "env.py").write_text(ENV)
    chain = [("a1", None, "tenant"), ("b2", "a1", "provider"), ("c3", "b2", "audit")]
    for rev, down, table in chain:
        text = REVISION.format(doc=f"create {table}", rev=rev, down=down, table=table)
        (scripts / "versions" / f"{rev}.py").write_text(text)
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'app.db'}")
    return config


async def test_upgrade_ticks_once_per_revision_and_then_has_nothing_to_do(tmp_path: Path) -> None:
    """Three revisions give three ticks with their messages; the second run applies none."""
    config = project(tmp_path)
    migrations = alembic(config)
    assert await migrations.pending() == ["a1", "b2", "c3"]
    ticks: list[tuple[float, float | None, str]] = []
    applied = await migrations.apply(progress=lambda d, t, m: ticks.append((d, t, m)))
    assert applied == ["a1", "b2", "c3"]
    assert ticks == [
        (0, 3, "3 pending"),
        (1, 3, "a1 create tenant"),
        (2, 3, "b2 create provider"),
        (3, 3, "c3 create audit"),
    ]
    assert await migrations.apply() == []
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.connect() as conn:
        names = set(sqlalchemy.inspect(conn).get_table_names())
    engine.dispose()
    assert names >= {"tenant", "provider", "audit", "alembic_version"}


async def test_a_partly_upgraded_database_gets_only_the_rest(tmp_path: Path) -> None:
    """From revision a1, only b2 and c3 are pending and applied."""
    from alembic import command

    config = project(tmp_path)
    command.upgrade(config, "a1")
    assert await alembic(config).apply() == ["b2", "c3"]


def test_an_ini_path_is_accepted(tmp_path: Path) -> None:
    """alembic("alembic.ini") loads the file as the Config."""
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = alembic\n")
    assert alembic(ini).config.get_main_option("script_location") == "alembic"

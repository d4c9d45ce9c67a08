"""SQL text for DB-API drivers: quoted identifiers and each driver's parameter markers.

Values never enter SQL text: they travel as parameters. Identifiers (table and column names)
cannot, so they are quoted: doubled quote characters inside, the whole in the dialect's quotes,
and a "%" doubled for drivers whose markers are "%s" (else the driver would read it as one).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from bootgate._errors import ConfigError

_MYSQL_DRIVERS = frozenset({"pymysql", "MySQLdb", "mysql", "mariadb"})


def driver_name(connection: object) -> str:
    """The top-level module of a DB-API connection's class: "sqlite3", "psycopg", "pymysql"..."""
    return type(connection).__module__.split(".")[0]


def check_identifier(name: object, what: str) -> str:
    """A table or column name: a non-empty string without NUL characters."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ConfigError(f"{what} must be a non-empty name without NUL characters, got {name!r}")
    return name


class Dialect:
    """How to write identifiers and parameters for one DB-API connection."""

    def __init__(self, connection: object) -> None:
        self.driver = driver_name(connection)
        module = sys.modules.get(self.driver)
        self.paramstyle: str = getattr(module, "paramstyle", "qmark")
        if self.paramstyle not in ("qmark", "format", "pyformat", "numeric", "named"):
            raise ConfigError(f"unknown DB-API paramstyle {self.paramstyle!r} of {self.driver}")
        self.mysql = self.driver in _MYSQL_DRIVERS

    def quote(self, name: str) -> str:
        """`name` as a quoted identifier."""
        quote = "`" if self.mysql else '"'
        text = quote + name.replace(quote, quote * 2) + quote
        return text.replace("%", "%%") if self.paramstyle in ("format", "pyformat") else text

    def table(self, name: str, schema: str | None = None) -> str:
        """A quoted, optionally schema-qualified table name."""
        return self.quote(name) if schema is None else f"{self.quote(schema)}.{self.quote(name)}"

    def marker(self, index: int) -> str:
        """The placeholder of the parameter at `index` (0-based)."""
        if self.paramstyle == "qmark":
            return "?"
        if self.paramstyle in ("format", "pyformat"):
            return "%s"
        if self.paramstyle == "numeric":
            return f":{index + 1}"
        return f":p{index}"

    def params(self, values: Sequence[object]) -> Any:
        """Parameters in the form the driver wants for markers made by `marker`."""
        if self.paramstyle == "named":
            return {f"p{i}": v for i, v in enumerate(values)}
        return tuple(values)

"""`mysql://` and `mariadb://`: ready when the server authenticates us (PyMySQL, extra `mysql`).

The driver is synchronous; each attempt runs in a worker thread with its own connect and read
timeouts, so an abandoned attempt ends by itself. Classification uses the MySQL error number:
2002/2003/2006/2013 (cannot connect, gone, lost) and 1040 (too many connections), 1053 (server
shutdown) and 1205/1213 are transient; 1045 (access denied), 1044, 1049 (unknown database) and
anything else are permanent.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from bootgate._probe import Permanent, ProbeResult, Ready, Transient

from ._base import LayeredProbe
from ._drivers import require
from ._target import Target

TRANSIENT_ERRNOS = frozenset({1040, 1053, 1205, 1213, 2002, 2003, 2006, 2013})


def classify_errno(code: int, message: str) -> ProbeResult:
    """Transient for "not yet" error numbers, Permanent for the rest."""
    reason = f"{message} (MySQL error {code})"
    return Transient(reason) if code in TRANSIENT_ERRNOS else Permanent(reason)


class MysqlProbe(LayeredProbe):
    """Connect and authenticate with PyMySQL; the connect itself proves the server serves."""

    def __init__(self, target: Target, driver: Any, timeout: float) -> None:
        super().__init__(target)
        self._driver = driver
        self._timeout = timeout

    async def handshake(self) -> ProbeResult:
        """Authenticate (and select the database, if the target names one) in a worker thread."""
        return await anyio.to_thread.run_sync(self._connect, abandon_on_cancel=True)

    def _connect(self) -> ProbeResult:
        target = self.target
        try:
            connection = self._driver.connect(
                host=target.host,
                port=target.port,
                user=target.user or "root",
                password=target.password or "",
                database=target.path.lstrip("/") or None,
                connect_timeout=self._timeout,
                read_timeout=self._timeout,
                write_timeout=self._timeout,
            )
        except self._driver.err.MySQLError as exc:
            args: tuple[object, ...] = tuple(exc.args)
            if len(args) >= 2 and isinstance(args[0], int):
                return classify_errno(args[0], str(args[1]).split(" (")[0])
            return Transient(f"{type(exc).__name__}: {exc}")
        try:
            version = connection.get_server_info()
        finally:
            connection.close()
        return Ready(f"server {version}")


def make_mysql(target: Target, *, attempt_timeout: float = 3.0, **_: object) -> MysqlProbe:
    """Build the probe for a mysql:// target (needs `pip install 'bootgate[mysql]'`)."""
    driver = require("pymysql", target.scheme, "mysql")
    return MysqlProbe(target, driver, attempt_timeout)

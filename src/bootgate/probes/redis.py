"""`redis://` and `rediss://`: ready when `PING` answers after `AUTH` (redis-py, extra `redis`).

Classification uses Redis's error prefixes: `LOADING`, `BUSY`, `MASTERDOWN` and `TRYAGAIN` are
transient; `WRONGPASS`, `NOAUTH`, `NOPERM` and invalid-password errors are permanent.
`redis://:password@host:6379/2` selects database 2.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from bootgate._probe import Permanent, ProbeResult, Ready, Transient

from ._base import LayeredProbe
from ._drivers import require
from ._target import Target

TRANSIENT_PREFIXES = ("LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN")


def classify_reply_error(message: str) -> ProbeResult:
    """Classify a Redis error reply by its prefix."""
    # Everything else (WRONGPASS, NOAUTH, NOPERM, unknown commands) will not pass by retrying.
    return Transient(message) if message.startswith(TRANSIENT_PREFIXES) else Permanent(message)


class RedisProbe(LayeredProbe):
    """Connect, AUTH (if the target has credentials), SELECT, PING — in a worker thread."""

    def __init__(self, target: Target, driver: Any, timeout: float, ssl_options: dict[str, Any]):
        super().__init__(target)
        self._driver = driver
        self._timeout = timeout
        self._ssl = ssl_options
        # One attempt means one try: the waiter, not the driver, decides about retrying.
        self._no_retry = driver.retry.Retry(driver.backoff.NoBackoff(), 0)

    async def handshake(self) -> ProbeResult:
        """PING through redis-py in a worker thread."""
        return await anyio.to_thread.run_sync(self._ping, abandon_on_cancel=True)

    def _ping(self) -> ProbeResult:
        target = self.target
        path = target.path.strip("/")
        if path and not path.isdigit():
            return Permanent(f"database {path!r} is not a number")
        client = self._driver.Redis(
            host=target.host,
            port=target.port,
            username=target.user or None,
            password=target.password,
            db=int(path or 0),
            socket_connect_timeout=self._timeout,
            socket_timeout=self._timeout,
            retry=self._no_retry,
            **self._ssl,
        )
        errors = self._driver.exceptions
        try:
            client.ping()
        except errors.AuthenticationError as exc:
            return Permanent(_first_line(exc))
        except errors.ResponseError as exc:
            return classify_reply_error(_first_line(exc))
        except errors.ConnectionError as exc:
            return Transient(_first_line(exc))
        except errors.TimeoutError:
            return Transient("timed out")
        finally:
            client.close()
        return Ready("PONG")


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def make_redis(
    target: Target,
    *,
    attempt_timeout: float = 3.0,
    ca_file: str | None = None,
    cert_file: str | None = None,
    key_file: str | None = None,
    insecure: bool = False,
    **_: object,
) -> RedisProbe:
    """Build the probe for a redis:// or rediss:// target (needs `bootgate[redis]`)."""
    driver = require("redis", target.scheme, "redis")
    require("redis.retry", target.scheme, "redis")
    require("redis.backoff", target.scheme, "redis")
    ssl_options: dict[str, Any] = {}
    if target.scheme == "rediss":
        ssl_options = {
            "ssl": True,
            "ssl_ca_certs": ca_file,
            "ssl_certfile": cert_file,
            "ssl_keyfile": key_file,
            "ssl_cert_reqs": "none" if insecure else "required",
            "ssl_check_hostname": not insecure,
        }
    return RedisProbe(target, driver, attempt_timeout, ssl_options)

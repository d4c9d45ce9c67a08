"""Probes: a URL-scheme registry mapping a target such as `postgres://app@db/app` to a Probe.

Importing this package is cheap (no anyio, no driver): a scheme's module, and its driver if it
needs one, are imported only when `probe_for` sees a target of that scheme.
"""

from __future__ import annotations

import importlib

from ._sync import Verdict, check
from ._target import SCHEMES, Target, parse_target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from bootgate._probe import Probe

#: scheme -> (module, factory): the module is imported on first use of the scheme.
REGISTRY: dict[str, tuple[str, str]] = {
    "tcp": ("tcp", "make_tcp"),
    "unix": ("tcp", "make_unix"),
    "file": ("file", "make_file"),
    "http": ("http", "make_http"),
    "https": ("http", "make_http"),
    "postgres": ("postgres", "make_postgres"),
    "postgresql": ("postgres", "make_postgres"),
    "mysql": ("mysql", "make_mysql"),
    "mariadb": ("mysql", "make_mysql"),
    "redis": ("redis", "make_redis"),
    "rediss": ("redis", "make_redis"),
    "amqp": ("amqp", "make_amqp"),
    "amqps": ("amqp", "make_amqp"),
    "nats": ("nats", "make_nats"),
    "mqtt": ("mqtt", "make_mqtt"),
}


def probe_for(target: str | Target, **options: Any) -> Probe:
    """Return the Probe for `target` (a URL such as `redis://:secret@cache:6379/0`).

    Options, each used by the schemes it applies to: `status` ("200,204", "2xx"), `headers`
    (mapping or "Name: value" lines), `ca_file`, `cert_file`, `key_file`, `insecure` (TLS),
    `attempt_timeout` (seconds, for drivers that need their own). Raises ConfigError (one line
    naming the bad part) for a malformed target and MissingExtraError when the scheme's driver
    is not installed.
    """
    parsed = target if isinstance(target, Target) else parse_target(target)
    module_name, factory = REGISTRY[parsed.scheme]
    module = importlib.import_module(f"{__name__}.{module_name}")
    probe: Probe = getattr(module, factory)(parsed, **options)
    return probe


__all__ = ["REGISTRY", "SCHEMES", "Target", "Verdict", "check", "parse_target", "probe_for"]

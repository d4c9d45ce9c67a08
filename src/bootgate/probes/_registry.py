"""The URL-scheme registry: which module knows how to check a target of which scheme."""

from __future__ import annotations

import importlib

from ._options import ProbeOptions
from ._target import Target, parse_target

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from ._conversation import Handshake

#: scheme -> (module, factory): the module is imported on first use of the scheme. A factory
#: takes the Target and the ProbeOptions and returns the protocol's Handshake.
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


def handshake_for(target: str | Target, options: ProbeOptions) -> Handshake:
    """The Handshake that checks `target` (ConfigError for a malformed one)."""
    parsed = target if isinstance(target, Target) else parse_target(target)
    module_name, factory = REGISTRY[parsed.scheme]
    module = importlib.import_module(f"bootgate.probes.{module_name}")
    handshake: Handshake = getattr(module, factory)(parsed, options)
    return handshake

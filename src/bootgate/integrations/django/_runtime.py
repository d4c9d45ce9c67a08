"""The process's one gate: the boot named in settings, running on a background event loop.

Django has no lifespan in either of its deployments (its ASGI handler refuses lifespan
scopes), so the boot runs on an event-loop thread of its own (`bootgate.http.WsgiGate`),
started the first time Django builds its request handler in a process, which is after any
fork of a pre-forking server unless the app is preloaded.
"""

from __future__ import annotations

import atexit
import importlib
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from bootgate import Boot
from bootgate.http import Paths, WsgiGate

from ._passage import let_through

_lock = threading.Lock()
_gate: WsgiGate | None = None


def load_boot(where: object) -> Boot:
    """The Boot `where` names: "package.module:attribute" (or a dotted path), or a Boot itself."""
    if isinstance(where, Boot):
        return where
    if not isinstance(where, str) or not where:
        raise ImproperlyConfigured(
            f"BOOTGATE_BOOT must name a Boot like 'myproject.startup:boot', got {where!r}"
        )
    module_name, colon, attribute = where.partition(":")
    if not colon:
        module_name, _, attribute = where.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ImproperlyConfigured(f"BOOTGATE_BOOT = {where!r} cannot be imported: {exc}") from exc
    if not isinstance(found, Boot):
        raise ImproperlyConfigured(
            f"BOOTGATE_BOOT = {where!r} is a {type(found).__name__}, not a bootgate.Boot"
        )
    return found


def configured_paths() -> Paths:
    """The endpoint paths from settings.BOOTGATE_PATHS (a bootgate.http.Paths), or the default."""
    paths = getattr(settings, "BOOTGATE_PATHS", None) or Paths()
    if not isinstance(paths, Paths):
        raise ImproperlyConfigured(
            f"BOOTGATE_PATHS must be a bootgate.http.Paths, got {type(paths).__name__}"
        )
    return paths


def gate() -> WsgiGate:
    """The process's gate, running the boot from settings.BOOTGATE_BOOT (started on first use).

    Options come from settings: BOOTGATE_PATHS, BOOTGATE_HOLD (seconds or "2s"), BOOTGATE_EXEMPT
    (path prefixes that always reach the views). The boot is torn down at interpreter exit, or
    earlier by `shutdown()`.
    """
    global _gate
    with _lock:
        if _gate is None:
            if not hasattr(settings, "BOOTGATE_BOOT"):
                raise ImproperlyConfigured(
                    "bootgate needs settings.BOOTGATE_BOOT, e.g. 'myproject.startup:boot'"
                )
            running = WsgiGate(
                let_through,
                load_boot(settings.BOOTGATE_BOOT),
                paths=configured_paths(),
                hold=getattr(settings, "BOOTGATE_HOLD", 0.0),
                exempt=getattr(settings, "BOOTGATE_EXEMPT", ()),
            )
            running.start()
            atexit.register(running.close)
            _gate = running
        return _gate


def shutdown() -> None:
    """Drop readiness, tear the boot down in reverse order, and forget it (e.g. a worker's exit).

    The next request handler Django builds in this process starts the boot named in settings
    again.
    """
    global _gate
    with _lock:
        running, _gate = _gate, None
    if running is not None:
        atexit.unregister(running.close)
        running.close()

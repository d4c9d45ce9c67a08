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

from bootgate import Boot, ConfigError
from bootgate.http import GateConfig, WsgiGate

_PREFIX = "BOOTGATE_"
#: The settings of this integration itself, beside the gate's options.
_OWN = ("BOOTGATE_BOOT",)
_OWN_OPTIONS = tuple(name.removeprefix(_PREFIX).lower() for name in _OWN)
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


def configured() -> GateConfig:
    """The gate's options from settings (BOOTGATE_<OPTION>), validated against the environment.

    A setting beats the environment variable of the same name. A BOOTGATE_* setting that is
    no option, or a bad value, is ImproperlyConfigured naming the setting.
    """
    options = {
        name.removeprefix(_PREFIX).lower(): getattr(settings, name)
        for name in dir(settings)
        if name.startswith(_PREFIX) and name not in _OWN
    }
    try:
        GateConfig.reject_unknown(options, also=_OWN_OPTIONS, label=_setting)
        return GateConfig.from_options(options, label=_setting)
    except (ConfigError, TypeError) as exc:
        raise ImproperlyConfigured(str(exc)) from None


def gate() -> WsgiGate:
    """The process's gate, running the boot from settings.BOOTGATE_BOOT (started on first use).

    Options come from settings named after `bootgate.http.GateOptions` (BOOTGATE_PATHS,
    BOOTGATE_HOLD, BOOTGATE_EXEMPT, ...; see `configured`). The boot is torn down at
    interpreter exit, or earlier by `shutdown()`.
    """
    global _gate
    with _lock:
        if _gate is None:
            if not hasattr(settings, "BOOTGATE_BOOT"):
                raise ImproperlyConfigured(
                    "bootgate needs settings.BOOTGATE_BOOT, e.g. 'myproject.startup:boot'"
                )
            config = configured()
            running = WsgiGate(None, load_boot(settings.BOOTGATE_BOOT), config=config)
            running.start()
            atexit.register(running.close)
            _gate = running
        return _gate


def _setting(option: str) -> str:
    return f"settings.{_PREFIX}{option.upper()}"


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

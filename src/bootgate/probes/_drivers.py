"""Optional drivers: imported only when a target of their scheme is used."""

from __future__ import annotations

import importlib
from types import ModuleType

from bootgate._errors import MissingExtraError


def require(module: str, scheme: str, extra: str) -> ModuleType:
    """Import `module`, or raise MissingExtraError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(scheme, extra, module) from None

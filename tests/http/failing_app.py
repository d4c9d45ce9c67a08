"""ASGI factories for uvicorn processes whose startup fails for good (see test_on_failure)."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

from bootgate import Boot, PermanentError, Retry


def _boot(after_deadline: str) -> Boot:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s: %(message)s")
    boot = Boot("shop", after_deadline="exit" if after_deadline == "exit" else "heal")

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        logging.getLogger("shop").info("pool closed")

    @boot.step(requires=[pool], retry=Retry(attempts=1, timeout=None))
    async def config() -> None:
        raise PermanentError("DATABASE_URL is not set")

    return boot


def exits() -> Any:
    """after_deadline="exit": the served process ends with status 3."""
    return _boot("exit").asgi()


def stays() -> Any:
    """The default: the server goes on answering 503 with the reason."""
    return _boot("heal").asgi()

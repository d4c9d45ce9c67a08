"""The status document of a bootgate service, checked before anything trusts it.

A waiter and `bootgate status` read documents from servers they do not control: a wrong URL,
a proxy's error page, a server that lies. `checked` lets through only the shape bootgate
serves (docs/http.md) with the types it serves, finite numbers included, and otherwise raises
one `DocumentError` line saying what is wrong; it never echoes the document itself.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class DocumentError(ValueError):
    """A status document without the shape bootgate serves; the message names the field."""


def checked(document: object) -> dict[str, Any]:
    """`document` itself when it is a bootgate status document; else DocumentError."""
    top = _mapping(document, "the document")
    _text(top.get("status"), "status")
    info = _mapping(top.get("bootgate"), "bootgate")
    _text(info.get("service"), "bootgate.service")
    for flag in ("ready", "stopping", "failed"):
        if not isinstance(info.get(flag), bool):
            raise DocumentError(f"bootgate.{flag} is not true or false")
    _number(info.get("elapsed_s"), "bootgate.elapsed_s")
    nodes = _mapping(info.get("nodes"), "bootgate.nodes")
    for index, (name, node) in enumerate(nodes.items()):
        where = f"bootgate.nodes[{index}]"
        _text(name, f"{where} name")
        fields = _mapping(node, where)
        _text(fields.get("phase"), f"{where}.phase")
        for key in ("detail", "reason", "error"):
            if fields.get(key) is not None:
                _text(fields[key], f"{where}.{key}")
        if fields.get("duration_s") is not None:
            _number(fields["duration_s"], f"{where}.duration_s")
        progress = fields.get("progress")
        if progress is not None:
            progress = _mapping(progress, f"{where}.progress")
            _number(progress.get("done"), f"{where}.progress.done")
            if progress.get("total") is not None:
                _number(progress["total"], f"{where}.progress.total")
    blocking = info.get("blocking")
    if not isinstance(blocking, list) or not all(isinstance(chain, str) for chain in blocking):
        raise DocumentError("bootgate.blocking is not a list of text")
    return top


def _mapping(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DocumentError(f"{where} is not an object")
    return value


def _text(value: object, where: str) -> None:
    if not isinstance(value, str):
        raise DocumentError(f"{where} is not text")


def _number(value: object, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DocumentError(f"{where} is not a number")
    if not math.isfinite(value):
        raise DocumentError(f"{where} is not a finite number")

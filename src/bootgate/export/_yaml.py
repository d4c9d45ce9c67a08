"""A small YAML writer for the exports: mappings, lists and scalars, nothing clever.

Strings are written plain only when YAML cannot read them as anything else; otherwise they are
double-quoted with JSON's escapes (a subset of YAML's), so `"no"`, `"1.0"`, `"on"` and
`"key: value"` stay strings in every YAML reader, 1.1 or 1.2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./@+-]*")
#: Words YAML 1.1 readers (PyYAML, docker-compose 1.x) take for booleans or null.
_WORDS = {
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
}  # fmt: skip


def scalar(value: object) -> str:
    """One scalar as YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _WORDS:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    if quoted.isprintable():
        return quoted
    # YAML refuses unprintable characters (DEL, C1 controls, surrogates...) even quoted.
    return "".join(c if c.isprintable() else _escape(c) for c in quoted)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def dump(value: object, indent: int = 0) -> str:
    """`value` (dicts, lists, scalars) as a YAML block, ending with a newline."""
    return "\n".join(_lines(value, indent)) + "\n"


def dump_all(documents: Sequence[object]) -> str:
    """Several documents separated by `---`."""
    return "---\n".join(dump(d) for d in documents)


def _lines(value: object, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        if not value:
            return [pad + "{}"]
        lines = []
        for key, item in value.items():
            head = f"{pad}{scalar(str(key))}:"
            if _is_block(item):
                lines.append(head)
                lines += _lines(item, indent + 2)
            else:
                lines.append(f"{head} {_inline(item)}")
        return lines
    if isinstance(value, list | tuple):
        if not value:
            return [pad + "[]"]
        lines = []
        for item in value:
            if _is_block(item):
                inner = _lines(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {_inline(item)}")
        return lines
    return [pad + scalar(value)]


def _is_block(value: object) -> bool:
    return isinstance(value, Mapping | list | tuple) and len(value) > 0


def _inline(value: object) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list | tuple):
        return "[]"
    return scalar(value)

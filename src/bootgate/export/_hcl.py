"""A small HCL2 writer for the Nomad export: blocks, attributes, strings, numbers, lists.

Strings are quoted with JSON's escapes, and `${` / `%{` are doubled, so nothing in a command
line is ever read as an HCL interpolation or template directive.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Block:
    """`type "label" { body }`: attributes in order, then nested blocks."""

    kind: str
    labels: tuple[str, ...] = ()
    attributes: dict[str, object] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def add(self, block: Block) -> Block:
        """Append a nested block and return it."""
        self.blocks.append(block)
        return block


def string(text: str) -> str:
    """An HCL string literal with interpolation sequences escaped."""
    return json.dumps(text, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")


def value(item: object) -> str:
    """An attribute value."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int | float):
        return json.dumps(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, Mapping):
        inner = ", ".join(f"{string(str(k))} = {value(v)}" for k, v in item.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(item, Sequence):
        return "[" + ", ".join(value(v) for v in item) + "]"
    raise TypeError(f"cannot write {item!r} as HCL")


def render(block: Block, indent: int = 0) -> str:
    """`block` as HCL text, ending with a newline."""
    pad = " " * indent
    labels = "".join(f" {string(label)}" for label in block.labels)
    lines = [f"{pad}{block.kind}{labels} {{"]
    width = max((len(k) for k in block.attributes), default=0)
    for key, item in block.attributes.items():
        lines.append(f"{pad}  {key.ljust(width)} = {value(item)}")
    for child in block.blocks:
        if lines[-1].strip() != "{" or block.attributes:
            lines.append("")
        lines.append(render(child, indent + 2).rstrip("\n"))
    lines.append(f"{pad}}}")
    return "\n".join(lines) + "\n"

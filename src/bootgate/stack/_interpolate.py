"""`${NAME}` and `${NAME:-default}` in a stack file's strings, as Compose writes them.

One file then serves a laptop, CI and a container: ports, paths and credentials come from the
environment of `bootgate up` (or `bootgate export`). `$$` is a literal `$`. A variable that is
unset and has no default is an error, never an empty string in a command line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_REFERENCE = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|(\{[^}]*\}?))")


class UnsetVariable(ValueError):
    """A `${NAME}` whose variable is not set and which gives no default."""


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """`text` with each reference replaced from `env`; raises UnsetVariable or ValueError."""
    if "$" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        escaped, name, default, malformed = match.groups()
        if escaped:
            return "$"
        if malformed is not None:
            raise ValueError(f"malformed variable reference ${malformed}")
        value = env.get(name)
        if value is not None and (value != "" or ":-" not in match.group(0)):
            return value
        if default is not None:
            return default
        raise UnsetVariable(f"variable {name} is not set (write ${{{name}:-default}} to give one)")

    return _REFERENCE.sub(replace, text)

"""What the command prints: one line at a time, control characters escaped, a closed pipe quiet.

Everything the command prints can hold text from outside: a target given on the command line,
a server's reason, a status document's node names. A CR, LF or escape sequence in it would
split a one-line error into several, forge log lines, or move the terminal's cursor, so every
line goes through `safe()`. Standard library only: `check` prints through this module.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: `check` must not pay for importing typing
if TYPE_CHECKING:
    from typing import TextIO

#: Exit code of a command whose reader went away (as if killed by SIGPIPE: 128 + 13).
EXIT_BROKEN_PIPE = 141


def safe(text: str) -> str:
    """`text` with every control or invisible formatting character escaped (`\\n`, `\\x1b`, ...)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    if char in "\t\n\r":
        return repr(char)[1:-1]
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def out(line: str) -> None:
    """Print one result line on stdout and flush it (the command may exec right after)."""
    _write(sys.stdout, line)


def err(line: str) -> None:
    """Print one line on stderr, prefixed "bootgate: "."""
    _write(sys.stderr, "bootgate: " + line)


def _write(stream: TextIO, line: str) -> None:
    try:
        stream.write(safe(line) + "\n")
        stream.flush()
    except BrokenPipeError:
        # The reader left (`bootgate wait --json ... | head`): nobody will read another line,
        # so end quietly, as a program killed by SIGPIPE would, and without a traceback from
        # the interpreter's own flush at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os._exit(EXIT_BROKEN_PIPE)

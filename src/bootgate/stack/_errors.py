"""The one error a stack file can raise: a line naming the file, the process and the field."""

from __future__ import annotations

from pathlib import Path

from bootgate import ConfigError, did_you_mean, redact


class StackFileError(ConfigError):
    """A stack file that cannot be used as written: raised before anything starts.

    The message is one line, "FILE: process NAME: FIELD: what is wrong" (or "FILE: [stack]:
    FIELD: …" for the stack's own settings), with secrets redacted.
    """

    def __init__(
        self, path: Path | str, problem: str, *, process: str | None = None, field: str = ""
    ) -> None:
        self.path = str(path)
        self.process = process
        self.field = field
        self.problem = " ".join(redact(problem).split())
        section = f"process {process}" if process is not None else "[stack]" if field else ""
        super().__init__(": ".join(p for p in (self.path, section, field, self.problem) if p))


nearest = did_you_mean
"""The nearest valid name, as every "unknown" error of bootgate's says it."""

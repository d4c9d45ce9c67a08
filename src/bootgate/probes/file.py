"""`file:///path`: ready when the path exists (a marker file, a mounted secret, a socket)."""

from __future__ import annotations

import os

from ._conversation import Handshake
from ._verdict import Verdict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._options import ProbeOptions
    from ._target import Target


class FileHandshake(Handshake):
    """A stat is the whole check; an absent path is transient (it may appear)."""

    def stat(self) -> Verdict:
        """Ready when the path exists."""
        if os.path.exists(self.target.path):
            return Verdict("ready", "exists")
        return Verdict("transient", "no such file")


def make_file(target: Target, options: ProbeOptions) -> Handshake:
    """The check of a file:// target."""
    return FileHandshake(target)

"""`file:///path`: ready when the path exists (a marker file, a mounted secret, a socket)."""

from __future__ import annotations

import os

from bootgate._probe import ProbeResult, Ready, Transient

from ._base import LayeredProbe
from ._target import Target


class FileProbe(LayeredProbe):
    """Ready when the file exists; a stat is the whole check."""

    async def reachable(self) -> Transient | None:
        """A stat of the path: absent is transient (it may appear)."""
        # A local stat does not block long enough to be worth a worker thread.
        if os.path.exists(self.target.path):  # noqa: ASYNC240
            return None
        return Transient("no such file")

    async def handshake(self) -> ProbeResult:
        """Nothing beyond the stat."""
        return Ready("exists")


def make_file(target: Target, **_: object) -> FileProbe:
    """Build the probe for a file:// target."""
    return FileProbe(target)

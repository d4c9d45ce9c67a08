"""`redis://` and `rediss://`: ready when `PING` answers after `AUTH` and `SELECT`.

The probe speaks RESP itself: three commands sent at once, three one-line replies. A client
library would add a dependency and its import time to every `bootgate check`.
Classification uses Redis's error prefixes: `LOADING`, `BUSY`, `MASTERDOWN`, `TRYAGAIN` and
`CLUSTERDOWN` are transient; `WRONGPASS`, `NOAUTH`, `NOPERM` and anything else are permanent.
`redis://:password@host:6379/2` selects database 2; `redis://user:password@…` logs in as `user`
(Redis 6 ACLs).
"""

from __future__ import annotations

from ._conversation import SEND, TLS, Handshake, Reader
from ._verdict import Verdict, permanent, ready, transient

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    import ssl

    from ._conversation import Conversation
    from ._options import ProbeOptions
    from ._target import Target

TRANSIENT_PREFIXES = ("LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN")


def classify_reply_error(message: str) -> Verdict:
    """Classify a Redis error reply by its prefix."""
    # Everything else (WRONGPASS, NOAUTH, NOPERM, unknown commands) will not pass by retrying.
    return transient(message) if message.startswith(TRANSIENT_PREFIXES) else permanent(message)


def command(*words: str) -> bytes:
    """One command in RESP: an array of bulk strings."""
    out = [f"*{len(words)}\r\n".encode()]
    for word in words:
        data = word.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class RedisHandshake(Handshake):
    """AUTH (if the target has a password), SELECT (if it names a database), PING."""

    def __init__(self, target: Target, tls: ssl.SSLContext | None) -> None:
        super().__init__(target)
        self.tls = tls
        self.database = target.path.strip("/")

    def conversation(self) -> Conversation:
        """Send the commands at once; the first error reply decides, else PONG."""
        target = self.target
        if self.database and not self.database.isdigit():
            return permanent(f"database {self.database!r} is not a number")
        commands = []
        if target.password is not None:
            login = (target.user,) if target.user else ()
            commands.append(command("AUTH", *login, target.password))
        if self.database not in ("", "0"):
            commands.append(command("SELECT", self.database))
        commands.append(command("PING"))
        if self.tls is not None:
            yield (TLS, self.tls, target.host)
        yield (SEND, b"".join(commands))
        reader = Reader()
        for _ in commands:
            reply = (yield from reader.until(b"\r\n")).decode("utf-8", "replace")
            if reply.startswith("-"):
                return classify_reply_error(reply[1:])
            if not reply.startswith("+"):
                return transient(f"not a Redis reply: {reply[:40]!r}")
        return ready("PONG")


def make_redis(target: Target, options: ProbeOptions) -> Handshake:
    """The check of a redis:// or rediss:// target."""
    return RedisHandshake(target, options.tls() if target.scheme == "rediss" else None)

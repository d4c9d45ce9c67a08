"""`postgres://` and `postgresql://`: ready when the server authenticates us and answers `SELECT 1`.

This probe speaks the PostgreSQL wire protocol itself (startup, trust/cleartext/MD5/SCRAM-SHA-256
authentication, one simple query) instead of going through a driver: drivers report connection
failures as text, and the classification needs the server's SQLSTATE, which the protocol carries.
Transient: 57P03 (starting up, shutting down, in recovery), 53300 (too many connections), other
class 08/53/57 codes. Permanent: 28P01/28000 (authentication), 3D000 (no such database), and any
other error. `?sslmode=require` (or verify-ca, verify-full) negotiates TLS first.
"""

from __future__ import annotations

import struct

from ._conversation import SEND, TLS, Handshake, Reader
from ._verdict import Verdict, permanent, ready, transient

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    import ssl

    from ._conversation import Conversation
    from ._options import ProbeOptions
    from ._scram import ScramClient
    from ._target import Target

TRANSIENT_CLASSES = ("08", "53", "57")
TRANSIENT_CODES = frozenset({"57P03", "53300", "40001", "40P01"})
PERMANENT_CODES = frozenset({"57P04"})  # database dropped: not coming back on its own
SSL_REQUEST = struct.pack("!II", 8, 80877103)
#: Bound on one message from the server (errors and parameters are small; so is `1`).
MESSAGE_LIMIT = 1024 * 1024


def classify_sqlstate(code: str, message: str) -> Verdict:
    """Transient for "not yet" codes (starting up, too many connections), else Permanent."""
    reason = f"{message} (SQLSTATE {code})"
    if code in TRANSIENT_CODES or (code[:2] in TRANSIENT_CLASSES and code not in PERMANENT_CODES):
        return transient(reason)
    return permanent(reason)


def _message(kind: bytes, body: bytes = b"") -> bytes:
    return kind + struct.pack("!I", len(body) + 4) + body


def _error_fields(body: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return fields


class PostgresHandshake(Handshake):
    """Startup, authentication and `SELECT 1` on the named database."""

    def __init__(self, target: Target, tls: ssl.SSLContext | None) -> None:
        super().__init__(target)
        self.user = target.user or target.option("user") or "postgres"
        self.database = target.path.lstrip("/") or target.option("dbname") or self.user
        self.password = (
            target.password if target.password is not None else target.option("password")
        )
        self.tls = tls

    def conversation(self) -> Conversation:
        """Connect, authenticate, run `SELECT 1`, and say goodbye."""
        reader = Reader()
        if self.tls is not None:
            yield (SEND, SSL_REQUEST)
            if (yield from reader.exactly(1)) != b"S":
                return permanent("server refused TLS (sslmode requires it)")
            if reader.buffer:  # bytes before the TLS handshake would be a man in the middle's
                return permanent("server sent unencrypted data after agreeing to TLS")
            yield (TLS, self.tls, self.target.host)
        params = b"".join(
            key.encode() + b"\0" + value.encode() + b"\0"
            for key, value in (
                ("user", self.user),
                ("database", self.database),
                ("application_name", "bootgate"),
            )
        )
        body = struct.pack("!I", 196608) + params + b"\0"
        yield (SEND, struct.pack("!I", len(body) + 4) + body)
        auth = _Auth(self.user, self.password)
        queried = False
        while True:
            kind = yield from reader.exactly(1)
            (length,) = struct.unpack("!I", (yield from reader.exactly(4)))
            if not 4 <= length <= MESSAGE_LIMIT:
                return transient(f"not a PostgreSQL answer (message {kind!r} of {length} bytes)")
            payload = yield from reader.exactly(length - 4)
            if kind == b"E":
                fields = _error_fields(payload)
                return classify_sqlstate(fields.get("C", "XX000"), fields.get("M", "error"))
            if kind == b"R":
                answer = auth.answer(payload)
                if isinstance(answer, Verdict):
                    return answer
                if answer:
                    yield (SEND, _message(b"p", answer))
            elif kind == b"Z":
                if queried:
                    yield (SEND, _message(b"X"))
                    return ready("SELECT 1")
                yield (SEND, _message(b"Q", b"SELECT 1\0"))
                queried = True
            # ParameterStatus, BackendKeyData, RowDescription, DataRow, CommandComplete,
            # NoticeResponse: nothing to decide on.


class _Auth:
    """The client's answers to the server's authentication requests (message `R`)."""

    def __init__(self, user: str, password: str | None) -> None:
        self.user = user
        self.password = password
        self.scram: ScramClient | None = None

    def answer(self, payload: bytes) -> bytes | Verdict:
        """What to send for this request (b"": nothing), or the verdict it leads to."""
        (code,) = struct.unpack("!I", payload[:4])
        if code == 0:  # AuthenticationOk
            return b""
        if code in (3, 5, 10) and self.password is None:
            return permanent("the server asks for a password and the target has none")
        password = (self.password or "").encode()
        if code == 3:  # cleartext
            return password + b"\0"
        if code == 5:  # MD5, salted
            import hashlib

            inner = hashlib.md5(password + self.user.encode()).hexdigest()
            return b"md5" + hashlib.md5(inner.encode() + payload[4:8]).hexdigest().encode() + b"\0"
        if code == 10:
            if b"SCRAM-SHA-256" not in payload[4:].split(b"\0"):
                return permanent("the server offers no SASL mechanism this probe speaks")
            from ._scram import ScramClient  # hashlib, hmac: only SCRAM pays for them

            self.scram = ScramClient(self.password or "")
            first = self.scram.first()
            return b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first
        if code == 11 and self.scram is not None:
            return self.scram.final(payload[4:])
        if code == 12 and self.scram is not None:
            if not self.scram.verify(payload[4:]):
                return permanent("the server's SCRAM signature does not match")
            return b""
        return permanent(f"unsupported authentication request {code}")


def make_postgres(target: Target, options: ProbeOptions) -> Handshake:
    """The check of a postgres:// target (`?sslmode=require` and verify-* use TLS)."""
    mode = target.option("sslmode", "disable") or "disable"
    tls: ssl.SSLContext | None = None
    if mode in ("require", "verify-ca", "verify-full"):
        from ._options import tls_context

        tls = tls_context(
            ca_file=options.ca_file or target.option("sslrootcert"),
            cert_file=options.cert_file or target.option("sslcert"),
            key_file=options.key_file or target.option("sslkey"),
            insecure=options.insecure or mode == "require",
        )
        if mode == "verify-ca":
            tls.check_hostname = False
    return PostgresHandshake(target, tls)

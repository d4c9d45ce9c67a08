"""`postgres://` and `postgresql://`: ready when the server authenticates us and answers `SELECT 1`.

This probe speaks the PostgreSQL wire protocol itself (startup, cleartext/MD5/SCRAM-SHA-256
authentication, one simple query) instead of going through a driver: drivers report connection
failures as text, and the classification needs the server's SQLSTATE, which the protocol carries.
Transient: 57P03 (starting up, shutting down, in recovery), 53300 (too many connections), other
class 08/53/57 codes. Permanent: 28P01/28000 (authentication), 3D000 (no such database), and any
other error. `?sslmode=require` (or verify-full) negotiates TLS first.
"""

from __future__ import annotations

import hashlib
import ssl
import struct

from bootgate._probe import Permanent, ProbeResult, Ready, Transient

from ._base import LayeredProbe, Session, open_stream, tls_context
from ._scram import ScramClient
from ._target import Target

TRANSIENT_CLASSES = ("08", "53", "57")
TRANSIENT_CODES = frozenset({"57P03", "53300", "40001", "40P01"})
PERMANENT_CODES = frozenset({"57P04"})  # database dropped: not coming back on its own


def classify_sqlstate(code: str, message: str) -> ProbeResult:
    """Transient for "not yet" codes (starting up, too many connections), else Permanent."""
    reason = f"{message} (SQLSTATE {code})"
    if code in TRANSIENT_CODES or (code[:2] in TRANSIENT_CLASSES and code not in PERMANENT_CODES):
        return Transient(reason)
    return Permanent(reason)


def _message(kind: bytes, body: bytes = b"") -> bytes:
    return kind + struct.pack("!I", len(body) + 4) + body


def _error_fields(body: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return fields


class PostgresProbe(LayeredProbe):
    """Startup, authentication and `SELECT 1` on the named database."""

    def __init__(self, target: Target, tls: ssl.SSLContext | None) -> None:
        super().__init__(target)
        self.user = target.user or target.option("user") or "postgres"
        self.database = target.path.lstrip("/") or target.option("dbname") or self.user
        self.password = (
            target.password if target.password is not None else target.option("password")
        )
        self._tls = tls

    async def handshake(self) -> ProbeResult:
        """Connect, authenticate, run `SELECT 1`, and say goodbye."""
        stream = await open_stream(self.target)
        if self._tls is not None:
            await stream.send(struct.pack("!II", 8, 80877103))  # SSLRequest
            answer = await stream.receive(1)
            if answer != b"S":
                await stream.aclose()
                return Permanent("server refused TLS (sslmode requires it)")
            from anyio.streams.tls import TLSStream

            try:
                stream = await TLSStream.wrap(
                    stream,
                    hostname=self.target.host,
                    ssl_context=self._tls,
                    standard_compatible=False,
                )
            except ssl.SSLCertVerificationError as exc:
                return Permanent(f"TLS verification failed: {exc.verify_message or exc.reason}")
        async with Session(stream) as session:
            return await self._converse(session)

    async def _converse(self, session: Session) -> ProbeResult:
        params = b"".join(
            key.encode() + b"\0" + value.encode() + b"\0"
            for key, value in (
                ("user", self.user),
                ("database", self.database),
                ("application_name", "bootgate"),
            )
        )
        body = struct.pack("!I", 196608) + params + b"\0"
        await session.send(struct.pack("!I", len(body) + 4) + body)
        scram: ScramClient | None = None
        queried = False
        while True:
            kind = await session.exactly(1)
            (length,) = struct.unpack("!I", await session.exactly(4))
            payload = await session.exactly(length - 4)
            if kind == b"E":
                fields = _error_fields(payload)
                return classify_sqlstate(fields.get("C", "XX000"), fields.get("M", "error"))
            if kind == b"R":
                (code,) = struct.unpack("!I", payload[:4])
                if code == 0:
                    continue
                if code in (3, 5, 10) and self.password is None:
                    return Permanent("the server asks for a password and the target has none")
                if code == 3:
                    await session.send(_message(b"p", self.password_bytes() + b"\0"))
                elif code == 5:
                    await session.send(_message(b"p", self._md5(payload[4:8]) + b"\0"))
                elif code == 10:
                    mechanisms = payload[4:].split(b"\0")
                    if b"SCRAM-SHA-256" not in mechanisms:
                        return Permanent("the server offers no SASL mechanism this probe speaks")
                    scram = ScramClient(self.password or "")
                    first = scram.first()
                    body = b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first
                    await session.send(_message(b"p", body))
                elif code == 11 and scram is not None:
                    await session.send(_message(b"p", scram.final(payload[4:])))
                elif code == 12 and scram is not None:
                    if not scram.verify(payload[4:]):
                        return Permanent("the server's SCRAM signature does not match")
                else:
                    return Permanent(f"unsupported authentication request {code}")
            elif kind == b"Z":
                if queried:
                    await session.send(_message(b"X"))
                    return Ready("SELECT 1")
                await session.send(_message(b"Q", b"SELECT 1\0"))
                queried = True
            # ParameterStatus, BackendKeyData, RowDescription, DataRow, CommandComplete,
            # NoticeResponse: nothing to decide on.

    def password_bytes(self) -> bytes:
        """The password as sent on the wire."""
        return (self.password or "").encode()

    def _md5(self, salt: bytes) -> bytes:
        inner = hashlib.md5(self.password_bytes() + self.user.encode()).hexdigest()
        return b"md5" + hashlib.md5(inner.encode() + salt).hexdigest().encode()


def make_postgres(
    target: Target,
    *,
    ca_file: str | None = None,
    cert_file: str | None = None,
    key_file: str | None = None,
    insecure: bool = False,
    **_: object,
) -> PostgresProbe:
    """Build the probe for a postgres:// target (`?sslmode=require` and verify-* use TLS)."""
    mode = target.option("sslmode", "disable") or "disable"
    tls: ssl.SSLContext | None = None
    if mode in ("require", "verify-ca", "verify-full"):
        tls = tls_context(
            ca_file=ca_file or target.option("sslrootcert"),
            cert_file=cert_file or target.option("sslcert"),
            key_file=key_file or target.option("sslkey"),
            insecure=insecure or mode == "require",
        )
        if mode == "verify-ca":
            tls.check_hostname = False
    return PostgresProbe(target, tls)

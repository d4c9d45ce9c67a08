"""`mysql://` and `mariadb://`: ready when the server authenticates us (and selects the database).

The probe speaks the client side of the MySQL handshake itself (the server's greeting, the
HandshakeResponse41, authentication switches): a driver would add a dependency and its import
time to every `bootgate check`, and the classification needs only the error number the
protocol carries. Authentication: mysql_native_password (MariaDB's and MySQL 5.7's default),
caching_sha2_password (MySQL 8's default; fast path, or the full path with the server's RSA key)
and sha256_password. Passwords are never sent in clear text.

Classification by error number: 1040 (too many connections), 1053 (server shutdown), 1205/1213,
2002/2003/2006/2013 are transient; 1045 (access denied), 1044, 1049 (unknown database) and
anything else are permanent.
"""

from __future__ import annotations

import struct

from ._conversation import SEND, Handshake, Malformed, Reader, cstring
from ._verdict import Verdict, permanent, ready, transient

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from ._conversation import Conversation, Step
    from ._options import ProbeOptions
    from ._target import Target

TRANSIENT_ERRNOS = frozenset({1040, 1053, 1205, 1213, 2002, 2003, 2006, 2013})
PACKET_LIMIT = 1024 * 1024

# Capability flags (the protocol's names).
LONG_PASSWORD = 0x1
LONG_FLAG = 0x4
CONNECT_WITH_DB = 0x8
PROTOCOL_41 = 0x200
TRANSACTIONS = 0x2000
SECURE_CONNECTION = 0x8000
PLUGIN_AUTH = 0x80000
UTF8MB4 = 45

NATIVE = b"mysql_native_password"
CACHING_SHA2 = b"caching_sha2_password"
SHA256 = b"sha256_password"


def classify_errno(code: int, message: str) -> Verdict:
    """Transient for "not yet" error numbers, Permanent for the rest."""
    reason = f"{message} (MySQL error {code})"
    return transient(reason) if code in TRANSIENT_ERRNOS else permanent(reason)


class MysqlHandshake(Handshake):
    """The server's greeting, our login (with the database, if named), its OK or error."""

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.user = target.user or "root"
        self.password = target.password or ""
        self.database = target.path.lstrip("/")

    def conversation(self) -> Conversation:
        """Read the greeting, log in, follow authentication switches; classify the end."""
        reader = Reader()
        seq, greeting = yield from _packet(reader)
        if greeting[:1] == b"\xff":
            return _error(greeting)
        if greeting[:1] != b"\x0a":
            return permanent(f"not a MySQL server (protocol {greeting[:1].hex() or 'none'})")
        version, caps, nonce, plugin = _parse_greeting(greeting)
        if not caps & PROTOCOL_41:
            return permanent(f"server {version} is older than the MySQL 4.1 protocol")
        auth = _Auth(self.password.encode(), nonce)
        response = auth.start(plugin)
        if isinstance(response, Verdict):
            return response
        flags = LONG_PASSWORD | LONG_FLAG | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION
        flags = (flags | PLUGIN_AUTH | (CONNECT_WITH_DB if self.database else 0)) & caps
        body = struct.pack("<IIB", flags, PACKET_LIMIT, UTF8MB4) + b"\0" * 23
        body += self.user.encode() + b"\0" + bytes([len(response)]) + response
        if flags & CONNECT_WITH_DB:
            body += self.database.encode() + b"\0"
        if flags & PLUGIN_AUTH:
            body += plugin + b"\0"
        yield (SEND, _frame(seq + 1, body))
        while True:
            seq, payload = yield from _packet(reader)
            head = payload[:1]
            if head == b"\x00":
                return ready(f"server {version}")
            if head == b"\xff":
                return _error(payload)
            if head == b"\xfe":  # AuthSwitchRequest: another plugin, a fresh nonce
                if len(payload) == 1:
                    return permanent("the server asks for the pre-4.1 password hash")
                plugin, start = cstring(payload, 1)
                answer: bytes | Verdict | None = auth.switch(plugin, payload[start:])
            elif head == b"\x01":  # AuthMoreData
                answer = auth.more(payload[1:])
            else:
                return transient(f"unexpected MySQL answer {head.hex()} during authentication")
            if isinstance(answer, Verdict):
                return answer
            if answer is not None:
                yield (SEND, _frame(seq + 1, answer))


def _parse_greeting(payload: bytes) -> tuple[str, int, bytes, bytes]:
    """(server version, capabilities, nonce, authentication plugin) of a v10 greeting."""
    version, pos = cstring(payload, 1)
    pos += 4  # connection id
    nonce = payload[pos : pos + 8]
    pos += 9  # and a filler byte
    caps = int.from_bytes(payload[pos : pos + 2], "little")
    pos += 2
    plugin = NATIVE
    if len(payload) > pos:
        pos += 3  # character set, status flags
        caps |= int.from_bytes(payload[pos : pos + 2], "little") << 16
        nonce_size = payload[pos + 2]
        pos += 13  # upper capabilities, nonce size, 10 reserved bytes
        if caps & SECURE_CONNECTION:
            rest = max(12, nonce_size - 9)
            nonce += payload[pos : pos + rest]
            pos += rest + 1
        if caps & PLUGIN_AUTH:
            plugin = payload[pos:].split(b"\0", 1)[0]
    # MariaDB puts "5.5.5-" before its version, for clients of MySQL 5.5 and older.
    return version.decode("utf-8", "replace").removeprefix("5.5.5-"), caps, nonce, plugin


class _Auth:
    """The client's side of MySQL authentication, plugin by plugin."""

    def __init__(self, password: bytes, nonce: bytes) -> None:
        self.password = password
        self.nonce = nonce
        self.plugin = b""

    def start(self, plugin: bytes) -> bytes | Verdict:
        """The first answer for `plugin` (what goes in the login packet or a switch answer)."""
        self.plugin = plugin
        if plugin == NATIVE:
            return native_scramble(self.password, self.nonce)
        if plugin == CACHING_SHA2:
            return sha2_scramble(self.password, self.nonce)
        if plugin == SHA256:
            return b"\x01" if self.password else b"\0"  # \x01: send me your public key
        return permanent(
            f"the server asks for authentication plugin {plugin.decode('ascii', 'replace')!r}, "
            "which this probe does not speak"
        )

    def switch(self, plugin: bytes, data: bytes) -> bytes | Verdict:
        """Answer an AuthSwitchRequest: the named plugin with the new nonce."""
        self.nonce = data[:-1] if data.endswith(b"\0") else data
        return self.start(plugin)

    def more(self, data: bytes) -> bytes | Verdict | None:
        """Answer AuthMoreData (None: nothing to send, the server's verdict follows)."""
        if self.plugin == CACHING_SHA2 and data == b"\x03":  # fast path: the scramble matched
            return None
        if self.plugin == CACHING_SHA2 and data == b"\x04":  # full path: ask for the RSA key
            return b"\x02"
        if self.plugin in (CACHING_SHA2, SHA256) and data.startswith(b"-----BEGIN"):
            from ._rsa import encrypt_oaep

            secret = self.password + b"\0"
            mask = self.nonce * (len(secret) // max(len(self.nonce), 1) + 1)
            return encrypt_oaep(data, bytes(a ^ b for a, b in zip(secret, mask, strict=False)))
        return transient("unexpected authentication data from the MySQL server")


def native_scramble(password: bytes, nonce: bytes) -> bytes:
    """mysql_native_password: SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password)))."""
    if not password:
        return b""
    import hashlib

    stage1 = hashlib.sha1(password).digest()
    stage2 = hashlib.sha1(nonce[:20] + hashlib.sha1(stage1).digest()).digest()
    return bytes(a ^ b for a, b in zip(stage1, stage2, strict=True))


def sha2_scramble(password: bytes, nonce: bytes) -> bytes:
    """caching_sha2_password: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce)."""
    if not password:
        return b""
    import hashlib

    once = hashlib.sha256(password).digest()
    mixed = hashlib.sha256(hashlib.sha256(once).digest() + nonce[:20]).digest()
    return bytes(a ^ b for a, b in zip(once, mixed, strict=True))


def _packet(reader: Reader) -> Step[tuple[int, bytes]]:
    """The next packet: (sequence number, payload)."""
    head = yield from reader.exactly(4)
    size = int.from_bytes(head[:3], "little")
    if size > PACKET_LIMIT:
        raise Malformed(f"not a MySQL answer (a packet of {size} bytes)")
    return head[3], (yield from reader.exactly(size))


def _frame(seq: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(3, "little") + bytes([seq & 0xFF]) + payload


def _error(payload: bytes) -> Verdict:
    """Classify an ERR packet: error number, optional SQL state, message."""
    (code,) = struct.unpack("<H", payload[1:3])
    message = payload[3:]
    if message.startswith(b"#"):
        message = message[6:]
    return classify_errno(code, message.decode("utf-8", "replace").split(" (")[0])


def make_mysql(target: Target, options: ProbeOptions) -> Handshake:
    """The check of a mysql:// or mariadb:// target."""
    return MysqlHandshake(target)

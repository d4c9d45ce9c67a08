"""MySQL authentication: the paths a private MariaDB takes for real, and MySQL 8's scripted.

No MySQL 8 server runs here, so caching_sha2_password is tested by feeding the conversation
the packets such a server sends; its scramble is checked against PyMySQL's and its RSA
encryption against OpenSSL's decryption.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pymysql._auth
import pytest

from bootgate.probes import Verdict, check, parse_target
from bootgate.probes._conversation import Malformed
from bootgate.probes._rsa import encrypt_oaep
from bootgate.probes.mysql import MysqlHandshake, native_scramble, sha2_scramble
from tests.probes.mariadb import MariaDB
from tests.probes.script import run
from tests.servers import need

NONCE = bytes(range(65, 85))  # 20 bytes, as a server sends
PROTOCOL_41, SECURE, PLUGIN_AUTH, WITH_DB = 0x200, 0x8000, 0x80000, 0x8
OK = b"\x00\x00\x00\x02\x00\x00\x00"


def frame(seq: int, payload: bytes) -> bytes:
    """One MySQL packet."""
    return len(payload).to_bytes(3, "little") + bytes([seq]) + payload


def greeting(plugin: bytes = b"caching_sha2_password", version: bytes = b"8.0.36") -> bytes:
    """A MySQL 8 server's first packet (protocol 10)."""
    caps = PROTOCOL_41 | SECURE | PLUGIN_AUTH | WITH_DB | 0x1 | 0x4 | 0x2000
    payload = b"\x0a" + version + b"\0" + (7).to_bytes(4, "little") + NONCE[:8] + b"\0"
    payload += (caps & 0xFFFF).to_bytes(2, "little") + b"\x2d" + b"\x02\x00"
    payload += (caps >> 16).to_bytes(2, "little") + bytes([21]) + b"\0" * 10
    payload += NONCE[8:] + b"\0" + plugin + b"\0"
    return frame(0, payload)


@pytest.mark.servers
def test_a_switch_to_an_unknown_plugin_is_named(mariadb: MariaDB) -> None:
    """MariaDB switches to ed25519 for such a user: a permanent answer naming the plugin."""
    verdict = check(mariadb.url(user="edgy", password="edgy-pw"), timeout=10)
    assert verdict.kind == "permanent"
    assert "'client_ed25519'" in verdict.reason


def test_scrambles_match_pymysql() -> None:
    """The native and caching_sha2 scrambles are those of an independent implementation."""
    assert native_scramble(b"s3cret", NONCE) == pymysql._auth.scramble_native_password(
        b"s3cret", NONCE
    )
    assert sha2_scramble(b"s3cret", NONCE) == pymysql._auth.scramble_caching_sha2(b"s3cret", NONCE)
    assert native_scramble(b"", NONCE) == sha2_scramble(b"", NONCE) == b""


def login(sent: bytes) -> tuple[int, bytes, bytes]:
    """(sequence number, user and the rest) of the login packet the client sent."""
    assert int.from_bytes(sent[:3], "little") == len(sent) - 4
    body = sent[4 + 32 :]
    return sent[3], body.split(b"\0", 1)[0], body


def test_caching_sha2_fast_path() -> None:
    """MySQL 8's default plugin: the scramble in the login, the fast "3" answer, then OK."""
    conversation = MysqlHandshake(parse_target("mysql://app:s3cret@db/appdb")).conversation()
    verdict, sent = run(conversation, [greeting(), frame(2, b"\x01\x03"), frame(3, OK)])
    assert verdict == Verdict("ready", "server 8.0.36")
    seq, user, body = login(sent[0])
    assert (seq, user, len(sent)) == (1, b"app", 1)
    scramble = sha2_scramble(b"s3cret", NONCE)
    assert body == b"app\0" + bytes([32]) + scramble + b"appdb\0caching_sha2_password\0"


def public_pem(certificate: Path, form: str) -> bytes:
    """The test certificate's public key as PEM ("-pubout": SubjectPublicKeyInfo)."""
    openssl = need("openssl")
    argv = [openssl, "rsa" if form != "-pubout" else "pkey", "-in", str(certificate / "key.pem")]
    return subprocess.run([*argv, form], check=True, capture_output=True).stdout


def decrypt(certificate: Path, blob: bytes) -> bytes:
    """OpenSSL's RSA-OAEP (SHA-1) decryption with the test certificate's private key."""
    argv = [need("openssl"), "pkeyutl", "-decrypt", "-inkey", str(certificate / "key.pem")]
    argv += ["-pkeyopt", "rsa_padding_mode:oaep"]
    return subprocess.run(argv, input=blob, check=True, capture_output=True).stdout


@pytest.mark.parametrize("form", ["-pubout", "-RSAPublicKey_out"])
def test_rsa_oaep_decrypts_with_openssl(certificate: Path, form: str) -> None:
    """What the client encrypts with a PEM public key, OpenSSL decrypts with the private key."""
    pem = public_pem(certificate, form)
    assert decrypt(certificate, encrypt_oaep(pem, b"a secret\0")) == b"a secret\0"


def test_caching_sha2_full_path_sends_the_password_rsa_encrypted(certificate: Path) -> None:
    """When the server has no cached hash ("4"), the client asks for the key and sends the
    password XOR the nonce, RSA-encrypted; never in clear text."""
    pem = public_pem(certificate, "-pubout")
    conversation = MysqlHandshake(parse_target("mysql://app:s3cret@db/appdb")).conversation()
    replies = [greeting(), frame(2, b"\x01\x04"), frame(4, b"\x01" + pem), frame(6, OK)]
    verdict, sent = run(conversation, replies)
    assert verdict.kind == "ready"
    assert sent[1] == frame(3, b"\x02")  # "send me your public key"
    assert sent[2][3] == 5
    secret = bytes(a ^ b for a, b in zip(b"s3cret\0", NONCE, strict=False))
    assert decrypt(certificate, sent[2][4:]) == secret
    assert all(b"s3cret" not in packet for packet in sent)


def test_a_switch_to_native_password_uses_the_new_nonce() -> None:
    """An AuthSwitchRequest names a plugin and brings a fresh nonce, which the answer uses."""
    fresh = bytes(range(100, 120))
    switch = frame(2, b"\xfemysql_native_password\0" + fresh + b"\0")
    conversation = MysqlHandshake(parse_target("mysql://app:s3cret@db")).conversation()
    verdict, sent = run(conversation, [greeting(), switch, frame(4, OK)])
    assert verdict.kind == "ready"
    assert sent[1] == frame(3, native_scramble(b"s3cret", fresh))


def test_errors_before_and_after_login() -> None:
    """An error instead of a greeting (1040 too many connections) is transient; access denied
    after the login is permanent; something else on the port is not taken for MySQL."""
    busy = frame(0, b"\xff" + (1040).to_bytes(2, "little") + b"Too many connections")
    verdict, _ = run(MysqlHandshake(parse_target("mysql://db")).conversation(), [busy])
    assert verdict == Verdict("transient", "Too many connections (MySQL error 1040)")
    denied = frame(2, b"\xff" + (1045).to_bytes(2, "little") + b"#28000Access denied (x)")
    verdict, _ = run(
        MysqlHandshake(parse_target("mysql://db")).conversation(), [greeting(), denied]
    )
    assert verdict == Verdict("permanent", "Access denied (MySQL error 1045)")
    other = MysqlHandshake(parse_target("mysql://db")).conversation()
    with pytest.raises(Malformed, match="not a MySQL answer"):
        run(other, [b"SSH-2.0-x\r\n"])

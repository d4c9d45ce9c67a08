"""RSA-OAEP (SHA-1) encryption with a PEM public key: what MySQL asks of a client that sends
its password without TLS (caching_sha2_password, sha256_password). Stdlib only: PKCS#1 v2.2
section 7.1.1, and just enough DER to read a public key.
"""

from __future__ import annotations

import base64
import hashlib
import os

from ._conversation import Malformed

_HASH_SIZE = 20  # SHA-1, as MySQL's RSA_PKCS1_OAEP_PADDING uses


def encrypt_oaep(pem: bytes, message: bytes) -> bytes:
    """`message` encrypted for the holder of the private half of `pem` (RSA-OAEP, SHA-1)."""
    modulus, exponent = public_key(pem)
    size = (modulus.bit_length() + 7) // 8
    room = size - 2 * _HASH_SIZE - 2
    if len(message) > room:
        raise Malformed(f"the server's RSA key is too small for a {len(message)}-byte secret")
    block = hashlib.sha1(b"").digest() + b"\0" * (room - len(message)) + b"\x01" + message
    seed = os.urandom(_HASH_SIZE)
    masked_block = _xor(block, _mgf1(seed, len(block)))
    masked_seed = _xor(seed, _mgf1(masked_block, _HASH_SIZE))
    encoded = int.from_bytes(b"\0" + masked_seed + masked_block, "big")
    return pow(encoded, exponent, modulus).to_bytes(size, "big")


def public_key(pem: bytes) -> tuple[int, int]:
    """(modulus, exponent) of a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or "RSA PUBLIC KEY"."""
    text = pem.decode("ascii", "replace")
    body = "".join(line for line in text.strip().splitlines() if not line.startswith("-----"))
    try:
        der = base64.b64decode(body, validate=True)
    except ValueError:
        raise Malformed("the server's RSA public key is not PEM") from None
    tag, start, end = _element(der, 0)
    if "BEGIN RSA PUBLIC KEY" not in text:  # SubjectPublicKeyInfo: algorithm, then a BIT STRING
        _, _, after_algorithm = _element(der, start)
        tag, start, end = _element(der, after_algorithm)
        if tag != 0x03 or der[start] != 0:
            raise Malformed("the server's RSA public key is not an RSA key")
        der = der[start + 1 : end]
        tag, start, end = _element(der, 0)
    _, n_start, n_end = _element(der, start)
    _, e_start, e_end = _element(der, n_end)
    return int.from_bytes(der[n_start:n_end], "big"), int.from_bytes(der[e_start:e_end], "big")


def _element(der: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start, end) of the DER element at `pos`."""
    tag, length = der[pos], der[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[pos : pos + count], "big")
        pos += count
    if pos + length > len(der):
        raise Malformed("the server's RSA public key is truncated")
    return tag, pos, pos + length


def _mgf1(seed: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def _xor(data: bytes, mask: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, mask, strict=True))

"""SCRAM-SHA-256 client side (RFC 5802/7677), as PostgreSQL uses it without channel binding."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os


class ScramClient:
    """Three messages: client-first, client-final (from server-first), verify server-final."""

    def __init__(self, password: str) -> None:
        self._password = password.encode()
        # os.urandom, not secrets: the same entropy without importing random on a cold start.
        self._nonce = base64.b64encode(os.urandom(18)).decode("ascii")
        self._first_bare = f"n=,r={self._nonce}"
        self._server_signature = b""

    def first(self) -> bytes:
        """The client-first message (the user name is taken from the startup packet)."""
        return f"n,,{self._first_bare}".encode()

    def final(self, server_first: bytes) -> bytes:
        """The client-final message with the proof, computed from the server-first message."""
        fields = dict(part.split("=", 1) for part in server_first.decode().split(","))
        nonce, salt, rounds = fields["r"], base64.b64decode(fields["s"]), int(fields["i"])
        if not nonce.startswith(self._nonce):
            raise ValueError("server nonce does not extend ours")
        salted = hashlib.pbkdf2_hmac("sha256", self._password, salt, rounds)
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={nonce}"
        auth = f"{self._first_bare},{server_first.decode()},{without_proof}".encode()
        signature = hmac.digest(stored_key, auth, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        server_key = hmac.digest(salted, b"Server Key", "sha256")
        self._server_signature = hmac.digest(server_key, auth, "sha256")
        return f"{without_proof},p={base64.b64encode(proof).decode('ascii')}".encode()

    def verify(self, server_final: bytes) -> bool:
        """Whether the server proved it knows the password too."""
        fields = dict(part.split("=", 1) for part in server_final.decode().split(","))
        given = base64.b64decode(fields.get("v", ""))
        return hmac.compare_digest(given, self._server_signature)

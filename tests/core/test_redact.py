"""Secrets never reach what people read."""

from __future__ import annotations

import pytest

from bootgate import redact


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgres://app:s3cr3t@db:5432/app", "postgres://app:***@db:5432/app"),
        ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
        ("failed for amqp://guest:guest@mq/ vhost", "failed for amqp://guest:***@mq/ vhost"),
        ("host=db password=hunter2 user=x", "host=db password=*** user=x"),
        ("password='two words' next", "password='***' next"),
        ("https://h/x?token=abc&x=1", "https://h/x?token=***&x=1"),
        ("API_KEY: k-123", "API_KEY: ***"),
        ("tcp://db:5432 refused", "tcp://db:5432 refused"),
        ("http://user@host/", "http://user@host/"),
    ],
)
def test_passwords_become_stars(text: str, shown: str) -> None:
    """URL passwords and password-like key/value pairs are replaced, the rest kept."""
    assert redact(text) == shown


def test_a_long_token_is_read_once_not_backtracked() -> None:
    """A 100,000-character token (a JWT, base64) passes through unchanged and a secret after
    it is still found; a pattern that backtracked inside words took minutes on this."""
    token = "eyJhbGciOiJIUzI1NiJ9" * 5000
    assert redact(f"reason: {token} end") == f"reason: {token} end"
    assert redact(f"{token} DB_PASSWORD=hunter22") == f"{token} DB_PASSWORD=***"

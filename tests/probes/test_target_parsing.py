"""Targets from hostile or careless hands: one ConfigError line, never a crash, never a leak."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bootgate import ConfigError, redact
from bootgate.probes import parse_target

HOSTILE = [
    ("tcp://[::1:80", "unclosed '['"),
    ("tcp://[abc]:80", "not an IPv6 address"),
    ("http://[::1", "unclosed '['"),
    ("http://[::1]x:80", "unexpected 'x:80'"),
    ("tcp://[127.0.0.1]:80", "only IPv6"),
    ("tcp://::1:80", "in [brackets]"),
    ("tcp://ü..x:80", "bad host name"),
    ("tcp://a..b:80", "empty label"),
    ("tcp://127.0.0.1\uff1a80", "bad host name"),
    ("tcp://exa\uff0fmple:80", "bad host name"),
    ("tcp://h:\u00b2", "bad port"),
    ("tcp://h:\u0661\u0662", "bad port"),
    ("tcp://h:65536", "bad port"),
    ("tcp://h:-1", "bad port"),
    ("tcp://h", "missing port"),
    ("tcp://:80", "missing host"),
    ("postgres://h/x?sslmode=bogus", "sslmode='bogus'"),
    ("tcp://a\nb:1", "control or invisible character"),
    ("tcp://a\rb:1", "control or invisible character"),
    ("tcp://a\x1b[2Jb:1", "control or invisible character"),
    ("tcp://a\u202eb:1", "control or invisible character"),
    ("gopher://h:70", "unknown scheme"),
    ("db:5432", "missing scheme"),
    ("unix://", "missing path"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE)
def test_hostile_targets_are_one_config_error_line(text: str, message: str) -> None:
    """Each malformed target is a ConfigError of one printable line naming the bad part."""
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")) as caught:
        parse_target(text)
    assert str(caught.value).isprintable()


@pytest.mark.parametrize(
    ("text", "host", "port", "display"),
    [
        ("tcp://[::1%25lo]:1", "::1%1", 1, "tcp://[::1%1]:1"),
        ("tcp://[::1]:5432", "::1", 5432, "tcp://[::1]:5432"),
        ("http://bücher.example/", "xn--bcher-kva.example", 80, "http://xn--bcher-kva.example/"),
        ("postgres://app:p@S3cret@h/x", "h", 5432, "postgres://app:***@h/x"),
        ("nats://s3cr3tT0ken@127.0.0.1:4222", "127.0.0.1", 4222, "nats://***@127.0.0.1:4222"),
        ("redis://:pw@h:6379/0", "h", 6379, "redis://:***@h:6379/0"),
        ("postgres://app@db/app", "db", 5432, "postgres://app@db/app"),
        ("postgres://db/app?password=hunter22", "db", 5432, "postgres://db/app?password=***"),
    ],
)
def test_valid_targets_parse_and_display_without_secrets(
    text: str, host: str, port: int, display: str
) -> None:
    """Scoped IPv6, IDNA names, '@' in a password and NATS tokens parse; display hides secrets."""
    target = parse_target(text)
    assert (target.host, target.port, target.display) == (host, port, display)


def test_http_path_is_ascii_for_the_request_line() -> None:
    """Characters outside ASCII in an HTTP path are percent-encoded, existing escapes kept."""
    assert parse_target("http://h/pfad/ü%20x").path == "/pfad/%C3%BC%20x"


def test_password_with_slash_is_an_error_that_does_not_show_it() -> None:
    """A '/' inside a password ends the host early: the error says so and hides the password."""
    with pytest.raises(ConfigError, match="percent-encoded") as caught:
        parse_target("postgres://app:pa/ss@h/x")
    assert "pa/ss" not in str(caught.value)
    assert "ss@" not in str(caught.value)


def test_missing_scheme_hint_does_not_repeat_the_password() -> None:
    """`postgres//app:pw@db/x` (no ':') is refused without quoting its password."""
    with pytest.raises(ConfigError) as caught:
        parse_target("postgres//app:hunter22@db/x")
    assert "hunter22" not in str(caught.value)


SCHEMES = ["postgres", "mysql", "redis", "amqp", "http", "tcp", "mqtt"]
SECRET = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
    min_size=6,
    max_size=20,
).filter(lambda s: s.strip() == s and s.isprintable())


@given(st.sampled_from(SCHEMES), SECRET)
def test_a_password_never_shows_raw_or_encoded(scheme: str, secret: str) -> None:
    """For any password: the display, and any text quoting it, hide it in every spelling."""
    assume(secret not in (scheme, "app", "127.0.0.1", "db"))  # shown anyway: see _target.py
    encoded = quote(secret, safe="")
    text = f"{scheme}://app:{encoded}@127.0.0.1:1/db"
    target = parse_target(text)
    assert target.password == secret
    outputs = [
        target.display,
        redact(f"failed: {secret}"),
        redact(f"failed: {encoded}"),
        redact(f"failed: {text}"),
    ]
    for output in outputs:
        assert secret not in output
        assert encoded not in output


@given(SECRET)
def test_a_nats_token_never_shows(token: str) -> None:
    """The documented nats://TOKEN@host form hides its token wherever it is quoted."""
    encoded = quote(token, safe="")
    target = parse_target(f"nats://{encoded}@127.0.0.1:4222")
    for output in (target.display, redact(f"auth failed for {token}")):
        assert token not in output
        assert encoded not in output

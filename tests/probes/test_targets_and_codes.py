"""Target parsing and the classification tables, without any server."""

from __future__ import annotations

import pytest

from bootgate import ConfigError
from bootgate.probes import Verdict, parse_target
from bootgate.probes._httpwire import classify_status, parse_retry_after
from bootgate.probes._options import parse_status_set
from bootgate.probes.amqp import classify_close
from bootgate.probes.mysql import classify_errno
from bootgate.probes.postgres import classify_sqlstate
from bootgate.probes.redis import classify_reply_error


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty target"),
        ("db:5432", "missing scheme"),
        ("foo://db:1", "unknown scheme 'foo'"),
        ("tcp://db", "missing port"),
        ("tcp://db:99999", "bad port"),
        ("tcp://db:0", "bad port '0'"),
        ("http://:80/", "missing host"),
        ("file://", "missing path"),
    ],
)
def test_bad_targets_name_the_bad_part(text: str, message: str) -> None:
    """Every malformed target is a ConfigError whose one line names what is wrong."""
    with pytest.raises(ConfigError, match=message):
        parse_target(text)


def test_passwords_never_show() -> None:
    """The display form and errors of a target with a password show *** instead."""
    target = parse_target("postgres://app:hunter2@db/app")
    assert target.display == "postgres://app:***@db/app"
    assert (target.port, target.user, target.password) == (5432, "app", "hunter2")
    assert "hunter2" not in repr(target)
    with pytest.raises(ConfigError) as info:
        parse_target("pg://app:hunter2@db/app")
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("57P03", "transient"),
        ("53300", "transient"),
        ("08006", "transient"),
        ("28P01", "permanent"),
        ("28000", "permanent"),
        ("3D000", "permanent"),
        ("42501", "permanent"),
        ("57P04", "permanent"),
    ],
)
def test_sqlstate_classification(code: str, kind: str) -> None:
    """SQLSTATEs that mean "not yet" are transient; authentication and unknown db are not."""
    assert classify_sqlstate(code, "x").kind == kind


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (2003, "transient"),
        (1040, "transient"),
        (2002, "transient"),
        (1045, "permanent"),
        (1049, "permanent"),
    ],
)
def test_mysql_errno_classification(code: int, kind: str) -> None:
    """MySQL error numbers per DESIGN §4."""
    assert classify_errno(code, "x").kind == kind


def test_redis_and_amqp_classification() -> None:
    """Redis LOADING is transient, WRONGPASS/NOAUTH permanent; AMQP 320 transient, 403 not."""
    assert classify_reply_error("LOADING Redis is loading").kind == "transient"
    assert classify_reply_error("WRONGPASS invalid username-password").kind == "permanent"
    assert classify_reply_error("NOAUTH Authentication required.").kind == "permanent"
    assert classify_close(320, "CONNECTION_FORCED").kind == "transient"
    assert classify_close(403, "ACCESS_REFUSED").kind == "permanent"


@pytest.mark.parametrize(
    ("status", "allowed", "kind"),
    [
        (200, None, "ready"),
        (204, None, "ready"),
        (204, "200", "permanent"),
        (301, None, "permanent"),
        (301, "2xx,301", "ready"),
        (404, None, "permanent"),
        (429, None, "transient"),
        (425, None, "transient"),
        (408, None, "transient"),
        (503, None, "transient"),
    ],
)
def test_http_status_classification(status: int, allowed: str | None, kind: str) -> None:
    """2xx (or the --status set) is ready; 5xx/408/425/429 transient; other 4xx permanent."""
    assert classify_status(status, {}, parse_status_set(allowed)).kind == kind


def test_retry_after_is_passed_on() -> None:
    """Retry-After in seconds or as an HTTP date becomes the transient answer's hint."""
    assert classify_status(503, {"retry-after": "7"}, None) == Verdict("transient", "HTTP 503", 7.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("\u00b2") is None  # a superscript two is a digit only to Unicode
    assert parse_retry_after("\u0661\u0662") is None
    assert parse_retry_after(" 7 ") == 7.0
    with pytest.raises(ConfigError, match="not an HTTP status"):
        parse_status_set("20x")

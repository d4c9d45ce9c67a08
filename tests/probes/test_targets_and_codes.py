"""Target parsing and the classification tables, without any server."""

from __future__ import annotations

import pytest

from bootgate import ConfigError, MissingExtraError, Permanent, Transient
from bootgate.probes import parse_target, probe_for
from bootgate.probes._httpwire import classify_status, parse_status_set, retry_after
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


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheme whose driver is absent raises MissingExtraError naming the extra."""
    import sys

    monkeypatch.setitem(sys.modules, "pymysql", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'bootgate\[mysql\]'"):
        probe_for("mysql://root@db/app")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("57P03", Transient),
        ("53300", Transient),
        ("08006", Transient),
        ("28P01", Permanent),
        ("28000", Permanent),
        ("3D000", Permanent),
        ("42501", Permanent),
        ("57P04", Permanent),
    ],
)
def test_sqlstate_classification(code: str, kind: type) -> None:
    """SQLSTATEs that mean "not yet" are transient; authentication and unknown db are not."""
    assert isinstance(classify_sqlstate(code, "x"), kind)


@pytest.mark.parametrize(
    ("code", "kind"),
    [(2003, Transient), (1040, Transient), (2002, Transient), (1045, Permanent), (1049, Permanent)],
)
def test_mysql_errno_classification(code: int, kind: type) -> None:
    """MySQL error numbers per DESIGN §4."""
    assert isinstance(classify_errno(code, "x"), kind)


def test_redis_and_amqp_classification() -> None:
    """Redis LOADING is transient, WRONGPASS/NOAUTH permanent; AMQP 320 transient, 403 not."""
    assert isinstance(classify_reply_error("LOADING Redis is loading"), Transient)
    assert isinstance(classify_reply_error("WRONGPASS invalid username-password"), Permanent)
    assert isinstance(classify_reply_error("NOAUTH Authentication required."), Permanent)
    assert isinstance(classify_close(320, "CONNECTION_FORCED"), Transient)
    assert isinstance(classify_close(403, "ACCESS_REFUSED"), Permanent)


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
    assert classify_status(status, {}, parse_status_set(allowed))[0] == kind


def test_retry_after_is_passed_on() -> None:
    """Retry-After in seconds or as an HTTP date becomes the transient answer's hint."""
    assert classify_status(503, {"retry-after": "7"}, None) == ("transient", "HTTP 503", 7.0)
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("soon") is None
    with pytest.raises(ConfigError, match="not an HTTP status"):
        parse_status_set("20x")

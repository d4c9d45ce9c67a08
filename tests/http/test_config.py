"""The gate's options: keyword arguments, BOOTGATE_* environment defaults, clear refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bootgate import Boot, ConfigError
from bootgate.http import Access, Gate, GateConfig, Paths, WsgiGate, asgi, wsgi

from .helpers import Service, call, echo_app


def test_defaults_without_options_or_environment() -> None:
    """No options and an empty environment give the documented defaults."""
    config = GateConfig.from_options({}, env={})
    assert config == GateConfig()
    assert (config.hold, config.exempt, config.dashboard) == (0.0, (), None)
    assert (config.stream, config.stream_interval, config.keep_alive) == (True, 0.1, 15.0)
    assert config.paths == Paths()


def test_environment_fills_in_every_option() -> None:
    """Each BOOTGATE_* variable sets its option when the argument is not given."""
    env = {
        "BOOTGATE_HOLD": "250ms",
        "BOOTGATE_EXEMPT": "/static/, /metrics /assets/",
        "BOOTGATE_DASHBOARD": "true",
        "BOOTGATE_STREAM": "0",
        "BOOTGATE_STREAM_INTERVAL": "1s",
        "BOOTGATE_KEEP_ALIVE": "1m",
        "BOOTGATE_HEALTH_PREFIX": "/-",
        "BOOTGATE_LIVEZ_PATH": "/alive",
        "BOOTGATE_READYZ_PATH": "/ready",
        "BOOTGATE_STARTUPZ_PATH": "/started",
        "BOOTGATE_STATUS_PATH": "/state",
        "BOOTGATE_STREAM_PATH": "/state/events",
        "BOOTGATE_ASSETS_PATH": "/_assets",
        "BOOTGATE_DASHBOARD_PATH": "/startup",
    }
    config = GateConfig.from_options({}, env=env)
    assert config.hold == 0.25
    assert config.exempt == ("/static/", "/metrics", "/assets/")
    assert config.dashboard == Access()
    assert config.stream is False
    assert (config.stream_interval, config.keep_alive) == (1.0, 60.0)
    assert config.paths == Paths(
        prefix="/-",
        livez="/alive",
        readyz="/ready",
        startupz="/started",
        status="/state",
        stream="/state/events",
        assets="/_assets",
        dashboard="/startup",
    )


def test_a_dashboard_token_in_the_environment_switches_it_on() -> None:
    """BOOTGATE_DASHBOARD_TOKEN opens the dashboard to its holders (and loopback clients)."""
    config = GateConfig.from_options({}, env={"BOOTGATE_DASHBOARD_TOKEN": "t" * 20})
    assert config.dashboard == Access(token="t" * 20)


def test_arguments_beat_the_environment() -> None:
    """An explicit argument wins over its variable; paths= wins over every path variable."""
    env = {
        "BOOTGATE_HOLD": "5s",
        "BOOTGATE_EXEMPT": "/static/",
        "BOOTGATE_DASHBOARD": "1",
        "BOOTGATE_DASHBOARD_TOKEN": "t" * 20,
        "BOOTGATE_STREAM": "false",
        "BOOTGATE_HEALTH_PREFIX": "/-",
    }
    options: dict[str, Any] = {
        "hold": 1,
        "exempt": [],
        "dashboard": False,
        "stream": True,
        "paths": Paths(readyz="/ready"),
    }
    config = GateConfig.from_options(options, env=env)
    assert (config.hold, config.exempt, config.dashboard, config.stream) == (1.0, (), None, True)
    assert config.paths == Paths(readyz="/ready")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("250ms", 0.25), ("1m30s", 90.0), (2, 2.0), (0.5, 0.5), (timedelta(seconds=3), 3.0)],
)
def test_durations_take_every_form(value: object, seconds: float) -> None:
    """hold, stream_interval and keep_alive take "250ms", seconds or a timedelta."""
    for name in ("hold", "stream_interval", "keep_alive"):
        config = GateConfig.from_options({name: value}, env={})
        assert getattr(config, name) == seconds


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BOOTGATE_HOLD", "soon", "BOOTGATE_HOLD: 'soon' is not a duration"),
        ("BOOTGATE_HOLD", "-1", "BOOTGATE_HOLD: expected a non-negative"),
        ("BOOTGATE_KEEP_ALIVE", "0", "BOOTGATE_KEEP_ALIVE: must be more than 0"),
        ("BOOTGATE_STREAM_INTERVAL", "fast", "BOOTGATE_STREAM_INTERVAL: 'fast' is not a dur"),
        ("BOOTGATE_STREAM", "maybe", "BOOTGATE_STREAM='maybe' is not a boolean"),
        ("BOOTGATE_DASHBOARD", "please", "BOOTGATE_DASHBOARD='please' is not a boolean"),
        ("BOOTGATE_EXEMPT", "static/", "BOOTGATE_EXEMPT: a path prefix must start with '/'"),
        ("BOOTGATE_READYZ_PATH", "ready", "BOOTGATE_READYZ_PATH: must start with '/'"),
        ("BOOTGATE_HEALTH_PREFIX", "-", "BOOTGATE_HEALTH_PREFIX: must start with '/'"),
        ("BOOTGATE_LIVEZ_PATH", "/readyz", "BOOTGATE_LIVEZ_PATH: readyz and livez share the"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(variable: str, value: str, message: str) -> None:
    """A bad BOOTGATE_* value is a ConfigError of one line that names the variable."""
    with pytest.raises(ConfigError) as caught:
        GateConfig.from_options({}, env={variable: value})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_bad_token_is_refused_without_showing_it() -> None:
    """A short BOOTGATE_DASHBOARD_TOKEN is refused, and the message never contains it."""
    with pytest.raises(ConfigError, match=r"BOOTGATE_DASHBOARD_TOKEN: .* at least 16") as caught:
        GateConfig.from_options({}, env={"BOOTGATE_DASHBOARD_TOKEN": "hunter2"})
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"hold": "soon"}, ConfigError, "hold: 'soon' is not a duration"),
        ({"keep_alive": 0}, ConfigError, "keep_alive: must be more than 0"),
        ({"exempt": ["static"]}, ConfigError, "exempt: a path prefix must start with '/'"),
        ({"exempt": [3]}, TypeError, "exempt must hold path prefixes"),
        ({"exempt": 3}, TypeError, "exempt must be a list of path prefixes"),
        ({"stream": "no"}, TypeError, "stream must be True or False"),
        ({"paths": "/-"}, TypeError, "paths must be a bootgate.http.Paths"),
        ({"dashboard": "yes"}, TypeError, "dashboard must be a bool or an Access"),
    ],
)
def test_a_bad_argument_names_the_option(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    """A bad value of the right name: ConfigError (or TypeError for a wrong type) naming it."""
    with pytest.raises(error, match=message):
        GateConfig.from_options(options, env={})


def test_exempt_as_one_string_is_a_list() -> None:
    """exempt="/static/ /media/" means two prefixes, never a tuple of characters."""
    assert GateConfig.from_options({"exempt": "/static/ /media/"}, env={}).exempt == (
        "/static/",
        "/media/",
    )


def test_unknown_option_names_the_nearest_valid_one() -> None:
    """A misspelt option is refused by name, with a suggestion, by every entry point."""
    boot = Boot("svc", hooks=[])
    with pytest.raises(ConfigError, match=r"unknown option 'hodl' \(did you mean 'hold'\?\)"):
        boot.asgi(echo_app, hodl="2s")
    with pytest.raises(ConfigError, match=r"unknown option 'exmept' \(did you mean 'exempt'\?\)"):
        asgi(boot, echo_app, exmept=["/static/"])  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"'dashbaord' \(did you mean 'dashboard'\?\)"):
        boot.wsgi(None, dashbaord=True)
    with pytest.raises(ConfigError, match=r"'keepalive' \(did you mean 'keep_alive'\?\)"):
        wsgi(boot, None, keepalive=5)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"'clok' \(did you mean 'clock'\?\)"):
        Gate(echo_app, boot, clok=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"unknown option 'zzz'$"):
        WsgiGate(None, boot, zzz=1)  # type: ignore[call-arg]


def test_config_or_options_not_both() -> None:
    """A ready GateConfig may be passed instead of options, never with them."""
    boot = Boot("svc", hooks=[])
    config = GateConfig(hold=1.0)
    assert Gate(echo_app, boot, config=config).config is config
    with pytest.raises(TypeError, match="not both"):
        Gate(echo_app, boot, config=config, hold=2)
    with pytest.raises(TypeError, match=r"config must be a bootgate\.http\.GateConfig"):
        WsgiGate(None, boot, config={"hold": 1})  # type: ignore[arg-type]


def test_none_means_the_default() -> None:
    """paths=None and dashboard=None are the defaults, not errors (and not the environment's)."""
    env = {"BOOTGATE_HEALTH_PREFIX": "/-", "BOOTGATE_DASHBOARD": "1"}
    config = GateConfig.from_options({"paths": None, "dashboard": None}, env=env)
    assert (config.paths, config.dashboard) == (Paths(), None)


@pytest.mark.anyio
async def test_the_process_environment_moves_the_endpoints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through asgi(): BOOTGATE_HEALTH_PREFIX and BOOTGATE_EXEMPT apply to the real gate."""
    monkeypatch.setenv("BOOTGATE_HEALTH_PREFIX", "/-")
    monkeypatch.setenv("BOOTGATE_EXEMPT", "/static/")
    svc = Service()
    app = asgi(svc.boot, echo_app)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        assert (await call(app, "/-/livez")).text == "ok"
        assert (await call(app, "/livez")).status == 503  # an app path now, and gated
        assert (await call(app, "/static/x.css")).text == "app /static/x.css"
    finally:
        await svc.boot.stop()

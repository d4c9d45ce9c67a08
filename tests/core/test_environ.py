"""BOOTGATE_* variables: one name per option, flags beat variables, bad values name the variable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate import (
    WAIT_RETRY,
    ConfigError,
    FakeClock,
    Ready,
    StartupError,
    StartupTimeout,
    wait_for,
)
from bootgate._environ import UNBOUNDED_ATTEMPTS, header_lines, variable, wait_options
from tests.core.helpers import fake_boot
from tests.core.scripted import Scripted

OPTIONS = ["timeout", "attempt_timeout", "interval", "max_interval"]


@pytest.mark.parametrize("name", OPTIONS)
def test_each_duration_has_a_variable_and_a_flag_beats_it(name: str) -> None:
    """BOOTGATE_<NAME> sets the option; the flag's value wins over it."""
    env = {variable(name): "1500ms"}
    assert wait_options({}, env) == {name: 1.5}
    assert wait_options({name: "2s"}, env) == {name: 2.0}
    assert WAIT_RETRY.replace(**wait_options({}, env)).__getattribute__(name) == 1.5


def test_unset_options_are_left_to_the_policy() -> None:
    """Nothing set, nothing returned: the policy keeps its own defaults."""
    assert wait_options({}, {}) == {}
    assert WAIT_RETRY.replace(**wait_options({}, {})) == WAIT_RETRY


def test_attempts_and_a_zero_timeout() -> None:
    """BOOTGATE_ATTEMPTS bounds attempts; a timeout of 0 means none, bounded by no attempts."""
    assert wait_options({}, {"BOOTGATE_ATTEMPTS": "7"}) == {"attempts": 7}
    none = wait_options({}, {"BOOTGATE_TIMEOUT": "0"})
    assert none == {"timeout": None, "attempts": UNBOUNDED_ATTEMPTS}
    policy = WAIT_RETRY.replace(**none)
    assert policy.timeout is None
    assert policy.next_delay(10**6, 10**9, _Mid()) is not None
    assert wait_options({}, {"BOOTGATE_TIMEOUT": "0", "BOOTGATE_ATTEMPTS": "3"}) == {
        "timeout": None,
        "attempts": 3,
    }


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BOOTGATE_TIMEOUT": "soon"}, "BOOTGATE_TIMEOUT"),
        ({"BOOTGATE_MAX_INTERVAL": "-1"}, "BOOTGATE_MAX_INTERVAL"),
        ({"BOOTGATE_ATTEMPTS": "0"}, "BOOTGATE_ATTEMPTS"),
        ({"BOOTGATE_ATTEMPTS": "²"}, "BOOTGATE_ATTEMPTS"),
        ({"BOOTGATE_INTERVAL": "nan"}, "BOOTGATE_INTERVAL"),
    ],
)
def test_bad_values_name_their_variable(env: dict[str, str], named: str) -> None:
    """A bad value is one ConfigError line that names the variable it came from."""
    with pytest.raises(ConfigError, match=named) as caught:
        wait_options({}, env)
    assert "\n" not in str(caught.value)


def test_a_bad_flag_is_named_as_the_flag() -> None:
    """The same value given as a flag is reported under the flag's name."""
    with pytest.raises(ConfigError, match="--max-interval"):
        wait_options({"max_interval": "fast"}, {})


def test_header_variable_holds_one_header_per_line() -> None:
    """BOOTGATE_HEADER carries several headers, one per line; values may hold commas."""
    env = {"BOOTGATE_HEADER": "Accept: a, b\n\n  X-Token: t  \n"}
    assert header_lines(env) == ["Accept: a, b", "X-Token: t"]
    assert header_lines({}) == []


@given(st.dictionaries(st.sampled_from([*OPTIONS, "attempts"]), st.text(max_size=8)))
def test_any_variable_values_give_options_or_one_config_error(env: dict[str, str]) -> None:
    """Whatever the variables hold: valid options for Retry, or one ConfigError, nothing else."""
    named = {variable(k): v for k, v in env.items()}
    try:
        options = wait_options({}, named)
    except ConfigError as exc:
        error = str(exc)
    else:
        WAIT_RETRY.replace(**options)
        return
    assert error.startswith("BOOTGATE_")
    assert "\n" not in error


class _Mid:
    def uniform(self, a: float, b: float, /) -> float:
        return (a + b) / 2


@pytest.mark.anyio
async def test_wait_for_without_a_policy_reads_the_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """wait_for(...) with no retry= gives up at BOOTGATE_TIMEOUT, as `bootgate wait` would."""
    monkeypatch.setenv("BOOTGATE_TIMEOUT", "2s")
    clock = FakeClock()
    with pytest.raises(StartupTimeout) as info:
        async with clock.autojump():
            await wait_for([Scripted(10_000, [Ready()], clock)], clock=clock)
    assert info.value.seconds == 2.0


@pytest.mark.anyio
async def test_a_dependency_without_a_policy_reads_the_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """boot.dependency(...) with no retry= takes BOOTGATE_ATTEMPTS and BOOTGATE_MAX_INTERVAL."""
    monkeypatch.setenv("BOOTGATE_ATTEMPTS", "4")
    monkeypatch.setenv("BOOTGATE_MAX_INTERVAL", "1s")
    boot, clock, _ = fake_boot()
    boot.dependency("db", Scripted(10_000, [Ready()], clock), recheck=None)
    monkeypatch.delenv("BOOTGATE_ATTEMPTS")  # read when declared, not when run
    async with clock.autojump():
        with pytest.raises(StartupError, match="gave up after 4 attempts"):
            async with boot.running():
                pass


def test_a_bad_variable_fails_the_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed variable is a ConfigError naming it when the dependency is declared."""
    monkeypatch.setenv("BOOTGATE_INTERVAL", "fast")
    boot, clock, _ = fake_boot()
    with pytest.raises(ConfigError, match="BOOTGATE_INTERVAL"):
        boot.dependency("db", Scripted(0, [Ready()], clock))


def test_the_defaults_in_seconds_match_the_written_ones_and_the_policy() -> None:
    """WAIT_SECONDS (what a run that sets nothing uses) says what WAIT_DURATIONS and
    WAIT_RETRY say: one set of defaults, written three ways for three readers."""
    from bootgate._environ import WAIT_DURATIONS, WAIT_SECONDS

    assert wait_options(WAIT_DURATIONS, {}) == WAIT_SECONDS
    assert {name: getattr(WAIT_RETRY, name) for name in WAIT_SECONDS} == WAIT_SECONDS

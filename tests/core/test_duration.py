"""Durations as people write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate import ConfigError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("2s", 2.0),
        ("1m30s", 90.0),
        ("1h", 3600.0),
        ("1.5s", 1.5),
        ("2", 2.0),
        (" 3 ", 3.0),
        ("0", 0.0),
        (".5s", 0.5),
        ("1h2m3s4ms", 3723.004),
        (7, 7.0),
        (0.1, 0.1),
    ],
)
def test_parses_units_and_bare_numbers(text: str | float, seconds: float) -> None:
    """Each unit, combinations of units and bare numbers parse to seconds."""
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "ms", "2x", "1s2", "-1s", "-3", "nan", "inf", "1 s", "s1"])
def test_rejects_what_is_not_a_duration(text: str) -> None:
    """Malformed or negative durations raise ConfigError naming the option."""
    with pytest.raises(ConfigError, match="--timeout"):
        parse_duration(text, what="--timeout")


def test_rejects_booleans() -> None:
    """True is not a duration even though it is an int."""
    with pytest.raises(ConfigError):
        parse_duration(True)


@given(st.integers(min_value=0, max_value=10**6))
def test_milliseconds_round_trip(ms: int) -> None:
    """Any whole number of milliseconds parses back exactly."""
    assert parse_duration(f"{ms}ms") == pytest.approx(ms / 1000)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.25, "250ms"), (2.3, "2.30s"), (95, "1m35s"), (3725, "1h02m")],
)
def test_formats_for_people(seconds: float, text: str) -> None:
    """Durations render compactly at a scale that fits them."""
    assert format_duration(seconds) == text

"""When a node counts as slower than usual, and how the warning reads."""

from __future__ import annotations

from typing import Any

import pytest

from bootgate.observe import regression


@pytest.mark.parametrize(
    ("took", "past", "kwargs", "warns"),
    [
        (9.1, [2.7] * 10, {}, True),
        (8.0, [2.7] * 10, {}, False),  # 2.96x: under the factor
        (6.0, [2.0] * 10, {}, True),  # exactly 3x counts
        (9.1, [2.7, 2.7], {}, False),  # too few startups to know what is usual
        (9.1, [2.7, 2.7], {"min_startups": 2}, True),
        (0.9, [0.1] * 10, {}, False),  # under the floor: a few ms of jitter is not news
        (0.9, [0.1] * 10, {"floor_s": 0.5}, True),
        (5.0, [1.0] * 10, {"factor": 6.0}, False),
        (5.0, [1.0, 1.0, 100.0, 1.0, 1.0], {}, True),  # the median shrugs off one outlier
    ],
)
def test_regression_table(
    took: float, past: list[float], kwargs: dict[str, Any], warns: bool
) -> None:
    """A node warns at >= factor x its median, with enough history, above the floor."""
    assert (regression("migrations", took, past, **kwargs) is not None) is warns


def test_warning_text_has_the_figures() -> None:
    """The warning says what took how long against which median over how many startups."""
    found = regression("migrations", 9.1, [2.6, 2.7, 2.8, 2.7, 2.7, 2.6, 2.8, 2.7, 2.7, 2.7])
    assert found is not None
    assert (found.node, found.took_s, found.median_s) == ("migrations", 9.1, 2.7)
    assert found.startups == 10
    assert found.ratio == pytest.approx(9.1 / 2.7)
    assert found.text() == (
        "migrations took 9.1 s, 3.4x its median of 2.7 s over the last 10 startups"
    )


def test_short_medians_read_in_milliseconds_and_zero_has_no_ratio() -> None:
    """A sub-second median is shown in ms; a median of zero gives no meaningless ratio."""
    found = regression("db", 1.5, [0.25, 0.25, 0.25])
    assert found is not None
    assert found.text() == "db took 1.5 s, 6.0x its median of 250 ms over the last 3 startups"
    zero = regression("db", 1.5, [0.0, 0.0, 0.0])
    assert zero is not None
    assert zero.text() == "db took 1.5 s, against a median of 0 ms over the last 3 startups"

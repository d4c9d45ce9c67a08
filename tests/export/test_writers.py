"""The YAML and HCL writers: every string stays a string, nothing is ever interpolated."""

from __future__ import annotations

import hcl2
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bootgate.export import dump
from bootgate.export._common import elsewhere, go_duration, is_bootgate_service
from bootgate.export._hcl import Block, render, value

scalars = st.one_of(
    st.text(max_size=20),
    st.integers(-1000, 1000),
    st.booleans(),
    st.none(),
    st.sampled_from(["no", "on", "1.0", "~", "null", "key: value", "- a", "#x", "'q'", ""]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)


@given(documents)
def test_yaml_reads_back_as_written(document: object) -> None:
    """Whatever the values, a YAML reader gets back exactly the document."""
    assert yaml.safe_load(dump({"d": document})) == {"d": document}


def test_hcl_blocks_and_values_parse() -> None:
    """Nested blocks, lists, maps and escaped interpolation parse as HCL2."""
    root = Block("job", ("a b",), {"n": 1, "on": True, "list": ["x", "${y}", "%{z}"]})
    root.add(Block("env", attributes={"K": 'v\n"q"'}))
    parsed = hcl2.loads(render(root))
    assert parsed["job"]


def test_hcl_refuses_what_it_cannot_write() -> None:
    """An object that is no HCL value is an error, not garbage."""
    with pytest.raises(TypeError):
        value(object())


@pytest.mark.parametrize(
    ("seconds", "text"), [(10, "10s"), (90, "1m30s"), (120, "2m"), (0.25, "250ms"), (1.5, "1500ms")]
)
def test_durations_as_engines_write_them(seconds: float, text: str) -> None:
    """Go-style durations for Docker, Compose and Nomad."""
    assert go_duration(seconds) == text


@pytest.mark.parametrize(
    ("target", "seen"),
    [
        ("postgres://u:p@127.0.0.1:5432/d", "postgres://u:p@db:5432/d"),
        ("http://localhost/readyz", "http://db/readyz"),
        ("redis://cache:6379", "redis://cache:6379"),
    ],
)
def test_loopback_targets_become_the_service_name(target: str, seen: str) -> None:
    """From another container, the process's loopback is its service name."""
    assert elsewhere(target, "db") == seen


def test_bootgate_services_are_recognised() -> None:
    """Only http(s) targets on bootgate's endpoints are bootgate services."""
    assert is_bootgate_service("http://x:1/readyz")
    assert not is_bootgate_service("tcp://x:1/readyz")
    assert not is_bootgate_service("http://x:1/health")

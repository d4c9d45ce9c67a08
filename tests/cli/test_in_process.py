"""The command's code paths in this process (`main(argv)` returns the exit code)."""

from __future__ import annotations

import json

import pytest

from bootgate.cli import main
from tests.servers import free_port


def test_check_json_and_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    """check --json prints one object per target; --quiet prints nothing for ready ones."""
    port = free_port()
    assert main(["check", "--json", f"tcp://u:secret@127.0.0.1:{port}"]) == 1
    line = json.loads(capsys.readouterr().out)
    assert line == {
        "event": "transient",
        "target": f"tcp://u:***@127.0.0.1:{port}",
        "reason": "connection refused",
        "retry_after": None,
    }
    assert main(["check", "-q", "file:///"]) == 0
    assert capsys.readouterr().out == ""


def test_wait_verbose_prints_reasons_and_ready_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """--verbose prints a reason per failed attempt; the ready line counts attempts."""
    assert main(["wait", "-v", "--timeout", "200ms", f"tcp://127.0.0.1:{free_port()}"]) == 1
    captured = capsys.readouterr()
    assert "connection refused (connect); next in" in captured.out
    assert "did not finish within 0.2s" in captured.err
    assert main(["wait", "file:///"]) == 0
    assert capsys.readouterr().out.startswith("ready file:/// after ")


def test_usage_errors_return_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input returns 2 with one line on stderr, including a command after check."""
    assert main(["check", "file:///", "--", "true"]) == 2
    assert "check runs no command" in capsys.readouterr().err
    assert main(["wait", "--status", "20x", "http://127.0.0.1:1/"]) == 2
    assert "not an HTTP status" in capsys.readouterr().err
    assert main(["wait", "--header", "nocolon", "http://127.0.0.1:1/"]) == 2
    assert "--header" in capsys.readouterr().err


def test_environment_supplies_options(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """BOOTGATE_* variables stand in for flags; BOOTGATE_WAIT for the targets."""
    monkeypatch.setenv("BOOTGATE_WAIT", f"tcp://127.0.0.1:{free_port()}, file:///")
    monkeypatch.setenv("BOOTGATE_ANY", "yes")
    monkeypatch.setenv("BOOTGATE_TIMEOUT", "2s")
    monkeypatch.setenv("BOOTGATE_JSON", "1")
    assert main(["wait"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1]["event"] == "ready"
    assert events[-1]["target"] == "file:///"

"""How the command ends when things around it go wrong: pipes, signals, commands, TLS files."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bootgate.cli import main
from tests.cli.test_cli import BOOTGATE, run
from tests.servers import free_port


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """`bootgate wait --json ... | head -1`: exit 141 as SIGPIPE would, no traceback."""
    command = [*BOOTGATE, "wait", "--json", "--timeout", "5s", f"tcp://127.0.0.1:{free_port()}"]
    waiter = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert waiter.stdout is not None
    waiter.stdout.readline()  # one event line, then the reader leaves
    waiter.stdout.close()
    _, err = waiter.communicate(timeout=30)
    assert waiter.returncode == 141
    assert b"Traceback" not in err
    assert err == b""


@pytest.mark.parametrize(
    ("command", "code", "message"),
    [
        ([""], 127, "command not found: ''"),
        (["/no/such/program"], 127, "command not found: /no/such/program"),
    ],
)
def test_a_command_that_cannot_run_exits_like_a_shell(
    command: list[str], code: int, message: str
) -> None:
    """No such command is 127, with one line."""
    result = run("wait", "file:///", "--", *command)
    assert (result.returncode, result.stderr.count("\n")) == (code, 1)
    assert message in result.stderr


def test_a_file_that_is_not_a_program_exits_126(tmp_path: Path) -> None:
    """An executable file that is not a program (exec format error) or a directory is 126."""
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x7fELF not really")
    garbage.chmod(0o755)
    for command in (str(garbage), str(tmp_path)):
        result = run("wait", "file:///", "--", command)
        assert (result.returncode, result.stderr.count("\n")) == (126, 1), result.stderr
        assert "cannot execute" in result.stderr


def test_ctrl_c_while_the_command_imports_is_an_interruption(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A KeyboardInterrupt raised while `main()` still imports its modules (the first tens of
    milliseconds of a run) is exit 130 with one line, not a traceback."""
    real_import = builtins.__import__

    def interrupting(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "_options":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "bootgate.cli._options", raising=False)
    monkeypatch.setattr(builtins, "__import__", interrupting)
    code = main(["check", "file:///"])
    monkeypatch.undo()
    assert code == 130
    assert capsys.readouterr().err == "bootgate: interrupted\n"


@pytest.mark.parametrize("command", ["wait", "check"])
def test_unusable_tls_files_are_usage_errors(command: str, tmp_path: Path) -> None:
    """A missing CA file or a client certificate that is not one: exit 2, one line, both ways."""
    not_a_cert = tmp_path / "cert.pem"
    not_a_cert.write_text("not a certificate\n")
    for flag, path in (("--ca-file", "/no/such/ca.pem"), ("--cert-file", str(not_a_cert))):
        result = run(command, "--timeout", "1s", flag, path, "https://127.0.0.1:1/")
        assert (result.returncode, result.stderr.count("\n")) == (2, 1), result.stderr
        assert flag in result.stderr


def test_the_interrupt_path_needs_no_module_beyond_the_command() -> None:
    """Sanity for the early-interrupt test: the command starts with only its own modules."""
    out = subprocess.run(
        [sys.executable, "-c", "import bootgate.cli, sys; print('anyio' in sys.modules)"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=True,
    )
    assert out.stdout.strip() == "False"

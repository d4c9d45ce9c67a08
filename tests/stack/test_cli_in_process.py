"""`bootgate up` and `bootgate export` in this process: their checks before anything runs,
and what export writes (`main(argv)` returns the exit code)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from bootgate.cli import main
from tests.stack.helpers import write_stack

S1 = Path(__file__).resolve().parents[2] / "examples" / "s1_stack" / "bootgate.toml"
S1_ENV = {"PG_BIN": "/usr/lib/postgresql/15/bin", "PG_DATA": "/tmp/d", "PG_PORT": "5999"}


@pytest.fixture
def s1_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variables the demo's stack file needs."""
    for key, value in S1_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("engine", ["compose", "kubernetes", "nomad"])
def test_export_prints_the_document(
    engine: str, s1_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each engine's document goes to stdout."""
    assert main(["export", engine, str(S1)]) == 0
    out = capsys.readouterr().out
    assert ("services:" if engine == "compose" else "kind: Deployment" if engine == "kubernetes"
            else 'job "s1"') in out  # fmt: skip


def test_export_to_a_file_on_the_host_network(
    tmp_path: Path, s1_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o writes the file; --host-network reaches the document."""
    out = tmp_path / "k8s.yaml"
    assert main(["export", "kubernetes", str(S1), "--host-network", "-o", str(out)]) == 0
    documents = list(yaml.safe_load_all(out.read_text()))
    pods = [d["spec"]["template"]["spec"] for d in documents if d["kind"] == "Deployment"]
    assert all(pod["hostNetwork"] for pod in pods)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "compose", "/nonexistent/bootgate.toml"], "cannot read: no such file"),
        (["export", "compose", str(S1), "-o", "/nonexistent/dir/x.yaml"], "--output:"),
        (["export", "swarm", str(S1)], "invalid choice"),
        (["export", "compose", str(S1), "--", "x"], "takes no command"),
        (["up", "/nonexistent/bootgate.toml"], "cannot read: no such file"),
        (["up", str(S1), "--", "x"], "takes no command"),
    ],
)
def test_mistakes_are_exit_2_with_one_line(
    args: list[str], message: str, s1_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad files, options and paths: exit 2, one line on stderr."""
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_up_checks_http_before_starting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad --http is refused before anything starts."""
    path = write_stack(tmp_path, '[process.a]\ncommand = "true"\n')
    assert main(["up", str(path), "--http", "localhost:http"]) == 2
    assert "--http: 'localhost:http' is not HOST:PORT" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ('command = "no-such-program-x"', "command: 'no-such-program-x' not found on PATH"),
        ('command = "true"\ncwd = "absent"', "cwd: no such directory"),
        ('command = "true"\nuser = "no-such-user-x"', "user: no such user 'no-such-user-x'"),
        ('command = "true"\nuser = "4294967"', "user: no such user '4294967'"),
        ('command = "./script.sh"', "'./script.sh' is not an executable file"),
        ('command = "true"\nenv = { PATH = "/nonexistent" }', "'true' not found on PATH"),
    ],
)
def test_up_preflight_finds_what_could_not_start(
    tmp_path: Path, fields: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Programs, directories and users are looked up before the first process starts."""
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(stat.S_IRUSR)  # not executable
    path = write_stack(tmp_path, f"[process.a]\n{fields}\n")
    assert main(["up", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_a_program_by_path_passes_preflight(tmp_path: Path) -> None:
    """An executable given by a relative path is found from `cwd`."""
    from bootgate.stack import load_stack, preflight

    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    preflight(load_stack(write_stack(tmp_path, '[process.a]\ncommand = "./run.sh"\ncwd = "."\n')))
    assert os.access(script, os.X_OK)

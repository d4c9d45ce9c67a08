"""The stack file: what it means once read, and one clear line for everything it gets wrong."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bootgate.stack import (
    Condition,
    LogCheck,
    RestartPolicy,
    StackFileError,
    TargetCheck,
    load_stack,
    parse_address,
)
from tests.stack.helpers import write_stack

GOOD = """
[stack]
name = "s1"
http = "127.0.0.1:8900"

[process.db]
command = ["postgres", "-D", "pgdata", "-p", "${PGPORT:-55432}"]
ready = "postgres://postgres@127.0.0.1:${PGPORT:-55432}/postgres"
image = "postgres:16"

[process.migrate]
command = "python -m gateway.migrate --to 'head now'"
requires = { db = "ready" }

[process.gateway]
command = "python -m gateway --port 3000"
requires = { db = "started", migrate = "completed" }
ready = { target = "http://127.0.0.1:3000/readyz", timeout = "2m" }
live = "http://127.0.0.1:3000/livez"
restart = { policy = "on-failure", limit = 3, interval = "250ms" }
env = { DATABASE_URL = "postgres://postgres@127.0.0.1:55432/postgres", WORKERS = 4 }
stop = { signal = "INT", grace = "5s" }
cwd = "gateway"

[process.ui]
command = ["node", "ui.js"]
requires = { gateway = "ready" }
ready = { log = "listening on \\\\d+" }
"""


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> object:
    """Load `text` as a stack file in tmp_path."""
    return load_stack(write_stack(tmp_path, text), env or {})


def error(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    """The one-line message of the StackFileError that `text` raises."""
    with pytest.raises(StackFileError) as caught:
        load_stack(write_stack(tmp_path, text), env or {})
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_full_file_reads_as_written(tmp_path: Path) -> None:
    """Every field of the sketch lands where it should, strings split like a shell."""
    stack = load_stack(write_stack(tmp_path, GOOD), {"PGPORT": "6000"})
    assert stack.name == "s1"
    assert stack.http == ("127.0.0.1", 8900)
    db, migrate, gateway, ui = stack.processes
    assert db.command == ("postgres", "-D", "pgdata", "-p", "6000")
    assert db.ready == TargetCheck("postgres://postgres@127.0.0.1:6000/postgres", 60.0)
    assert db.image == "postgres:16"
    assert migrate.command == ("python", "-m", "gateway.migrate", "--to", "head now")
    assert gateway.requirements == {"db": Condition.STARTED, "migrate": Condition.COMPLETED}
    assert gateway.ready == TargetCheck("http://127.0.0.1:3000/readyz", 120.0)
    assert gateway.restart.policy is RestartPolicy.ON_FAILURE
    assert (gateway.restart.limit, gateway.restart.interval) == (3, 0.25)
    assert dict(gateway.env)["WORKERS"] == "4"
    assert gateway.stop.signal is signal.SIGINT
    assert gateway.stop.grace == 5.0
    assert gateway.cwd == tmp_path / "gateway"
    assert ui.ready == LogCheck("listening on \\d+", 60.0)
    assert db.restart.policy is RestartPolicy.NO


def test_goals_and_extra_conditions(tmp_path: Path) -> None:
    """A process's goal is completed if awaited so, else ready with a check, else started;
    conditions asked besides the goal are listed after it."""
    stack = load_stack(write_stack(tmp_path, GOOD), {})
    assert stack.goal("db") is Condition.READY
    assert stack.goal("migrate") is Condition.COMPLETED
    assert stack.goal("gateway") is Condition.READY
    assert stack.conditions("db") == [Condition.READY, Condition.STARTED]
    assert stack.conditions("ui") == [Condition.READY]


def test_the_stack_name_defaults_to_the_directory(tmp_path: Path) -> None:
    """Without [stack] name, the stack is named after the file's directory."""
    stack = load_stack(write_stack(tmp_path, '[process.a]\ncommand = "true"\n'), {})
    assert stack.name == tmp_path.name
    assert stack.http is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[process.db]\ncommand = "x"\nreddy = "tcp://a:1"\n',
            "process db: reddy: unknown field (did you mean 'ready'?)",
        ),
        (
            '[process.db]\ncommand = "x"\n'
            '[process.ui]\ncommand = "y"\nrequires = { dbb = "ready" }\n',
            "process ui: requires: unknown process 'dbb' (did you mean 'db'?)",
        ),
        (
            '[process.db]\ncommand = "x"\nready = "tcp://a:1"\n'
            '[process.ui]\ncommand = "y"\nrequires = { db = "healthy" }\n',
            "process ui: requires: db = 'healthy': a condition is one of started, ready, completed",
        ),
        (
            '[process.db]\ncommand = "x"\n'
            '[process.ui]\ncommand = "y"\nrequires = { db = "ready" }\n',
            "process ui: requires: db = 'ready', but process db has no ready check",
        ),
        (
            '[process.job]\ncommand = "x"\nrestart = "always"\n'
            '[process.ui]\ncommand = "y"\nrequires = { job = "completed" }\n',
            "process ui: requires: job = 'completed', but process job has restart = 'always'",
        ),
        (
            '[process.a]\ncommand = "x"\nrequires = { c = "started" }\n'
            '[process.b]\ncommand = "x"\nrequires = { a = "started" }\n'
            '[process.c]\ncommand = "x"\nrequires = { b = "started" }\n',
            "requires: cycle: a → c → b → a",
        ),
        (
            '[process.a]\ncommand = "x"\nrequires = { a = "started" }\n',
            "process a: requires: a requires itself",
        ),
        (
            '[process.a]\ncommand = "x"\nstop = { grace = "10 seconds" }\n',
            "process a: stop: stop.grace: '10 seconds' is not a duration",
        ),
        (
            '[process.a]\ncommand = "x"\nstop = { signal = "SIGTREM" }\n',
            "process a: stop: signal: unknown signal 'SIGTREM' (did you mean 'SIGTERM'?)",
        ),
        (
            '[process.a]\ncommand = "x"\nready = { log = "([" }\n',
            "process a: ready: log: '([' is not a regular expression",
        ),
        (
            '[process.a]\ncommand = "x"\nready = "htp://a:1"\n',
            "process a: ready:",
        ),
        (
            '[process.a]\ncommand = "x"\nready = { target = "tcp://a:1", log = "x" }\n',
            "process a: ready: give exactly one of target = URL or log = PATTERN",
        ),
        (
            '[process.a]\ncommand = "x"\nrestart = "sometimes"\n',
            "process a: restart: 'sometimes': a policy is one of no, on-failure, always",
        ),
        (
            '[process.a]\ncommand = "x"\nrestart = { policy = "always", limit = -1 }\n',
            "process a: restart: restart.limit: expected a whole number >= 0, got -1",
        ),
        ('[process.a]\ncommand = "x \'y"\n', "process a: command: cannot split"),
        ("[process.a]\ncommand = []\n", "process a: command: empty command"),
        ('[process.a]\ncommand = ["a"]\nshell = true\n', "give the command as one string"),
        ("[process.a]\nenv = {}\n", "process a: command: required"),
        ('[process.My_Db]\ncommand = "x"\n', "process My_Db: a process name is lowercase"),
        ('[stack]\nname = "x"\n', "no processes"),
        ('[stak]\n[process.a]\ncommand = "x"\n', "unknown table [stak] (did you mean 'stack'?)"),
        ('[stack]\nhtp = "1"\n[process.a]\ncommand = "x"\n', "[stack]: htp: unknown field"),
        ('[stack]\nhttp = "localhost:99999"\n[process.a]\ncommand = "x"\n', "[stack]: http:"),
        ('[process.a]\ncommand = "x ${NOPE}"\n', "process a: command: variable NOPE is not set"),
        ("[process.a\ncommand = 1\n", "not valid TOML"),
    ],
)
def test_mistakes_are_one_line_naming_file_process_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Each mistake is refused before anything starts, with the file, process and field."""
    message = error(tmp_path, text)
    assert message.startswith(str(tmp_path / "bootgate.toml") + ": ")
    assert expected in message


def test_secrets_in_targets_are_redacted_in_errors(tmp_path: Path) -> None:
    """A password in a bad target never reaches the error line."""
    message = error(
        tmp_path, '[process.a]\ncommand = "x"\nready = "postgres://u:hunter2@h:notaport/d"\n'
    )
    assert "hunter2" not in message


def test_interpolation(tmp_path: Path) -> None:
    """${VAR}, ${VAR:-default} (also when empty), ${VAR-default} (only when unset), $$."""
    text = '[process.a]\ncommand = "echo ${A} ${B:-b} ${C-c} ${D:-d} $$HOME"\n'
    stack = load_stack(write_stack(tmp_path, text), {"A": "a", "C": "", "D": ""})
    assert stack.processes[0].command == ("echo", "a", "b", "d", "$HOME")


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    """A missing file is the same kind of error, naming the file."""
    with pytest.raises(StackFileError, match="cannot read: no such file"):
        load_stack(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1:8900", ("127.0.0.1", 8900)),
        ("8900", ("127.0.0.1", 8900)),
        ("[::1]:80", ("::1", 80)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
    ],
)
def test_addresses(text: str, address: tuple[str, int]) -> None:
    """HOST:PORT, a bare port, or a bracketed IPv6 address."""
    assert parse_address(text) == address


def test_a_bad_address_is_refused() -> None:
    """Anything else is a ValueError (the command line turns it into exit 2)."""
    with pytest.raises(ValueError, match="is not HOST:PORT"):
        parse_address("localhost:http")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[process.a]\ncommand = "x"\nenv = { A = [1] }\n', "env: A: expected a string"),
        ('[process.a]\ncommand = "x"\nenv = { "A=B" = "1" }\n', "env: 'A=B' is not a variable"),
        ('[process.a]\ncommand = "x"\nenv = "A=1"\n', "env: env: expected a table"),
        ('[process.a]\ncommand = [1]\n', "command: expected a list of strings or a string"),
        ('[process.a]\ncommand = "x"\nready = { target = "tcp://a:1", tmeout = "1s" }\n',
         "unknown field 'tmeout' (did you mean 'timeout'?)"),
        ('[process.a]\ncommand = "x"\nlive = { interval = "1s" }\n', "live: target: required"),
        ('[process.a]\ncommand = "x"\nlive = { target = "tcp://a:1", failures = 0 }\n',
         "live.failures: expected a whole number >= 1"),
        ('[process.a]\ncommand = "x"\nprogress = "("\n', "progress: '(' is not a regular"),
        ('[process.a]\ncommand = "x"\nprogress = "(\\\\d+)"\n', "needs a group (?P<done>"),
        ('[process.a]\ncommand = "x"\nrestart = { interval = "2s", max_interval = "1s" }\n',
         "max_interval is shorter than interval"),
        ('[process.a]\ncommand = "x"\nstop = { signal = 999 }\n', "signal: no signal number 999"),
        ('[process.a]\ncommand = "x"\nstop = { grace = true }\n', "expected a duration"),
        ('[process.a]\ncommand = "x"\nrequires = ["b"]\n', "requires: expected a table"),
        ('[process.a]\ncommand = "x"\nshell = "yes"\n', "shell: expected true or false"),
        ('[stack]\ndashboard = 1\n[process.a]\ncommand = "x"\n', "dashboard: expected true"),
        ('[stack]\nhttp = 8900\n[process.a]\ncommand = "x"\n', "http: expected a string"),
        ('[process.a]\ncommand = "x ${A"\n', "malformed variable reference"),
        ("process = 1\n", "[process]: expected a table"),
    ],
)  # fmt: skip
def test_more_mistakes(tmp_path: Path, text: str, expected: str) -> None:
    """Wrong types and values in every field are named, one line each."""
    assert expected in error(tmp_path, text)


def test_signal_numbers_and_short_names(tmp_path: Path) -> None:
    """A stop signal by number, or by its name without SIG, lower case."""
    stack = load_stack(
        write_stack(
            tmp_path,
            '[process.a]\ncommand = "x"\nstop = { signal = 2 }\n'
            '[process.b]\ncommand = "x"\nstop = { signal = "hup" }\nshell = true\n',
        ),
        {},
    )
    assert stack.processes[0].stop.signal is signal.SIGINT
    assert stack.processes[1].stop.signal is signal.SIGHUP
    assert stack.processes[1].command == ("/bin/sh", "-c", "x")

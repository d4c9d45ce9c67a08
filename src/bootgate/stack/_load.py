"""Read a stack file (TOML) into a validated `Stack`, or fail with one line naming the spot.

Everything is checked before anything starts: unknown tables, fields and process names (with
the nearest valid name), conditions outside the closed set, `ready` asked of a process without a
`ready` check, `completed` asked of a process that always restarts, cycles (with their path),
durations, signals, targets, regular expressions, and `${VAR}` references.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bootgate import ConfigError, parse_duration

from ._errors import StackFileError, nearest
from ._interpolate import interpolate
from ._model import (
    Condition,
    LiveCheck,
    LogCheck,
    Process,
    ReadyCheck,
    Restart,
    RestartPolicy,
    Stack,
    Stop,
    TargetCheck,
)

STACK_FIELDS = ("name", "http", "dashboard")
PROCESS_FIELDS = (
    "command",
    "shell",
    "env",
    "cwd",
    "user",
    "requires",
    "ready",
    "live",
    "restart",
    "stop",
    "image",
    "progress",
)
#: A process name is a DNS label: the same name works as a Compose service, a Kubernetes
#: object, a Nomad task and a hostname, so one file exports to every engine unchanged.
NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def load_stack(path: str | Path, env: Mapping[str, str] | None = None) -> Stack:
    """Read and validate the stack file at `path`; `${VAR}` references come from `env`
    (default: this process's environment). Raises StackFileError."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StackFileError(file, f"cannot read: {reason.lower()}") from None
    return parse_stack(text, file, os.environ if env is None else env)


def parse_stack(text: str, path: Path, env: Mapping[str, str]) -> Stack:
    """Validate the TOML `text` of the stack file at `path` (used for messages and `cwd`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StackFileError(path, f"not valid TOML: {exc}") from None
    return _Reader(path, env).stack(data)


class _Reader:
    def __init__(self, path: Path, env: Mapping[str, str]) -> None:
        self.path = path
        self.env = env
        self.process: str | None = None
        self.field = ""

    def fail(self, problem: str, field: str | None = None) -> StackFileError:
        return StackFileError(
            self.path, problem, process=self.process, field=self.field if field is None else field
        )

    # -- the file -------------------------------------------------------------------------------

    def stack(self, data: dict[str, Any]) -> Stack:
        for key in data:
            if key not in ("stack", "process"):
                raise self.fail(
                    f"unknown table [{key}]{nearest(key, ('stack', 'process'))}; "
                    "a stack file has [stack] and [process.NAME] tables"
                )
        settings = self.table(data.get("stack", {}), "[stack]")
        self.field = ""
        for key in settings:
            if key not in STACK_FIELDS:
                raise self.fail(f"unknown field{nearest(key, STACK_FIELDS)}", key)
        name = self.stack_name(settings)
        http = self.http(settings.get("http"))
        dashboard = self.boolean(settings.get("dashboard", False), "dashboard")
        self.field = ""
        tables = self.table(data.get("process", {}), "[process]")
        if not tables:
            raise self.fail("no processes: add a [process.NAME] table with a command")
        processes = [self.read_process(name, table) for name, table in tables.items()]
        self.check_requirements(processes)
        self.check_cycles(processes)
        return Stack(
            name=name, path=self.path, processes=tuple(processes), http=http, dashboard=dashboard
        )

    def stack_name(self, settings: dict[str, Any]) -> str:
        name = settings.get("name")
        if name is None:
            return self.path.resolve().parent.name or "stack"
        return self.string(name, "name")

    def http(self, value: object) -> tuple[str, int] | None:
        if value is None:
            return None
        self.field = "http"
        try:
            return parse_address(self.expand(self.string(value, "http")))
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    # -- one process --------------------------------------------------------------------------

    def read_process(self, name: str, table: object) -> Process:
        self.process = name
        self.field = ""
        if not NAME.fullmatch(name):
            raise self.fail(
                "a process name is lowercase letters, digits and '-', at most 63 (it becomes "
                "a hostname, a Compose service and a Kubernetes name)"
            )
        fields = self.table(table, f"[process.{name}]")
        for key in fields:
            if key not in PROCESS_FIELDS:
                raise self.fail(f"unknown field{nearest(key, PROCESS_FIELDS)}", key)
        if "command" not in fields:
            raise self.fail("required (a list of arguments, or a string)", "command")
        shell = self.boolean(fields.get("shell", False), "shell")
        return Process(
            name=name,
            command=self.command(fields["command"], shell),
            shell=shell,
            env=self.environment(fields.get("env", {})),
            cwd=self.cwd(fields.get("cwd")),
            cwd_text=self.optional_string(fields.get("cwd"), "cwd"),
            user=self.optional_string(fields.get("user"), "user"),
            requires=self.requires(fields.get("requires", {})),
            ready=self.ready(fields.get("ready")),
            live=self.live(fields.get("live")),
            restart=self.restart(fields.get("restart", "no")),
            stop=self.stop(fields.get("stop", {})),
            image=self.optional_string(fields.get("image"), "image"),
            progress=self.progress(fields.get("progress")),
        )

    def command(self, value: object, shell: bool) -> tuple[str, ...]:
        self.field = "command"
        if isinstance(value, str):
            text = self.expand(value)
            if shell:
                return ("/bin/sh", "-c", text)
            try:
                argv = shlex.split(text)
            except ValueError as exc:
                raise self.fail(f"cannot split {text!r} like a shell: {exc}") from None
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            if shell:
                raise self.fail("with shell = true, give the command as one string")
            argv = [self.expand(v) for v in value]
        else:
            raise self.fail(f"expected a list of strings or a string, got {_kind(value)}")
        if not argv or not argv[0]:
            raise self.fail("empty command")
        return tuple(argv)

    def environment(self, value: object) -> tuple[tuple[str, str], ...]:
        self.field = "env"
        table = self.table(value, "env")
        pairs = []
        for key, raw in table.items():
            if isinstance(raw, bool):
                text = "true" if raw else "false"
            elif isinstance(raw, int | float):
                text = str(raw)
            elif isinstance(raw, str):
                text = raw
            else:
                raise self.fail(f"{key}: expected a string, number or boolean, got {_kind(raw)}")
            if not key or "=" in key or "\0" in key:
                raise self.fail(f"{key!r} is not a variable name")
            pairs.append((key, self.expand(text)))
        return tuple(pairs)

    def cwd(self, value: object) -> Path | None:
        if value is None:
            return None
        self.field = "cwd"
        # Relative to the stack file, not to wherever `bootgate up` happens to be run from.
        return self.path.parent / self.expand(self.string(value, "cwd"))

    def requires(self, value: object) -> tuple[tuple[str, Condition], ...]:
        self.field = "requires"
        table = self.table(value, "requires")
        pairs = []
        for name, raw in table.items():
            if not isinstance(raw, str) or raw not in tuple(Condition):
                choices = ", ".join(c.value for c in Condition)
                hint = nearest(raw, tuple(Condition)) if isinstance(raw, str) else ""
                raise self.fail(f"{name} = {raw!r}: a condition is one of {choices}{hint}")
            pairs.append((name, Condition(raw)))
        return tuple(pairs)

    def ready(self, value: object) -> ReadyCheck | None:
        if value is None:
            return None
        self.field = "ready"
        if isinstance(value, str):
            return TargetCheck(self.target(value))
        table = self.table(value, "ready")
        self.known(table, ("target", "log", "timeout"))
        timeout = self.duration(table.get("timeout", 60.0), "ready.timeout")
        has = [key for key in ("target", "log") if key in table]
        if len(has) != 1:
            raise self.fail("give exactly one of target = URL or log = PATTERN")
        if has[0] == "target":
            return TargetCheck(self.target(table["target"]), timeout)
        pattern = self.expand(self.string(table["log"], "ready.log"))
        try:
            re.compile(pattern)
        except re.error as exc:
            raise self.fail(f"log: {pattern!r} is not a regular expression: {exc}") from None
        return LogCheck(pattern, timeout)

    def progress(self, value: object) -> str | None:
        if value is None:
            return None
        self.field = "progress"
        pattern = self.expand(self.string(value, "progress"))
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise self.fail(f"{pattern!r} is not a regular expression: {exc}") from None
        if "done" not in compiled.groupindex:
            raise self.fail("the pattern needs a group (?P<done>...) (and may have total, message)")
        return pattern

    def live(self, value: object) -> LiveCheck | None:
        if value is None:
            return None
        self.field = "live"
        if isinstance(value, str):
            return LiveCheck(self.target(value))
        table = self.table(value, "live")
        self.known(table, ("target", "interval", "failures"))
        if "target" not in table:
            raise self.fail("target: required")
        return LiveCheck(
            self.target(table["target"]),
            self.duration(table.get("interval", 10.0), "live.interval"),
            self.count(table.get("failures", 3), "live.failures", minimum=1),
        )

    def restart(self, value: object) -> Restart:
        self.field = "restart"
        table: dict[str, Any] = {"policy": value} if isinstance(value, str) else {}
        if not isinstance(value, str):
            table = self.table(value, "restart")
            self.known(table, ("policy", "limit", "interval", "max_interval"))
        policy = table.get("policy", "on-failure")
        policies = tuple(p.value for p in RestartPolicy)
        if not isinstance(policy, str) or policy not in policies:
            hint = nearest(policy, policies) if isinstance(policy, str) else ""
            raise self.fail(f"{policy!r}: a policy is one of {', '.join(policies)}{hint}")
        restart = Restart(
            RestartPolicy(policy),
            self.count(table.get("limit", 5), "restart.limit", minimum=0),
            self.duration(table.get("interval", 0.5), "restart.interval"),
            self.duration(table.get("max_interval", 30.0), "restart.max_interval"),
        )
        if restart.max_interval < restart.interval:
            raise self.fail("max_interval is shorter than interval")
        return restart

    def stop(self, value: object) -> Stop:
        self.field = "stop"
        table = self.table(value, "stop")
        self.known(table, ("signal", "grace"))
        return Stop(
            self.signal(table.get("signal", "SIGTERM")),
            self.duration(table.get("grace", 10.0), "stop.grace"),
        )

    # -- across processes ---------------------------------------------------------------------

    def check_requirements(self, processes: list[Process]) -> None:
        by_name = {p.name: p for p in processes}
        for process in processes:
            self.process, self.field = process.name, "requires"
            for name, condition in process.requires:
                other = by_name.get(name)
                if other is None:
                    raise self.fail(f"unknown process {name!r}{nearest(name, by_name)}")
                if name == process.name:
                    raise self.fail(f"{name} requires itself")
                if condition is Condition.READY and other.ready is None:
                    raise self.fail(
                        f"{name} = 'ready', but process {name} has no ready check "
                        "(give it `ready`, or require 'started')"
                    )
                if condition is Condition.COMPLETED and other.restart.policy is (
                    RestartPolicy.ALWAYS
                ):
                    raise self.fail(
                        f"{name} = 'completed', but process {name} has restart = 'always': "
                        "it is started again each time it completes"
                    )

    def check_cycles(self, processes: list[Process]) -> None:
        requires = {p.name: [name for name, _ in p.requires] for p in processes}
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        path: list[str] = []

        def visit(name: str) -> None:
            state[name] = 1
            path.append(name)
            for required in requires[name]:
                if state.get(required) == 1:
                    cycle = [*path[path.index(required) :], required]
                    self.process, self.field = name, "requires"
                    raise self.fail("cycle: " + " → ".join(cycle))
                if required not in state:
                    visit(required)
            path.pop()
            state[name] = 2

        for process in processes:
            if process.name not in state:
                visit(process.name)

    # -- values -------------------------------------------------------------------------------

    def expand(self, text: str) -> str:
        try:
            return interpolate(text, self.env)
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def target(self, value: object) -> str:
        from bootgate.probes import parse_target

        text = self.expand(self.string(value, f"{self.field}.target"))
        try:
            parse_target(text)
        except ConfigError as exc:
            raise self.fail(str(exc)) from None
        return text

    def table(self, value: object, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what}: expected a table, got {_kind(value)}")
        return value

    def known(self, table: dict[str, Any], fields: tuple[str, ...]) -> None:
        for key in table:
            if key not in fields:
                raise self.fail(
                    f"unknown field {key!r}{nearest(key, fields)} (known: {', '.join(fields)})"
                )

    def string(self, value: object, what: str) -> str:
        if not isinstance(value, str):
            raise self.fail(f"{what}: expected a string, got {_kind(value)}", self.field or what)
        return value

    def optional_string(self, value: object, what: str) -> str | None:
        if value is None:
            return None
        self.field = what
        return self.expand(self.string(value, what)) or None

    def boolean(self, value: object, what: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(f"expected true or false, got {_kind(value)}", what)
        return value

    def duration(self, value: object, what: str) -> float:
        if isinstance(value, str):
            value = self.expand(value)
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(f'{what}: expected a duration such as "2s", got {_kind(value)}')
        try:
            return parse_duration(value, what=what)
        except ConfigError as exc:
            raise self.fail(str(exc)) from None

    def count(self, value: object, what: str, *, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"{what}: expected a whole number >= {minimum}, got {value!r}")
        return value

    def signal(self, value: object) -> signal.Signals:
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return signal.Signals(value)
            except ValueError:
                raise self.fail(f"signal: no signal number {value}") from None
        text = self.string(value, "stop.signal").upper()
        name = text if text.startswith("SIG") else f"SIG{text}"
        names = [s.name for s in signal.Signals]
        if name not in names:
            raise self.fail(f"signal: unknown signal {value!r}{nearest(name, names)}")
        return signal.Signals[name]


def parse_address(text: str) -> tuple[str, int]:
    """ "127.0.0.1:8900", "[::1]:8900" or a bare port (on 127.0.0.1) as (host, port); port 0
    picks a free one. Raises ValueError."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    if not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8900)")
    return host.strip("[]") or "127.0.0.1", int(port)


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return f"{value!r}"

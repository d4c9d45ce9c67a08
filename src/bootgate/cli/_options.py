"""Options shared by `wait` and `check`: flags, their `BOOTGATE_*` environment twins, targets.

Every option has an environment variable of the same name (`--max-interval` is
`BOOTGATE_MAX_INTERVAL`); a flag beats its variable. `BOOTGATE_WAIT` holds targets separated by
commas or spaces. Everything here is stdlib plus bootgate's pure modules: `check` runs on it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence

import bootgate
import bootgate.probes
from bootgate._environ import WAIT_DURATIONS, WAIT_SECONDS, header_lines, variable, wait_options

from ._output import out

__all__ = ["Settings", "UsageError", "add_target_arguments", "build_parser", "out", "settings"]

TYPE_CHECKING = False  # not typing's: `check` must not pay for importing typing
if TYPE_CHECKING:
    from typing import NoReturn

FLAGS = ("any", "no_fail_fast", "quiet", "verbose", "json", "insecure")
STRINGS = ("status", "ca_file", "cert_file", "key_file")
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit code 2."""


class _Formatter(argparse.HelpFormatter):
    """Help text formatting without `shutil` (argparse imports it, with zlib, bz2 and lzma,
    to learn the terminal width, even when no help is printed)."""

    def __init__(self, prog: str) -> None:
        try:
            width = os.get_terminal_size().columns - 2
        except OSError:
            width = 78
        super().__init__(prog, width=width)


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def split_command(args: list[str]) -> tuple[list[str], list[str]]:
    """Split at the first `--`: bootgate's own arguments, then the command to exec."""
    if "--" in args:
        cut = args.index("--")
        return args[:cut], args[cut + 1 :]
    return args, []


def build_parser(
    commands: Mapping[str, tuple[str, str, str]], chosen: str | None
) -> argparse.ArgumentParser:
    """The argument parser; only the `chosen` subcommand gets (and imports) its arguments."""
    import importlib

    parser = _Parser(prog="bootgate", description="Wait for dependencies; check them.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (_module, help_text, arguments) in commands.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module, function = arguments.split(":")
            getattr(importlib.import_module(f"bootgate.cli.{module}"), function)(command)
    return parser


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `wait` and `check`; defaults come from the environment later."""
    parser.add_argument("targets", nargs="*", metavar="TARGET")
    add = parser.add_argument
    add("--timeout", help="overall deadline (default 60s; 0 = none)")
    add("--attempt-timeout", help="bound on one attempt (default 3s)")
    add("--interval", help="first pause between attempts (default 50ms)")
    add("--max-interval", help="longest pause; handshakes at most once per it (default 250ms)")
    add("--attempts", help="give up after this many attempts (default: the timeout bounds it)")
    add("--any", action="store_true", default=None, help="done when one target is ready")
    add("--no-fail-fast", action="store_true", default=None, help="treat failures as transient")
    add("--quiet", "-q", action="store_true", default=None, help="print nothing when ready")
    add("--verbose", "-v", action="store_true", default=None, help="print a reason per attempt")
    add("--json", action="store_true", default=None, help="one JSON object per event line")
    add("--status", help="HTTP statuses that mean ready (default 2xx), e.g. 200,204 or 2xx")
    add("--header", action="append", default=None, help="HTTP header 'Name: value' (repeatable)")
    add("--ca-file", help="TLS: CA bundle to verify the server with")
    add("--cert-file", help="TLS: client certificate (PEM)")
    add("--key-file", help="TLS: client key (PEM)")
    add("--insecure", action="store_true", default=None, help="TLS: do not verify the server")


class Settings:
    """Flags and environment merged and validated; durations in seconds."""

    def __init__(self, namespace: argparse.Namespace, env: Mapping[str, str]) -> None:
        given = {name: getattr(namespace, name) for name in (*WAIT_DURATIONS, "attempts")}
        try:
            self.retry: dict[str, float | int | None] = wait_options(given, env)
        except bootgate.ConfigError as exc:
            raise UsageError(str(exc)) from None
        #: Each duration in seconds (None: none), from flag, environment or default.
        self.durations: dict[str, float | None] = {
            name: self.retry.get(name, WAIT_SECONDS[name]) for name in WAIT_DURATIONS
        }
        self.flags: dict[str, bool] = {}
        for name in FLAGS:
            value = getattr(namespace, name)
            self.flags[name] = bool(value) if value is not None else _env_flag(env, name)
        self.strings: dict[str, str | None] = {
            name: getattr(namespace, name) or env.get(variable(name)) or None for name in STRINGS
        }
        self.headers: list[str] = namespace.header or header_lines(env)
        #: Where the headers came from, for errors: the flag or its variable.
        self.header_source = "--header" if namespace.header else variable("header")
        self.targets = _targets(namespace.targets, env)

    def usage_error(self, exc: Exception) -> UsageError:
        """A probe's ConfigError as a usage error, secrets redacted, naming where the bad
        value came from (a header from BOOTGATE_HEADER is reported under that name)."""
        message = bootgate.redact(str(exc))
        if message.startswith("--header:"):
            message = self.header_source + message[len("--header") :]
        return UsageError(message)

    def probe_options(self) -> dict[str, object]:
        """Options for `bootgate.probes.probe_for` / `check`."""
        options: dict[str, object] = {
            key: value for key, value in self.strings.items() if value is not None
        }
        if self.headers:
            options["header"] = self.headers
        if self.flags["insecure"]:
            options["insecure"] = True
        return options


def _env_flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(variable(name))
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise UsageError(f"{variable(name)}={raw!r} is not a boolean (use 1/0, true/false)")


def _targets(given: Sequence[str], env: Mapping[str, str]) -> list[bootgate.probes.Target]:
    texts = list(given)
    source = "arguments"
    if not texts and "BOOTGATE_WAIT" in env:
        texts = env["BOOTGATE_WAIT"].replace(",", " ").split()
        source = "BOOTGATE_WAIT"
        if not texts:
            raise UsageError("BOOTGATE_WAIT is set but holds no target")
    if not texts:
        raise UsageError("no targets (give TARGET... or set BOOTGATE_WAIT)")
    targets = []
    for text in texts:
        try:
            targets.append(bootgate.probes.parse_target(text))
        except bootgate.ConfigError as exc:
            where = " in BOOTGATE_WAIT" if source == "BOOTGATE_WAIT" else ""
            raise UsageError(f"bad target{where}: {exc}") from None
    return targets


def settings(namespace: argparse.Namespace) -> Settings:
    """Merge `namespace` with the process environment."""
    return Settings(namespace, os.environ)

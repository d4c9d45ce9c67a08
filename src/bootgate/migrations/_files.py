"""Versioned `.sql` files: finding them, their checksums, and splitting them into statements."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from bootgate._errors import ConfigError

_NAME = re.compile(r"^[Vv]?(\d+)(?:[_\-. ]+.*)?\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One versioned `.sql` file: `0003_add_provider_label.sql` is version 3."""

    version: int
    name: str
    """The file's name without `.sql`, as shown in progress: "0003_add_provider_label"."""
    sql: str = field(repr=False)
    checksum: str
    """SHA-256 of the text with line endings made uniform (a CRLF checkout is no change)."""


def checksum(text: str) -> str:
    """The checksum recorded for a migration's text."""
    uniform = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(uniform.encode()).hexdigest()


def read_directory(path: Path) -> list[Migration]:
    """The directory's migrations in version order; a bad or duplicate name is a ConfigError."""
    if not path.is_dir():
        raise ConfigError(f"migrations directory {str(path)!r} does not exist")
    found: dict[int, Migration] = {}
    for file in sorted(path.iterdir()):
        if file.suffix.lower() != ".sql" or not file.is_file():
            continue
        match = _NAME.match(file.name)
        if match is None:
            raise ConfigError(
                f"migration {file.name!r} has no version: name files like 0001_create_tenant.sql"
            )
        version = int(match.group(1))
        if version in found:
            raise ConfigError(
                f"migrations {found[version].name!r} and {file.stem!r} share version {version}"
            )
        text = file.read_text(encoding="utf-8")
        found[version] = Migration(version, file.stem, text, checksum(text))
    return [found[v] for v in sorted(found)]


def split_statements(sql: str) -> list[str]:
    """Split a script on the semicolons that end statements.

    Semicolons inside quotes ('...', "...", `...`), comments (-- and /* */) and PostgreSQL
    dollar quotes ($$...$$, $tag$...$tag$) do not count. Statements with nothing but comments
    and blanks are dropped.
    """
    statements: list[str] = []
    start = i = 0
    content = False  # does the current statement hold anything but blanks and comments?
    n = len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # a doubled quote is a quote
                        end += 2
                        continue
                    break
                end += 1
            i, content = end + 1, True
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            i = n if close < 0 else close + 2
        elif ch == "$" and (tag := re.match(r"\$[A-Za-z_]?[A-Za-z0-9_]*\$", sql[i:])):
            close = sql.find(tag.group(0), i + len(tag.group(0)))
            i = n if close < 0 else close + len(tag.group(0))
            content = True
        elif ch == ";":
            if content:
                statements.append(sql[start:i].strip())
            start, i, content = i + 1, i + 1, False
        else:
            content = content or not ch.isspace()
            i += 1
    if content:
        statements.append(sql[start:].strip())
    return statements


def sqlite_statements(sql: str) -> list[str]:
    """Statements for SQLite, whose triggers hold semicolons between BEGIN and END."""
    statements: list[str] = []
    buffer = ""
    for piece in split_statements(sql):
        buffer = f"{buffer}\n{piece};" if buffer else f"{piece};"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer)
            buffer = ""
    if buffer:
        statements.append(buffer)
    return statements

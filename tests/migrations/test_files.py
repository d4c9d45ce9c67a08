"""Finding versioned .sql files, their checksums, and splitting scripts into statements."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootgate import ConfigError
from bootgate.migrations import split_statements
from bootgate.migrations._files import checksum, read_directory, sqlite_statements


@pytest.mark.parametrize(
    ("script", "statements"),
    [
        ("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
        ("SELECT 1", ["SELECT 1"]),
        ("INSERT INTO t VALUES ('a;b', 'it''s;');", ["INSERT INTO t VALUES ('a;b', 'it''s;')"]),
        ('SELECT "odd;name" FROM `x;y`;', ['SELECT "odd;name" FROM `x;y`']),
        ("SELECT 1; -- done; really\n", ["SELECT 1"]),
        ("/* a; b */ SELECT 1;;  ;", ["/* a; b */ SELECT 1"]),
        ("-- only a comment;\n", []),
        (
            "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;",
            ["CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql"],
        ),
        ("SELECT $tag$ ; $$ ; $tag$; SELECT 2", ["SELECT $tag$ ; $$ ; $tag$", "SELECT 2"]),
        ("SELECT $1;", ["SELECT $1"]),
    ],
)
def test_split_statements(script: str, statements: list[str]) -> None:
    """Semicolons in quotes, comments and dollar quotes do not end a statement."""
    assert split_statements(script) == statements


def test_sqlite_triggers_stay_whole() -> None:
    """A trigger body's semicolons belong to the trigger."""
    script = "CREATE TABLE a (n);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM a; END;"
    assert sqlite_statements(script) == [
        "CREATE TABLE a (n);",
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM a;\nEND;",
    ]


def test_files_are_ordered_by_version_number(tmp_path: Path) -> None:
    """2 comes before 10; a V prefix is allowed; other files are ignored."""
    for name in ("10_late.sql", "2_early.sql", "V3__flyway_style.sql", "README.md"):
        (tmp_path / name).write_text("SELECT 1;")
    found = read_directory(tmp_path)
    assert [(m.version, m.name) for m in found] == [
        (2, "2_early"),
        (3, "V3__flyway_style"),
        (10, "10_late"),
    ]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["create_tenant.sql"], "has no version: name files like 0001_create_tenant.sql"),
        (["1_a.sql", "001_b.sql"], "share version 1"),
    ],
)
def test_bad_names_are_refused(tmp_path: Path, names: list[str], message: str) -> None:
    """A file without a version, or two files with one version, stop before anything runs."""
    for name in names:
        (tmp_path / name).write_text("SELECT 1;")
    with pytest.raises(ConfigError, match=message):
        read_directory(tmp_path)


def test_a_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    """A wrong path is said plainly."""
    with pytest.raises(ConfigError, match="does not exist"):
        read_directory(tmp_path / "nope")


def test_checksums_ignore_line_endings_only() -> None:
    """A CRLF checkout is the same migration; any other change is not."""
    assert checksum("a;\r\nb;\r\n") == checksum("a;\nb;\n")
    assert checksum("a;\nb;\n") != checksum("a;\nb; \n")

"""History: every startup's node timings in SQLite, and a warning when a node is slow."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import anyio
import pytest

from bootgate import ConfigError, EventKind, LoggingHook, PermanentError, StartupError
from bootgate.observe import History, HistoryError, HistoryFile, NodeTiming, Startup

from .helpers import gateway, start_once

pytestmark = pytest.mark.anyio


async def startups(history: History, count: int, **took: float) -> None:
    """Run the gateway `count` times with `history` as its hook."""
    for _ in range(count):
        boot, clock = gateway([history], took)
        await start_once(boot, clock)


async def test_each_startup_is_appended_with_its_node_timings(tmp_path: Path) -> None:
    """Each run adds one startup with every node's kind, requirements, times and outcome."""
    history = History(tmp_path / "history.sqlite")
    await startups(history, 2)
    found = HistoryFile(tmp_path / "history.sqlite").startups()
    assert len(found) == 2
    last = found[-1]
    assert (last.service, last.outcome, last.ended_s) == ("gateway", "ready", 2.5)
    # In start order: db and cache together (in whichever order they began), then the rest.
    assert {n.name for n in last.nodes[:2]} == {"db", "cache"}
    assert [n.name for n in last.nodes[2:]] == ["migrations", "tenant"]
    assert last.node("migrations") == NodeTiming(
        name="migrations",
        kind="step",
        requires=("db",),
        phase="ready",
        started_s=0.0,
        ready_s=2.0,
        duration_s=2.0,
        attempts=1,
    )
    assert found[0].began_wall <= last.began_wall


async def test_a_slow_node_warns_with_the_figures(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A node at >= 3x its median over recent startups logs a warning that gives the numbers,
    and the warning is kept with the startup in the file."""
    history = History(tmp_path / "h.sqlite")
    await startups(history, 5)
    with caplog.at_level(logging.WARNING, logger="bootgate"):
        await startups(history, 1, migrations=7.0)
    text = "migrations took 7.0 s, 3.5x its median of 2.0 s over the last 5 startups"
    assert [r.getMessage() for r in caplog.records] == [f"gateway/migrations: {text}"]
    assert [w.text() for w in history.warnings] == [text]
    last = HistoryFile(tmp_path / "h.sqlite").last()
    assert last is not None
    assert last.node("migrations").warning == text
    assert last.node("tenant").warning is None


async def test_no_warning_before_enough_startups(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With fewer earlier startups than `min_startups` there is no usual time to compare with."""
    history = History(tmp_path / "h.sqlite", min_startups=3)
    await startups(history, 2)
    with caplog.at_level(logging.WARNING, logger="bootgate"):
        await startups(history, 1, migrations=20.0)
    assert caplog.records == []
    assert history.warnings == ()


async def test_the_median_is_over_the_last_window_startups(tmp_path: Path) -> None:
    """`window` bounds the startups the median is taken over: old fast runs are forgotten."""
    filling = History(tmp_path / "h.sqlite")
    await startups(filling, 4, migrations=1.0)
    await startups(filling, 3, migrations=4.0)
    narrow = History(tmp_path / "h.sqlite", window=3)
    await startups(narrow, 1, migrations=11.0)  # 11/4: no warning over the last 3
    assert narrow.warnings == ()
    wide = History(tmp_path / "h.sqlite", window=10)
    await startups(wide, 1, migrations=11.0)
    # Over the last 8 (1,1,1,1,4,4,4,11) the median is 2.5: 11 s is 4.4x that.
    assert [w.text() for w in wide.warnings] == [
        "migrations took 11.0 s, 4.4x its median of 2.5 s over the last 8 startups"
    ]


async def test_failed_and_stopped_startups_keep_their_outcome(tmp_path: Path) -> None:
    """A startup that fails is recorded as failed with the reason; one shut down before ready
    as stopped."""
    history = History(tmp_path / "h.sqlite")
    boot, clock = gateway([history])

    @boot.step(requires=["tenant"])
    def providers() -> None:
        raise PermanentError("tenant table missing")

    with pytest.raises(StartupError):
        await start_once(boot, clock)
    boot, clock = gateway([history])
    async with clock.autojump(), boot.running(wait=False):
        await clock.sleep(1.5)
    failed, stopped = HistoryFile(tmp_path / "h.sqlite").startups()
    assert (failed.outcome, failed.ended_s) == ("failed", None)
    assert failed.node("providers").phase == "failed"
    assert failed.node("providers").reason == "PermanentError: tenant table missing"
    assert stopped.outcome == "stopped"
    assert stopped.node("cache").phase == "ready"
    assert stopped.node("migrations").ready_s is None


async def test_an_optional_straggler_is_recorded_when_it_finishes(tmp_path: Path) -> None:
    """A node still running when startup completes is written when it becomes ready."""
    history = History(tmp_path / "h.sqlite")
    boot, clock = gateway([history])

    @boot.step(optional=True)
    async def warm_cache() -> None:
        await clock.sleep(10.0)

    async with clock.autojump(), boot.running():
        assert HistoryFile(tmp_path / "h.sqlite").last() is not None
        await clock.sleep(20.0)
    last = HistoryFile(tmp_path / "h.sqlite").last()
    assert last is not None
    assert last.ended_s == 2.5
    assert (last.node("warm_cache").ready_s, last.node("warm_cache").phase) == (10.0, "ready")


async def test_an_unwritable_history_never_stops_a_startup(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A path that cannot be written is one warning in the log; the service starts anyway."""
    (tmp_path / "plain-file").write_text("not a directory")
    history = History(tmp_path / "plain-file" / "h.sqlite")
    boot, clock = gateway([history])
    with caplog.at_level(logging.WARNING, logger="bootgate"):
        async with clock.autojump(), boot.running() as status:
            assert status.ready
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["history"]
    assert "cannot use" in caplog.records[0].getMessage()


async def test_keep_bounds_the_startups_of_each_service(tmp_path: Path) -> None:
    """Only the last `keep` startups of a service stay in the file; other services stay too."""
    path = tmp_path / "h.sqlite"
    history = History(path, keep=2)
    await startups(history, 4, migrations=3.0)
    HistoryFile(path).append(Startup("other", 0.0, (NodeTiming("x"),)), keep=2)
    file = HistoryFile(path)
    assert [s.service for s in file.startups()] == ["gateway", "gateway", "other"]
    assert file.services() == ["other", "gateway"]
    assert file.last("gateway") is not None
    assert file.last("nobody") is None
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM nodes").fetchone() == (9,)


async def test_two_services_sharing_a_hook_are_told_apart(tmp_path: Path) -> None:
    """Events carry the service's name: one hook can follow two boots at the same time."""
    path = tmp_path / "h.sqlite"
    history = History(path)
    first, clock = gateway([history])
    second, _ = gateway([history], clock=clock)
    second.name = "worker"
    async with clock.autojump(), anyio.create_task_group() as tg:
        tg.start_soon(start_once, first, clock)
        tg.start_soon(start_once, second, clock)
    assert sorted(HistoryFile(path).services()) == ["gateway", "worker"]


def test_reading_creates_nothing_and_refuses_other_files(tmp_path: Path) -> None:
    """Readers never create a file, and a file that is not a history is refused in one line."""
    missing = HistoryFile(tmp_path / "missing.sqlite")
    assert missing.recent_durations("gateway", 10) == {}
    with pytest.raises(HistoryError, match="no such history file"):
        missing.last()
    assert not (tmp_path / "missing.sqlite").exists()
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(HistoryError, match="not a bootgate history file"):
        HistoryFile(other).last()
    text = tmp_path / "text.sqlite"
    text.write_text("hello, I am text " * 100)
    with pytest.raises(HistoryError, match="not a database"):
        HistoryFile(text).last()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"window": 0}, "at least 1"),
        ({"keep": 0}, "at least 1"),
        ({"window": 2, "min_startups": 3}, "cannot exceed window"),
        ({"factor": 1.0}, "more than 1"),
        ({"floor": "fast"}, "floor"),
    ],
)
def test_bad_options_are_configuration_errors(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    """Options that make no sense are refused when the hook is made, not at the first startup."""
    with pytest.raises(ConfigError, match=message):
        History(tmp_path / "h.sqlite", **options)  # type: ignore[arg-type]


async def test_a_path_that_is_not_a_history_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Pointing the hook at some other SQLite file costs a log line, never the startup."""
    other = tmp_path / "app.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("PRAGMA user_version = 7")
        db.execute("CREATE TABLE t (x)")
    boot, clock = gateway([History(other)])
    with caplog.at_level(logging.WARNING, logger="bootgate"):
        async with clock.autojump(), boot.running() as status:
            assert status.ready
    messages = [r.getMessage() for r in caplog.records]
    assert messages
    assert all(m.startswith(f"history: cannot use {other}") for m in messages)


async def test_the_file_is_left_tidy_after_a_run_and_after_reading(tmp_path: Path) -> None:
    """Once a run has stopped, and after a reader is done, only the history file remains: the
    write-ahead log's side files are folded back and removed."""
    await startups(History(tmp_path / "h.sqlite"), 1)
    assert sorted(os.listdir(tmp_path)) == ["h.sqlite"]
    assert HistoryFile(tmp_path / "h.sqlite").last() is not None
    assert sorted(os.listdir(tmp_path)) == ["h.sqlite"]


async def test_given_the_boot_a_slow_node_warns_in_its_status(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Attached to the boot, the regression is a warning event and a current warning in the
    node's status (health warn for `warn_for`), logged once, by the boot."""
    history = History(tmp_path / "h.sqlite", warn_for="1m")
    await startups(history, 5)
    seen: list[EventKind] = []
    boot, clock = gateway([LoggingHook(), lambda e: seen.append(e.kind)], {"migrations": 7.0})
    history.attach(boot)
    with caplog.at_level(logging.WARNING, logger="bootgate"):
        async with clock.autojump(), boot.running() as status:
            now = boot.status()
            assert status.ready
            [warning] = now.nodes["migrations"].warnings
            assert warning.message.startswith("migrations took 7.0 s, 3.5x its median")
            assert now.health == "warn"
            assert now.at(now.at_s + 61).health == "pass"
    assert EventKind.WARNING in seen
    text = "migrations took 7.0 s, 3.5x its median of 2.0 s over the last 5 startups"
    assert [r.getMessage() for r in caplog.records] == [f"gateway/migrations: {text}"]


async def test_a_warning_for_a_boot_that_is_not_running_goes_to_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The boot attached under a service name is not the one running: the log says it."""
    history = History(tmp_path / "h.sqlite")
    await startups(history, 5)
    idle, _ = gateway([])
    history.attach(idle)  # same service name, never started
    boot, clock = gateway([history], {"migrations": 7.0})
    with caplog.at_level(logging.WARNING, logger="bootgate"):
        await start_once(boot, clock)
    assert [r.getMessage() for r in caplog.records] == [
        "gateway/migrations: migrations took 7.0 s, 3.5x its median of 2.0 s over the last"
        " 5 startups"
    ]

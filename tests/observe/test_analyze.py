"""`bootgate analyze`: the critical chain from a running service, a history file or a saved
/status document, and one clear line for anything else."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest

from bootgate import Boot, FakeClock
from bootgate.cli import main
from bootgate.http import asgi
from bootgate.observe import History
from tests.examples.uvicorn_server import spare_port
from tests.http.helpers import served

from .helpers import gateway, start_once

CHAIN = [
    "providers @+5.300s +0.100s",
    "└─default_tenant @+5.200s +0.100s",
    "  └─migrations @+5.100s +4.300s",
    "    └─db @+0.800s +0.800s",
]


def provisioning(clock: FakeClock) -> Boot:
    """db → migrations → default_tenant → providers, with a quick cache beside them; each step
    moves the fake clock on by the time it takes, without yielding to the others."""
    boot = Boot("gateway", clock=clock, hooks=[])

    def timed(name: str, seconds: float, requires: list[str]) -> None:
        async def run() -> None:
            clock.advance(seconds)

        boot.step(name=name, requires=requires)(run)

    timed("db", 0.8, [])
    timed("migrations", 4.3, ["db"])
    timed("default_tenant", 0.1, ["migrations"])
    timed("providers", 0.1, ["default_tenant", "cache"])
    timed("cache", 0.0, [])
    return boot


@asynccontextmanager
async def running_service() -> AsyncIterator[str]:
    """The provisioning boot served by uvicorn, ready; yields its base URL."""
    clock = FakeClock()
    boot = provisioning(clock)
    async with served(asgi(boot)) as client:
        async for status in boot.subscribe():
            if status.ready:
                break
        yield str(client.base_url)


def analyze(*args: str) -> int:
    """`bootgate analyze ARGS`, as the command line runs it."""
    return main(["analyze", *args])


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # uvicorn serves on asyncio
async def test_analyze_a_running_service(
    anyio_backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Against a live service, the chain is db → migrations → default_tenant → providers with
    each node's ready time and duration, the slowest nodes follow, and --svg writes a file."""
    svg = tmp_path / "timeline.svg"
    async with running_service() as url:
        code = await anyio.to_thread.run_sync(analyze, url + "/readyz", "--svg", str(svg))
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("gateway: ready after 5.300s (began ")
    chain_at = out.index(CHAIN[0])
    assert out[chain_at : chain_at + 4] == CHAIN
    slowest_at = out.index("Slowest nodes:")
    assert out[slowest_at + 1 : slowest_at + 3] == ["  4.300s migrations", "  0.800s db"]
    assert out[-1] == f"timeline written to {svg}"
    assert svg.read_text().startswith("<svg ")


@pytest.mark.anyio
async def test_analyze_a_history_file_with_its_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a history file the last startup is analysed, with any slower-than-usual warning."""
    path = tmp_path / "history.sqlite"
    history = History(path)
    for took in (2.0, 2.0, 2.0, 9.0):
        boot, clock = gateway([history], {"migrations": took})
        await start_once(boot, clock)
    assert analyze(str(path), "--slowest", "2") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("gateway: ready after 9.500s")
    assert out[4:7] == [
        "tenant @+9.500s +0.500s",
        "└─migrations @+9.000s +9.000s",
        "  └─db @+0.000s +0.000s",
    ]
    assert out[7:] == [
        "",
        "Slowest nodes:",
        "  9.000s migrations",
        "  1.000s cache",
        "",
        "Slower than usual:",
        "  migrations took 9.0 s, 4.5x its median of 2.0 s over the last 3 startups",
    ]


@pytest.mark.anyio
async def test_analyze_a_failed_startup_lists_what_did_not_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A startup that failed shows the chain as far as it got and why the rest is not ready."""
    path = tmp_path / "history.sqlite"
    boot, clock = gateway([History(path)])

    @boot.step(requires=["tenant"])
    def providers() -> None:
        raise ValueError("no tenant")

    boot.step(name="ui", requires=["providers"])(lambda: None)
    with pytest.raises(Exception, match="no tenant"):
        await start_once(boot, clock)
    assert analyze(str(path)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("gateway: failed: startup could not complete")
    assert out[-3:] == [
        "Not ready:",
        "  providers: failed: ValueError: no tenant (gave up after 3 attempts)",
        "  ui: blocked: ui requires providers, but providers failed: ValueError: no tenant "
        "(gave up after 3 attempts)",
    ]


def test_analyze_a_saved_status_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A /status document saved to a file (`curl .../status > status.json`) works too."""
    document = {
        "status": "pass",
        "bootgate": {
            "service": "api",
            "started": True,
            "failed": False,
            "stopping": False,
            "began": "2026-01-02T03:04:05.000Z",
            "elapsed_s": 3.0,
            "startup_s": 1.5,
            "nodes": {
                "db": {"kind": "dependency", "phase": "ready", "requires": [],
                       "started_s": 0.0, "ready_s": 1.0, "duration_s": 1.0, "attempts": 4},
                "app": {"kind": "step", "phase": "ready", "requires": ["db"],
                        "started_s": 1.0, "ready_s": 1.5, "duration_s": 0.5, "attempts": 1},
            },
        },
    }  # fmt: skip
    path = tmp_path / "status.json"
    path.write_text(json.dumps(document))
    assert analyze(str(path)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "api: ready after 1.500s (began 2026-01-02T03:04:05Z)"
    assert out[4:6] == ["app @+1.500s +0.500s", "└─db @+1.000s +1.000s"]
    assert "  1.000s db  (4 attempts)" in out


def bad_inputs(tmp_path: Path) -> list[tuple[str, str]]:
    """Inputs that are not something to analyse, with the line each must give."""
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    not_status = tmp_path / "list.json"
    not_status.write_text("[1, 2]")
    return [
        (str(tmp_path / "missing.sqlite"), "cannot read"),
        (str(text), "neither a history file nor a bootgate status document"),
        (str(other), "not a bootgate history file"),
        (str(not_status), "not a bootgate status document"),
        ("ftp://user:secret@host/", "unknown scheme 'ftp'"),
        ("redis://user:secret@host/", "is not an http:// or https:// URL"),
    ]


def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anything that is neither a service, a history file nor a status document: exit 2, one
    line, no traceback, no password."""
    for source, message in bad_inputs(tmp_path):
        assert analyze(source) == 2, source
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert message in err
        assert "secret" not in err


@pytest.mark.anyio
async def test_an_empty_history_and_an_unwritable_svg_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A history without the asked-for service, or an SVG path that cannot be written: exit 2."""
    path = tmp_path / "h.sqlite"
    boot, clock = gateway([History(path)])
    await start_once(boot, clock)
    assert analyze(str(path), "--service", "worker") == 2
    assert "no startups of 'worker' recorded yet" in capsys.readouterr().err
    assert analyze(str(path), "--svg", str(tmp_path / "no" / "such" / "dir.svg")) == 2
    assert "cannot write" in capsys.readouterr().err


def test_an_unreachable_service_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """Nobody listening: exit 1 and one line saying so."""
    assert analyze(f"http://127.0.0.1:{spare_port()}") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot read the status of" in err


def test_analyze_runs_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`analyze ... -- cmd` is a usage error."""
    assert main(["analyze", "x.sqlite", "--", "echo"]) == 2
    assert "analyze runs no command" in capsys.readouterr().err

"""A served process whose startup fails for good: exits with status 3 after its teardown
(on_failure="exit"), or keeps answering 503 with the reason ("stay")."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bootgate import Boot, ConfigError, PermanentError, Retry
from bootgate.http import Message, asgi
from tests.examples.uvicorn_server import spare_port, uvicorn, wait_listening

pytestmark = pytest.mark.slow


def test_exit_ends_the_server_with_status_3_after_the_teardown() -> None:
    """Under the uvicorn command, the process exits 3 once torn down, saying why."""
    port = spare_port()
    with uvicorn("tests.http.failing_app:exits", port, capture=True) as server:
        assert server.wait(30) == 3
        assert server.stderr is not None
        with server.stderr:
            err = server.stderr.read().decode()
    lines = err.strip().splitlines()
    assert "shop: pool closed" in lines
    assert lines[-1] == (
        "bootgate: shop cannot start: config: failed: PermanentError: DATABASE_URL is not set;"
        " exiting with status 3"
    )
    assert "Traceback" not in err


def test_stay_keeps_answering_the_reason() -> None:
    """With "stay" the server lives on: /readyz 503 with the failure, until it is stopped."""
    port = spare_port()
    with uvicorn("tests.http.failing_app:stays", port) as server:
        wait_listening(port)
        url = f"http://127.0.0.1:{port}/readyz"
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(url, timeout=10)
        assert failed.value.code == 503
        assert (
            "[-]config failed: PermanentError: DATABASE_URL is not set"
            in failed.value.read().decode()
        )
        assert server.poll() is None
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def test_on_failure_takes_exit_or_stay() -> None:
    """Anything else is a ConfigError; the default follows the boot's after_deadline."""
    with pytest.raises(ConfigError, match='on_failure must be "exit" or "stay"'):
        asgi(Boot("shop", hooks=[]), on_failure="crash")  # type: ignore[arg-type]
    assert asgi(Boot("a", hooks=[])).on_failure == "stay"
    assert asgi(Boot("b", hooks=[], after_deadline="exit")).on_failure == "exit"
    assert asgi(Boot("c", hooks=[], after_deadline="exit"), on_failure="stay").on_failure == "stay"


def test_exit_lets_system_exit_out_of_the_asyncio_loop() -> None:
    """In process: after the teardown and the app's own lifespan shutdown, asyncio.run ends
    with SystemExit(3); the server gets no lifespan answer it did not ask for."""
    log: list[str] = []
    sent: list[str] = []
    boot = Boot("shop", hooks=[], after_deadline="exit")

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        log.append("pool closed")

    @boot.step(requires=[pool], retry=Retry(attempts=1, timeout=None))
    async def config() -> None:
        raise PermanentError("DATABASE_URL is not set")

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        while True:
            kind = (await receive())["type"].removeprefix("lifespan.")
            log.append(f"app {kind}")
            await send({"type": f"lifespan.{kind}.complete"})

    async def serve() -> None:
        messages: Iterator[Message] = iter([{"type": "lifespan.startup"}])

        async def receive() -> Message:
            for message in messages:
                return message
            await asyncio.Event().wait()  # no shutdown is ever asked for
            raise AssertionError("unreachable")

        async def send(message: Message) -> None:
            sent.append(message["type"])

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        await asgi(boot, inner)(scope, receive, send)

    with pytest.raises(SystemExit) as ended:
        asyncio.run(serve())
    assert ended.value.code == 3
    assert sent == ["lifespan.startup.complete"]
    assert log == ["app startup", "app shutdown", "pool closed"]


def test_end_process_on_another_loop_flushes_and_exits() -> None:
    """On trio there is no passing SystemExit through the loop: the process ends with
    os._exit(3) once its output is flushed."""
    code = (
        "import sys, trio\n"
        "from bootgate.http._exit import end_process\n"
        "async def main():\n"
        "    print('flushed before the end', end='')\n"
        "    end_process()\n"
        "    print('never')\n"
        "trio.run(main)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (3, "flushed before the end")

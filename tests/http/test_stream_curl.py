"""The status stream read by curl from a real server: a stalled step's ETA turns "overdue"."""

from __future__ import annotations

import json
import shutil

import anyio
import pytest

from bootgate.http import asgi

from .helpers import served
from .test_browser import Stalled, app_page

pytestmark = pytest.mark.anyio

CURL = shutil.which("curl")


@pytest.fixture
def anyio_backend() -> str:
    """uvicorn runs on asyncio."""
    return "asyncio"


async def test_curl_sees_the_eta_count_down_and_go_overdue() -> None:
    """Without a change, the stream's ticks carry the ETA down to 0 and then `overdue_s`."""
    if CURL is None:
        pytest.skip("curl is not installed")
    stalled = Stalled()
    async with served(asgi(stalled.boot, app_page, stream_interval=0)) as client:
        await stalled.reported()
        url = f"{client.base_url}/status/stream"
        argv = [CURL, "-sN", "--max-time", "20", url]
        async with await anyio.open_process(argv) as curl:
            assert curl.stdout is not None
            seen: list[dict[str, object]] = []
            buffer = b""
            with anyio.fail_after(15):
                async for chunk in curl.stdout:
                    buffer += chunk
                    *events, buffer = buffer.split(b"\n\n")
                    for event in events:
                        data = [ln for ln in event.split(b"\n") if ln.startswith(b"data: ")]
                        if data:
                            seen.append(json.loads(data[0][6:])["bootgate"]["nodes"]["migrations"])
                    if len(seen) == 1:
                        stalled.clock.advance(9.2)  # one tick reads it 9 s after the change
                    if seen and seen[-1]["progress"]["overdue_s"] is not None:  # type: ignore[index]
                        break
            curl.terminate()
        first, last = seen[0], seen[-1]
        assert first["progress"]["eta_s"] == 8.0  # type: ignore[index]
        assert first["progress"]["overdue_s"] is None  # type: ignore[index]
        assert last["progress"]["eta_s"] == 0.0  # type: ignore[index]
        assert last["progress"]["overdue_s"] == 1.0  # type: ignore[index]
        assert last["detail"] == "running 2/10 Migration0002, overdue by 1.00s"
        stalled.go.set()

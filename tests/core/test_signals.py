"""A real process receiving SIGTERM or SIGINT tears down in reverse order and exits cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import anyio, bootgate

    boot = bootgate.Boot("svc", hooks=[])

    @boot.step
    async def pool():
        print("pool up", flush=True)
        yield
        print("pool down", flush=True)

    @boot.step(requires=[pool])
    async def server():
        print("server up", flush=True)
        yield
        print("server down", flush=True)

    @boot.step(requires=[server])
    async def warmup():
        print("warming", flush=True)
        try:
            await anyio.sleep(3600)
        finally:
            print("warmup cancelled", flush=True)

    anyio.run(boot.serve)
    print("exited", flush=True)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_startup_cancels_and_tears_down(signum: signal.Signals) -> None:
    """The waiting step is cancelled, then server and pool tear down in reverse order."""
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if line.strip() == "warming":
            proc.send_signal(signum)
            break
    rest, _ = proc.communicate(timeout=20)
    lines += rest.split()
    text = " ".join(lines)
    assert proc.returncode == 0
    assert text == ("pool up server up warming warmup cancelled server down pool down exited")

"""A served process whose startup fails for good: exits with status 3 after its teardown
(on_failure="exit"), or keeps answering 503 with the reason ("stay")."""

from __future__ import annotations

import signal
import urllib.error
import urllib.request

import pytest

from bootgate import Boot, ConfigError
from bootgate.http import asgi
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

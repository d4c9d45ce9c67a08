"""Flask: init_app puts the WSGI gate around the app; Flask's test client and a real server."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from flask import Flask, Response, jsonify
from werkzeug.serving import make_server

from bootgate.http import WsgiGate
from bootgate.integrations.flask import gate_for, init_app

from .frameworks import Service


def flask_app() -> Flask:
    """A Flask app with one route and a static-looking path."""
    app = Flask("shop")

    @app.get("/orders")
    def orders() -> Response:
        return jsonify(orders=3)

    return app


@pytest.fixture
def svc() -> Service:
    """A service whose migrations wait until the test releases them."""
    return Service()


def test_gate_until_ready_then_the_app(svc: Service) -> None:
    """Before ready: 503 + Retry-After, page or JSON, failing probes; after: Flask answers."""
    app = flask_app()
    gate = init_app(app, svc.boot)
    assert gate_for(app) is gate
    try:
        client = app.test_client()
        assert client.get("/livez").text == "ok"
        assert client.get("/readyz").status_code == 503
        verbose = client.get("/readyz?verbose")
        assert "[-]migrations" in verbose.text
        assert "readyz check failed" in verbose.text
        gated = client.get("/orders", headers={"accept": "application/json"})
        assert gated.status_code == 503
        assert int(gated.headers["retry-after"]) >= 1
        assert gated.json is not None
        assert gated.json["status"] == "starting"
        page = client.get("/orders", headers={"accept": "text/html"})
        assert page.status_code == 503
        assert page.content_type.startswith("text/html")
        assert "shop" in page.text
        svc.release()
        assert gate.wait_ready(10)
        assert client.get("/orders").json == {"orders": 3}
        assert client.get("/startupz").text == "ok"
        status = client.get("/status")
        assert status.content_type == "application/health+json"
        assert status.json is not None
        assert status.json["status"] == "pass"
    finally:
        gate.close()
    assert svc.log == ["teardown ready=False"]


def test_init_app_twice_is_refused(svc: Service) -> None:
    """A second init_app on the same app is a mistake and says so."""
    app = flask_app()
    gate = init_app(app, svc.boot, start=False)
    assert isinstance(app.wsgi_app, WsgiGate)
    with pytest.raises(ValueError, match="already set up"):
        init_app(app, svc.boot)
    gate.close()  # never started: nothing to do


def test_gate_for_an_app_without_bootgate() -> None:
    """Asking an app that has no gate is a LookupError naming the fix."""
    with pytest.raises(LookupError, match="init_app"):
        gate_for(flask_app())


@pytest.mark.slow
def test_real_server_streams_status_until_ready(svc: Service) -> None:
    """Through werkzeug's threaded server: the stream reports readiness, then the app answers."""
    app = flask_app()
    gate = init_app(app, svc.boot, start=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gate.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.server_port}", timeout=10) as client:
            assert client.get("/orders").status_code == 503
            seen: list[bool] = []
            with client.stream("GET", "/status/stream") as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        ready = json.loads(line.removeprefix("data: "))["bootgate"]["ready"]
                        seen.append(ready)
                        if ready:
                            break
                        svc.release()
            assert seen[0] is False
            assert seen[-1] is True
            assert client.get("/orders").json() == {"orders": 3}
    finally:
        gate.close()
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert svc.log == ["teardown ready=False"]


def test_unknown_options_and_the_environment(svc: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """A misspelt option names the nearest (Flask's own `start` too); BOOTGATE_* fill in."""
    from bootgate import ConfigError

    with pytest.raises(ConfigError, match=r"'strat' \(did you mean 'start'\?\)"):
        init_app(flask_app(), svc.boot, strat=False)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"'hodl' \(did you mean 'hold'\?\)"):
        init_app(flask_app(), svc.boot, hodl="1s")  # type: ignore[call-arg]
    monkeypatch.setenv("BOOTGATE_READYZ_PATH", "/ready")
    app = flask_app()
    gate = init_app(app, svc.boot, start=False)
    client = app.test_client()
    probe = client.get("/ready")
    assert probe.status_code == 503
    assert probe.text.endswith("readyz check failed\n")
    moved = client.get("/readyz", headers={"accept": "application/json"})
    assert moved.status_code == 503
    assert json.loads(moved.text)["status"] == "starting"  # the app's path now, so gated
    assert gate.config.paths.readyz == "/ready"

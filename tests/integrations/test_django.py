"""Django: the gate middleware, the health URLs and the boot from settings, WSGI and ASGI."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import anyio
import httpx
import pytest
import uvicorn

from .django_site import configure

configure()

from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402 - needs settings first
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import StreamingHttpResponse  # noqa: E402
from django.test import AsyncClient, Client, override_settings  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from bootgate.integrations.django import gate, load_boot, shutdown  # noqa: E402

from .django_site import named  # noqa: E402
from .frameworks import SECRET, Service, spare_port  # noqa: E402


@pytest.fixture
def svc() -> Iterator[Service]:
    """A service named in the settings; torn down (and forgotten) after the test.

    Its migrations are not released here: a step still waiting is cancelled by the shutdown.
    """
    service = Service()
    with override_settings(BOOTGATE_BOOT=service.boot):
        try:
            yield service
        finally:
            shutdown()


def test_wsgi_gate_until_ready_then_views(svc: Service) -> None:
    """Before ready: 503 + Retry-After, page or JSON, failing probes; after: the views answer."""
    client = Client()
    assert client.get("/livez").content == b"ok"
    assert client.get("/startupz").status_code == 503
    verbose = client.get("/readyz", {"verbose": ""})
    assert verbose.status_code == 503
    assert "[-]migrations" in verbose.content.decode()
    gated = client.get("/orders", headers={"accept": "application/json"})
    assert gated.status_code == 503
    assert int(gated["retry-after"]) >= 1
    assert gated.json()["status"] == "starting"
    page = client.get("/orders", headers={"accept": "text/html"})
    assert page.status_code == 503
    assert page["content-type"].startswith("text/html")
    assert "shop" in page.content.decode()
    assert client.post("/readyz").status_code == 405
    svc.release()
    assert gate().wait_ready(10)
    assert client.get("/orders").json() == {"orders": 3}
    assert client.get("/readyz").content == b"ok"
    status = client.get("/status")
    assert status["content-type"] == "application/health+json"
    assert json.loads(status.content)["status"] == "pass"
    shutdown()
    assert svc.log == ["teardown ready=False"]


def test_the_boot_starts_once_per_process(svc: Service) -> None:
    """Every handler Django builds shares the one gate and the one running boot."""
    Client().get("/livez")
    first = gate()
    Client().get("/livez")
    assert gate() is first
    assert first.boot is svc.boot


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_asgi_gate_until_ready_then_views(svc: Service, anyio_backend: str) -> None:
    """Under Django's ASGI handler the async middleware gates, then lets requests on."""
    client = AsyncClient()
    gated = await client.get("/orders", headers={"accept": "application/json"})
    assert gated.status_code == 503
    assert (await client.get("/livez")).content == b"ok"
    svc.release()
    assert gate().wait_ready(10)
    assert (await client.get("/orders")).json() == {"orders": 3}


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_asgi_status_stream_is_async(svc: Service, anyio_backend: str) -> None:
    """The stream under ASGI is an async iterator that yields events as they happen."""
    client = AsyncClient()
    response = await client.get("/status/stream")
    assert response["content-type"].startswith("text/event-stream")
    streamed: StreamingHttpResponse = response  # type: ignore[assignment]
    assert streamed.is_async
    chunks = aiter(streamed.streaming_content)  # type: ignore[arg-type]
    assert (await anext(chunks)).startswith(b"retry:")
    assert b"event: status" in await anext(chunks)


def test_secrets_stay_out_of_answers(svc: Service) -> None:
    """A check failing with a password in its reason shows *** in the gate and in /status."""
    from bootgate import Transient

    async def refused() -> Transient:
        return Transient(f"connection refused (postgres://app:{SECRET}@127.0.0.1:5432/app)")

    svc.boot.dependency("cache", refused, recheck=None)
    client = Client()
    for path in ("/orders", "/status", "/readyz?verbose"):
        for accept in ("text/html", "application/json"):
            assert SECRET not in client.get(path, headers={"accept": accept}).content.decode()


def test_hold_waits_for_readiness(svc: Service) -> None:
    """With BOOTGATE_HOLD a request made during startup is answered once the boot is ready."""
    with override_settings(BOOTGATE_HOLD="10s"):
        client = Client()
        client.get("/livez")  # builds the handler: the boot starts
        threading.Timer(0.05, svc.release).start()
        assert client.get("/orders").status_code == 200


@pytest.mark.slow
def test_real_wsgi_server_streams_until_ready(svc: Service) -> None:
    """Through a threaded WSGI server: 503, the stream reports readiness, then the view."""
    server = make_server("127.0.0.1", 0, get_wsgi_application(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.server_port}", timeout=10) as client:
            assert client.get("/orders").status_code == 503
            seen: list[bool] = []
            with client.stream("GET", "/status/stream") as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        seen.append(json.loads(line.removeprefix("data: "))["bootgate"]["ready"])
                        if seen[-1]:
                            break
                        svc.release()
            assert seen[0] is False
            assert seen[-1] is True
            assert client.get("/orders").json() == {"orders": 3}
    finally:
        shutdown()
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert svc.log == ["teardown ready=False"]


def test_boot_named_by_import_string() -> None:
    """BOOTGATE_BOOT may be "module:attribute" or a dotted path to a Boot."""
    assert load_boot("tests.integrations.django_site:named") is named
    assert load_boot("tests.integrations.django_site.named") is named


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("tests.integrations.django_site:not_a_boot", "not a bootgate.Boot"),
        ("tests.integrations.nowhere:boot", "cannot be imported"),
        ("tests.integrations.django_site:missing", "cannot be imported"),
        (42, "must name a Boot"),
    ],
)
def test_bad_boot_settings_are_improperly_configured(where: object, message: str) -> None:
    """A BOOTGATE_BOOT that does not lead to a Boot is ImproperlyConfigured, saying why."""
    with pytest.raises(ImproperlyConfigured, match=message):
        load_boot(where)


def test_missing_setting_says_what_to_set() -> None:
    """Without BOOTGATE_BOOT, building the handler fails naming the setting."""
    with pytest.raises(ImproperlyConfigured, match="BOOTGATE_BOOT"):
        Client().get("/livez")


@pytest.mark.slow
@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_real_asgi_server_gates_and_streams(svc: Service, anyio_backend: str) -> None:
    """Django's ASGI app under uvicorn: 503, the async stream reports readiness, then the view."""
    server = uvicorn.Server(
        uvicorn.Config(get_asgi_application(), lifespan="off", log_level="error")
    )
    sock = spare_port()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with sock:
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [sock])
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                assert (await client.get("/orders")).status_code == 503
                seen: list[bool] = []
                async with client.stream("GET", "/status/stream") as stream:
                    with anyio.fail_after(10):
                        async for line in stream.aiter_lines():
                            if line.startswith("data: "):
                                doc = json.loads(line.removeprefix("data: "))
                                seen.append(doc["bootgate"]["ready"])
                                if seen[-1]:
                                    break
                                svc.release()
                assert seen[0] is False
                assert seen[-1] is True
                assert (await client.get("/orders")).json() == {"orders": 3}
            await anyio.to_thread.run_sync(shutdown)  # ends the stream the server still serves
            server.should_exit = True
    assert svc.log == ["teardown ready=False"]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "BOOTGATE_HODL",
            "2s",
            r"'settings.BOOTGATE_HODL' \(did you mean 'settings.BOOTGATE_HOLD'",
        ),
        ("BOOTGATE_HOLD", "soon", "settings.BOOTGATE_HOLD: 'soon' is not a duration"),
        ("BOOTGATE_EXEMPT", ["static/"], "settings.BOOTGATE_EXEMPT: a path prefix must start"),
        ("BOOTGATE_PATHS", "/-", "settings.BOOTGATE_PATHS must be a bootgate.http.Paths"),
    ],
)
def test_bad_gate_settings_are_improperly_configured(
    svc: Service, setting: str, value: object, message: str
) -> None:
    """An unknown BOOTGATE_* setting or a bad value is ImproperlyConfigured naming the setting."""
    with override_settings(**{setting: value}), pytest.raises(ImproperlyConfigured, match=message):
        gate()


def test_the_environment_fills_in_absent_settings(
    svc: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BOOTGATE_EXEMPT from the environment applies; a setting of the same name beats it."""
    monkeypatch.setenv("BOOTGATE_EXEMPT", "/orders")
    client = Client()
    assert client.get("/orders").json() == {"orders": 3}  # exempt: the view answers at once
    shutdown()
    with override_settings(BOOTGATE_EXEMPT=[]):
        assert Client().get("/orders").status_code == 503  # a new handler: a new gate


def test_without_the_middleware_the_urls_answer(svc: Service) -> None:
    """The included URLs serve the endpoints where the middleware is not installed."""
    with override_settings(MIDDLEWARE=[]):
        client = Client()
        assert client.get("/livez").content == b"ok"
        assert client.get("/readyz").status_code == 503
        assert client.get("/orders").json() == {"orders": 3}  # no gate without the middleware
        svc.release()
        assert gate().wait_ready(10)
        assert client.get("/bootgate").status_code == 404  # the dashboard is off: not ours


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_asgi_hold_waits_off_the_event_loop(svc: Service, anyio_backend: str) -> None:
    """Under ASGI a held request waits in a worker thread and is answered once ready."""
    with override_settings(BOOTGATE_HOLD="10s"):
        client = AsyncClient()
        assert (await client.get("/livez")).content == b"ok"  # the boot has started
        release = threading.Timer(0.05, svc.release)
        release.start()
        try:
            assert (await client.get("/orders")).json() == {"orders": 3}
        finally:
            release.join()

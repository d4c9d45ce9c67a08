"""Secret forms x outputs: no secret, raw or percent-encoded, in any place bootgate writes.

Each form carries a fresh secret into a step's progress message and its failure, and into a
dependency's target where the form is a URL. The outputs read are the logs, the events, every
health endpoint, the status document, the gate's JSON and page, the status stream, the
Prometheus metrics and the StartupError a script sees.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import anyio
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from bootgate import Boot, Event, FakeClock, LoggingHook, PermanentError, StartupError, StepContext
from bootgate.http import Gate
from bootgate.integrations.prometheus import PrometheusMetrics

from .helpers import Connection, echo_app, http_scope

pytestmark = pytest.mark.anyio

FORMS: dict[str, Callable[[str], str]] = {
    "URL password": lambda s: f"could not reach postgres://app:{quote(s, safe='')}@db:5432/app",
    "NATS token": lambda s: f"nats://{quote(s, safe='')}@127.0.0.1:4222 refused",
    "query password": lambda s: f"postgres://db/app?password={quote(s, safe='')} failed",
    "env assignment": lambda s: f"DB_PASSWORD={s} is wrong",
    "client secret": lambda s: f"oauth: client_secret={s} rejected",
    "JSON": lambda s: f'config {{"user": "app", "password": "{s}"}} refused',
    "Authorization header": lambda s: f"sent Authorization: Bearer {s} and got 401",
    "registered": lambda s: f"the upstream said: key {s} is revoked",
}


def spellings(secret: str) -> list[bytes]:
    """The secret as it might appear: raw, percent-encoded, form-encoded."""
    return [form.encode() for form in {secret, quote(secret, safe=""), quote_plus(secret)}]


@pytest.mark.parametrize("form", list(FORMS))
async def test_no_output_holds_the_secret(form: str, caplog: pytest.LogCaptureFixture) -> None:
    """The secret of each form reaches none of the outputs, in any spelling."""
    secret = f"S3cr-{uuid.uuid4().hex[:12]}-p@ss/w0rd"
    text = FORMS[form](secret)
    boot = Boot("svc", clock=FakeClock(), hooks=[LoggingHook()])
    if form == "registered":
        boot.secret(secret)
    events: list[Event] = []

    def record(event: Event) -> None:
        events.append(event)

    boot.add_hook(record)
    registry = CollectorRegistry()
    PrometheusMetrics(boot, registry=registry)
    if "://" in text:
        url = text.split()[0] if "://" in text.split()[0] else text.split()[3]
        boot.dependency("db", url.rstrip(","), recheck=None)
    held = anyio.Event()

    @boot.step
    async def migrate(ctx: StepContext) -> None:
        ctx.progress(1, 2, text)
        await held.wait()

    @boot.step
    async def connect() -> None:
        raise PermanentError(text)

    gate = Gate(echo_app, boot)
    outputs: list[bytes] = []
    with caplog.at_level(logging.DEBUG, logger="bootgate"):
        await boot.start(wait=False)
        try:
            await anyio.wait_all_tasks_blocked()
            for path, query, accept in [
                ("/livez", "verbose", ""),
                ("/readyz", "verbose", ""),
                ("/startupz", "verbose", ""),
                ("/status", "", ""),
                ("/app", "", "application/json"),
                ("/app", "", "text/html"),
            ]:
                connection = Connection()
                scope = http_scope(path, query=query, headers=[("accept", accept)])
                await gate(scope, connection.receive, connection.send)
                outputs.append(connection.body())
            connection = Connection()
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    gate, http_scope("/status/stream"), connection.receive, connection.send
                )
                await anyio.wait_all_tasks_blocked()
                connection.left.set()
            outputs.append(connection.body())
            outputs.append(generate_latest(registry))
            outputs.append(str(boot.status().blocking()).encode())
        finally:
            held.set()
            await boot.stop()
        with pytest.raises(StartupError) as failure:
            async with boot.running():
                pass
    outputs.append(str(failure.value).encode())
    outputs.extend(event.message.encode() for event in events)
    outputs.append(caplog.text.encode())
    status = outputs[3]
    assert b"***" in status  # the secret's place is marked, not silently dropped
    for output in outputs:
        for spelling in spellings(secret):
            assert spelling not in output, (form, output[:300])

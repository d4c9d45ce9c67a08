"""The gate's decision as a pure function: a request and a snapshot in, what to do out."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate import NodeStatus, Phase, Progress, Status
from bootgate.http import (
    PASS,
    Access,
    GateConfig,
    Hold,
    Paths,
    Request,
    Response,
    Stream,
    after_hold,
    decide,
    settled,
)

TOKEN = "s3cr3t-dashboard-token"


def snapshot(*, ready: bool = False, stopping: bool = False, failed: bool = False) -> Status:
    """A "gateway" whose db is ready and whose migrations are 16/25 with 12 s to go (or done)."""
    db = NodeStatus("db", "dependency", phase=Phase.READY, started_s=0.0, ready_s=0.3)
    migrations = NodeStatus(
        "migrations",
        "step",
        requires=("db",),
        phase=Phase.READY if ready else Phase.FAILED if failed else Phase.STARTING,
        started_s=0.3,
        ready_s=2.0 if ready else None,
        progress=None if ready else Progress(16, 25, "Migration0016", 64.0, 12.0, 3.0),
        error="boom" if failed else None,
    )
    return Status(
        service="gateway",
        seq=41,
        at_s=3.0,
        began_wall=1_800_000_000.0,
        nodes={"db": db, "migrations": migrations},
        ready=ready and not stopping,
        started=ready,
        live=True,
        stopping=stopping,
        failed=failed,
    )


STARTING = snapshot()
READY = snapshot(ready=True)


def untouched() -> Status:
    """A snapshot getter for answers that must not need one (the flag is enough)."""
    raise AssertionError("the decision asked for the snapshot")


@dataclass
class Case:
    """One row: a request against a state and a config, and what the decision must be."""

    name: str
    path: str
    method: str = "GET"
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    client: str | None = "127.0.0.1"
    root_path: str = ""
    websocket: bool = False
    ready: bool = False
    config: GateConfig = field(default_factory=GateConfig)
    status: Callable[[], Status] = lambda: STARTING
    expect: Any = None
    """PASS, a Stream, a Hold, or the expected (status code, content type prefix)."""
    body: str | None = None
    """Text the body must contain (for a Response)."""

    def request(self) -> Request:
        """The row's request."""
        return Request(
            self.method,
            self.path,
            self.query,
            self.headers,
            self.client,
            self.root_path,
            self.websocket,
        )


HOLD = GateConfig(hold=2.0)
EXEMPT = GateConfig(exempt=("/static/",))
DASHBOARD = GateConfig(dashboard=Access())
TOKEN_ONLY = GateConfig(dashboard=Access(token=TOKEN, loopback=False))
HTML = {"accept": "text/html,application/xhtml+xml"}
JSON = "application/json"
TEXT = "text/plain"
HEALTH = "application/health+json"

CASES = [
    # the gate in front of the application's paths
    Case("app path, ready", "/orders", ready=True, status=untouched, expect=PASS),
    Case("app path, starting", "/orders", expect=(503, JSON), body='"status":"starting"'),
    Case("browser, starting", "/orders", headers=HTML, expect=(503, "text/html"), body="16/25"),
    Case("HEAD, starting", "/orders", method="HEAD", expect=(503, JSON), body=""),
    Case("POST is gated too", "/orders", method="POST", expect=(503, JSON)),
    Case("exempt prefix", "/static/app.css", config=EXEMPT, expect=PASS),
    Case("not quite exempt", "/staticky", config=EXEMPT, expect=(503, JSON)),
    Case("hold, starting", "/orders", config=HOLD, expect=Hold(2.0)),
    Case("hold, ready", "/orders", config=HOLD, ready=True, expect=PASS),
    Case(
        "failed says so",
        "/orders",
        status=lambda: snapshot(failed=True),
        body='"failed"',
        expect=(503, JSON),
    ),
    Case(
        "stopping says so",
        "/orders",
        status=lambda: snapshot(stopping=True),
        body="stopping",
        expect=(503, JSON),
    ),
    # probes
    Case("readyz, ready: one flag", "/readyz", ready=True, status=untouched, expect=(200, TEXT)),
    Case("readyz, starting", "/readyz", expect=(503, TEXT), body="[-]migrations starting"),
    Case(
        "readyz?verbose, ready",
        "/readyz",
        query="verbose",
        ready=True,
        status=lambda: READY,
        expect=(200, TEXT),
    ),
    Case("readyz excluding", "/readyz", query="exclude=migrations", expect=(200, TEXT), body="ok"),
    Case("livez, starting", "/livez", expect=(200, TEXT), body="ok"),
    Case("startupz, starting", "/startupz", expect=(503, TEXT), body="startupz check failed"),
    Case("status, starting", "/status", expect=(503, HEALTH), body='"status":"fail"'),
    Case("status, ready", "/status", ready=True, status=lambda: READY, expect=(200, HEALTH)),
    Case("POST to a probe", "/readyz", method="POST", expect=(405, TEXT)),
    Case("HEAD to a probe", "/livez", method="HEAD", expect=(200, TEXT), body=""),
    # the stream
    Case("stream path", "/status/stream", expect=Stream(None)),
    Case(
        "Accept: event-stream",
        "/status",
        headers={"accept": "text/event-stream"},
        expect=Stream(None),
    ),
    Case("reconnect", "/status/stream", headers={"last-event-id": "41"}, expect=Stream(41)),
    Case("nonsense id", "/status/stream", headers={"last-event-id": "x"}, expect=Stream(None)),
    Case("HEAD on the stream", "/status/stream", method="HEAD", expect=(503, HEALTH), body=""),
    Case("stream off", "/status/stream", config=GateConfig(stream=False), expect=(404, TEXT)),
    # assets, dashboard and its access rule
    Case("page script", "/_bootgate/page.js", expect=(200, "text/javascript")),
    Case("dashboard off: app path", "/bootgate", ready=True, expect=PASS),
    Case("dashboard off, starting", "/bootgate", expect=(503, JSON)),
    Case("dashboard, loopback", "/bootgate", config=DASHBOARD, expect=(200, "text/html")),
    Case(
        "dashboard, remote",
        "/bootgate",
        client="198.51.100.7",
        config=DASHBOARD,
        expect=(403, TEXT),
    ),
    Case("dashboard, no client", "/bootgate", client=None, config=DASHBOARD, expect=(403, TEXT)),
    Case(
        "dashboard, bearer token",
        "/bootgate",
        headers={"authorization": f"Bearer {TOKEN}"},
        config=TOKEN_ONLY,
        expect=(200, "text/html"),
    ),
    Case(
        "dashboard, ?token",
        "/bootgate",
        query=f"token={TOKEN}",
        config=TOKEN_ONLY,
        expect=(200, "text/html"),
    ),
    Case("dashboard, loopback refused", "/bootgate", config=TOKEN_ONLY, expect=(403, TEXT)),
    # paths, prefix and mount point
    Case(
        "prefixed probe",
        "/-/livez",
        config=GateConfig(paths=Paths(prefix="/-")),
        body="ok",
        expect=(200, TEXT),
    ),
    Case(
        "unprefixed is the app's",
        "/livez",
        config=GateConfig(paths=Paths(prefix="/-")),
        expect=(503, JSON),
    ),
    Case(
        "page under a root_path",
        "/orders",
        root_path="/api",
        headers=HTML,
        body="/api/status",
        expect=(503, "text/html"),
    ),
    # WebSocket handshakes: only the gate applies
    Case("websocket, starting", "/ws", websocket=True, expect=(503, JSON)),
    Case("websocket, ready", "/ws", websocket=True, ready=True, status=untouched, expect=PASS),
    Case("websocket, exempt", "/static/ws", websocket=True, config=EXEMPT, expect=PASS),
    Case("websocket, probe path", "/livez", websocket=True, ready=True, expect=PASS),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_decision_table(case: Case) -> None:
    """Each request, state and config gets the decision of its row."""
    decision = decide(case.request(), case.ready, case.status, case.config)
    if not isinstance(case.expect, tuple):
        assert decision == case.expect
        return
    code, content_type = case.expect
    assert isinstance(decision, Response)
    assert decision.status == code
    assert dict(decision.headers)["content-type"].startswith(content_type)
    if case.body is not None:
        assert case.body in decision.body.decode() if case.body else decision.body == b""


def test_every_complete_answer_carries_its_length() -> None:
    """Every Response a row gets states its length; a HEAD answer keeps it with no body."""
    for case in CASES:
        decision = decide(case.request(), case.ready, case.status, case.config)
        if isinstance(decision, Response):
            length = int(dict(decision.headers)["content-length"])
            if case.method == "HEAD":
                assert (decision.body, length > 0) == (b"", True), case.name
            else:
                assert length == len(decision.body), case.name


def test_gate_answers_say_when_to_come_back() -> None:
    """The 503 carries Retry-After from the largest ETA; the JSON lists what blocks."""
    decision = decide(Request("GET", "/orders"), False, lambda: STARTING, GateConfig())
    assert isinstance(decision, Response)
    assert dict(decision.headers)["retry-after"] == "12"
    document = json.loads(decision.body)
    assert document["retry_after"] == 12
    [chain] = document["blocking"]
    assert chain.startswith("migrations: running 16/25 Migration0016, ETA ")


def test_after_a_hold() -> None:
    """A held request passes if the service became ready, else gets the 503 (no body on HEAD)."""
    request = Request("GET", "/orders")
    assert after_hold(request, True, untouched, HOLD) is PASS
    late = after_hold(request, False, lambda: STARTING, HOLD)
    assert isinstance(late, Response)
    assert late.status == 503
    head = after_hold(replace(request, method="HEAD"), False, lambda: STARTING, HOLD)
    assert isinstance(head, Response)
    assert head.body == b""


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (STARTING, False),
        (READY, True),
        (snapshot(failed=True), True),
        (snapshot(ready=True, stopping=True), True),
    ],
    ids=["starting", "ready", "failed", "stopping"],
)
def test_settled(status: Status, expected: bool) -> None:
    """A hold ends when the service is ready, cannot start, or is shutting down."""
    assert settled(status) is expected


def test_passes_is_the_whole_check_after_ready() -> None:
    """`passes` is True only for the app's paths while ready; the dashboard's only when off."""
    config = GateConfig()
    assert config.passes("/orders", True)
    assert not config.passes("/orders", False)
    assert not config.passes("/readyz", True)
    assert config.passes("/bootgate", True)
    assert not DASHBOARD.passes("/bootgate", True)


paths = st.one_of(
    st.sampled_from(["/", "/livez", "/readyz", "/status", "/status/stream", "/bootgate"]),
    st.sampled_from(["/_bootgate/page.js", "/static/x", "/staticky", "/orders"]),
    st.text(alphabet="/abz_.-", max_size=12).map(lambda s: "/" + s),
)


@given(
    path=paths,
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "OPTIONS"]),
    accept=st.sampled_from(["", "text/html", "application/json", "text/event-stream", "*/*"]),
    query=st.sampled_from(["", "verbose", "exclude=db", "verbose=0&exclude=nope", "token=x"]),
    websocket=st.booleans(),
    hold=st.sampled_from([0.0, 1.5]),
    state=st.sampled_from(["starting", "failed", "stopping"]),
)
def test_nothing_reaches_the_app_before_ready(
    path: str,
    method: str,
    accept: str,
    query: str,
    websocket: bool,
    hold: float,
    state: str,
) -> None:
    """Before ready, only exempt paths pass; every other request is answered or held (S5)."""
    status = snapshot(failed=state == "failed", stopping=state == "stopping")
    config = GateConfig(hold=hold, exempt=("/static/",), dashboard=Access())
    request = Request(method, path, query, {"accept": accept}, "10.0.0.1", "", websocket)
    decision = decide(request, False, lambda: status, config)
    if path.startswith("/static/"):
        assert decision is PASS
    else:
        assert decision is not PASS
        assert isinstance(decision, Response | Stream | Hold)
        if isinstance(decision, Response):
            assert decision.status in (200, 403, 404, 405, 503)

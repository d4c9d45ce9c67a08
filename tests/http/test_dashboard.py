"""The dashboard: off by default, for loopback clients and token holders, escaped, drawn."""

from __future__ import annotations

import anyio
import pytest

from bootgate import Boot, FakeClock, ProbeResult, Transient
from bootgate.http import Access, Gate, Paths

from .helpers import Service, call, echo_app

pytestmark = pytest.mark.anyio

REMOTE = ("203.0.113.9", 40000)
TOKEN = "s3cr3t-dashboard-token"


async def test_off_by_default() -> None:
    """Without dashboard=, /bootgate belongs to the app (and is gated like any app path)."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        assert (await call(gate, "/bootgate")).status == 503
        assert (await call(gate, "/_bootgate/dashboard.js")).status == 503
        await svc.finish()
        assert (await call(gate, "/bootgate")).text == "app /bootgate"
    finally:
        await svc.boot.stop()


async def test_loopback_sees_it_remote_does_not() -> None:
    """dashboard=True: 200 for 127.0.0.1 and ::1, 403 for other addresses and unix sockets."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, dashboard=True)
    await svc.boot.start(wait=False)
    try:
        await svc.db_up()
        reply = await call(gate, "/bootgate")
        assert reply.status == 200
        assert reply.headers["content-type"] == "text/html; charset=utf-8"
        page = reply.text
        assert '<span class="service">gateway</span> startup' in page
        assert '<span id="bootgate-state" class="state-starting">starting</span>' in page
        assert '<th scope="row">migrations</th><td>step</td><td>db</td>' in page
        assert 'id="bootgate-graph"' in page
        assert 'id="bootgate-timeline"' in page
        assert "/_bootgate/dashboard.js?v=" in page
        assert (await call(gate, "/bootgate", client=("::1", 1))).status == 200
        assert (await call(gate, "/bootgate", client=REMOTE)).status == 403
        assert (await call(gate, "/bootgate", client=None)).status == 403
        script = await call(gate, "/_bootgate/dashboard.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert "innerHTML" not in script.text
    finally:
        await svc.boot.stop()


async def test_token_holders_see_it_from_anywhere() -> None:
    """Access(token=...): the bearer token or ?token= opens it; a wrong one does not."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, dashboard=Access(token=TOKEN, loopback=False))
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        bearer = [("authorization", f"Bearer {TOKEN}")]
        assert (await call(gate, "/bootgate", client=REMOTE, headers=bearer)).status == 200
        assert (await call(gate, "/bootgate", client=REMOTE, query=f"token={TOKEN}")).status == 200
        wrong = [("authorization", "Bearer not-the-token-at-all")]
        assert (await call(gate, "/bootgate", client=REMOTE, headers=wrong)).status == 403
        assert (await call(gate, "/bootgate")).status == 403  # loopback=False: local needs it too
    finally:
        await svc.boot.stop()


async def test_dashboard_path_is_configurable_and_names_are_escaped() -> None:
    """Moved to /-/startup, the dashboard escapes a service and node made of markup."""
    evil = "<img src=x onerror=alert(1)>"
    boot = Boot(evil, clock=FakeClock(), hooks=[])

    async def probe() -> ProbeResult:
        return Transient(f"refused by {evil}")

    boot.dependency(evil, probe, recheck=None)
    gate = Gate(echo_app, boot, paths=Paths(prefix="/-", dashboard="/startup"), dashboard=True)
    await boot.start(wait=False)
    try:
        await anyio.wait_all_tasks_blocked()
        page = (await call(gate, "/-/startup")).text
        assert "<img" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    finally:
        await boot.stop()


def test_access_rules_are_validated() -> None:
    """Short tokens and wrong option types are refused up front."""
    with pytest.raises(ValueError, match="at least 16"):
        Access(token="short")
    with pytest.raises(TypeError, match="dashboard must be"):
        Gate(echo_app, Boot("svc", hooks=[]), dashboard="yes")  # type: ignore[arg-type]
    assert not Access().allows("not-an-address", "", None)
    assert Access().allows("127.0.0.1", "", None)


async def test_dashboard_lists_the_critical_chain_and_escaped_warnings() -> None:
    """The page as served: the chain so far, root first, and every warning, current or past."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, dashboard=True)
    await svc.boot.start(wait=False)
    try:
        await svc.finish()
        svc.boot.warn("db", "<b>slow</b> today", lasts=30)
        page = (await call(gate, "/bootgate")).text
        chain = page.split('<ol id="bootgate-chain">')[1].split("</ol>")[0]
        assert [item.split(":")[0] for item in chain.split("<li>")[1:]] == ["db", "migrations"]
        assert (
            '<li class="warning-current">db: &lt;b&gt;slow&lt;/b&gt; today (current)</li>' in page
        )
        svc.clock.advance(31)
        page = (await call(gate, "/bootgate")).text
        assert '<li class="warning-past">db: &lt;b&gt;slow&lt;/b&gt; today (past)</li>' in page
    finally:
        await svc.boot.stop()

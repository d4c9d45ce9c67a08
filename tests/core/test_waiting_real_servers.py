"""The waiting engine against this machine's real servers: what a give-up reports."""

from __future__ import annotations

import pytest

from bootgate import Retry, StartupTimeout, wait_for
from tests.servers import require_server

pytestmark = [pytest.mark.anyio, pytest.mark.servers]


async def test_no_fail_fast_against_a_wrong_amqp_password_reports_access_refused() -> None:
    """`--no-fail-fast` retries a refused login until the deadline, and the timeout names the
    server's ACCESS_REFUSED, never "no answer within 7ms" from an attempt the deadline cut
    short."""
    require_server(5672, "amqp")
    with pytest.raises(StartupTimeout) as info:
        await wait_for(
            ["amqp://guest:wrong@127.0.0.1:5672/"], fail_fast=False, retry=Retry(timeout="1s")
        )
    message = str(info.value)
    assert "ACCESS_REFUSED" in message
    assert "no answer within" not in message
    assert "wrong" not in message
    assert info.value.reason is not None
    assert "ACCESS_REFUSED" in info.value.reason

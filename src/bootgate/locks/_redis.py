"""A Redis lease: a key that expires unless its holder renews it, and a fencing token per tenure.

Redis has no sessions that end with their client, so the lock is a lease: `SET key ... PX ttl`,
renewed every ttl/3. A holder that cannot renew in time (it paused, or lost Redis) gives the lease
up by itself just before the key expires, and its step is cancelled. Each tenure gets a token from
`INCR` on a counter beside the key; a store that checks tokens (`check`, `FenceGate`) refuses a
write from a holder that was replaced, which covers the moment a paused holder has not noticed
yet. Scripts keep each read-and-write atomic; times come from the Redis server's clock.

redis-py runs in worker threads, so the lock works on either anyio backend.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

import anyio
import anyio.to_thread

from bootgate._exclusive import Holder, Lease, Seen, background
from bootgate._redact import redact

from ._common import check_name, this_host, this_pid
from ._fence import StaleFenceError

_NOW = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: lock, counter. ARGV: "host pid", ttl ms. -> {token or 0, current value or '', now ms}
_ACQUIRE = (
    _NOW
    + """
local current = redis.call('GET', KEYS[1])
if current then return {0, current, string.format('%.0f', now)} end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. ' ' .. string.format('%.0f', now) .. ' ' .. ARGV[1],
           'PX', ARGV[2])
return {token, '', string.format('%.0f', now)}
"""
)

_MINE = """
local v = redis.call('GET', KEYS[1])
local mine = v and v:sub(1, #ARGV[1] + 1) == ARGV[1] .. ' '
"""
# KEYS: lock. ARGV: token, ttl ms. -> 1 renewed, 0 not ours any more
_RENEW = _MINE + "if mine then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0"
# KEYS: lock. ARGV: token. -> 1 released, 0 not ours
_RELEASE = _MINE + "if mine then redis.call('DEL', KEYS[1]) return 1 end return 0"
# KEYS: lock, counter. ARGV: token. -> {1 if the lease is held with this token, newest token}
_CHECK = _MINE + "return {mine and 1 or 0, tonumber(redis.call('GET', KEYS[2]) or '0')}"


def holder_from_value(value: str, now_ms: int) -> Holder:
    """A Holder from the lease's value "token since_ms host pid" and the server's time."""
    parts = value.split(" ")
    if len(parts) >= 4 and parts[1].isdigit() and parts[-1].isdigit():
        held_for = max(now_ms - int(parts[1]), 0) / 1000
        return Holder(host=" ".join(parts[2:-1]), pid=int(parts[-1]), held_for=held_for)
    return Holder(label=value[:60])


class RedisLock:
    """`bootgate.locks.redis(url, name, ttl=...)`: see the module docstring."""

    def __init__(self, url: str, name: str, driver: ModuleType, *, ttl: float = 10.0) -> None:
        if not ttl > 0:
            raise ValueError(f"a lease needs a positive ttl, got {ttl!r}")
        self._url = url
        self._name = check_name(name)
        self._driver = driver
        self.ttl = float(ttl)
        """Seconds a lease lasts without renewal: how long a dead holder blocks the others."""
        self.key = f"bootgate:lock:{name}"
        """The lease's key; the fencing counter is this key plus ":fence"."""
        self._client: Any = None

    @property
    def name(self) -> str:
        """The lock's name."""
        return self._name

    def __repr__(self) -> str:
        return f"bootgate.locks.redis({redact(self._url)!r}, {self._name!r}, ttl={self.ttl:g})"

    @property
    def _keys(self) -> list[str]:
        return [self.key, f"{self.key}:fence"]

    def _redis(self) -> Any:
        if self._client is None:
            timeout = min(max(self.ttl / 3, 0.2), 5.0)
            self._client = self._driver.Redis.from_url(
                self._url, socket_timeout=timeout, socket_connect_timeout=timeout
            )
        return self._client

    async def _call(self, script: str, keys: list[str], *args: object) -> Any:
        def run() -> Any:
            return self._redis().eval(script, len(keys), *keys, *args)

        return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)

    @asynccontextmanager
    async def hold(self, seen: Seen) -> AsyncIterator[Lease]:
        """Wait for the lease (polling), hold and renew it for the block, then delete it."""
        ttl_ms = max(int(self.ttl * 1000), 1)
        me = f"{this_host()} {this_pid()}"
        poll = min(max(self.ttl / 10, 0.02), 0.25)
        last_seen = -1.0
        while True:
            sent = time.monotonic()
            token, current, now_ms = await self._call(_ACQUIRE, self._keys, me, ttl_ms)
            if int(token):
                break
            if time.monotonic() - last_seen >= 1.0:
                seen(holder_from_value(_text(current), int(now_ms)))
                last_seen = time.monotonic()
            await anyio.sleep(poll)
        lease = Lease(self._name, fence=int(token))
        try:
            async with background(functools.partial(self._keep, lease, sent + self.ttl)):
                yield lease
        finally:
            # If Redis does not answer, the lease expires by itself.
            with (
                anyio.CancelScope(shield=True),
                anyio.move_on_after(self.ttl),
                contextlib.suppress(self._driver.RedisError),
            ):
                await self._call(_RELEASE, [self.key], lease.fence)

    async def check(self, fence: int | None) -> None:
        """Raise StaleFenceError unless the lease is held right now with token `fence`."""
        mine, newest = await self._call(_CHECK, self._keys, fence if fence is not None else -1)
        if not int(mine):
            raise StaleFenceError(self._name, fence, int(newest))

    async def _keep(self, lease: Lease, valid_until: float) -> None:
        # Give the lease up a little before Redis would expire it: the next holder must not
        # start while this one still believes it holds the lock.
        margin = max(self.ttl * 0.02, 0.005)
        every = self.ttl / 3
        while True:
            next_at = min(time.monotonic() + every, valid_until - margin)
            await anyio.sleep(max(next_at - time.monotonic(), 0.0))
            left = valid_until - margin - time.monotonic()
            if left <= 0:
                lease.lose(f"lease not renewed within its ttl of {self.ttl:g} s")
                return
            sent = time.monotonic()
            renewed: bool | None = None
            with anyio.move_on_after(left):
                try:
                    renewed = bool(await self._call(_RENEW, [self.key], lease.fence, self._ms()))
                except self._driver.RedisError:
                    renewed = None  # try again until the lease runs out
            if renewed is False:
                lease.lose("lease expired and was taken over by another holder")
                return
            if renewed:
                valid_until = sent + self.ttl
            else:
                every = max(self.ttl / 20, 0.01)  # retry sooner while Redis does not answer
                continue
            every = self.ttl / 3

    def _ms(self) -> int:
        return max(int(self.ttl * 1000), 1)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

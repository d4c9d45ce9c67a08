"""Every scheme against the real servers of this machine: ready, and permanent for real."""

from __future__ import annotations

import pathlib

import pytest

from bootgate import Permanent, Ready, Transient
from bootgate.probes import probe_for
from tests.servers import absent, free_port, require_server

pytestmark = [pytest.mark.anyio, pytest.mark.servers]


@pytest.mark.parametrize(
    ("target", "port"),
    [
        ("tcp://127.0.0.1:5432", 5432),
        ("postgres://postgres@127.0.0.1:5432/test", 5432),
        ("postgresql://postgres@127.0.0.1/postgres", 5432),
        ("mysql://root@127.0.0.1:3306/test", 3306),
        ("mariadb://root@127.0.0.1", 3306),
        ("redis://127.0.0.1:6379/0", 6379),
        ("amqp://guest:guest@127.0.0.1:5672/", 5672),
        ("nats://127.0.0.1:4222", 4222),
        ("mqtt://127.0.0.1:1883", 1883),
    ],
)
async def test_ready_against_the_machine(target: str, port: int) -> None:
    """A serving server answers Ready through its own protocol."""
    require_server(port, target.split(":")[0])
    assert isinstance(await probe_for(target)(), Ready)


@pytest.mark.parametrize(
    ("target", "port", "reason"),
    [
        ("postgres://postgres@127.0.0.1:5432/no_such_db_bg", 5432, "3D000"),
        ("postgres://no_such_role_bg@127.0.0.1:5432/test", 5432, "28000"),
        ("mysql://root:wrong@127.0.0.1:3306/test", 3306, "1045"),
        ("mysql://root@127.0.0.1:3306/no_such_db_bg", 3306, "1049"),
        ("amqp://guest:wrong@127.0.0.1:5672/", 5672, "ACCESS_REFUSED"),
        ("amqp://guest:guest@127.0.0.1:5672/no_such_vhost_bg", 5672, "NOT_ALLOWED"),
    ],
)
async def test_permanent_failures_carry_the_protocol_code(
    target: str, port: int, reason: str
) -> None:
    """Wrong password, missing database and wrong vhost are permanent, with the server's code."""
    require_server(port, target.split(":")[0])
    result = await probe_for(target)()
    assert isinstance(result, Permanent)
    assert reason in result.reason
    assert "wrong" not in result.reason


async def test_refused_port_is_transient_and_fast() -> None:
    """Nothing listening: the cheap layer answers Transient without any handshake."""
    result = await probe_for(f"postgres://u:pw@127.0.0.1:{free_port()}/db")()
    assert result == Transient("connection refused")


async def test_unix_and_file_targets(tmp_path: object) -> None:
    """unix:// connects to a socket file; file:// is ready once the path exists."""
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "marker"
    probe = probe_for(f"file://{path}")
    assert isinstance(await probe(), Transient)
    path.write_text("x")
    assert isinstance(await probe(), Ready)
    assert isinstance(await probe_for(f"unix://{path}.sock")(), Transient)


@pytest.fixture
def pg_socket() -> str:
    """The machine PostgreSQL's Unix socket (skip, or fail under CI, if it is not there)."""
    path = pathlib.Path("/var/run/postgresql/.s.PGSQL.5432")
    if not path.exists():
        absent("PostgreSQL's Unix socket is not at /var/run/postgresql")
    return str(path)


async def test_unix_socket_of_the_machine_postgres(pg_socket: str) -> None:
    """unix:// is ready when a server listens on the socket file."""
    assert isinstance(await probe_for(f"unix://{pg_socket}")(), Ready)

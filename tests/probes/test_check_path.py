"""The blocking `check` path against real servers, and its agreement with the async probes.

Every protocol is one conversation driven by two transports; these tests pin down that both
give the same verdict (kind and reason) for the same server state: ready, a wrong password
(permanent) and nothing listening (transient). The async side runs on asyncio and on trio.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import pytest

from bootgate.probes import Verdict, check, probe_for
from tests.examples.uvicorn_server import wait_listening
from tests.probes.helpers import agree, both, refused, start, wait_ready
from tests.probes.mariadb import MariaDB
from tests.servers import (
    Postgres,
    Server,
    free_port,
    mosquitto,
    nats,
    need,
    redis,
    require_server,
)

pytestmark = pytest.mark.servers


def test_tcp_unix_and_file(tmp_path: Path) -> None:
    """tcp:// and unix:// are a connect, file:// a stat, on both paths."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        assert agree(f"tcp://127.0.0.1:{listener.getsockname()[1]}", "ready") == "connected"
    finally:
        listener.close()
    assert agree(f"tcp://127.0.0.1:{free_port()}", "transient") == "connection refused"
    assert agree(f"unix://{tmp_path}/absent.sock", "transient") == "no such file or directory"
    marker = tmp_path / "marker"
    assert agree(f"file://{marker}", "transient") == "no such file"
    marker.write_text("x")
    assert agree(f"file://{marker}", "ready") == "exists"


def test_postgres(postgres: Postgres) -> None:
    """SCRAM login and SELECT 1; a wrong password is 28P01; a closed port is transient."""
    postgres.start()
    wait_listening(postgres.port, 60)
    wait_ready(postgres.url())
    assert agree(postgres.url(), "ready") == "SELECT 1"
    assert "28P01" in agree(postgres.url(password="wrong"), "permanent")
    assert "3D000" in agree(postgres.url(database="nope"), "permanent")
    assert agree(refused("postgres"), "transient") == "connection refused"


def test_postgres_trust_on_the_machine() -> None:
    """The machine's PostgreSQL (trust) answers both paths alike, and names a missing db."""
    require_server(5432, "postgres")
    assert agree("postgres://postgres@127.0.0.1:5432/postgres", "ready") == "SELECT 1"
    assert "3D000" in agree("postgres://postgres@127.0.0.1:5432/no_such_db_bg", "permanent")


def test_mysql(mariadb: MariaDB) -> None:
    """Native-password login with the database; wrong password 1045; unknown db 1044/1049."""
    assert agree(mariadb.url(), "ready").startswith("server 10.")
    assert "1045" in agree(mariadb.url(password="wrong"), "permanent")
    assert "1044" in agree(mariadb.url(database="other"), "permanent")
    assert agree(refused("mysql"), "transient") == "connection refused"


def test_mariadb_on_the_machine() -> None:
    """The machine's MariaDB: root without a password is ready; a wrong one is 1045."""
    require_server(3306, "mariadb")
    assert agree("mariadb://root@127.0.0.1:3306", "ready").startswith("server ")
    assert "1045" in agree("mysql://root:wrong@127.0.0.1:3306/", "permanent")
    assert "1049" in agree("mysql://root@127.0.0.1:3306/no_such_db_bg", "permanent")


def test_redis(tmp_path: Path, started: list[Server]) -> None:
    """AUTH, SELECT and PING; a wrong password is WRONGPASS; no password is NOAUTH."""
    port = start(redis(tmp_path, password="pw"), started)
    assert agree(f"redis://:pw@127.0.0.1:{port}/2", "ready") == "PONG"
    assert agree(f"redis://:nope@127.0.0.1:{port}", "permanent").startswith("WRONGPASS")
    assert agree(f"redis://127.0.0.1:{port}", "permanent").startswith("NOAUTH")
    assert agree(f"redis://:pw@127.0.0.1:{port}/x", "permanent") == "database 'x' is not a number"
    assert agree(refused("redis"), "transient") == "connection refused"


def test_redis_user_login(tmp_path: Path, started: list[Server]) -> None:
    """redis://user:password@ logs in as an ACL user (AUTH user password)."""
    server = redis(tmp_path)
    server.argv += ["--user", "default", "off", "--user", "bob", "on", ">bob-pw", "~*", "+@all"]
    port = start(server, started)
    assert agree(f"redis://bob:bob-pw@127.0.0.1:{port}", "ready") == "PONG"
    assert agree(f"redis://bob:nope@127.0.0.1:{port}", "permanent").startswith("WRONGPASS")


def test_amqp() -> None:
    """RabbitMQ: the connection opens on the vhost; a wrong password is ACCESS_REFUSED."""
    require_server(5672, "rabbitmq")
    assert agree("amqp://guest:guest@127.0.0.1:5672/", "ready") == "connection open on vhost '/'"
    assert "ACCESS_REFUSED" in agree("amqp://guest:wrong@127.0.0.1:5672/", "permanent")
    assert "NOT_ALLOWED" in agree("amqp://guest:guest@127.0.0.1/no_such_vhost_bg", "permanent")
    assert agree(refused("amqp"), "transient") == "connection refused"


def test_nats(started: list[Server]) -> None:
    """NATS: PONG after CONNECT with user and password; a wrong one is permanent."""
    port = start(nats(password="pw"), started)
    assert agree(f"nats://app:pw@127.0.0.1:{port}", "ready") == "PONG"
    assert "authorization" in agree(f"nats://app:nope@127.0.0.1:{port}", "permanent").lower()
    assert agree(refused("nats"), "transient") == "connection refused"


def test_mqtt(tmp_path: Path, started: list[Server]) -> None:
    """Mosquitto with a password file: CONNACK 0; a wrong password is refused for good."""
    server = mosquitto(tmp_path)
    # Not in tmp_path, which only root may enter: mosquitto reads it as its own user.
    shared = Path(tempfile.mkdtemp(prefix="bootgate-mqtt-"))
    shared.chmod(0o755)
    passwords = shared / "passwords"
    subprocess.run([need("mosquitto_passwd"), "-c", "-b", str(passwords), "app", "pw"], check=True)
    config = Path(server.argv[-1])
    config.write_text(
        config.read_text().replace("allow_anonymous true", "allow_anonymous false")
        + f"password_file {passwords}\n"
    )
    try:
        port = start(server, started)
        assert agree(f"mqtt://app:pw@127.0.0.1:{port}", "ready") == "CONNACK accepted"
        assert "CONNACK refused" in agree(f"mqtt://app:nope@127.0.0.1:{port}", "permanent")
        assert agree(refused("mqtt"), "transient") == "connection refused"
    finally:
        shutil.rmtree(shared, ignore_errors=True)


class _Guarded(BaseHTTPRequestHandler):
    """200 for the right basic credentials, 401 otherwise (and 503 on /busy)."""

    def do_GET(self) -> None:
        if self.path == "/busy":
            self.send_response(503)
            self.send_header("Retry-After", "2")
        elif self.headers.get("Authorization") == "Basic YXBwOnB3":  # app:pw
            self.send_response(200)
        else:
            self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def guarded() -> Iterator[int]:
    """A local HTTP server asking for basic credentials; its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Guarded)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_http(guarded: int) -> None:
    """2xx is ready, 401 permanent, 503 transient with its Retry-After, on both paths."""
    assert agree(f"http://app:pw@127.0.0.1:{guarded}/", "ready") == "HTTP 200"
    assert agree(f"http://app:nope@127.0.0.1:{guarded}/", "permanent") == "HTTP 401"
    blocking, results = both(f"http://127.0.0.1:{guarded}/busy")
    assert blocking == Verdict("transient", "HTTP 503", 2.0)
    assert results == [blocking.result()] * 2
    assert agree(refused("http"), "transient") == "connection refused"


def test_check_imports_no_event_loop_for_any_protocol(tmp_path: Path) -> None:
    """`bootgate check` on every scheme imports no asyncio, anyio, typing, dataclasses, driver."""
    targets = [
        f"tcp://127.0.0.1:{free_port()}",
        f"unix://{tmp_path}/x.sock",
        f"file://{tmp_path}",
        f"http://127.0.0.1:{free_port()}/",
        "postgres://postgres@127.0.0.1:5432/postgres",
        "mysql://root@127.0.0.1:3306",
        "redis://127.0.0.1:6379",
        "amqp://guest:guest@127.0.0.1:5672/",
        "nats://127.0.0.1:4222",
        "mqtt://127.0.0.1:1883",
    ]
    code = (
        "import sys\n"
        "from bootgate.cli import main\n"
        f"main(['check', '-q', *{targets!r}])\n"
        "heavy = {'asyncio', 'anyio', 'dataclasses', 'typing', 'psycopg', 'pymysql', 'redis',"
        " 'ssl', 'http', 'trio', 'threading'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


def test_a_silent_server_is_late_on_both_paths() -> None:
    """A server that accepts and never answers: "no answer within" the bound, both paths."""
    listener = socket.create_server(("127.0.0.1", 0))  # the kernel accepts; nobody answers
    try:
        url = f"postgres://u@127.0.0.1:{listener.getsockname()[1]}/db"
        assert check(url, timeout=0.2) == Verdict("transient", "no answer within 0.2s")
        result = anyio.run(probe_for(url, attempt_timeout="200ms"))
        assert result == check(url, timeout=0.2).result()
    finally:
        listener.close()

"""A private MariaDB server for tests: its own data directory, a spare port, stopped by PID."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.examples.uvicorn_server import wait_listening
from tests.servers import Server, free_port, need

SETUP = """
CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-pw';
CREATE DATABASE appdb;
GRANT ALL ON appdb.* TO 'app'@'127.0.0.1';
INSTALL SONAME 'auth_ed25519';
CREATE USER 'edgy'@'127.0.0.1' IDENTIFIED VIA ed25519 USING PASSWORD('edgy-pw');
"""


class MariaDB:
    """mariadb-install-db once, then mariadbd on 127.0.0.1:port with the users of SETUP."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.server: Server | None = None

    def start(self) -> MariaDB:
        """Create the data directory, start the server, wait for it, create the users."""
        data = self.root / "data"
        subprocess.run(
            [
                *(need("mariadb-install-db"), "--no-defaults", f"--datadir={data}", "--user=root"),
                *("--auth-root-authentication-method=normal", "--skip-test-db"),
            ],
            check=True,
            capture_output=True,
        )
        argv = [need("mariadbd"), "--no-defaults", f"--datadir={data}", "--user=root"]
        argv += [f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.socket}"]
        argv += [f"--pid-file={self.root / 'pid'}", "--skip-log-bin"]
        argv += ["--innodb-buffer-pool-size=16M", "--skip-name-resolve"]
        self.server = Server(argv, self.port).start()
        wait_listening(self.port, 60)
        subprocess.run(
            [need("mariadb"), "-uroot", f"--socket={self.socket}"],
            input=SETUP.encode(),
            check=True,
            capture_output=True,
        )
        return self

    @property
    def socket(self) -> Path:
        """The server's Unix socket (for the set-up client)."""
        return self.root / "sock"

    def stop(self) -> None:
        """Stop the server by its PID."""
        if self.server is not None:
            self.server.stop()

    def url(self, user: str = "app", password: str = "app-pw", database: str = "appdb") -> str:
        """A mysql:// target for this server."""
        return f"mysql://{user}:{password}@127.0.0.1:{self.port}/{database}"

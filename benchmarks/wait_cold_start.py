"""`bootgate check` cold start for every protocol, against `python -c pass`, side by side.

Each figure is the median wall time over fresh processes of one check of a local target that
is up, in interleaved rounds (every command once per round, so machine noise hits all alike):
a TCP listener, a Unix socket, a file, an HTTP and an HTTPS server of this script's own, and the
machine's PostgreSQL (trust), MariaDB (root), Redis, RabbitMQ, NATS and Mosquitto (a scheme
whose server does not answer is left out, and said so). PyPI `wait-for-it` (TCP only) is the
peer. Two more lines time a TLS context trusting the system's CAs, as `ssl` makes it and as
bootgate does. Then `-X importtime` shows what each scheme's path imports. bootgate's byte code is
compiled first, as an installed package has it (even under PYTHONDONTWRITEBYTECODE).

    .venv/bin/python benchmarks/wait_cold_start.py [--runs 30] [--only tcp,postgres]
        [--against OTHER/src]   # also time another checkout's code, in the same rounds
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from benchmarks._peers import BOOTGATE, PYTHON, pypi_wait_for_it

#: The machine's servers: scheme -> (target, port that must answer).
MACHINE = {
    "postgres": ("postgres://postgres@127.0.0.1:5432/postgres", 5432),
    "mysql": ("mysql://root@127.0.0.1:3306/", 3306),
    "redis": ("redis://127.0.0.1:6379/0", 6379),
    "amqp": ("amqp://guest:guest@127.0.0.1:5672/", 5672),
    "nats": ("nats://127.0.0.1:4222", 4222),
    "mqtt": ("mqtt://127.0.0.1:1883", 1883),
}


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


def _accept_forever(listener: socket.socket) -> None:
    while True:
        listener.accept()[0].close()


def _listen(listener: socket.socket) -> None:
    threading.Thread(target=_accept_forever, args=(listener,), daemon=True).start()


def _http(tls: ssl.SSLContext | None = None) -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def _certificate(where: Path) -> Path | None:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem in `where`), if openssl is."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(where / "key.pem"), "-out", str(where / "cert.pem")),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return where / "cert.pem"


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
    except OSError:
        return False
    return True


def targets(tmp: Path) -> dict[str, list[str]]:
    """scheme -> the `bootgate check` arguments for a local target of it that is up."""
    found: dict[str, list[str]] = {}
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    _listen(listener)
    found["tcp"] = [f"tcp://127.0.0.1:{listener.getsockname()[1]}"]
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(tmp / "s.sock"))
    unix.listen(1024)
    _listen(unix)
    found["unix"] = [f"unix://{tmp}/s.sock"]
    (tmp / "marker").write_text("ready")
    found["file"] = [f"file://{tmp}/marker"]
    found["http"] = [f"http://127.0.0.1:{_http()}/"]
    cert = _certificate(tmp)
    if cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, tmp / "key.pem")
        found["https"] = ["--ca-file", str(cert), f"https://127.0.0.1:{_http(context)}/"]
    for scheme, (target, port) in MACHINE.items():
        if _answers(port):
            found[scheme] = [target]
        else:
            print(f"(no server on 127.0.0.1:{port}: {scheme} left out)")
    return found


def imports(argv: list[str]) -> list[tuple[int, str]]:
    """(self µs, module) of every module `python -X importtime` reports, biggest first."""
    out = subprocess.run([PYTHON, "-X", "importtime", *argv], capture_output=True, text=True).stderr
    rows = []
    for line in out.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(1)), match.group(3)))
    return sorted(rows, reverse=True)


def main() -> None:
    """Run the comparison and print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", help="comma-separated schemes (default: all)")
    parser.add_argument("--against", help="the src/ directory of another bootgate checkout")
    args = parser.parse_args()
    import bootgate

    compileall.compile_dir(str(Path(bootgate.__file__).parent), quiet=1)
    if args.against:
        compileall.compile_dir(args.against, quiet=1)
    tmp = Path(tempfile.mkdtemp(prefix="bootgate-cold-"))
    try:
        local = targets(tmp)
        if args.only:
            local = {s: a for s, a in local.items() if s in args.only.split(",")}
        run(local, args.runs, args.against)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(local: dict[str, list[str]], runs: int, against: str | None) -> None:
    """Interleaved rounds of every command; medians, ratios, then the import lists."""
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "python -c pass": ([PYTHON, "-c", "pass"], None)
    }
    other = {**os.environ, "PYTHONPATH": str(against)} if against else None
    for scheme, argv in local.items():
        commands[f"bootgate check {scheme}"] = ([BOOTGATE, "check", "-q", *argv], None)
        if other is not None:
            commands[f"  against: {scheme}"] = ([BOOTGATE, "check", "-q", *argv], other)
    if "https" in local:  # trusting the system's CAs: the bundle parsed, or looked up
        default = "import ssl; ssl.create_default_context()"
        ours = "from bootgate.probes._options import tls_context; tls_context()"
        commands["ssl default context"] = ([PYTHON, "-c", default], None)
        commands["bootgate tls_context()"] = ([PYTHON, "-c", ours], None)
    peer = pypi_wait_for_it()
    if peer and "tcp" in local:
        where = local["tcp"][-1].removeprefix("tcp://")
        commands["PyPI wait-for-it tcp"] = ([peer, "-q", "-t", "5", "-s", where], None)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv, env in commands.values():  # warm-up (page cache), and every target is up
        subprocess.run(argv, check=True, capture_output=True, env=env)
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            begin = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, env=env)
            samples[name].append(time.perf_counter() - begin)
    base = statistics.median(samples["python -c pass"])
    print(f"cold start, median of {runs} interleaved runs (ms); ratio to `python -c pass`")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"  {name:24s} {median * 1000:7.1f} ms   {median / base:5.2f}x")
    if "PyPI wait-for-it tcp" in samples:
        pypi = statistics.median(samples["PyPI wait-for-it tcp"])
        tcp = statistics.median(samples["bootgate check tcp"])
        print(f"  bootgate check tcp / PyPI wait-for-it: {tcp / pypi:.2f}x")
    print("imports per scheme (modules, -X importtime self time):")
    for scheme, argv in local.items():
        code = f"from bootgate.cli import main; main(['check', '-q', *{argv!r}])"
        rows = imports(["-c", code])
        total = sum(us for us, _ in rows)
        top = ", ".join(f"{module} {us / 1000:.1f}" for us, module in rows[:4])
        print(f"  {scheme:9s} {len(rows):3d} modules {total / 1000:5.1f} ms  (largest: {top})")


if __name__ == "__main__":
    main()

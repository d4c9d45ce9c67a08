"""S1's UI as a small web server: it renders the gateway's packages, or the error it got.

    GATEWAY_URL=http://127.0.0.1:8001 python -m examples.s1_stack.ui --port 8000

Like the UI of the incident, the first thing it does is ask the gateway for data; it prints
what a user would have seen ("UI shows 24 packages" or "UI shows an error: ..."), then serves
the page on --port ("listening on ..."). Started by `bootgate up` after the gateway is ready,
it never shows a connection error.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def fetch(base: str) -> tuple[list[dict[str, str]] | None, str]:
    """The gateway's packages, or None and the error a user would see."""
    request = urllib.request.Request(f"{base}/api/packages", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            packages: list[dict[str, str]] = json.load(response)["packages"]
    except urllib.error.HTTPError as exc:
        return None, f"UI shows an error: HTTP {exc.code} from the gateway"
    except OSError as exc:
        return None, f"UI shows an error: {exc}"
    return packages, f"UI shows {len(packages)} packages"


def page(base: str) -> bytes:
    """The UI's one page."""
    packages, summary = fetch(base)
    rows = "".join(
        f"<li>{html.escape(p['name'])} {html.escape(p['version'])}</li>" for p in packages or []
    )
    return (
        "<!doctype html><meta charset=utf-8><title>S1 UI</title>"
        f"<h1>Packages</h1><p>{html.escape(summary)}</p><ul>{rows}</ul>"
    ).encode()


def main() -> None:
    """Render once (the moment that used to fail), then serve the page."""
    parser = argparse.ArgumentParser(description="S1's UI")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    base = os.environ.get("GATEWAY_URL", "http://127.0.0.1:8001").rstrip("/")
    print(fetch(base)[1], flush=True)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page(base)
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the stack's output is for what matters."""

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on http://127.0.0.1:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

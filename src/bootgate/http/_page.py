"""The "initializing" page a browser sees while the service starts, and its static assets.

The page is complete without JavaScript (a <meta refresh> inside <noscript> reloads it); the
small script shipped beside this module follows the status stream and redraws the page, then
reloads into the application once it is ready. Every name and text is HTML-escaped.
"""

from __future__ import annotations

import hashlib
from functools import cache
from html import escape
from importlib.resources import files

from bootgate import NodeStatus, Phase, Status, redact

from ._render import cause

_TYPES = {"page.js": "text/javascript; charset=utf-8", "page.css": "text/css; charset=utf-8"}


@cache
def asset(name: str) -> tuple[bytes, str]:
    """The bytes and content type of a static asset shipped in bootgate/http/static/."""
    body = files("bootgate.http").joinpath("static", name).read_bytes()
    return body, _TYPES[name]


@cache
def _version(name: str) -> str:
    return hashlib.sha256(asset(name)[0]).hexdigest()[:12]


def _row(node: NodeStatus, status: Status) -> str:
    progress = node.progress
    if node.ok:
        bar = '<progress max="100" value="100"></progress>'
    elif progress is not None and progress.percent is not None:
        bar = f'<progress max="100" value="{progress.percent:.0f}"></progress>'
    else:
        bar = "<progress></progress>" if node.phase is not Phase.PENDING else ""
    detail = "" if node.phase is Phase.READY else cause(node, status)
    return (
        f'<tr class="phase-{escape(node.phase.value)}">'
        f'<th scope="row">{escape(node.name)}</th>'
        f'<td class="phase">{escape(node.phase.value)}</td>'
        f'<td class="bar">{bar}</td>'
        f'<td class="detail">{escape(detail)}</td></tr>'
    )


def _headline(status: Status) -> str:
    if status.stopping:
        return "is shutting down"
    if status.failed:
        return "cannot start"
    return "is starting"


def initializing_page(
    status: Status, *, stream_url: str, script_url: str, style_url: str, refresh: int
) -> str:
    """The HTML page for `status`; `refresh` is the no-JavaScript reload interval in seconds."""
    service = escape(status.service)
    done = sum(1 for n in status.nodes.values() if n.ok)
    blocking = "".join(f"<li>{escape(redact(chain))}</li>" for chain in status.blocking())
    rows = "".join(_row(node, status) for node in status.nodes.values())
    headline = _headline(status)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{service} {headline}</title>
<noscript><meta http-equiv="refresh" content="{refresh:d}"></noscript>
<link rel="stylesheet" href="{escape(style_url)}?v={_version("page.css")}">
</head>
<body>
<main id="bootgate" data-stream="{escape(stream_url)}" data-refresh="{refresh:d}">
<h1><span class="service">{service}</span> <span id="bootgate-headline">{headline}</span></h1>
<p id="bootgate-summary">{done} of {len(status.nodes)} ready. This page reloads itself \
when the service is ready.</p>
<section aria-labelledby="bootgate-why">
<h2 id="bootgate-why">Waiting for</h2>
<ul id="bootgate-blocking">{blocking}</ul>
</section>
<table>
<thead><tr><th scope="col">step</th><th scope="col">phase</th><th scope="col">progress</th>\
<th scope="col">detail</th></tr></thead>
<tbody id="bootgate-nodes">{rows}</tbody>
</table>
</main>
<script src="{escape(script_url)}?v={_version("page.js")}" defer></script>
</body>
</html>
"""

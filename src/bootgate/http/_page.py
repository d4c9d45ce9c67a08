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

from ._checks import explain

_TYPES = {
    "page.js": "text/javascript; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
}


@cache
def asset(name: str) -> tuple[bytes, str]:
    """The bytes and content type of a static asset shipped in bootgate/http/static/."""
    body = files("bootgate.http").joinpath("static", name).read_bytes()
    return body, _TYPES[name]


@cache
def version(name: str) -> str:
    """A short hash of an asset's content, for cache-busting URLs."""
    return hashlib.sha256(asset(name)[0]).hexdigest()[:12]


def _row(node: NodeStatus, status: Status) -> str:
    progress = node.progress
    if node.ok:
        bar = '<progress max="100" value="100"></progress>'
    elif progress is not None and progress.percent is not None:
        bar = f'<progress max="100" value="{progress.percent:.0f}"></progress>'
    else:
        bar = "<progress></progress>" if node.phase is not Phase.PENDING else ""
    detail = "" if node.phase is Phase.READY else explain(node, status)
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
<link rel="stylesheet" href="{escape(style_url)}?v={version("page.css")}">
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
<script src="{escape(script_url)}?v={version("page.js")}" defer></script>
</body>
</html>
"""


def _detail_row(node: NodeStatus, status: Status) -> str:
    duration = "" if node.duration_s is None else f"{node.duration_s:.3f} s"
    problem = node.reason or node.error or ""
    return (
        f'<tr class="phase-{escape(node.phase.value)}">'
        f'<th scope="row">{escape(node.name)}</th>'
        f"<td>{escape(node.kind)}</td>"
        f"<td>{escape(', '.join(node.requires))}</td>"
        f'<td class="phase">{escape(node.phase.value)}</td>'
        f"<td>{node.attempts}</td>"
        f"<td>{escape(duration)}</td>"
        f'<td class="detail">{escape(explain(node, status) if not node.ok else "")}</td>'
        f'<td class="detail">{escape(redact(problem))}</td></tr>'
    )


def _chain_items(status: Status) -> str:
    # Imported on first use: only the dashboard needs the observability room.
    from bootgate.observe import critical_chain, from_status

    items = []
    for link in critical_chain(from_status(status).nodes):
        took = "" if link.took_s is None else f", took {link.took_s:.3f} s"
        items.append(f"<li>{escape(link.name)}: ready at +{link.ready_s:.3f} s{took}</li>")
    return "".join(items)


def _warning_items(status: Status) -> str:
    items = []
    for node in status.nodes.values():
        for warning in node.warnings:
            current = warning.current(node, status.at_s)
            state = "current" if current else "past"
            text = f"{node.name}: {redact(warning.message)} ({state})"
            items.append(f'<li class="warning-{state}">{escape(text)}</li>')
    return "".join(items)


def dashboard_page(status: Status, *, stream_url: str, script_url: str, style_url: str) -> str:
    """The dashboard: the graph, a timeline of this startup, the critical chain, warnings,
    every node's details, errors."""
    service = escape(status.service)
    state = (
        "stopping"
        if status.stopping
        else "ready"
        if status.ready
        else "failed"
        if status.failed
        else "starting"
    )
    rows = "".join(_detail_row(node, status) for node in status.nodes.values())
    blocking = "".join(f"<li>{escape(redact(chain))}</li>" for chain in status.blocking())
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{service} startup</title>
<link rel="stylesheet" href="{escape(style_url)}?v={version("page.css")}">
</head>
<body>
<main id="bootgate-dashboard" class="dashboard" data-stream="{escape(stream_url)}">
<h1><span class="service">{service}</span> startup:
<span id="bootgate-state" class="state-{state}">{state}</span></h1>
<p id="bootgate-clock">{status.at_s:.1f} s since the boot began (change {status.seq})</p>
<section aria-labelledby="bootgate-graph-title">
<h2 id="bootgate-graph-title">Graph</h2>
<svg id="bootgate-graph" role="img" aria-label="dependency graph"></svg>
</section>
<section aria-labelledby="bootgate-timeline-title">
<h2 id="bootgate-timeline-title">Timeline</h2>
<svg id="bootgate-timeline" role="img" aria-label="startup timeline"></svg>
</section>
<section aria-labelledby="bootgate-why">
<h2 id="bootgate-why">Blocking readiness</h2>
<ul id="bootgate-blocking">{blocking}</ul>
</section>
<section aria-labelledby="bootgate-chain-title">
<h2 id="bootgate-chain-title">Critical chain</h2>
<ol id="bootgate-chain">{_chain_items(status)}</ol>
</section>
<section aria-labelledby="bootgate-warnings-title">
<h2 id="bootgate-warnings-title">Warnings</h2>
<ul id="bootgate-warnings">{_warning_items(status)}</ul>
</section>
<section aria-labelledby="bootgate-nodes-title">
<h2 id="bootgate-nodes-title">Nodes</h2>
<table>
<thead><tr><th scope="col">node</th><th scope="col">kind</th><th scope="col">requires</th>\
<th scope="col">phase</th><th scope="col">attempts</th><th scope="col">took</th>\
<th scope="col">now</th><th scope="col">last error</th></tr></thead>
<tbody id="bootgate-details">{rows}</tbody>
</table>
</section>
</main>
<script src="{escape(script_url)}?v={version("dashboard.js")}" defer></script>
</body>
</html>
"""

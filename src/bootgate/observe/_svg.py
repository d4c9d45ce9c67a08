"""A startup's timeline as a self-contained SVG: a Gantt chart like `systemd-analyze plot`.

One row per node in start order, a bar from its first attempt to ready, the critical chain
outlined, and a tooltip (`<title>`) per row with the figures. No script, no external font or
stylesheet: the file opens as it is in any browser.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from ._chain import ChainLink
from ._timing import NodeTiming, Startup

_ROW = 22
_BAR = 14
_TOP = 64
_PLOT_W = 900
_CHAR_W = 7.4  # average advance of a 12px sans-serif character, for the label column
_COLOURS = {"step": "#4c78a8", "dependency": "#54a24b"}
_OTHER = "#b279a2"
_FAILED = "#e45756"
_RUNNING = "#c9c3bf"
_RUNNING_PHASES = {"starting", "waiting", "retrying"}


def timeline_svg(startup: Startup, chain: Sequence[ChainLink] = ()) -> str:
    """The timeline of `startup` as an SVG document; the nodes of `chain` are outlined."""
    on_chain = {link.name for link in chain}
    rows = sorted(
        enumerate(startup.nodes),
        key=lambda item: (item[1].started_s is None, item[1].started_s or 0.0, item[0]),
    )
    nodes = [node for _, node in rows]
    span = startup.span_s or 1.0
    label_w = min(max((len(n.name) for n in nodes), default=4) * _CHAR_W + 24, 320)
    left = label_w
    scale = _PLOT_W / span
    height = _TOP + len(nodes) * _ROW + 56
    body: list[str] = []
    right = left + _PLOT_W + 40.0
    for row, node in enumerate(nodes):
        drawn, edge = _row(node, row, left, scale, span, node.name in on_chain)
        body.extend(drawn)
        right = max(right, edge + 16)
    headline, subline = _headline(startup), _subline(startup, chain)
    # The picture is as wide as its longest line of text, so nothing is cut off at the edge.
    width = round(max(right, len(headline) * 9.5 + 20, len(subline) * _CHAR_W + 20))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" '
        f'font-size="12">',
        f"<title>{escape(startup.service)} startup timeline</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{escape(headline)}</text>',
        f'<text x="10" y="38" fill="#555">{escape(subline)}</text>',
    ]
    # Stripes first, then the grid, the bars, and the moment of readiness over them all.
    out.extend(
        f'<rect x="0" y="{_TOP + row * _ROW}" width="{width}" height="{_ROW}" fill="#f7f7f7"/>'
        for row in range(1, len(nodes), 2)
    )
    out.extend(_axis(left, scale, span, _TOP, len(nodes)))
    out.extend(body)
    if startup.ended_s is not None:
        x = left + startup.ended_s * scale
        bottom = _TOP + len(nodes) * _ROW
        out.append(
            f'<line class="ready" x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{bottom + 4}" '
            'stroke="#e45756" stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#e45756">ready</text>'
        )
    out.extend(_legend(_TOP + len(nodes) * _ROW + 34))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _headline(startup: Startup) -> str:
    if startup.outcome == "ready" and startup.ended_s is not None:
        return f"{startup.service}: ready after {startup.ended_s:.3f} s"
    if startup.outcome == "starting":
        return f"{startup.service}: still starting after {startup.span_s:.3f} s"
    return f"{startup.service}: {startup.outcome} (not ready)"


def _subline(startup: Startup, chain: Sequence[ChainLink]) -> str:
    parts = []
    if startup.began_wall:
        began = datetime.fromtimestamp(startup.began_wall, UTC)
        parts.append(f"began {began.isoformat(timespec='seconds').replace('+00:00', 'Z')}")
    if chain:
        parts.append("critical chain: " + " → ".join(link.name for link in chain))
    return "; ".join(parts)


def _tick_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most about 12 ticks."""
    raw = span / 12
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _axis(left: float, scale: float, span: float, top: int, count: int) -> list[str]:
    step = _tick_step(span)
    bottom = top + count * _ROW
    out = ['<g stroke="#e3e3e3" fill="#666" font-size="11">']
    ticks = math.floor(span / step + 1e-9)
    for i in range(ticks + 1):
        at = i * step
        x = left + at * scale
        label = f"{at:g}s" if step >= 1 else f"{at:.{_decimals(step)}f}s"
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}"/>')
        out.append(
            f'<text x="{x:.1f}" y="{top - 10}" text-anchor="middle" stroke="none">{label}</text>'
        )
    out.append("</g>")
    return out


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


def _row(
    node: NodeTiming, row: int, left: float, scale: float, span: float, critical: bool
) -> tuple[list[str], float]:
    """The elements of one node's row, and where its rightmost text ends."""
    y = _TOP + row * _ROW
    bar_y = y + (_ROW - _BAR) / 2
    text_y = y + _ROW / 2 + 4
    weight = ' font-weight="bold"' if critical else ""
    out = [
        f'<g class="node" data-node="{escape(node.name)}" data-phase="{escape(node.phase)}">',
        f"<title>{escape(_tooltip(node))}</title>",
    ]
    out.append(
        f'<text x="{left - 10:.1f}" y="{text_y:.1f}" text-anchor="end"{weight}>'
        f"{escape(node.name)}</text>"
    )
    if node.started_s is None:
        note = node.phase + (f": {node.reason}" if node.reason else "")
        note = _clip(note)
        out.append(f'<text x="{left + 4:.1f}" y="{text_y:.1f}" fill="#888">{escape(note)}</text>')
        out.append("</g>")
        return out, left + 4 + len(note) * _CHAR_W
    x = left + node.started_s * scale
    if node.ready_s is not None:
        end, fill, label = node.ready_s, _COLOURS.get(node.kind, _OTHER), _took(node)
    elif node.phase in _RUNNING_PHASES:
        end, fill, label = span, _RUNNING, f"{node.phase}…"
    else:
        end, fill = node.started_s, _FAILED
        label = node.phase + (f": {node.reason}" if node.reason else "")
    bar_w = max((end - node.started_s) * scale, 3.0)
    outline = ' stroke="#1b1b1b" stroke-width="2"' if critical else ""
    out.append(
        f'<rect class="bar" x="{x:.1f}" y="{bar_y:.1f}" width="{bar_w:.1f}" height="{_BAR}" '
        f'rx="2" fill="{fill}"{outline}/>'
    )
    if node.optional:
        label += " (optional)"
    if node.warning:
        label += f"  ⚠ {node.warning}"
    label = _clip(label)
    out.append(f'<text x="{x + bar_w + 6:.1f}" y="{text_y:.1f}" fill="#333">{escape(label)}</text>')
    out.append("</g>")
    return out, x + bar_w + 6 + len(label) * _CHAR_W


def _took(node: NodeTiming) -> str:
    took = node.took_s
    text = "" if took is None else f"+{took:.3f}s"
    if node.attempts > 1:
        text += f" ({node.attempts} attempts)"
    return text


def _tooltip(node: NodeTiming) -> str:
    parts = [f"{node.name} ({node.kind}{', optional' if node.optional else ''}): {node.phase}"]
    if node.started_s is not None:
        parts.append(f"started @+{node.started_s:.3f}s")
    if node.ready_s is not None:
        parts.append(f"ready @+{node.ready_s:.3f}s")
    if node.took_s is not None:
        parts.append(f"took {node.took_s:.3f}s")
    if node.attempts:
        parts.append(f"{node.attempts} attempt{'s' if node.attempts != 1 else ''}")
    if node.requires:
        parts.append("requires " + ", ".join(node.requires))
    if node.reason:
        parts.append(node.reason)
    if node.warning:
        parts.append(node.warning)
    return "; ".join(parts)


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend(y: int) -> list[str]:
    items = [
        ("step", _COLOURS["step"], ""),
        ("dependency", _COLOURS["dependency"], ""),
        ("other node", _OTHER, ""),
        ("not finished", _RUNNING, ""),
        ("failed", _FAILED, ""),
        ("critical chain", "#ffffff", ' stroke="#1b1b1b" stroke-width="2"'),
    ]
    out = ['<g class="legend">']
    x = 10
    for label, fill, extra in items:
        out.append(
            f'<rect x="{x}" y="{y - 10}" width="14" height="12" rx="2" fill="{fill}"{extra}/>'
        )
        out.append(f'<text x="{x + 20}" y="{y}">{label}</text>')
        x += 30 + round(len(label) * _CHAR_W)
    out.append("</g>")
    return out

"""Startup observability: history of startups, the critical chain, a timeline, graph text.

    import bootgate.observe
    boot.add_hook(bootgate.observe.History(".bootgate/history.sqlite"))

- `History` keeps each startup's node timings in a small SQLite file and logs a warning when
  a node takes at least 3x its median over its recent startups.
- `critical_chain` and `slowest` answer "what decided how long startup took" from a
  `Startup`, read from a live `Status` (`from_status`), a service's `/status` document
  (`from_document`) or a history file (`HistoryFile`); `timeline_svg` draws it.
- `graph_text` prints a graph as Mermaid or DOT.

This room uses bootgate only through its public names; the core never imports it. The
OpenTelemetry hook lives in `bootgate.integrations.opentelemetry`.
"""

from __future__ import annotations

from ._chain import ChainLink, chain_lines, critical_chain, slowest
from ._graphtext import FORMATS, GraphNode, dot, graph_text, mermaid
from ._history import History
from ._regression import Regression, regression
from ._store import HistoryError, HistoryFile
from ._svg import timeline_svg
from ._timing import NodeTiming, Startup, from_document, from_status, timing_of

__all__ = [
    "FORMATS",
    "ChainLink",
    "GraphNode",
    "History",
    "HistoryError",
    "HistoryFile",
    "NodeTiming",
    "Regression",
    "Startup",
    "chain_lines",
    "critical_chain",
    "dot",
    "from_document",
    "from_status",
    "graph_text",
    "mermaid",
    "regression",
    "slowest",
    "timeline_svg",
    "timing_of",
]

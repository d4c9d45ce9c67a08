"""The core's one door to the probe registry: a target URL becomes a Probe.

The core imports nothing from `bootgate.probes` (a test walks every core module to check it);
this module alone loads the registry, with importlib and on first use, because only a string
target needs it. `import bootgate` and a Boot without URL targets never load it.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._probe import Probe


def probe_for(target: str, **options: Any) -> Probe:
    """The Probe for a target such as "postgres://app:secret@db:5432/app".

    Raises ConfigError for a malformed target and MissingExtraError for a missing driver.
    """
    registry = importlib.import_module("bootgate.probes")
    probe: Probe = registry.probe_for(target, **options)
    return probe

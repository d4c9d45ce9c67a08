"""bootgate for Flask: `init_app(app, boot)` puts the WSGI gate around `app.wsgi_app`.

```text
app = Flask(__name__)
gate = init_app(app, boot)     # health endpoints + gate; the boot starts in the background
```

WSGI has no lifespan, so the boot runs on a background event-loop thread of its own (see
`bootgate.http.WsgiGate`), started here and torn down at interpreter exit or by `gate.close()`.
With a pre-forking server that imports the app before forking (gunicorn `--preload`), pass
`start=False` and call `gate.start()` in each worker (gunicorn's `post_fork` hook): an event
loop thread does not survive a fork.
"""

from __future__ import annotations

import atexit
from typing import Unpack

from flask import Flask

from bootgate import Boot
from bootgate.http import GateConfig, GateOptions, WsgiGate

__all__ = ["EXTENSION", "gate_for", "init_app"]

#: The key under `app.extensions` where the gate is kept.
EXTENSION = "bootgate"


def init_app(
    app: Flask,
    boot: Boot,
    *,
    start: bool = True,
    **options: Unpack[GateOptions],
) -> WsgiGate:
    """Serve bootgate's endpoints and gate every other request until `boot` is ready.

    The gate wraps `app.wsgi_app` (so Flask's own middleware stack stays inside it) and is kept
    under `app.extensions["bootgate"]`. With `start` (the default) the boot starts now, without
    waiting, and is torn down at interpreter exit; `gate.close()` does it earlier. Options are
    `bootgate.http.GateOptions` (`BOOTGATE_*` environment variables fill in the ones not given).
    """
    GateConfig.reject_unknown(options, also=("start",))
    if EXTENSION in app.extensions:
        raise ValueError(f"bootgate is already set up on {app.name!r}")
    gate = WsgiGate(app.wsgi_app, boot, **options)
    app.wsgi_app = gate  # type: ignore[method-assign]
    app.extensions[EXTENSION] = gate
    if start:
        gate.start()
        atexit.register(gate.close)
    return gate


def gate_for(app: Flask) -> WsgiGate:
    """The gate `init_app` put on `app` (e.g. to close it from a server's worker-exit hook)."""
    try:
        gate: WsgiGate = app.extensions[EXTENSION]
    except KeyError:
        raise LookupError(f"bootgate is not set up on {app.name!r}; call init_app first") from None
    return gate

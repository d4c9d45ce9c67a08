"""The UI of scenario S1: renders the gateway's package list, or the error it got.

    GATEWAY_URL=http://127.0.0.1:8000 python -m examples.s1_gateway.ui

Started as `bootgate wait $GATEWAY_URL/readyz -- python -m examples.s1_gateway.ui`, it starts
only once the gateway is ready, so users never see ECONNREFUSED or a half-migrated gateway.
Exit 0 when it could render the packages, 1 when it had to show an error.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    """Fetch the packages once and print what a user would see."""
    base = os.environ.get("GATEWAY_URL", "http://127.0.0.1:8000").rstrip("/")
    request = urllib.request.Request(f"{base}/api/packages", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            packages = json.load(response)["packages"]
    except urllib.error.HTTPError as exc:
        print(f"UI shows an error: HTTP {exc.code} from the gateway")
        return 1
    except OSError as exc:
        print(f"UI shows an error: {exc}")
        return 1
    print(f"UI shows {len(packages)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The health endpoints as Django URLs: `path("", include("bootgate.integrations.django.urls"))`.

Include them at the root; BOOTGATE_PATHS (a `bootgate.http.Paths`, e.g. with prefix="/-", or
the BOOTGATE_*_PATH environment variables) moves them, and the gate middleware reads the same.
The middleware answers these paths itself; the URLs serve them where it is not installed.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from bootgate.http import Route

from ._passage import answer
from ._runtime import configured, gate


@csrf_exempt  # health endpoints answer 405 to a POST, not a CSRF failure
def endpoint(request: HttpRequest) -> HttpResponseBase:
    """Answer /livez, /readyz, /startupz, /status, /status/stream and the page's assets."""
    answered = answer(gate(), request)
    if answered is None:
        raise Http404("bootgate's URLs must be included at the root (see BOOTGATE_PATHS)")
    return answered


_paths = configured().paths
urlpatterns: list[URLPattern] = [
    path(_paths.url(route).removeprefix("/"), endpoint, name=f"bootgate-{route.value}")
    for route in Route
]

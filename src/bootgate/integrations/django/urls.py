"""The health endpoints as Django URLs: `path("", include("bootgate.integrations.django.urls"))`.

Include them at the root; BOOTGATE_PATHS (a `bootgate.http.Paths`, e.g. with prefix="/-")
moves them, and the gate middleware reads the same setting.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from bootgate.http._paths import Route

from ._passage import through_gate
from ._runtime import configured_paths, gate


@csrf_exempt  # health endpoints answer 405 to a POST, not a CSRF failure
def endpoint(request: HttpRequest) -> HttpResponseBase:
    """Answer /livez, /readyz, /startupz, /status, /status/stream and the page's assets."""
    answer = through_gate(gate(), request)
    if answer is None:
        raise Http404("bootgate's URLs must be included at the root (see BOOTGATE_PATHS)")
    return answer


_paths = configured_paths()
urlpatterns: list[URLPattern] = [
    path(_paths.url(route).removeprefix("/"), endpoint, name=f"bootgate-{route.value}")
    for route in Route
]

"""URLs of the test project: bootgate's health endpoints and one view of the application."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def orders(request: HttpRequest) -> JsonResponse:
    """The application's view."""
    return JsonResponse({"orders": 3})


urlpatterns = [
    path("", include("bootgate.integrations.django.urls")),
    path("orders", orders),
]

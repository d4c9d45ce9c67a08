"""A minimal Django project for the tests: settings made in the test process, no database."""

from __future__ import annotations

import django
from django.conf import settings

from bootgate import Boot

#: A Boot importable by name, for BOOTGATE_BOOT = "tests.integrations.django_site:named".
named = Boot("named", hooks=[])
not_a_boot = "just a string"


def configure() -> None:
    """Configure Django once per process for these tests (no database, no apps)."""
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="tests-only",
        ALLOWED_HOSTS=["testserver", "127.0.0.1"],
        ROOT_URLCONF="tests.integrations.django_urls",
        INSTALLED_APPS=[],
        MIDDLEWARE=["bootgate.integrations.django.GateMiddleware"],
        DATABASES={},
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )
    django.setup()

"""bootgate.http's front door: an honest __all__, documented names, no heavy imports."""

from __future__ import annotations

import inspect
import subprocess
import sys

import bootgate.http
import bootgate.integrations.aiohttp
import bootgate.integrations.starlette


def test_all_is_sorted_documented_and_importable() -> None:
    """__all__ is sorted (constants, classes, functions); every class and function has a
    docstring (type aliases such as ASGIApp are documented by their module)."""

    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    for module in (
        bootgate.http,
        bootgate.integrations.aiohttp,
        bootgate.integrations.starlette,
    ):
        names = list(module.__all__)
        assert names == sorted(names, key=kind)
        for name in names:
            value = getattr(module, name)
            assert value is not None
            if inspect.isclass(value) or inspect.isfunction(value):
                assert value.__doc__, f"{module.__name__}.{name} has no docstring"


def test_http_imports_no_server_or_framework() -> None:
    """`import bootgate.http` loads neither a server, a framework, nor the probes' drivers."""
    code = (
        "import sys, bootgate.http; "
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('uvicorn', 'starlette', 'httpx', 'psycopg', 'redis', 'pymysql', 'playwright')"
        " or m.startswith(('bootgate.probes', 'bootgate.cli', 'bootgate.integrations'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_observability_room_never_imports_http() -> None:
    """The dashboard uses bootgate.observe, so that room may never import bootgate.http back."""
    import ast
    from pathlib import Path

    import bootgate.observe

    for path in Path(bootgate.observe.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("bootgate.http"), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("bootgate.http") for a in node.names), path.name

"""The observability rooms stay outside the core and use only bootgate's public names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import bootgate
from tests.test_public_api import _imports, core_modules

SRC = Path(bootgate.__file__).parent
ROOMS = [*sorted((SRC / "observe").glob("*.py")), SRC / "integrations" / "opentelemetry.py"]


def test_no_core_module_imports_the_observability_rooms() -> None:
    """The engine never reaches for history, analysis or tracing: they are hooks on its events."""
    offenders = {
        name: found
        for name, path in core_modules().items()
        if (found := _imports(path) & {"observe", "integrations"})
    }
    assert offenders == {}


def test_the_rooms_use_bootgate_only_through_public_names() -> None:
    """`from bootgate import X` only for X in `bootgate.__all__`; no private module of the core."""
    for path in ROOMS:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "bootgate":
                names = {alias.name for alias in node.names}
                assert names <= set(bootgate.__all__), (path.name, names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("bootgate._"), (path.name, node.module)


def test_import_bootgate_loads_no_observability_code() -> None:
    """`import bootgate` loads neither the history nor the tracing hook nor sqlite3."""
    code = (
        "import sys, bootgate; print([m for m in sys.modules if m.startswith("
        "('bootgate.observe', 'bootgate.integrations', 'sqlite3', 'opentelemetry'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

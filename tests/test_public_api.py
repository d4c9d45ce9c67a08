"""The package's front door and the direction of imports between its rooms."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import bootgate

SRC = Path(bootgate.__file__).parent
CORE = {
    "_backoff",
    "_boot",
    "_calls",
    "_clock",
    "_context",
    "_duration",
    "_errors",
    "_events",
    "_graph",
    "_probe",
    "_redact",
    "_runner",
    "_state",
    "_testmode",
}
OUTER = {"probes", "http", "integrations", "cli"}


def test_all_is_sorted_and_every_name_exists() -> None:
    """__all__ is sorted (constants, classes, functions), complete, and importable."""

    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert list(bootgate.__all__) == sorted(bootgate.__all__, key=kind)
    for name in bootgate.__all__:
        assert getattr(bootgate, name) is not None
    assert set(bootgate._MODULES) == set(bootgate.__all__)
    assert set(dir(bootgate)) >= set(bootgate.__all__)


def test_unknown_names_raise_attribute_error() -> None:
    """The lazy front door still says no to names it does not have."""
    with pytest.raises(AttributeError, match="no attribute 'Bot'"):
        _ = bootgate.Bot


def test_every_public_name_has_a_docstring() -> None:
    """Classes and functions exported by the package document themselves."""
    undocumented = [
        name
        for name in bootgate.__all__
        if callable(getattr(bootgate, name)) and not getattr(bootgate, name).__doc__
    ]
    assert undocumented == []


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bootgate.")
        ):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            for arg in node.args:
                if isinstance(arg, ast.Constant) and str(arg.value).startswith("bootgate."):
                    found.add(str(arg.value).split(".")[1])
    return found


def test_core_modules_never_import_the_outer_rooms() -> None:
    """_graph, _runner & co. import nothing from probes, http, integrations or cli."""
    offenders = {
        module: sorted(_imports(SRC / f"{module}.py") & OUTER) for module in CORE - {"_boot"}
    }
    assert {m: o for m, o in offenders.items() if o} == {}


def test_boot_reaches_probes_only_lazily() -> None:
    """The Boot facade loads the probe registry on first use of a string target, not at import."""
    source = (SRC / "_boot.py").read_text()
    assert "from .probes" not in source
    assert 'import_module("bootgate.probes")' in source


def test_import_bootgate_stays_light() -> None:
    """`import bootgate` loads no HTTP code, no drivers and no CLI."""
    code = (
        "import sys, bootgate; "
        "heavy = [m for m in sys.modules if m.startswith(('bootgate.http', 'bootgate.cli', "
        "'bootgate.probes', 'bootgate.integrations', 'psycopg', 'redis', 'pymysql', "
        "'starlette', 'prometheus_client', 'http.server', 'asyncio.subprocess'))]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

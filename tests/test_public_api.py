"""The package's front door and the direction of imports between its rooms."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import bootgate

SRC = Path(bootgate.__file__).parent
OUTER = {"probes", "http", "integrations", "cli"}
#: The core's only doors to outer rooms, opened with importlib at call time, never at import:
#: a string target needs the probe registry; `Boot.asgi()`/`Boot.wsgi()` hand over to http.
LAZY_DOORS = {"_targets": {"probes"}, "_boot": {"http"}}


def core_modules() -> dict[str, Path]:
    """Every module of the core: the package's own top-level files (`_*.py`, testing.py)."""
    return {path.stem: path for path in sorted(SRC.glob("*.py"))}


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


def _imports(path: Path, *, module_level: bool = False) -> set[str]:
    """The bootgate subpackages and modules `path` imports (at module level only, if asked)."""
    tree = ast.parse(path.read_text())
    nodes = ast.walk(tree)
    if module_level:
        # Statements outside any function, including those under `if`/`try` at module level.
        nodes = (
            node
            for node in ast.walk(tree)
            if not any(
                isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef)
                for parent in _parents(tree, node)
            )
        )
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update(alias.name for alias in node.names)
        elif (
            isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bootgate.")
        ):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.split(".")[1]
                for alias in node.names
                if alias.name.startswith("bootgate.")
            )
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            for arg in node.args:
                if isinstance(arg, ast.Constant) and str(arg.value).startswith("bootgate."):
                    found.add(str(arg.value).split(".")[1])
    return found


def _parents(tree: ast.AST, target: ast.AST) -> list[ast.AST]:
    """The chain of nodes from `tree` down to `target` (exclusive)."""
    for node in ast.iter_child_nodes(tree):
        if node is target:
            return [tree]
        chain = _parents(node, target)
        if chain:
            return [tree, *chain]
    return []


def test_the_walk_finds_every_core_module() -> None:
    """The import rule covers the whole core, including modules added later, and no outer room."""
    modules = set(core_modules())
    assert {"__init__", "_runner", "_waiting", "_wait_for", "_events", "testing"} <= modules
    assert not modules & OUTER
    assert len(modules) >= 20


def test_core_modules_never_import_the_outer_rooms() -> None:
    """No core module imports probes, http, integrations or cli, except through a lazy door."""
    offenders = {
        name: sorted((_imports(path) & OUTER) - LAZY_DOORS.get(name, set()))
        for name, path in core_modules().items()
    }
    assert {m: o for m, o in offenders.items() if o} == {}


def test_lazy_doors_open_only_at_call_time() -> None:
    """The doors reach their outer room inside a function, never when the module is imported."""
    for name in LAZY_DOORS:
        path = core_modules()[name]
        assert _imports(path) & OUTER == LAZY_DOORS[name]
        assert _imports(path, module_level=True) & OUTER == set()


def test_boot_reaches_probes_only_through_the_door() -> None:
    """The Boot facade gets a string target's probe from `_targets`, not from the registry."""
    assert "probes" not in _imports(SRC / "_boot.py")
    assert "_targets" in _imports(SRC / "_boot.py", module_level=True)


def test_the_rule_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The checker finds relative, absolute, `import x.y` and importlib imports of a room."""
    module = tmp_path / "m.py"
    module.write_text(
        "import bootgate.cli\n"
        "from bootgate.http import asgi\n"
        "from . import integrations\n"
        "def f():\n"
        "    from .probes import probe_for\n"
        "    importlib.import_module('bootgate.probes')\n"
    )
    assert _imports(module) & OUTER == OUTER
    assert _imports(module, module_level=True) & OUTER == {"cli", "http", "integrations"}


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

"""Integrations use bootgate's HTTP layer through its public names only."""

from __future__ import annotations

import ast
from pathlib import Path

import bootgate.integrations

ROOT = Path(bootgate.integrations.__file__).parent


def _private_http_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Every import of a private `bootgate.http._*` module in one source file under `root`
    (the folder of the package `bootgate.integrations`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the file's package
                package = ["bootgate", "integrations", *path.relative_to(root).parent.parts]
                module = ".".join([*package[: len(package) - node.level + 1], module])
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names = [str(a.value) for a in node.args if isinstance(a, ast.Constant)]
        else:
            continue
        found += [f"{path.relative_to(root)}:{node.lineno} {name}" for name in names]
    return [f for f in found if "bootgate.http._" in f.split(" ", 1)[1]]


def test_no_integration_imports_a_private_http_module() -> None:
    """No module under bootgate/integrations imports bootgate.http._anything."""
    sources = sorted(ROOT.rglob("*.py"))
    assert len(sources) >= 8  # the walk found the integrations
    offenders = [hit for source in sources for hit in _private_http_imports(source)]
    assert offenders == []


def test_the_check_sees_every_form_of_import(tmp_path: Path) -> None:
    """The checker flags `from`, plain, relative and import_module forms of a private import."""
    source = tmp_path / "django" / "views.py"
    source.parent.mkdir()
    source.write_text(
        "import bootgate.http._gate\n"
        "from bootgate.http._paths import Route\n"
        "from bootgate.http import _sse\n"
        "from ...http._types import Scope\n"
        "from ..http import Gate\n"
        "import importlib\n"
        "importlib.import_module('bootgate.http._wsgi')\n"
        "from bootgate.http import Gate\n"
    )
    hits = _private_http_imports(source, tmp_path)
    assert [hit.split(" ")[1] for hit in hits] == [
        "bootgate.http._gate",
        "bootgate.http._paths",
        "bootgate.http._paths.Route",
        "bootgate.http._sse",
        "bootgate.http._types",
        "bootgate.http._types.Scope",
        "bootgate.http._wsgi",
    ]

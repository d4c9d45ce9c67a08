"""`bootgate graph MODULE:ATTR`: a Boot's graph as Mermaid or DOT, one clear line otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bootgate import NodeStatus
from bootgate.cli import main
from bootgate.observe import NodeTiming, dot, graph_text, mermaid

SERVICE = """
import bootgate

boot = bootgate.Boot("gateway")
db = boot.dependency("db", "postgres://app:secret@127.0.0.1:1/app")

@boot.step(requires=[db])
def migrations():
    pass

@boot.step(requires=["migrations"], optional=True)
def cache():
    pass

class Holder:
    boot = boot
"""


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module declaring a Boot, importable from the current directory; its name."""
    name = f"svc_{abs(hash(tmp_path)) % 10**8}"
    (tmp_path / f"{name}.py").write_text(SERVICE)
    (tmp_path / "broken_at_import.py").write_text("raise RuntimeError('needs DATABASE_URL')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    return name


def test_mermaid_is_the_default(service: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Dependencies are cylinders, arrows run from a requirement to its dependent, optional
    nodes are dashed."""
    assert main(["graph", f"{service}:boot"]) == 0
    assert capsys.readouterr().out == (
        "---\n"
        'title: "gateway"\n'
        "---\n"
        "flowchart LR\n"
        '    n0[("db")]\n'
        '    n1["migrations"]\n'
        '    n2["cache"]\n'
        "    n0 --> n1\n"
        "    n1 --> n2\n"
        "    classDef optional stroke-dasharray: 5 5\n"
        "    class n2 optional\n"
    )


def test_dot_on_request(service: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`--format dot` prints a Graphviz digraph, from a dotted attribute path too."""
    assert main(["graph", f"{service}:Holder.boot", "--format", "dot"]) == 0
    assert capsys.readouterr().out == (
        'digraph "gateway" {\n'
        "    rankdir=LR;\n"
        '    node [shape=box, fontname="Helvetica"];\n'
        '    "db" [shape=cylinder];\n'
        '    "migrations";\n'
        '    "cache" [style=dashed];\n'
        '    "db" -> "migrations";\n'
        '    "migrations" -> "cache";\n'
        "}\n"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_colon", "expected MODULE:ATTR"),
        ("nosuchmodule_xyz:boot", "cannot import 'nosuchmodule_xyz'"),
        ("broken_at_import:boot", "RuntimeError: needs DATABASE_URL"),
        ("{service}:nothing", "has no attribute 'nothing'"),
        ("{service}:db", "is a Dependency, not a bootgate.Boot"),
    ],
)
def test_bad_targets_are_one_line_and_exit_2(
    service: str, target: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A target that does not lead to a Boot is exit 2 with one line saying why."""
    assert main(["graph", target.format(service=service)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_an_invalid_graph_is_one_line(
    tmp_path: Path, service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A graph with a cycle is reported with the cycle, exit 2."""
    (tmp_path / "cyclic_svc.py").write_text(
        "import bootgate\n"
        "boot = bootgate.Boot('loop')\n"
        "boot.step(name='a', requires=['b'])(lambda: None)\n"
        "boot.step(name='b', requires=['a'])(lambda: None)\n"
    )
    assert main(["graph", "cyclic_svc:boot"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cycle" in err


def test_names_that_would_break_the_syntax_are_escaped() -> None:
    """Quotes, hashes and backslashes in names stay inside their labels in both formats."""
    nodes = [
        NodeTiming('say "hi" #x; <b>&', kind="dependency"),
        NodeTiming("c:\\x", requires=("ghost",)),
    ]
    assert '[("say &quot;hi&quot; &num;x; &lt;b&gt;&amp;")]' in mermaid('a "title": yes', nodes)
    assert 'title: "a \\"title\\": yes"' in mermaid('a "title": yes', nodes)
    text = dot("t", nodes)
    assert '"say \\"hi\\" #x; <b>&" [shape=cylinder];' in text
    assert '"c:\\\\x";' in text
    assert "ghost" not in text  # a requirement outside the graph draws no edge


def test_graph_text_takes_live_nodes_and_refuses_unknown_formats() -> None:
    """The same functions draw a Boot's NodeStatus objects; an unknown format is a ValueError."""
    nodes = [NodeStatus("a", "step"), NodeStatus("b", "step", requires=("a",))]
    assert "    n0 --> n1\n" in graph_text("svc", nodes)
    with pytest.raises(ValueError, match="unknown graph format 'svg'"):
        graph_text("svc", nodes, "svg")


STACK = """
[stack]
name = "shop"

[process.db]
command = ["postgres", "-D", "data"]
ready = "tcp://127.0.0.1:55432"

[process.migrate]
command = ["python", "-m", "migrate"]
requires = { db = "ready" }

[process.worker]
command = ["python", "-m", "worker"]
requires = { db = "started" }

[process.web]
command = ["python", "-m", "web"]
requires = { migrate = "completed" }
"""


def test_a_stack_file_is_drawn_as_bootgate_up_runs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`bootgate graph bootgate.toml`: one node per process, one more per extra condition."""
    path = tmp_path / "bootgate.toml"
    path.write_text(STACK)
    assert main(["graph", "--format", "dot", str(path)]) == 0
    text = capsys.readouterr().out
    assert '"shop"' in text
    for edge in ('"db" -> "migrate"', '"db.started" -> "worker"', '"migrate" -> "web"'):
        assert edge in text, text
    path.write_text(STACK.replace('"started"', '"healthy"'))
    assert main(["graph", str(path)]) == 2
    assert "worker" in capsys.readouterr().err

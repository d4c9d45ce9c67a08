"""`bootgate export`: each engine's document for the S1 stack, checked by that engine's own
schema or tool (docker-compose config, kubernetes-validate --strict, an HCL2 parser)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from bootgate.export import ExportError, dump, dump_all, to_compose, to_kubernetes, to_nomad
from bootgate.stack import Stack, load_stack
from tests.servers import absent
from tests.stack.helpers import write_stack

ROOT = Path(__file__).resolve().parents[2]
S1 = ROOT / "examples" / "s1_stack" / "bootgate.toml"
ENV = {
    "PG_BIN": "/usr/lib/postgresql/15/bin",
    "PG_DATA": "/tmp/pgdata",
    "PG_PORT": "5999",
    "PG_OS_USER": "postgres",
    "IMAGE": "registry.example/s1:1.0",
}


@pytest.fixture
def s1() -> Stack:
    """The demo's stack file, with its variables filled in."""
    return load_stack(S1, ENV)


def test_compose_maps_conditions_healthchecks_and_policies(s1: Stack, tmp_path: Path) -> None:
    """depends_on carries each condition; a ready target becomes a `bootgate check`
    healthcheck; restart, stop signal and grace carry over; docker-compose accepts it."""
    document = to_compose(s1)
    services = document["services"]
    assert "depends_on" not in services["db"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["gateway"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"}
    }
    assert services["ui"]["depends_on"] == {"gateway": {"condition": "service_healthy"}}
    assert services["db"]["healthcheck"]["test"] == [
        "CMD",
        "bootgate",
        "check",
        "postgres://postgres@127.0.0.1:5999/postgres",
    ]
    assert services["gateway"]["healthcheck"]["start_period"] == "1m"
    assert "healthcheck" not in services["ui"]  # a log pattern cannot be checked from inside
    assert services["gateway"]["restart"] == "on-failure:5"
    assert services["db"]["stop_signal"] == "SIGINT"
    assert services["db"]["user"] == "postgres"
    text = dump(document)
    assert yaml.safe_load(text) == document
    compose_config_ok(text, tmp_path)


def test_compose_on_the_host_network(s1: Stack, tmp_path: Path) -> None:
    """--host-network puts every service on the host's network."""
    document = to_compose(s1, host_network=True)
    assert {s["network_mode"] for s in document["services"].values()} == {"host"}
    compose_config_ok(dump(document), tmp_path)


def compose_config_ok(text: str, tmp_path: Path) -> None:
    """`docker-compose config -q` accepts the file (fail under CI, skip elsewhere if absent)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        absent("docker-compose is not installed (apt-get install docker-compose)")
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    done = subprocess.run(
        [str(binary), "-f", str(path), "config", "-q"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def kinds(documents: list[dict[str, Any]]) -> dict[str, str]:
    """name -> kind of each object."""
    return {d["metadata"]["name"]: d["kind"] for d in documents if d["kind"] != "Service"}


def test_kubernetes_jobs_deployments_probes_and_init_containers(s1: Stack, tmp_path: Path) -> None:
    """Completed processes are Jobs, the others Deployments; a bootgate service gets httpGet
    probes on /startupz /readyz /livez with its timeout as the startup budget; requirements
    are init containers; kubernetes-validate --strict accepts every object."""
    documents = to_kubernetes(s1)
    assert kinds(documents) == {
        "bootgate-waiter": "RoleBinding",
        "db": "Deployment",
        "migrate": "Job",
        "gateway": "Deployment",
        "ui": "Deployment",
    }
    by_name = {(d["kind"], d["metadata"]["name"]): d for d in documents}
    gateway = by_name[("Deployment", "gateway")]["spec"]["template"]["spec"]
    container = gateway["containers"][0]
    startup = container["startupProbe"]
    assert startup["httpGet"] == {"path": "/startupz", "port": 8001}
    assert startup["failureThreshold"] * startup["periodSeconds"] >= 60
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    (wait_job,) = gateway["initContainers"]
    assert wait_job["command"][:3] == ["kubectl", "wait", "--for=condition=complete"]
    assert gateway["serviceAccountName"] == "bootgate-waiter"
    ui = by_name[("Deployment", "ui")]["spec"]["template"]["spec"]
    (wait_ready,) = ui["initContainers"]
    assert wait_ready["command"][:3] == ["bootgate", "wait", "http://gateway:8001/readyz"]
    db = by_name[("Deployment", "db")]["spec"]["template"]["spec"]["containers"][0]
    assert db["readinessProbe"]["exec"]["command"][:2] == ["bootgate", "check"]
    assert by_name[("Service", "db")]["spec"]["ports"][0]["port"] == 5999
    path = tmp_path / "k8s.yaml"
    path.write_text(dump_all(documents))
    assert list(yaml.safe_load_all(path.read_text())) == documents
    done = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_nomad_one_group_prestart_tasks_and_wait_entrypoints(s1: Stack) -> None:
    """One job, one group; completed processes are prestart tasks that leave a marker, what
    they need is a prestart sidecar; each requirement is a `bootgate wait` entrypoint."""
    text = to_nomad(s1)
    parsed = plain(hcl2.loads(text))
    (job,) = parsed["job"]
    (job_body,) = job.values()
    (group,) = job_body["group"]
    (group_body,) = group.values()
    tasks = {name: body for task in group_body["task"] for name, body in task.items()}
    assert list(tasks) == ["db", "migrate", "gateway", "ui"]

    def lifecycle(name: str) -> dict[str, Any] | None:
        blocks = tasks[name].get("lifecycle")
        return blocks[0] if blocks else None

    assert lifecycle("migrate") == {"hook": "prestart", "sidecar": False}
    assert lifecycle("db") == {"hook": "prestart", "sidecar": True}
    assert lifecycle("gateway") is None
    gateway = tasks["gateway"]["config"][0]
    assert gateway["entrypoint"][:3] == ["bootgate", "wait", "file:///alloc/migrate.completed"]
    migrate = tasks["migrate"]["config"][0]
    assert migrate["entrypoint"][:3] == [
        "bootgate",
        "wait",
        "postgres://postgres@127.0.0.1:5999/postgres",
    ]
    assert tasks["ui"]["config"][0]["entrypoint"][:3] == [
        "bootgate",
        "wait",
        "http://127.0.0.1:8001/readyz",
    ]
    assert migrate["command"] == "/bin/sh"
    assert migrate["args"][1] == '"$@" && touch /alloc/migrate.completed'


def plain(value: Any) -> Any:
    """python-hcl2's output without its markers: strings unquoted, `__…__` keys dropped."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return json.loads(value)
    return value


def test_hcl_strings_cannot_interpolate(tmp_path: Path) -> None:
    """A `${...}` written in a command stays text in HCL (escaped as $${...})."""
    stack = load_stack(
        write_stack(tmp_path, '[process.a]\nimage = "x"\ncommand = ["echo", "$${HOME}"]\n'), {}
    )
    text = to_nomad(stack)
    assert '"$${HOME}"' in text
    assert hcl2.loads(text)


@pytest.mark.parametrize("engine", ["compose", "kubernetes", "nomad"])
def test_a_process_without_an_image_is_refused(tmp_path: Path, engine: str) -> None:
    """Every process needs `image` to be exported: one line naming the process."""
    path = write_stack(tmp_path, '[process.web]\ncommand = "serve"\n')
    done = subprocess.run(
        [sys.executable, "-m", "bootgate.cli", "export", engine, str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert f"{path}: process web: image: required by `bootgate export`" in done.stderr


def test_ready_on_a_log_pattern_cannot_be_exported(tmp_path: Path) -> None:
    """Nothing outside a process can read its log: requiring it ready is refused by name."""
    stack = load_stack(
        write_stack(
            tmp_path,
            """
            [process.api]
            image = "x"
            command = "serve"
            ready = { log = "listening" }
            [process.ui]
            image = "x"
            command = "ui"
            requires = { api = "ready" }
            """,
        ),
        {},
    )
    for export in (to_compose, to_kubernetes, to_nomad):
        with pytest.raises(ExportError, match="process ui: requires: api = 'ready', but api's"):
            export(stack)


def test_the_command_line_writes_a_file(tmp_path: Path) -> None:
    """--output writes the document instead of printing it."""
    out = tmp_path / "compose.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "bootgate.cli", "export", "compose", str(S1), "-o", str(out)],
        capture_output=True,
        text=True,
        env={**ENV, "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(out.read_text())["services"]["ui"]["image"] == "registry.example/s1:1.0"

"""`bootgate export kubernetes`: the stack as Kubernetes objects.

A process that others wait on to complete becomes a Job; every other one a Deployment (one
replica), with a Service when a target names its port. Probes come from the stack file: a ready
target that is a bootgate service gets `httpGet` startup, readiness and liveness probes on its
/startupz, /readyz and /livez; any other target an `exec: bootgate check` probe. The ready
timeout is the startup probe's budget (`failureThreshold * periodSeconds`); `live` becomes the
liveness probe (its interval and failures). Requirements become init containers: `bootgate
wait` on the requirement's ready target (at its Service's name) for `ready`, and `kubectl wait`
for a Job's completion for `completed` (with a ServiceAccount allowed to read Jobs); `started`
orders nothing in Kubernetes, where every Pod starts at once.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from bootgate.stack import Condition, LiveCheck, LogCheck, Process, Stack

from ._common import (
    check_command,
    elsewhere,
    fail,
    image,
    is_bootgate_service,
    port_of,
    ready_target,
)

KUBECTL_IMAGE = "bitnami/kubectl:1.31"
WAITER = "bootgate-waiter"


def to_kubernetes(
    stack: Stack, *, host_network: bool = False, kubectl_image: str = KUBECTL_IMAGE
) -> list[dict[str, Any]]:
    """The Kubernetes objects (dicts ready for YAML, one document each) for `stack`."""
    documents: list[dict[str, Any]] = []
    waits_for_jobs = any(c is Condition.COMPLETED for p in stack.processes for _, c in p.requires)
    if waits_for_jobs:
        documents += _waiter_rbac(stack)
    for process in stack.processes:
        pod = _pod(stack, process, host_network, kubectl_image)
        labels = {"app.kubernetes.io/name": process.name, "app.kubernetes.io/part-of": stack.name}
        if stack.goal(process.name) is Condition.COMPLETED:
            pod["restartPolicy"] = "Never" if process.restart.limit == 0 else "OnFailure"
            documents.append(
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "metadata": {"name": process.name, "labels": labels},
                    "spec": {
                        "backoffLimit": process.restart.limit,
                        "template": {"metadata": {"labels": labels}, "spec": pod},
                    },
                }
            )
            continue
        documents.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": process.name, "labels": labels},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app.kubernetes.io/name": process.name}},
                    "template": {"metadata": {"labels": labels}, "spec": pod},
                },
            }
        )
        ports = _ports(process)
        if ports and not host_network:
            documents.append(
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": process.name, "labels": labels},
                    "spec": {
                        "selector": {"app.kubernetes.io/name": process.name},
                        "ports": [{"name": f"port-{p}", "port": p, "targetPort": p} for p in ports],
                    },
                }
            )
    return documents


def _pod(stack: Stack, process: Process, host_network: bool, kubectl: str) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": process.name,
        "image": image(stack, process),
        "command": list(process.command),
    }
    if process.env:
        container["env"] = [{"name": k, "value": v} for k, v in process.env]
    if process.cwd_text and process.cwd_text.startswith("/"):
        container["workingDir"] = process.cwd_text
    if process.user and process.user.isdigit():
        container["securityContext"] = {"runAsUser": int(process.user)}
    ports = _ports(process)
    if ports:
        container["ports"] = [{"containerPort": p} for p in ports]
    container.update(_probes(process))
    pod: dict[str, Any] = {"containers": [container]}
    if host_network:
        pod["hostNetwork"] = True
    pod["terminationGracePeriodSeconds"] = math.ceil(process.stop.grace)
    init = _init_containers(stack, process, host_network, kubectl)
    if init:
        pod["initContainers"] = init
        if any(c["name"].startswith("complete-") for c in init):
            pod["serviceAccountName"] = WAITER
    return pod


def _probes(process: Process) -> dict[str, Any]:
    probes: dict[str, Any] = {}
    target = ready_target(process)
    if target is not None and process.ready is not None:
        timeout = process.ready.timeout
        period = max(1, min(10, math.ceil(timeout / 30)))
        if is_bootgate_service(target):
            base = _base_path(target)
            port = port_of(target) or 80
            probes["startupProbe"] = _http(base + "/startupz", port, period, timeout)
            probes["readinessProbe"] = _http(base + "/readyz", port, 1, None)
            if process.live is None:
                probes["livenessProbe"] = _http(base + "/livez", port, 10, None, failures=3)
        else:
            probes["startupProbe"] = _exec(target, period, timeout)
            probes["readinessProbe"] = _exec(target, 1, None)
    if process.live is not None:
        probes["livenessProbe"] = _liveness(process.live)
    return probes


def _liveness(live: LiveCheck) -> dict[str, Any]:
    period = max(1, math.ceil(live.interval))
    parts = urlsplit(live.target)
    if parts.scheme in ("http", "https"):
        probe = _http(parts.path or "/", port_of(live.target) or 80, period, None)
        probe["failureThreshold"] = live.failures
        if parts.scheme == "https":
            probe["httpGet"]["scheme"] = "HTTPS"
        return probe
    return {
        "exec": {"command": check_command(live.target)},
        "periodSeconds": period,
        "failureThreshold": live.failures,
    }


def _http(
    path: str, port: int, period: int, budget: float | None, *, failures: int | None = None
) -> dict[str, Any]:
    probe: dict[str, Any] = {"httpGet": {"path": path, "port": port}, "periodSeconds": period}
    if budget is not None:
        probe["failureThreshold"] = max(1, math.ceil(budget / period))
    elif failures is not None:
        probe["failureThreshold"] = failures
    return probe


def _exec(target: str, period: int, budget: float | None) -> dict[str, Any]:
    probe: dict[str, Any] = {
        "exec": {"command": check_command(target)},
        "periodSeconds": period,
        "timeoutSeconds": 3,
    }
    if budget is not None:
        probe["failureThreshold"] = max(1, math.ceil(budget / period))
    return probe


def _init_containers(
    stack: Stack, process: Process, host_network: bool, kubectl: str
) -> list[dict[str, Any]]:
    init: list[dict[str, Any]] = []
    for name, condition in process.requires:
        other = stack.process(name)
        if condition is Condition.READY:
            if isinstance(other.ready, LogCheck):
                raise fail(
                    stack,
                    process,
                    "requires",
                    f"{name} = 'ready', but {name}'s ready check is a log pattern, which another "
                    "Pod cannot wait for; give it a target to export",
                )
            target = ready_target(other)
            if target is None:  # pragma: no cover - validated when the file was read
                continue
            seen = target if host_network else elsewhere(target, name)
            timeout = other.ready.timeout if other.ready is not None else 60.0
            init.append(
                {
                    "name": f"ready-{name}",
                    "image": image(stack, process),
                    "command": ["bootgate", "wait", seen, "--timeout", f"{math.ceil(timeout)}s"],
                }
            )
        elif condition is Condition.COMPLETED:
            init.append(
                {
                    "name": f"complete-{name}",
                    "image": kubectl,
                    "command": [
                        "kubectl",
                        "wait",
                        "--for=condition=complete",
                        f"job/{name}",
                        "--timeout=-1s",
                    ],
                }
            )
    return init


def _waiter_rbac(stack: Stack) -> list[dict[str, Any]]:
    labels = {"app.kubernetes.io/part-of": stack.name}
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": WAITER, "labels": labels},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": WAITER, "labels": labels},
            "rules": [
                {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch"]}
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": WAITER, "labels": labels},
            "subjects": [{"kind": "ServiceAccount", "name": WAITER}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": WAITER},
        },
    ]


def _base_path(target: str) -> str:
    path = urlsplit(target).path.rstrip("/")
    for suffix in ("/status/stream", "/status", "/readyz", "/livez", "/startupz"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _ports(process: Process) -> list[int]:
    ports = []
    for target in (ready_target(process), process.live.target if process.live else None):
        port = port_of(target) if target else None
        if (
            port is not None
            and port not in ports
            and urlsplit(target or "").scheme
            not in (
                "file",
                "unix",
            )
        ):
            ports.append(port)
    return ports

"""`bootgate export compose`: the stack as a Compose file.

Each process becomes a service. `requires` becomes `depends_on` with the matching condition
(`service_started`, `service_healthy`, `service_completed_successfully`); a process with a
ready target gets a healthcheck running `bootgate check` on it (inside its own container, so
loopback targets mean that container), with its ready timeout as `start_period`. Restart
policies, stop signals and graces carry over. `host_network` puts every service on the host's
network (`network_mode: host`), where the stack file's loopback addresses work unchanged;
without it, a loopback host in a target another service waits on is that service's name.
"""

from __future__ import annotations

from typing import Any

from bootgate.stack import Condition, LogCheck, RestartPolicy, Stack

from ._common import check_command, fail, go_duration, image, ready_target

CONDITIONS = {
    Condition.STARTED: "service_started",
    Condition.READY: "service_healthy",
    Condition.COMPLETED: "service_completed_successfully",
}
#: How often Compose runs a healthcheck: dependents start at most this long after ready.
DEFAULT_INTERVAL = 1.0


def to_compose(
    stack: Stack, *, host_network: bool = False, interval: float = DEFAULT_INTERVAL
) -> dict[str, Any]:
    """The Compose document (a dict ready for YAML) for `stack`."""
    services: dict[str, Any] = {}
    for process in stack.processes:
        service: dict[str, Any] = {"image": image(stack, process), "command": list(process.command)}
        if process.env:
            service["environment"] = dict(process.env)
        if process.user:
            service["user"] = process.user
        if process.cwd_text and process.cwd_text.startswith("/"):
            service["working_dir"] = process.cwd_text
        if host_network:
            service["network_mode"] = "host"
        target = ready_target(process)
        if target is not None:
            service["healthcheck"] = {
                "test": ["CMD", *check_command(target)],
                "interval": go_duration(interval),
                "timeout": go_duration(3.0),
                "retries": 3,
                "start_period": go_duration(process.ready.timeout if process.ready else 60.0),
            }
        if process.requires:
            depends: dict[str, Any] = {}
            for name, condition in process.requires:
                other = stack.process(name)
                if condition is Condition.READY and isinstance(other.ready, LogCheck):
                    raise fail(
                        stack,
                        process,
                        "requires",
                        f"{name} = 'ready', but {name}'s ready check is a log pattern, which "
                        "Compose cannot check; give it a target to export",
                    )
                depends[name] = {"condition": CONDITIONS[condition]}
            service["depends_on"] = depends
        service["restart"] = _restart(process.restart.policy, process.restart.limit)
        service["stop_signal"] = process.stop.signal.name
        service["stop_grace_period"] = go_duration(process.stop.grace)
        services[process.name] = service
    # No top-level `name`: Compose v1 (Debian's docker-compose) refuses it; `-p` names a project.
    return {"services": services}


def _restart(policy: RestartPolicy, limit: int) -> str:
    if policy is RestartPolicy.NO:
        return "no"
    if policy is RestartPolicy.ON_FAILURE:
        return f"on-failure:{limit}"
    return "always"

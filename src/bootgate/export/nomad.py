"""`bootgate export nomad`: the stack as one Nomad job with one task group.

Tasks of a group start together, so the order comes from two things. Lifecycle: a process
others wait on to complete is a `prestart` task (main tasks start once it exited 0), and every
process such a task needs, directly or not, is a `prestart` sidecar (started before the main
tasks and kept running). Entrypoints: a task starts as `bootgate wait TARGET... -- COMMAND`,
so its program runs only once its requirements answer: a `ready` requirement's target (the
group shares one network namespace, where the stack file's loopback addresses mean what they
say), and for a `completed` one the file `/alloc/NAME.completed`, which that task writes in
the allocation's shared directory when its command exits 0 (through `/bin/sh`).
"""

from __future__ import annotations

import math
import re

from bootgate.stack import Condition, LogCheck, Process, RestartPolicy, Stack

from ._common import fail, go_duration, image, ready_target
from ._hcl import Block, render

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def to_nomad(
    stack: Stack, *, datacenters: tuple[str, ...] = ("dc1",), host_network: bool = False
) -> str:
    """The Nomad job (HCL2 text) for `stack`."""
    jobs = {p.name for p in stack.processes if stack.goal(p.name) is Condition.COMPLETED}
    sidecars: set[str] = set()
    todo = [name for job in jobs for name, _ in stack.process(job).requires]
    while todo:
        name = todo.pop()
        if name not in jobs and name not in sidecars:
            sidecars.add(name)
            todo += [other for other, _ in stack.process(name).requires]
    root = Block("job", (stack.name,), {"datacenters": list(datacenters), "type": "service"})
    group = root.add(Block("group", (stack.name,), {"count": 1}))
    group.add(Block("network", attributes={"mode": "host" if host_network else "bridge"}))
    for process in stack.processes:
        group.add(_task(stack, process, process.name in jobs, process.name in sidecars))
    return render(root)


def completed_marker(name: str) -> str:
    """The file a `completed` task leaves in the allocation's shared directory."""
    return f"/alloc/{name}.completed"


def _task(stack: Stack, process: Process, job: bool, sidecar: bool) -> Block:
    task = Block("task", (process.name,), {"driver": "docker"})
    if process.user:
        task.attributes["user"] = process.user
    task.attributes["kill_signal"] = process.stop.signal.name
    task.attributes["kill_timeout"] = go_duration(process.stop.grace)
    if job or sidecar:
        task.add(Block("lifecycle", attributes={"hook": "prestart", "sidecar": sidecar}))
    config: dict[str, object] = {"image": image(stack, process)}
    waits = _waits(stack, process)
    if waits:
        config["entrypoint"] = ["bootgate", "wait", *waits, "--"]
    argv = list(process.command)
    if job:
        marker = completed_marker(process.name)
        argv = ["/bin/sh", "-c", f'"$@" && touch {marker}', "sh", *argv]
    config["command"] = argv[0]
    if len(argv) > 1:
        config["args"] = argv[1:]
    if process.cwd_text and process.cwd_text.startswith("/"):
        config["work_dir"] = process.cwd_text
    task.add(Block("config", attributes=config))
    if process.env:
        for key, _ in process.env:
            if not _IDENTIFIER.fullmatch(key):
                raise fail(stack, process, "env", f"{key!r} is not a name Nomad's env block takes")
        task.add(Block("env", attributes=dict(process.env)))
    task.add(_restart(process))
    return task


def _waits(stack: Stack, process: Process) -> list[str]:
    targets: list[str] = []
    for name, condition in process.requires:
        if condition is Condition.COMPLETED:
            targets.append(f"file://{completed_marker(name)}")
            continue
        if condition is not Condition.READY:
            continue  # `started`: the group's tasks start together
        other = stack.process(name)
        if isinstance(other.ready, LogCheck):
            raise fail(
                stack,
                process,
                "requires",
                f"{name} = 'ready', but {name}'s ready check is a log pattern, which another "
                "task cannot wait for; give it a target to export",
            )
        target = ready_target(other)
        if target is not None:
            targets.append(target)
    if targets:
        timeouts = [_timeout(stack.process(n)) for n, _ in process.requires]
        longest = max([*timeouts, 60.0])
        targets += ["--timeout", f"{math.ceil(longest)}s"]
    return targets


def _restart(process: Process) -> Block:
    restart = process.restart
    attempts = 0 if restart.policy is RestartPolicy.NO else restart.limit
    return Block(
        "restart",
        attributes={
            "attempts": attempts,
            "interval": "30m",
            "delay": go_duration(max(restart.interval, 1.0)),
            "mode": "fail",
        },
    )


def _timeout(process: Process) -> float:
    return process.ready.timeout if process.ready is not None else 60.0

"""Writers of a stack file for the engines people run: Compose, Kubernetes, Nomad.

    from bootgate.stack import load_stack
    from bootgate.export import to_compose, dump
    print(dump(to_compose(load_stack("bootgate.toml"))))

Each takes a validated `Stack` and returns the engine's document; a stack that an engine
cannot express as written raises ExportError (one line naming file, process and field).
Nothing here is imported by `import bootgate`.
"""

from ._common import ExportError
from ._yaml import dump, dump_all
from .compose import to_compose
from .kubernetes import to_kubernetes
from .nomad import to_nomad

__all__ = ["ExportError", "dump", "dump_all", "to_compose", "to_kubernetes", "to_nomad"]

"""The runtime view of a Dockerfile: the target stage's state as a container would run it."""

from __future__ import annotations

from typing import Any

from ..document import Location, Path
from ..execution import execution
from .stages import StageState


def runtime_view(
    stage: dict[str, Any], state: StageState, base: dict[str, Any], locations: dict[Path, Location], base_path: Path
) -> dict[str, Any]:
    """Build ``runtimes[0]`` from the target stage and record where each field was set.

    ``base`` is the external image the stage chain starts from, found at ``base_path``.
    """
    prefix: Path = ("runtimes", 0)
    runtime: dict[str, Any] = {
        "subject": {"kind": "stage", "name": stage["name"] or str(stage["index"])},
        "base": base,
        "user": state.user,
        "healthcheck": state.healthcheck,
        "entrypoint": state.entrypoint,
        "cmd": state.cmd,
        "execution": execution(state.entrypoint, state.cmd),
        "env": state.env,
        "labels": state.labels,
        "ports": [port for port, _ in state.ports],
        "workdir": state.workdir,
        "stop_signal": state.stop_signal,
        "volumes": state.volumes,
        "shell": state.shell,
    }

    locations[prefix] = Location(stage["line"], stage["line"])
    locations[(*prefix, "base")] = locations[base_path]
    locations[(*prefix, "user")] = state.user_location
    locations[(*prefix, "healthcheck")] = state.healthcheck_location
    shell_entrypoint = state.entrypoint is not None and state.entrypoint["form"] == "shell"
    started_by_cmd = state.cmd is not None and not shell_entrypoint
    for key, location in (
        ("entrypoint", state.entrypoint_location),
        ("cmd", state.cmd_location),
        ("execution", state.cmd_location if started_by_cmd else state.entrypoint_location),
        ("workdir", state.workdir_location),
        ("stop_signal", state.stop_signal_location),
        ("shell", state.shell_location),
    ):
        if location is not None:
            locations[(*prefix, key)] = location
    for name, location in state.env_locations.items():
        locations[(*prefix, "env", name)] = location
    for name, location in state.label_locations.items():
        locations[(*prefix, "labels", name)] = location
    for number, (_, location) in enumerate(state.ports):
        locations[(*prefix, "ports", number)] = location
    return runtime

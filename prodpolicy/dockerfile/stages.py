"""The state of a build stage and how each instruction changes it.

A stage starts from its base: an image, whose configuration the Dockerfile
cannot see, or an earlier stage, whose USER, ENV, ARG values, WORKDIR, SHELL,
HEALTHCHECK, CMD, ENTRYPOINT, EXPOSE, LABEL, VOLUME and STOPSIGNAL it inherits,
as BuildKit does. Each state field keeps the location of the instruction that
set it, so a finding about the runtime view points at that line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..document import Location
from .context import DEFAULT_SHELL


@dataclass
class StageState:
    """The state a stage passes on to the stages built FROM it.

    Values are replaced, never changed in place, so a child stage may share the
    dicts of its parent's state.
    """

    user: dict[str, Any]
    user_location: Location
    healthcheck: dict[str, Any]
    healthcheck_location: Location
    env: dict[str, dict[str, Any]] = field(default_factory=dict)
    env_locations: dict[str, Location] = field(default_factory=dict)
    # ARG values in scope: None for a build argument without a value.
    args: dict[str, str | None] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    label_locations: dict[str, Location] = field(default_factory=dict)
    entrypoint: dict[str, Any] | None = None
    entrypoint_location: Location | None = None
    cmd: dict[str, Any] | None = None
    cmd_location: Location | None = None
    workdir: str | None = None
    workdir_location: Location | None = None
    shell: list[str] = field(default_factory=lambda: list(DEFAULT_SHELL))
    shell_location: Location | None = None
    ports: list[tuple[dict[str, Any], Location]] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    stop_signal: str | None = None
    stop_signal_location: Location | None = None

    def environment(self) -> dict[str, str | None]:
        """Return the variables an instruction can substitute: ARG values, overridden by ENV."""
        environment = dict(self.args)
        for name, variable in self.env.items():
            environment[name] = None if variable.get("unknown") else variable.get("value")
        return environment


def fresh_state(from_location: Location) -> StageState:
    """Return the state of a stage built from an image: root, no health check, the default shell."""
    return StageState(
        user={"raw": None, "user": "root", "uid": 0, "is_root": True, "source": "default"},
        user_location=from_location,
        healthcheck={"state": "absent", "source": "default"},
        healthcheck_location=from_location,
    )


def inherited_state(parent: StageState) -> StageState:
    """Return the state of a stage built FROM another stage of the same file."""
    state = replace(
        parent,
        env=dict(parent.env),
        env_locations=dict(parent.env_locations),
        args=dict(parent.args),
        labels=dict(parent.labels),
        label_locations=dict(parent.label_locations),
        shell=list(parent.shell),
        ports=list(parent.ports),
        volumes=list(parent.volumes),
    )
    if state.user["source"] == "instruction":
        state.user = {**state.user, "source": "inherited"}
    if state.healthcheck.get("source") == "instruction":
        state.healthcheck = {**state.healthcheck, "source": "inherited"}
    return state


def apply(state: StageState, instruction: dict[str, Any], location: Location, cmd_set: bool) -> bool:
    """Apply one instruction without errors to the state; return whether CMD is now set in this stage.

    ARG, COPY, ADD and RUN need the whole build (global ARGs, the stage graph)
    and are handled by the caller.
    """
    keyword = instruction["keyword"]
    if keyword in ("ENV", "LABEL"):
        values, locations = (state.env, state.env_locations) if keyword == "ENV" else (state.labels, state.label_locations)
        for variable in instruction["variables"]:
            values[variable["name"]] = {**variable, "line": location.line}
            locations[variable["name"]] = location
    elif keyword == "USER":
        state.user, state.user_location = instruction["user"], location
    elif keyword == "HEALTHCHECK":
        state.healthcheck, state.healthcheck_location = instruction["healthcheck"], location
    elif keyword == "CMD":
        state.cmd, state.cmd_location = instruction["process"], location
        return True
    elif keyword == "ENTRYPOINT":
        state.entrypoint, state.entrypoint_location = instruction["process"], location
        # Docker clears a CMD inherited from the base when ENTRYPOINT is set, but not one set in this stage.
        if not cmd_set:
            state.cmd, state.cmd_location = None, None
    elif keyword == "WORKDIR":
        state.workdir, state.workdir_location = _join_workdir(state.workdir, instruction["path"]), location
    elif keyword == "SHELL":
        state.shell, state.shell_location = instruction["shell"], location
    elif keyword == "EXPOSE":
        state.ports.extend((port, location) for port in instruction["ports"])
    elif keyword == "VOLUME":
        state.volumes.extend(instruction["volumes"])
    elif keyword == "STOPSIGNAL":
        state.stop_signal, state.stop_signal_location = instruction["signal"], location
    return cmd_set


def _join_workdir(current: str | None, path: str) -> str:
    if path.startswith("/") or not current or _windows_path(path):
        return path
    return current.rstrip("/") + "/" + path


def _windows_path(path: str) -> bool:
    return len(path) >= 2 and path[1] == ":"

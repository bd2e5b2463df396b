"""Build the Dockerfile document: stages, their state, and the runtime view of the target.

The walk follows ``docker build``. Global ARGs apply to FROM lines only. Each
stage starts from its base: an image, or an earlier stage whose USER, ENV,
WORKDIR, SHELL, HEALTHCHECK, CMD, ENTRYPOINT, EXPOSE, LABEL, VOLUME and
STOPSIGNAL it inherits. ARG and ENV are scoped to their stage. The target stage
(the last one, or the one given as ``target``) defines the runtime view.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .. import secrets
from ..document import Document, Location, Path, Suppression
from ..errors import InputError, InvalidInput
from ..execution import execution
from .expand import PREDEFINED_ARGS, Expanded
from .instructions import DEFAULT_SHELL, Context, parse_instruction
from .lexer import LexResult, RawInstruction, lex
from ..suppressions import parse_suppression


@dataclass
class _StageState:
    """The state a stage passes on to the stages built FROM it."""

    user: dict[str, Any]
    user_location: Location
    healthcheck: dict[str, Any]
    healthcheck_location: Location
    env: dict[str, dict[str, Any]] = field(default_factory=dict)
    env_locations: dict[str, Location] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    label_locations: dict[str, Location] = field(default_factory=dict)
    entrypoint: dict[str, Any] | None = None
    entrypoint_location: Location | None = None
    cmd: dict[str, Any] | None = None
    cmd_location: Location | None = None
    workdir: str | None = None
    workdir_location: Location | None = None
    shell: list[str] = field(default_factory=lambda: list(DEFAULT_SHELL))
    ports: list[tuple[dict[str, Any], Location]] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    stop_signal: str | None = None
    stop_signal_location: Location | None = None


def _fresh_state(from_location: Location) -> _StageState:
    return _StageState(
        user={"raw": None, "user": "root", "uid": 0, "is_root": True, "source": "default"},
        user_location=from_location,
        healthcheck={"state": "absent", "source": "default"},
        healthcheck_location=from_location,
    )


def _inherited_state(parent: _StageState) -> _StageState:
    state = copy.deepcopy(parent)
    state.user = {**state.user, "source": "inherited"} if state.user["source"] == "instruction" else state.user
    if state.healthcheck.get("source") == "instruction":
        state.healthcheck = {**state.healthcheck, "source": "inherited"}
    return state


def normalize_dockerfile(text: str, file: str, target: str | None = None) -> Document:
    """Normalize Dockerfile text into a :class:`Document`.

    Raises :class:`InvalidInput` when Docker could not read the file at all (no
    instructions, no FROM, an unterminated heredoc, a bad directive) or when
    ``target`` names no stage.
    """
    lexed = lex(text, file)
    fatal = [error for error in lexed.errors if error.fatal]
    if fatal:
        raise InvalidInput(fatal[0])
    if not lexed.instructions:
        raise InvalidInput(
            InputError(file, "the file has no instructions; a Dockerfile needs at least one FROM line", line=None)
        )
    return _Builder(file, lexed, target).build()


class _Builder:
    def __init__(self, file: str, lexed: LexResult, target: str | None) -> None:
        self.file = file
        self.lexed = lexed
        self.target = target
        self.escape = lexed.escape
        self.locations: dict[Path, Location] = {}
        self.errors: list[InputError] = []
        self.secret_values: set[str] = set()
        self.global_env: dict[str, str | None] = {name: None for name in PREDEFINED_ARGS}
        self.global_args: list[dict[str, Any]] = []
        self.stage_names: dict[str, int] = {}
        self.stages: list[dict[str, Any]] = []
        self.states: list[_StageState] = []
        self.before_from: list[dict[str, Any]] = []
        self.suppressions: list[Suppression] = []

    def build(self) -> Document:
        current: _StageRun | None = None
        for raw in self.lexed.instructions:
            self._collect_suppressions(raw)
            if raw.keyword == "FROM":
                if current is not None:
                    self._finish_stage(current)
                current = self._start_stage(raw)
            elif current is None:
                self._before_first_from(raw)
            else:
                current.add(raw)
        if current is None:
            first = self.lexed.instructions[0]
            raise InvalidInput(
                InputError(
                    self.file,
                    f"no FROM instruction: {first.keyword} on line {first.start_line} is outside any build stage; "
                    "start the file with FROM",
                    line=first.start_line,
                )
            )
        self._finish_stage(current)
        final_index = self._final_stage_index()
        self._mark_reachable(final_index)
        runtime = self._runtime(final_index)

        data: dict[str, Any] = {
            "kind": "dockerfile",
            "file": self.file,
            "directives": [
                {"name": directive.name, "value": directive.value, "line": directive.line}
                for directive in self.lexed.directives
            ],
            "escape": self.escape,
            "global_args": self.global_args,
            "instructions_before_from": self.before_from,
            "stages": self.stages,
            "target": self.target,
            "final_stage": final_index,
            "runtimes": [runtime],
        }
        if self.lexed.warnings:
            data["warnings"] = [{"line": warning.line, "message": warning.message} for warning in self.lexed.warnings]
        lines = self.lexed.lines
        self.secret_values.update(secrets.find_tokens("\n".join(lines)))
        if self.secret_values:
            data = _redact_tree(data, frozenset(self.secret_values))
            lines = [secrets.redact_text(line, self.secret_values) for line in lines]
        return Document(
            kind="dockerfile",
            file=self.file,
            data=data,
            locations=self.locations,
            lines=lines,
            errors=self.errors,
            suppressions=self.suppressions,
        )

    def _collect_suppressions(self, raw: RawInstruction) -> None:
        for line, text in raw.comments:
            suppression = parse_suppression(text, line, raw.start_line, raw.end_line)
            if suppression is not None:
                self.suppressions.append(suppression)

    def _before_first_from(self, raw: RawInstruction) -> None:
        context = Context(self.global_env, self.escape, {}, self.file)
        instruction = parse_instruction(raw, context, list(DEFAULT_SHELL))
        index = len(self.before_from)
        self.before_from.append(instruction)
        self.locations[("instructions_before_from", index)] = Location(raw.start_line, raw.end_line)
        if raw.keyword != "ARG":
            message = f"{raw.keyword} before the first FROM; only ARG may come before FROM"
            instruction["error"] = message
            self._instruction_error(instruction)
            return
        self._instruction_error(instruction)
        for variable in instruction.get("variables", []):
            self._classify(variable)
            name = variable["name"]
            self.global_env[name] = None if variable.get("value") is None or variable.get("unknown") else variable["value"]
            self.locations[("global_args", len(self.global_args))] = Location(raw.start_line, raw.end_line)
            self.global_args.append({**variable, "line": raw.start_line})

    def _instruction_error(self, instruction: dict[str, Any]) -> None:
        message = instruction.get("error")
        if message:
            self.errors.append(InputError(self.file, message, line=instruction["line"], fatal=False))

    def _start_stage(self, raw: RawInstruction) -> _StageRun:
        index = len(self.stages)
        context = Context(self.global_env, self.escape, self.stage_names, self.file)
        instruction = parse_instruction(raw, context, list(DEFAULT_SHELL))
        self._instruction_error(instruction)
        from_location = Location(raw.start_line, raw.end_line)

        base = instruction["image"]
        parent = base.get("stage_index")
        state = _inherited_state(self.states[parent]) if parent is not None else _fresh_state(from_location)
        stage: dict[str, Any] = {
            "index": index,
            "name": instruction.get("stage_name"),
            "line": raw.start_line,
            "end_line": raw.end_line,
            "base": base,
            "platform": instruction.get("platform"),
            "parent_stage": parent,
            "depends_on": [parent] if parent is not None else [],
            "reachable": False,
            "final": False,
            "instructions": [instruction],
        }

        self.locations[("stages", index)] = from_location
        self.locations[("stages", index, "base")] = from_location
        self.locations[("stages", index, "instructions", 0)] = from_location
        name = instruction.get("stage_name")
        if name:
            if name.lower() in self.stage_names:
                self.errors.append(
                    InputError(self.file, f"duplicate stage name {name!r}; stage names must be unique",
                               line=raw.start_line, fatal=False)
                )
            self.stage_names[name.lower()] = index
        self.stages.append(stage)
        self.states.append(state)
        return _StageRun(self, index, stage, state)

    def _finish_stage(self, run: _StageRun) -> None:
        stage = run.stage
        last = stage["instructions"][-1]
        stage["end_line"] = max(stage["end_line"], last["end_line"])
        self.locations[("stages", run.index)] = Location(stage["line"], stage["end_line"])
        stage["user"] = run.state.user
        stage["env"] = run.state.env
        stage["args"] = run.args

    def _final_stage_index(self) -> int:
        if self.target is None:
            return len(self.stages) - 1
        index = self.stage_names.get(self.target.lower())
        if index is None:
            names = ", ".join(sorted(self.stage_names)) or "none"
            raise InvalidInput(
                InputError(self.file, f"target stage {self.target!r} not found; stages with names: {names}")
            )
        return index

    def _mark_reachable(self, final_index: int) -> None:
        self.stages[final_index]["final"] = True
        pending = [final_index]
        while pending:
            index = pending.pop()
            stage = self.stages[index]
            if stage["reachable"]:
                continue
            stage["reachable"] = True
            pending.extend(dependency for dependency in stage["depends_on"] if dependency < len(self.stages))

    def _root_stage(self, index: int) -> int:
        seen = set()
        while self.stages[index]["parent_stage"] is not None and index not in seen:
            seen.add(index)
            index = self.stages[index]["parent_stage"]
        return index

    def _runtime(self, index: int) -> dict[str, Any]:
        stage = self.stages[index]
        state = self.states[index]
        root = self._root_stage(index)
        prefix: Path = ("runtimes", 0)
        runtime: dict[str, Any] = {
            "subject": {"kind": "stage", "name": stage["name"] or str(index)},
            "base": self.stages[root]["base"],
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

        locations = self.locations
        locations[prefix] = Location(stage["line"], stage["line"])
        locations[(*prefix, "base")] = locations[("stages", root, "base")]
        locations[(*prefix, "user")] = state.user_location
        locations[(*prefix, "healthcheck")] = state.healthcheck_location
        for key, location in (
            ("entrypoint", state.entrypoint_location),
            ("cmd", state.cmd_location),
            ("execution", state.cmd_location if state.cmd and not _shell_entrypoint(state) else state.entrypoint_location),
            ("workdir", state.workdir_location),
            ("stop_signal", state.stop_signal_location),
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

    def _classify(self, variable: dict[str, Any]) -> None:
        """Mark credential names and redact secret values in one variable, in place."""
        name = variable["name"]
        if secrets.is_credential_name(name):
            variable["credential_name"] = True
        value = variable.get("value")
        if not value:
            return
        match = secrets.classify(name, value)
        if match is None:
            raw = variable.get("raw")
            match = secrets.classify(name, raw) if raw and raw != value else None
        if match is None:
            return
        self.secret_values.add(value)
        raw = variable.get("raw")
        if raw:
            self.secret_values.add(raw)
        variable["secret"] = {"reason": match.reason}
        variable["value"] = match.redacted
        if raw:
            variable["raw"] = secrets.redact_text(raw, {value, raw})


def _shell_entrypoint(state: _StageState) -> bool:
    return state.entrypoint is not None and state.entrypoint["form"] == "shell"


class _StageRun:
    """Applies the instructions of one stage to its state."""

    def __init__(self, builder: _Builder, index: int, stage: dict[str, Any], state: _StageState) -> None:
        self.builder = builder
        self.index = index
        self.stage = stage
        self.state = state
        self.args: list[dict[str, Any]] = []
        self.arg_values: dict[str, str | None] = {}
        self.cmd_set = False

    def environment(self) -> dict[str, str | None]:
        environment = dict(self.arg_values)
        for name, variable in self.state.env.items():
            environment[name] = None if variable.get("unknown") else variable.get("value")
        return environment

    def add(self, raw: RawInstruction) -> None:
        builder = self.builder
        context = Context(self.environment(), builder.escape, builder.stage_names, builder.file)
        instruction = parse_instruction(raw, context, self.state.shell)
        position = len(self.stage["instructions"])
        self.stage["instructions"].append(instruction)
        location = Location(raw.start_line, raw.end_line)
        builder.locations[("stages", self.index, "instructions", position)] = location
        builder._instruction_error(instruction)
        if instruction.get("error"):
            return
        self._apply(instruction, location)

    def _apply(self, instruction: dict[str, Any], location: Location) -> None:
        keyword = instruction["keyword"]
        state = self.state
        if keyword == "ARG":
            self._declare_args(instruction, location)
        elif keyword == "ENV":
            for variable in instruction["variables"]:
                self.builder._classify(variable)
                state.env[variable["name"]] = {**variable, "line": location.line}
                state.env_locations[variable["name"]] = location
                self.builder.locations[("stages", self.index, "env", variable["name"])] = location
        elif keyword == "LABEL":
            for variable in instruction["variables"]:
                self.builder._classify(variable)
                state.labels[variable["name"]] = {**variable, "line": location.line}
                state.label_locations[variable["name"]] = location
        elif keyword == "USER":
            state.user = instruction["user"]
            state.user_location = location
        elif keyword == "HEALTHCHECK":
            state.healthcheck = instruction["healthcheck"]
            state.healthcheck_location = location
        elif keyword == "CMD":
            state.cmd = instruction["process"]
            state.cmd_location = location
            self.cmd_set = True
        elif keyword == "ENTRYPOINT":
            state.entrypoint = instruction["process"]
            state.entrypoint_location = location
            # Docker clears a CMD inherited from the base when ENTRYPOINT is set, but not one set in this stage.
            if not self.cmd_set:
                state.cmd = None
                state.cmd_location = None
        elif keyword == "WORKDIR":
            path = instruction["path"]
            if not path.startswith("/") and state.workdir and not _windows_path(path):
                path = state.workdir.rstrip("/") + "/" + path
            state.workdir = path
            state.workdir_location = location
        elif keyword == "SHELL":
            state.shell = instruction["shell"]
        elif keyword == "EXPOSE":
            state.ports.extend((port, location) for port in instruction["ports"])
        elif keyword == "VOLUME":
            state.volumes.extend(instruction["volumes"])
        elif keyword == "STOPSIGNAL":
            state.stop_signal = instruction["signal"]
            state.stop_signal_location = location
        elif keyword in ("COPY", "ADD"):
            self._depend(instruction["copy"].get("from_stage"))
        elif keyword == "RUN":
            for mount in instruction.get("mounts", []):
                source = mount.get("from")
                if source is None:
                    continue
                index = self.builder.stage_names.get(source.lower())
                if index is None and source.isdigit():
                    index = int(source)
                self._depend(index)

    def _depend(self, index: int | None) -> None:
        if index is not None and index != self.index and index not in self.stage["depends_on"]:
            self.stage["depends_on"].append(index)

    def _declare_args(self, instruction: dict[str, Any], location: Location) -> None:
        builder = self.builder
        for variable in instruction["variables"]:
            name = variable["name"]
            if variable.get("value") is None:
                # ARG NAME without a default takes the global value of the same name, if any.
                value = builder.global_env.get(name)
                if name in builder.global_env and value is not None:
                    variable["value"] = value
                    variable["inherited_global"] = True
                self.arg_values[name] = value
            else:
                self.arg_values[name] = None if variable.get("unknown") else variable["value"]
            builder._classify(variable)
            builder.locations[("stages", self.index, "args", len(self.args))] = location
            self.args.append({**variable, "line": instruction["line"]})


def _windows_path(path: str) -> bool:
    return len(path) >= 2 and path[1] == ":"


def _redact_tree(value: Any, secret_values: frozenset[str]) -> Any:
    if isinstance(value, str):
        return secrets.redact_text(value, secret_values)
    if isinstance(value, dict):
        return {key: _redact_tree(item, secret_values) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_tree(item, secret_values) for item in value]
    return value


__all__ = ["Expanded", "normalize_dockerfile"]

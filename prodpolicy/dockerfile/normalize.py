"""Build the Dockerfile document: stages, their state, and the runtime view of the target.

The walk follows ``docker build``. Global ARGs apply to FROM lines only, unless
a stage declares them again. Each stage starts from its base: an image, or an
earlier stage whose state it inherits (see ``stages.py``) and whose ONBUILD
instructions run first. ARG and ENV are scoped to their stage and the stages
built FROM it. The target stage (the last one, or the one given as ``target``)
defines the runtime view, and the stages it uses through FROM, ``COPY --from``
and ``RUN --mount=from=`` are marked reachable.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar

from .. import secrets
from ..document import Document, Location, Path, Suppression
from ..errors import InputError, InvalidInput
from ..suppressions import parse_suppression
from . import facts
from .context import DEFAULT_SHELL, Context, whitespace_words
from .facts._build_secrets import command_tokens
from .expand import PREDEFINED_ARGS, Expanded
from .instructions import KNOWN_KEYWORDS, parse_instruction
from .lexer import LexResult, RawInstruction, lex
from .runtime_view import runtime_view
from .stages import StageState, apply, fresh_state, inherited_state


def normalize_dockerfile(text: str, file: str, target: str | None = None) -> Document:
    """Normalize Dockerfile text into a :class:`Document`.

    Raises :class:`InvalidInput` when Docker could not read the file at all (no
    instructions, no FROM, an unterminated heredoc, a bad directive, a line
    over 65535 bytes) or when ``target`` names no stage. Problems with single
    instructions are returned in the document's ``errors`` instead.
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


def _stage_names(instructions: list[RawInstruction]) -> tuple[dict[str, int], int]:
    """Find every stage name before the walk, since COPY --from may name a later stage by mistake.

    A repeated name maps to its last stage, as BuildKit's lookup for COPY --from and --target does.
    """
    names: dict[str, int] = {}
    count = 0
    for raw in instructions:
        if raw.keyword != "FROM":
            continue
        words = whitespace_words(raw.arguments_text)
        if len(words) == 3 and words[1].lower() == "as":
            names[words[2].lower()] = count
        count += 1
    return names, count


class _Builder:
    def __init__(self, file: str, lexed: LexResult, target: str | None) -> None:
        self.file = file
        self.lexed = lexed
        self.target = target
        self.escape = lexed.escape
        self.locations: dict[Path, Location] = {}
        # One Location per line, shared by the commands on it: a long RUN has a command on almost every line.
        self.line_locations: dict[int, Location] = {}
        self.errors: list[InputError] = []
        self.warnings: list[dict[str, Any]] = [
            {"line": warning.line, "message": warning.message} for warning in lexed.warnings
        ]
        self.secret_values: set[str] = set()
        self.global_env: dict[str, str | None] = {name: None for name in PREDEFINED_ARGS}
        self.global_args: list[dict[str, Any]] = []
        self.all_stage_names, self.stage_count = _stage_names(lexed.instructions)
        self.stage_names: dict[str, int] = {}
        self.stages: list[dict[str, Any]] = []
        self.states: list[StageState] = []
        # The ONBUILD instructions of each stage, run at the start of a stage built FROM it.
        self.triggers: list[list[RawInstruction]] = []
        self.before_from: list[dict[str, Any]] = []
        self.suppressions: list[Suppression] = []

    def build(self) -> Document:
        current: _StageRun | None = None
        for raw in self.lexed.instructions:
            self._collect_suppressions(raw)
            if raw.keyword == "FROM":
                current = self._start_stage(raw)
            elif current is None:
                self._before_first_from(raw)
            else:
                current.add(raw)
        if current is None:
            first = self.lexed.instructions[0]
            # A first word that is no instruction is not quoted: the file may be anything, a key file included.
            instruction = first.keyword if first.keyword in KNOWN_KEYWORDS else "the text"
            raise InvalidInput(
                InputError(
                    self.file,
                    f"no FROM instruction: {instruction} on line {first.start_line} is outside any build stage; "
                    "start the file with FROM",
                    line=first.start_line,
                )
            )
        for index in range(len(self.stages)):
            self._finish_stage(index)
        final_index = self._final_stage_index()
        self._mark_reachable(final_index)
        root = self._root_stage(final_index)
        runtime = runtime_view(
            self.stages[final_index],
            self.states[final_index],
            self.stages[root]["base"],
            self.locations,
            ("stages", root, "base"),
        )
        return self._document(final_index, runtime)

    def _document(self, final_index: int, runtime: dict[str, Any]) -> Document:
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
            "errors": [{"line": error.line, "message": error.message} for error in self.errors],
        }
        if self.warnings:
            data["warnings"] = self.warnings
        facts.annotate(data, self.locations, self.lexed)
        lines = self.lexed.lines
        # Only the secret part of each token: masking a whole NAME=value match would hide the name too.
        self.secret_values.update(_maskable(token) for token in secrets.scan_tokens("\n".join(lines)))
        # A command joined from continuation lines, or written as a JSON array, can have a shape that no
        # source line has, such as curl -u USER:PASSWORD: its value is then masked in the lines as well.
        self.secret_values.update(_maskable(token) for _, token in command_tokens(data))
        errors, suppressions = self.errors, self.suppressions
        if self.secret_values:
            redactor = _Redactor(self.secret_values)
            data = secrets.mask_tree(data, redactor.long, redactor, redactor.short)
            lines = list(lines)
            for number in secrets.texts_to_mask(lines, redactor.long, redactor.short):
                lines[number] = redactor(lines[number])
            # An error can quote a value that came from a secret (EXPOSE $DB_PASSWORD), and the reason of an
            # ignore comment is shown in reports: both are masked as the lines are.
            errors = [dataclasses.replace(error, message=redactor(error.message)) for error in errors]
            suppressions = [
                dataclasses.replace(item, reason=redactor(item.reason)) if item.reason else item for item in suppressions
            ]
        return Document(
            kind="dockerfile",
            file=self.file,
            data=data,
            locations=self.locations,
            lines=lines,
            errors=errors,
            suppressions=suppressions,
        )

    def _collect_suppressions(self, raw: RawInstruction) -> None:
        for line, text in raw.comments:
            suppression = parse_suppression(text, line, raw.start_line, raw.end_line)
            if suppression is not None:
                self.suppressions.append(suppression)

    def context(self, environment: dict[str, str | None], stage_index: int | None, shell: list[str]) -> Context:
        return Context(
            environment,
            self.escape,
            self.stage_names,
            self.file,
            all_stage_names=self.all_stage_names,
            stage_index=stage_index,
            stage_count=self.stage_count,
            shell=shell,
        )

    def record(self, instruction: dict[str, Any], path: Path, location: Location) -> None:
        """Record an instruction's location, commands, errors and warnings."""
        locations = self.locations
        locations[path] = location
        line_locations = self.line_locations
        for number, command in enumerate(instruction.get("commands") or []):
            line = command.get("line")
            if line is not None:
                line_location = line_locations.get(line)
                if line_location is None:
                    line_location = line_locations[line] = Location(line, line)
                locations[(*path, "commands", number)] = line_location
        for number, heredoc in enumerate(instruction.get("heredocs") or []):
            locations[(*path, "heredocs", number)] = Location(heredoc["line"], heredoc["end_line"])
        for warning in instruction.get("warnings") or []:
            self.warnings.append({"line": location.line, "message": warning})
        message = instruction.get("error")
        if message:
            self.errors.append(InputError(self.file, message, line=location.line, fatal=False))
        inner = instruction.get("inner")
        if inner is not None and inner.get("error") and not message:
            self.errors.append(InputError(self.file, f"ONBUILD {inner['keyword']}: {inner['error']}", line=location.line, fatal=False))

    def _before_first_from(self, raw: RawInstruction) -> None:
        instruction = parse_instruction(raw, self.context(self.global_env, None, list(DEFAULT_SHELL)))
        index = len(self.before_from)
        self.before_from.append(instruction)
        location = Location(raw.start_line, raw.end_line)
        if raw.keyword != "ARG" and not instruction.get("error"):
            instruction["error"] = f"{raw.keyword} before the first FROM; only ARG may come before FROM"
        self.record(instruction, ("instructions_before_from", index), location)
        if raw.keyword != "ARG" or instruction.get("error"):
            return
        for variable in instruction.get("variables", []):
            self._classify(variable)
            known = variable.get("value") is not None and not variable.get("unknown")
            self.global_env[variable["name"]] = variable["value"] if known else None
            self.locations[("global_args", len(self.global_args))] = location
            self.global_args.append({**variable, "line": raw.start_line})

    def _start_stage(self, raw: RawInstruction) -> _StageRun:
        index = len(self.stages)
        instruction = parse_instruction(raw, self.context(self.global_env, index, list(DEFAULT_SHELL)))
        from_location = Location(raw.start_line, raw.end_line)
        self.record(instruction, ("stages", index, "instructions", 0), from_location)

        base = instruction["image"]
        parent = base.get("stage_index")
        state = inherited_state(self.states[parent]) if parent is not None else fresh_state(from_location)
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
        name = instruction.get("stage_name")
        if name:
            # BuildKit accepts a repeated name with its DuplicateStageName warning: a later FROM
            # resolves the name to the stage defined last before it, COPY --from to the last one.
            earlier = self.stage_names.get(name)
            if earlier is not None:
                stage["name_duplicate_of"] = earlier
            self.stage_names[name] = index
        self.stages.append(stage)
        self.states.append(state)
        self.triggers.append([])
        run = _StageRun(self, index, stage, state)
        if parent is not None:
            run.run_triggers(self.triggers[parent])
        return run

    def _finish_stage(self, index: int) -> None:
        stage = self.stages[index]
        state = self.states[index]
        last = stage["instructions"][-1]
        stage["end_line"] = max(stage["end_line"], last["end_line"])
        self.locations[("stages", index)] = Location(stage["line"], stage["end_line"])
        stage["user"] = state.user
        stage["env"] = state.env
        stage.setdefault("args", [])

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
        # The legacy form ENV NAME a b sets one value of several words, which the instruction's arguments
        # list one by one: each word is masked too.
        words = value.split()
        if len(words) > 1:
            self.secret_values.update(words)
        raw = variable.get("raw")
        if raw:
            self.secret_values.add(raw)
        variable["secret"] = {"reason": match.reason}
        variable["value"] = match.redacted
        if raw:
            variable["raw"] = secrets.redact_text(raw, {value, raw})


class _StageRun:
    """Applies the instructions of one stage to its state."""

    def __init__(self, builder: _Builder, index: int, stage: dict[str, Any], state: StageState) -> None:
        self.builder = builder
        self.index = index
        self.stage = stage
        self.state = state
        self.stage["args"] = []
        self.cmd_set = False

    def run_triggers(self, triggers: list[RawInstruction]) -> None:
        """Run the parent stage's ONBUILD instructions before this stage's own, as BuildKit does."""
        if not triggers:
            return
        self.stage["triggers"] = []
        for raw in triggers:
            instruction = self._parse(raw)
            position = len(self.stage["triggers"])
            self.stage["triggers"].append(instruction)
            location = Location(raw.start_line, raw.end_line)
            self.builder.record(instruction, ("stages", self.index, "triggers", position), location)
            if not instruction.get("error"):
                self._apply(instruction, location)

    def add(self, raw: RawInstruction) -> None:
        instruction = self._parse(raw)
        position = len(self.stage["instructions"])
        self.stage["instructions"].append(instruction)
        location = Location(raw.start_line, raw.end_line)
        self.builder.record(instruction, ("stages", self.index, "instructions", position), location)
        if raw.keyword == "ONBUILD" and raw.inner is not None and not instruction.get("error"):
            self.builder.triggers[self.index].append(raw.inner)
        if not instruction.get("error"):
            self._apply(instruction, location)

    def _parse(self, raw: RawInstruction) -> dict[str, Any]:
        context = self.builder.context(self.state.environment(), self.index, self.state.shell)
        return parse_instruction(raw, context)

    def _apply(self, instruction: dict[str, Any], location: Location) -> None:
        keyword = instruction["keyword"]
        if keyword == "ARG":
            self._declare_args(instruction, location)
        elif keyword in ("ENV", "LABEL"):
            for variable in instruction["variables"]:
                self.builder._classify(variable)
                if keyword == "ENV":
                    self.builder.locations[("stages", self.index, "env", variable["name"])] = location
            self.cmd_set = apply(self.state, instruction, location, self.cmd_set)
        elif keyword in ("COPY", "ADD"):
            self._depend(instruction["copy"].get("from_stage"))
        elif keyword == "RUN":
            for mount in instruction.get("mounts", []):
                self._depend(mount.get("from_stage"))
        else:
            if keyword == "ONBUILD":
                # ONBUILD ENV PASSWORD=... writes its value into every image built FROM this one.
                for variable in (instruction.get("inner") or {}).get("variables") or ():
                    self.builder._classify(variable)
            self.cmd_set = apply(self.state, instruction, location, self.cmd_set)

    def _depend(self, index: int | None) -> None:
        if index is not None and index != self.index and index not in self.stage["depends_on"]:
            self.stage["depends_on"].append(index)

    def _declare_args(self, instruction: dict[str, Any], location: Location) -> None:
        builder = self.builder
        args = self.stage["args"]
        for variable in instruction["variables"]:
            name = variable["name"]
            if variable.get("value") is None:
                # ARG NAME without a default takes the value the stage already has, or the global one.
                if name in self.state.args:
                    value = self.state.args[name]
                else:
                    value = builder.global_env.get(name)
                    if value is not None:
                        variable["inherited_global"] = True
                if value is not None:
                    variable["value"] = value
                self.state.args[name] = value
            else:
                self.state.args[name] = None if variable.get("unknown") else variable["value"]
            builder._classify(variable)
            builder.locations[("stages", self.index, "args", len(args))] = location
            args.append({**variable, "line": instruction["line"]})


def _maskable(token: secrets.TokenMatch) -> str:
    """Return what to mask wherever it appears: the token's value, with the option it is attached to when short.

    A short value is masked only as a whole word (see _Redactor), so -pQ7short would stay in a source line.
    With its option, -pQ7short or admin:alpine is masked there, and the word alpine stays readable elsewhere.
    """
    value = token.value
    if len(value) >= _Redactor.SHORT:
        return value
    before = token.matched[: len(token.matched) - len(value)][-2:].lstrip()
    if before and not before[-1].isspace():
        return before + value
    return value


class _Redactor:
    """Masks secret values wherever they appear in the document's text.

    A short value is masked only where it appears as a whole word, because masking every
    ``v`` or ``app`` inside longer words would garble the rest of the document.
    """

    SHORT: ClassVar[int] = 8

    def __init__(self, values: set[str]) -> None:
        self.long = frozenset(value for value in values if len(value) >= self.SHORT)
        short = sorted((value for value in values if 0 < len(value) < self.SHORT), key=len, reverse=True)
        self.short = (
            re.compile(r"(?<![\w])(?:" + "|".join(re.escape(value) for value in short) + r")(?![\w])") if short else None
        )

    def __call__(self, text: str) -> str:
        text = secrets.redact_text(text, self.long)
        if self.short is not None:
            text = self.short.sub(lambda match: secrets.redact(match.group(0)), text)
        return text


__all__ = ["Expanded", "normalize_dockerfile"]

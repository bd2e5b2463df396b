"""Build facts: what each RUN leaves in the image, and what the image ships.

The stage walk keeps the state at the end of each stage, and rules about building
need more. They ask whether a stage's files end up in the image: the target stage
and the stages it is built FROM do, builder stages do not. They also need the
variables in effect for a RUN, what each package manager call leaves behind, and
the order of COPY and RUN.
This module walks each FROM chain from its root and records those facts (see
``prodpolicy/model/facts_build.py`` and the context fields of
``prodpolicy/model/packages.py``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from ...document import Location, Path
from ..copy import ARCHIVE_SUFFIXES
from ..lexer import LexResult
from ._build_packages import mark_development_installs, run_facts
from ._build_secrets import secret_tokens

# COPY sources that copy the whole build context.
_WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "./."})
_TAR_ARCHIVES = tuple(suffix for suffix in ARCHIVE_SUFFIXES if ".tar" in suffix or suffix.startswith((".tgz", ".tbz", ".txz")))


@dataclass
class ChainState:
    """The state the instructions of a FROM chain have set up, at one point of the walk."""

    environment: dict[str, str | None] = field(default_factory=dict)
    # Settings that RUN commands made persistent, such as bundle config set without development.
    settings: dict[str, str | None] = field(default_factory=dict)
    workdir: str = "/"
    source_copy_line: int | None = None

    def copy(self) -> ChainState:
        return ChainState(dict(self.environment), dict(self.settings), self.workdir, self.source_copy_line)


def annotate(document: dict[str, Any], locations: dict[Path, Location], source: LexResult) -> None:
    """Add the build facts of stages, instructions and package calls to the document, in place."""
    stages = document["stages"]
    shipped = _shipped_stages(document)
    states: list[ChainState] = []
    for stage in stages:
        parent = stage.get("parent_stage")
        state = states[parent].copy() if parent is not None and parent < len(states) else ChainState()
        is_shipped = stage["index"] in shipped
        if is_shipped:
            _facts(stage)["shipped"] = True
        _walk_stage(stage, state, is_shipped)
        states.append(state)
    mark_development_installs(stages, shipped)
    _volume_locations(document, locations)
    secret_tokens(document, locations, source, shipped)


def _facts(node: dict[str, Any]) -> dict[str, Any]:
    facts = node.get("facts")
    if facts is None:
        facts = node["facts"] = {}
    return facts


def _shipped_stages(document: dict[str, Any]) -> set[int]:
    """Return the target stage and the stages it is built FROM: their files are the image's."""
    stages = document["stages"]
    index = document.get("final_stage")
    found: set[int] = set()
    while index is not None and index not in found and index < len(stages):
        found.add(index)
        index = stages[index].get("parent_stage")
    return found


def _walk_stage(stage: dict[str, Any], state: ChainState, shipped: bool) -> None:
    triggers = stage.get("triggers") or []
    instructions = [*triggers, *stage["instructions"][1:]]
    previous: dict[str, Any] = stage["instructions"][0]
    for position, instruction in enumerate(instructions):
        # ONBUILD triggers run first but are written in the parent stage: they get no facts of their own.
        if position >= len(triggers):
            if shipped:
                _facts(instruction)["shipped"] = True
            if instruction["keyword"] in ("RUN", "COPY", "ADD"):
                _facts(instruction)["previous"] = _previous(previous, instruction)
        keyword = instruction["keyword"]
        if instruction.get("error"):
            previous = instruction
            continue
        if keyword == "RUN":
            run_facts(instruction, state.environment, state.settings, state.source_copy_line, shipped)
        elif keyword in ("COPY", "ADD"):
            _copy_facts(instruction, instructions[position + 1 :], state)
        _apply(instruction, state)
        previous = instruction
    _destination_variables(instructions, state)


def _previous(previous: dict[str, Any], instruction: dict[str, Any]) -> dict[str, Any]:
    """Describe the instruction before this one in the stage, for rules about merging neighbours."""
    facts: dict[str, Any] = {
        "keyword": previous["keyword"],
        "line": previous["line"],
        "same_flags": previous["keyword"] == instruction["keyword"] and previous.get("flags") == instruction.get("flags"),
    }
    commands = previous.get("commands")
    if previous["keyword"] == "RUN" and commands is not None:
        facts["command_count"] = sum(1 for command in commands if not command.get("depth"))
    copy = previous.get("copy")
    if copy is not None and copy.get("destination") is not None:
        facts["destination"] = copy["destination"]
    return facts


def _apply(instruction: dict[str, Any], state: ChainState) -> None:
    keyword = instruction["keyword"]
    if keyword in ("ENV", "ARG"):
        for variable in instruction.get("variables") or []:
            if keyword == "ARG" and variable.get("value") is None and variable["name"] in state.environment:
                continue
            state.environment[variable["name"]] = None if variable.get("unknown") else variable.get("value")
    elif keyword == "WORKDIR" and instruction.get("path"):
        state.workdir = posixpath.join(state.workdir, instruction["path"])
    elif keyword in ("COPY", "ADD") and state.source_copy_line is None and _copies_whole_context(instruction):
        state.source_copy_line = instruction["line"]


def _copies_whole_context(instruction: dict[str, Any]) -> bool:
    copy = instruction.get("copy") or {}
    if copy.get("from") is not None:
        return False
    return any(source.get("kind") == "local" and source["path"] in _WHOLE_CONTEXT for source in copy.get("sources", []))


# COPY and ADD: archives extracted later, and variables that point at the copied files.


def _copy_facts(instruction: dict[str, Any], later: list[dict[str, Any]], state: ChainState) -> None:
    copy = instruction.get("copy") or {}
    if instruction["keyword"] != "COPY" or copy.get("from") is not None:
        return
    archives = {
        posixpath.basename(source["path"].rstrip("/"))
        for source in copy.get("sources", [])
        if source.get("kind") == "local" and source["path"].lower().endswith(_TAR_ARCHIVES)
    }
    if not archives:
        return
    for other in later:
        if other["keyword"] == "RUN" and any(_extracts(command, archives) for command in other.get("commands") or []):
            _facts(instruction)["extracted_at"] = other["line"]
            return


def _extracts(command: dict[str, Any], archives: set[str]) -> bool:
    argv = command["argv"]
    if command.get("program") != "tar" or len(argv) < 2:
        return False
    first = argv[1]
    extracting = "--extract" in argv or "--get" in argv or (
        first.startswith("-") and not first.startswith("--") and "x" in first
    ) or (not first.startswith("-") and "x" in first)
    return extracting and any(posixpath.basename(word) in archives for word in argv[1:])


def _destination_variables(instructions: list[dict[str, Any]], state: ChainState) -> None:
    """Name the variables of the stage whose value is a file a COPY or ADD writes, such as GOOGLE_APPLICATION_CREDENTIALS."""
    paths: dict[str, list[str]] = {}
    for name, value in state.environment.items():
        if value and value.startswith("/"):
            paths.setdefault(posixpath.normpath(value), []).append(name)
    if not paths:
        return
    workdir = "/"
    for instruction in instructions:
        keyword = instruction["keyword"]
        if keyword == "WORKDIR" and instruction.get("path"):
            workdir = posixpath.join(workdir, instruction["path"])
        if keyword not in ("COPY", "ADD") or instruction.get("error"):
            continue
        names = sorted({name for target in _copied_paths(instruction["copy"], workdir) for name in paths.get(target, [])})
        if names:
            _facts(instruction)["destination_variables"] = names


def _copied_paths(copy: dict[str, Any], workdir: str) -> list[str]:
    destination = copy.get("destination")
    if not destination:
        return []
    folder = posixpath.join(workdir, destination)
    sources = copy.get("sources", [])
    if len(sources) == 1 and not destination.endswith("/"):
        return [posixpath.normpath(folder)]
    return [posixpath.normpath(posixpath.join(folder, posixpath.basename(source["path"].rstrip("/")))) for source in sources]


def _volume_locations(document: dict[str, Any], locations: dict[Path, Location]) -> None:
    """Point each volume of the runtime view at its VOLUME instruction, in the order the stage walk collected them."""
    stages = document["stages"]
    chain: list[dict[str, Any]] = []
    index = document.get("final_stage")
    while index is not None and index < len(stages) and stages[index] not in chain:
        chain.insert(0, stages[index])
        index = stages[index].get("parent_stage")
    number = 0
    for stage in chain:
        for instruction in [*(stage.get("triggers") or []), *stage["instructions"]]:
            if instruction["keyword"] != "VOLUME" or instruction.get("error"):
                continue
            for _ in instruction.get("volumes") or []:
                locations[("runtimes", 0, "volumes", number)] = Location(instruction["line"], instruction["end_line"])
                number += 1

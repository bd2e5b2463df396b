"""Structure facts: the state each instruction runs in, and how stages relate.

The stage walk in ``normalize.py`` keeps only the state at the end of each
stage. Several rules need the state an instruction runs in instead: the
WORKDIR and USER in effect, whether the FROM chain starts at scratch and has
copied a shell or ``/etc/passwd`` in, the users earlier RUN lines created.
This module walks the stages again, each FROM chain from its root, and records
that state on the instructions (see ``prodpolicy/model/facts_structure.py``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import Any

from ...document import Location, Path
from ...imageref import DOCKER_HUB
from ..lexer import LexResult
from . import _accounts as accounts

# Instructions that set what the container runs, in the order a stage should end with them.
RUNTIME_ORDER = ("EXPOSE", "STOPSIGNAL", "HEALTHCHECK", "ENTRYPOINT", "CMD")
# Instructions that change the file system or the build's working directory.
BUILD_STEPS = frozenset({"RUN", "COPY", "ADD", "WORKDIR"})
# Only the last of these in a stage takes effect.
SINGLE_INSTRUCTIONS = frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK"})
# The folders where a COPY into an image without a shell would put one, and the names it would have.
_SHELL_FOLDERS = ("/bin", "/usr/bin", "/usr/local/bin", "/busybox")
_SHELL_PROGRAMS = frozenset({"sh", "bash", "ash", "dash", "busybox"})
# Host names that Docker resolves to Docker Hub.
_DOCKER_HUB_ALIASES = frozenset({"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})


@dataclass
class ChainState:
    """The state that the instructions of a FROM chain have built up to one point of it."""

    base_image: str | None
    workdir: str | None = None
    user: str | None = None
    user_is_root: bool | None = True
    passwd_copied: bool = False
    shell_copied: bool = False
    adds_files: bool = False
    # Supplementary groups that RUN lines gave each user name.
    groups: dict[str, list[str]] = field(default_factory=dict)
    # Users created by RUN lines: (name, uid or None, the RUN instruction).
    created: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)

    def copy(self) -> ChainState:
        return replace(self, groups={name: list(groups) for name, groups in self.groups.items()}, created=list(self.created))


def annotate(document: dict[str, Any], locations: dict[Path, Location], source: LexResult) -> None:
    """Add the structure facts of stages and instructions to the document, in place."""
    stages = document["stages"]
    states: list[ChainState] = []

    for stage in stages:
        state = _start_state(stage, states)
        _stage_facts(stage, state, locations)
        for trigger in stage.get("triggers") or []:
            _apply(trigger, state)
        instructions = stage["instructions"]
        for position, instruction in enumerate(instructions):
            if position == 0:
                continue
            _instruction_facts(instruction, state)
            _apply(instruction, state)
            _chmod_after(instruction, instructions[position + 1] if position + 1 < len(instructions) else None, state)
        _overridden(instructions)
        _runtime_order(instructions)
        if state.base_image == "scratch" and not state.adds_files:
            _facts(stage)["empty"] = True
        states.append(state)

    _copies_from_empty_stages(stages)
    _unused_users(document, states)


def _facts(node: dict[str, Any]) -> dict[str, Any]:
    facts = node.get("facts")
    if facts is None:
        facts = node["facts"] = {}
    return facts


def _start_state(stage: dict[str, Any], states: list[ChainState]) -> ChainState:
    parent = stage.get("parent_stage")
    if parent is not None and parent < len(states):
        return states[parent].copy()
    base = stage["base"]
    if base.get("scratch"):
        return ChainState(base_image="scratch")
    return ChainState(base_image=base.get("reference") or None)


def _stage_facts(stage: dict[str, Any], state: ChainState, locations: dict[Path, Location]) -> None:
    facts = _facts(stage)
    if state.base_image:
        facts["base_image"] = state.base_image
    base = stage["base"]
    if base.get("pinning") in ("tag", "digest", "latest", "none"):
        registry = base.get("registry") or DOCKER_HUB
        facts["registry"] = DOCKER_HUB if registry in _DOCKER_HUB_ALIASES else registry
    labels = _labels(stage, locations)
    if labels:
        facts["labels"] = labels


def _labels(stage: dict[str, Any], locations: dict[Path, Location]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    previous_keyword: str | None = None
    for instruction in stage["instructions"]:
        keyword = instruction["keyword"]
        if keyword == "LABEL" and not instruction.get("error"):
            for number, variable in enumerate(instruction.get("variables") or []):
                entry = {"name": variable["name"], "value": variable.get("value"), "line": instruction["line"]}
                if variable.get("unknown"):
                    entry["unknown"] = True
                if number == 0 and previous_keyword == "LABEL":
                    entry["adjacent"] = True
                if entries and variable["name"] < entries[-1]["name"]:
                    entry["out_of_order"] = True
                entries.append(entry)
        previous_keyword = keyword
    last_line: dict[str, int] = {}
    for number, entry in enumerate(entries):
        last_line[entry["name"]] = number
    for number, entry in enumerate(entries):
        if last_line[entry["name"]] != number:
            entry["duplicate"] = True
        locations[("stages", stage["index"], "facts", "labels", number)] = Location(entry["line"], entry["line"])
    return entries


def _instruction_facts(instruction: dict[str, Any], state: ChainState) -> None:
    keyword = instruction["keyword"]
    facts: dict[str, Any] = {}
    if state.workdir:
        facts["workdir"] = state.workdir
    if keyword in ("RUN", "USER", "COPY", "ADD") and state.base_image:
        facts["base_image"] = state.base_image
        facts["passwd_copied"] = state.passwd_copied
    if keyword in ("RUN", "COPY", "ADD"):
        if state.user is not None:
            facts["user"] = state.user
        facts["user_is_root"] = state.user_is_root
    if keyword == "RUN":
        facts["shell_copied"] = state.shell_copied
    if keyword in ("COPY", "ADD") and instruction.get("copy"):
        relative = _destination_relative(instruction["copy"].get("destination"))
        if relative is not None:
            facts["destination_relative"] = relative
    if keyword == "WORKDIR" and instruction.get("path"):
        facts["resolved_path"] = join_workdir(state.workdir, instruction["path"])
    if keyword == "USER" and instruction.get("user"):
        dropped = _dropped_groups(instruction["user"], state)
        if dropped:
            facts["dropped_groups"] = dropped
    if facts:
        _facts(instruction).update(facts)


def _apply(instruction: dict[str, Any], state: ChainState) -> None:
    """Change the chain state the way the instruction changes the stage."""
    if instruction.get("error"):
        return
    keyword = instruction["keyword"]
    if keyword == "WORKDIR" and instruction.get("path"):
        state.workdir = join_workdir(state.workdir, instruction["path"])
    elif keyword == "USER" and instruction.get("user"):
        user = instruction["user"]
        state.user = user.get("raw")
        state.user_is_root = user.get("is_root")
    elif keyword in ("COPY", "ADD") and instruction.get("copy"):
        state.adds_files = True
        _track_copied_files(instruction["copy"], state)
    elif keyword == "RUN":
        state.adds_files = True
        _track_accounts(instruction, state)


def _track_copied_files(copy: dict[str, Any], state: ChainState) -> None:
    # An empty destination is one a build argument decides: it may be the root, so it counts as one.
    destination = copy.get("destination") or ""
    folder = destination.rstrip("/") if destination.endswith("/") or len(copy["sources"]) > 1 else posixpath.dirname(destination)
    names = [posixpath.basename(source["path"].rstrip("/")) for source in copy["sources"]]
    if destination.rstrip("/") in ("", "/etc") or destination == "/etc/passwd" or "passwd" in names:
        state.passwd_copied = True
    in_shell_folder = folder == "" or folder in _SHELL_FOLDERS or folder.startswith(tuple(f"{path}/" for path in _SHELL_FOLDERS))
    if destination.rstrip("/") == "" or (in_shell_folder and _SHELL_PROGRAMS.intersection(names + [posixpath.basename(destination)])):
        state.shell_copied = True
    if destination.rstrip("/") in _SHELL_FOLDERS:
        state.shell_copied = True


def _track_accounts(instruction: dict[str, Any], state: ChainState) -> None:
    created_here: list[str] = []
    for command in instruction.get("commands") or []:
        change = accounts.account_change(command.get("argv") or [])
        if change is None:
            continue
        if change.created:
            created_here.append(change.user)
            state.created.append((change.user, change.uid, instruction))
        if change.groups:
            known = state.groups.setdefault(change.user, [])
            known.extend(group for group in change.groups if group not in known)
    if created_here:
        _facts(instruction)["created_users"] = created_here


def _dropped_groups(user: dict[str, Any], state: ChainState) -> list[str]:
    if not user.get("group") or user.get("unknown"):
        return []
    name = user.get("user")
    groups = state.groups.get(name or "", [])
    if not groups and name is not None and name.isdigit():
        for created, uid, _ in state.created:
            if uid == name:
                groups = state.groups.get(created, [])
    return [group for group in groups if group != user["group"]]


def _destination_relative(destination: str | None) -> bool | None:
    if not destination:
        return None
    if destination.startswith("/") or _windows_path(destination):
        return False
    return True


def join_workdir(current: str | None, path: str) -> str:
    """Return the directory WORKDIR ``path`` sets after ``current``, as Docker joins them."""
    if path.startswith("/") or not current or _windows_path(path):
        return path
    return current.rstrip("/") + "/" + path


def _windows_path(path: str) -> bool:
    return len(path) >= 2 and path[1] == ":"


def _chmod_after(instruction: dict[str, Any], following: dict[str, Any] | None, state: ChainState) -> None:
    """Record a RUN chmod right after COPY or ADD that only changes the copied files."""
    if instruction["keyword"] not in ("COPY", "ADD") or following is None or following["keyword"] != "RUN":
        return
    copy = instruction.get("copy")
    commands = following.get("commands") or []
    if not copy or instruction.get("error") or following.get("error") or not commands:
        return
    if any(command.get("program") != "chmod" or command.get("depth") for command in commands):
        return
    targets = _copied_paths(copy, instruction.get("facts", {}).get("workdir"))
    if not targets:
        return
    mode: str | None = None
    for command in commands:
        words = [word for word in command["argv"][1:] if not word.startswith("-")]
        if len(words) < 2:
            return
        paths = [posixpath.normpath(_absolute(word, state.workdir)) for word in words[1:]]
        if not all(path in targets for path in paths):
            return
        mode = mode or words[0]
    if mode is not None:
        _facts(instruction)["chmod_after"] = {"line": following["line"], "mode": mode}


def _copied_paths(copy: dict[str, Any], workdir: str | None) -> set[str]:
    destination = copy.get("destination")
    if not destination:
        return set()
    target = posixpath.normpath(_absolute(destination, workdir))
    paths = {target}
    into_folder = destination.endswith("/") or len(copy["sources"]) > 1
    for source in copy["sources"]:
        name = posixpath.basename(source["path"].rstrip("/"))
        if into_folder and name and not any(char in name for char in "*?["):
            paths.add(posixpath.join(target, name))
    return paths


def _absolute(path: str, workdir: str | None) -> str:
    if path.startswith("/"):
        return path
    return posixpath.join(workdir or "/", path)


def _overridden(instructions: list[dict[str, Any]]) -> None:
    last_line: dict[str, int] = {}
    for instruction in reversed(instructions):
        keyword = instruction["keyword"]
        if keyword not in SINGLE_INSTRUCTIONS or instruction.get("error"):
            continue
        if keyword in last_line:
            _facts(instruction)["overridden_by"] = last_line[keyword]
        else:
            last_line[keyword] = instruction["line"]


def _runtime_order(instructions: list[dict[str, Any]]) -> None:
    """Mark runtime instructions that a build step follows, or that come before one they belong after."""
    build_after = False
    latest_rank = len(RUNTIME_ORDER)
    # Walk backwards, so "a build step follows" and "a later one ranks lower" are known at each instruction.
    for instruction in reversed(instructions[1:]):
        keyword = instruction["keyword"]
        if keyword in BUILD_STEPS:
            build_after = True
            continue
        if keyword not in RUNTIME_ORDER:
            continue
        rank = RUNTIME_ORDER.index(keyword)
        if build_after or rank > latest_rank:
            _facts(instruction)["runtime_misplaced"] = True
        latest_rank = min(latest_rank, rank)


def _copies_from_empty_stages(stages: list[dict[str, Any]]) -> None:
    empty = {stage["index"] for stage in stages if stage.get("facts", {}).get("empty")}
    if not empty:
        return
    for stage in stages:
        for instruction in stage["instructions"]:
            copy = instruction.get("copy")
            if copy and copy.get("from_stage") in empty:
                _facts(instruction)["source_stage_empty"] = True


def _unused_users(document: dict[str, Any], states: list[ChainState]) -> None:
    """Mark users that RUN lines of the shipped stage's FROM chain create but the image does not run as."""
    final = document.get("final_stage")
    if final is None or final >= len(states):
        return
    user = document["stages"][final].get("user") or {}
    if user.get("unknown"):
        return
    name = user.get("user")
    for created, uid, instruction in states[final].created:
        if name in (created, uid):
            continue
        unused = _facts(instruction).setdefault("unused_created_users", [])
        if created not in unused:
            unused.append(created)

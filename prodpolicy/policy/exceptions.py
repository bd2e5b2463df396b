"""Policy exceptions: accepted findings, each with a reason, an optional expiry and an owner.

An exception names rules and a target: file globs, Dockerfile stages, compose
services and JSONPaths. A file glob matches the file a finding is reported in,
which for a compose project can be an override or ``extends`` file. Every target field given must match a finding, and a
list matches any of its items. After ``expires`` the exception no longer
suppresses: the finding counts again and carries a note about the expiry.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..document import Document, Path
from .compiled import Origin
from .globs import FileGlob
from .jsonpath import CompiledPath


@dataclass(frozen=True, slots=True, eq=False)
class CompiledException:
    """An exception ready to match findings."""

    selectors: tuple[str, ...]
    rule_ids: frozenset[str]
    files: tuple[FileGlob, ...]
    stages: tuple[str, ...]
    services: tuple[str, ...]
    paths: tuple[CompiledPath, ...]
    reason: str
    expires: datetime.date | None
    owner: str | None
    origin: Origin

    def expired(self, today: datetime.date) -> bool:
        """Return whether the last day of the exception is before ``today``."""
        return self.expires is not None and today > self.expires

    def applies(self, rule_id: str, document: Document, path: Path, file: str | None = None) -> bool:
        """Return whether a finding of ``rule_id`` at ``path`` of ``document`` is inside this exception.

        ``file`` is the file the finding is reported in, when it is not the
        document's own: a compose override or ``extends`` base that sets the value.
        File globs match that file, so an exception names the file a person edits.
        """
        if rule_id not in self.rule_ids:
            return False
        reported_file = file or document.file
        if self.files and not any(glob.matches(reported_file) for glob in self.files):
            return False
        if self.stages and not set(self.stages) & set(stages_of(document, path)):
            return False
        if self.services and not set(self.services) & set(services_of(document, path)):
            return False
        if self.paths and not any(_below(path, selected) for target in self.paths for selected in _selected(target, document)):
            return False
        return True

    def describe(self) -> str:
        """Summarise the exception in one line: rules, target, owner and expiry."""
        target = []
        for name, values in (
            ("file", [glob.pattern for glob in self.files]),
            ("stage", list(self.stages)),
            ("service", list(self.services)),
            ("path", [path.text for path in self.paths]),
        ):
            if values:
                target.append(f"{name} {', '.join(values)}")
        text = f"{', '.join(self.selectors)} at {'; '.join(target)}"
        if self.owner:
            text += f", owner {self.owner}"
        if self.expires:
            text += f", expires {self.expires.isoformat()}"
        return text


def _below(path: Path, selected: Path) -> bool:
    return path[: len(selected)] == selected


def _selected(target: CompiledPath, document: Document) -> list[Path]:
    return [found for found, _ in target.find(document.data)]


def stages_of(document: Document, path: Path) -> Iterator[str]:
    """Yield the names (and index) of the Dockerfile stage a document path belongs to."""
    data = document.data
    stages = data.get("stages")
    if not isinstance(stages, list):
        return
    if len(path) >= 2 and path[0] == "stages" and isinstance(path[1], int) and path[1] < len(stages):
        yield from _stage_names(stages[path[1]], path[1])
        return
    subject = _subject(data, path)
    if subject is None or subject.get("kind") != "stage":
        return
    for index, stage in enumerate(stages):
        names = list(_stage_names(stage, index))
        if subject.get("name") in names:
            yield from names


def services_of(document: Document, path: Path) -> Iterator[str]:
    """Yield the name of the compose service a document path belongs to."""
    data = document.data
    services = data.get("services")
    if len(path) >= 2 and path[0] == "services":
        key = path[1]
        if isinstance(services, dict) and isinstance(key, str):
            yield key
            return
        if isinstance(services, list) and isinstance(key, int) and key < len(services):
            name = services[key].get("name") if isinstance(services[key], dict) else None
            if isinstance(name, str):
                yield name
            return
    subject = _subject(data, path)
    if subject is not None and subject.get("kind") == "service" and isinstance(subject.get("name"), str):
        yield subject["name"]


def _stage_names(stage: Any, index: int) -> Iterator[str]:
    yield str(index)
    if isinstance(stage, dict) and isinstance(stage.get("name"), str):
        yield stage["name"]


def _subject(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    runtimes = data.get("runtimes")
    if len(path) < 2 or path[0] != "runtimes" or not isinstance(path[1], int) or not isinstance(runtimes, list):
        return None
    if path[1] >= len(runtimes) or not isinstance(runtimes[path[1]], dict):
        return None
    subject = runtimes[path[1]].get("subject")
    return subject if isinstance(subject, dict) else None

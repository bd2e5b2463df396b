"""Load a compose project: every file read, interpolated, extended, included and merged in order.

The phases follow docker compose: YAML, interpolation, ``include``, ``extends``,
then the merge of the files given with ``-f`` (or of a default file and its
override), and last the profiles. Problems that compose would stop on but that
leave the rest readable (a missing required variable, a missing ``extends``
base) are collected as non-fatal input errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..errors import InputError, InvalidInput
from ..source import Source
from .environment_files import ProjectEnvironment, project_environment, read_env_file
from .extends import ExtendsResolver
from .include import apply_include
from .interpolate import Lookup, Problem, interpolate_tree
from .load import ComposeFile, load_compose_source, read_compose_file
from .merge import merge_project
from .profiles import active_profiles
from .tree import Mapping, Origin

# The names docker compose looks for, in its order of preference.
DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = ("compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml")
# Maximum nesting of include; deeper nesting is reported as a probable cycle.
MAX_INCLUDE_DEPTH = 20


@dataclass
class Project:
    """A loaded compose project, ready to be normalized."""

    primary: ComposeFile
    files: list[str]
    model: Mapping
    environment: ProjectEnvironment
    profiles: list[str]
    errors: list[InputError] = field(default_factory=list)
    # For services that come from an included file: the include entry in the primary file.
    anchors: dict[str, Origin] = field(default_factory=dict)
    # Variables the files refer to, and whether the environment sets them.
    references: dict[str, bool] = field(default_factory=dict)
    # Every compose file read (the primary, overrides, extends bases, included files) by its name in origins.
    loaded: dict[str, ComposeFile] = field(default_factory=dict)

    def display_name(self, path: str) -> str:
        """Return the name to report a file under: relative to where the primary file's name is relative to.

        Files found through ``extends`` and ``include`` are joined to the
        absolute folder of the file that names them. Reported that way, they
        would not match the relative name the primary file was given with.
        """
        if not os.path.isabs(path) or os.path.isabs(self.primary.file):
            return path
        relative = os.path.relpath(path, self.primary.directory)
        return os.path.normpath(os.path.join(os.path.dirname(self.primary.file), relative))


def default_override(path: str) -> str | None:
    """Return the override file docker compose would merge into ``path``, when ``path`` has a default name."""
    if os.path.basename(path) not in DEFAULT_FILES:
        return None
    directory = os.path.dirname(path)
    for name in OVERRIDE_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def load_project(
    source: Source,
    extra_files: tuple[str, ...] = (),
    environment: dict[str, str] | None = None,
    env_files: tuple[str, ...] = (),
    profiles: tuple[str, ...] = (),
) -> Project:
    """Load the files of a project; raise :class:`InvalidInput` when the first file cannot be read."""
    primary = load_compose_source(source)
    on_disk = os.path.isfile(source.file)
    variables = project_environment(environment or {}, env_files, primary.directory if on_disk else None)
    files = [primary]
    extra = list(extra_files)
    if not extra and on_disk:
        override = default_override(source.file)
        if override is not None:
            extra.append(override)
    files.extend(read_compose_file(path) for path in extra)
    project = Project(primary, [file.file for file in files], Mapping(), variables, [])
    project.loaded.update((compose_file.file, compose_file) for compose_file in files)
    loader = _FileLoader(project)
    for compose_file in files:
        data = loader.prepare(compose_file, variables.lookup, ())
        merge_project(project.model, data)
    project.profiles = active_profiles(profiles, variables.values)
    return project


class _FileLoader:
    """Prepares each file: interpolation, include and extends, with problems collected on the project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.cache: dict[str, Mapping | None] = {}

    def report(self, message: str, origin: Origin | None) -> None:
        file = origin.file if origin else self.project.primary.file
        line = origin.location.line if origin else None
        column = origin.location.column if origin else None
        self.project.errors.append(InputError(file, message, line, column, fatal=False))

    def recording(self, lookup: Lookup) -> Lookup:
        references = self.project.references

        def recorded(name: str) -> tuple[str, bool]:
            value, found = lookup(name)
            references[name] = references.get(name, False) or found
            return value, found

        return recorded

    def prepare(self, compose_file: ComposeFile, lookup: Lookup, including: tuple[str, ...]) -> Mapping:
        """Interpolate a file, then apply its includes and extends.

        ``including`` lists the files that include this one, outermost first.
        """
        data = compose_file.data
        # compose_file.file may be relative to another folder, so the path is built from its absolute directory.
        chain = (*including, os.path.join(compose_file.directory, os.path.basename(compose_file.file)))
        problems: list[Problem] = []
        interpolate_tree(data, self.recording(lookup), problems)
        for problem in problems:
            self.report(problem.message, problem.origin)
        apply_include(data, compose_file.directory, self._include_loader(lookup, chain), self.report, self.project.anchors)
        services = data.get("services")
        if isinstance(services, Mapping):
            resolver = ExtendsResolver(self._services_of(lookup), self.report)
            resolver.resolve_all(services, compose_file.file, compose_file.directory)
        return data

    def _services_of(self, lookup: Lookup):  # type: ignore[no-untyped-def]
        def services(path: str, origin: Origin | None) -> Mapping | None:
            key = os.path.abspath(path)
            if key not in self.cache:
                loaded = self._read(path, origin)
                if loaded is not None:
                    problems: list[Problem] = []
                    interpolate_tree(loaded.data, self.recording(lookup), problems)
                    for problem in problems:
                        self.report(problem.message, problem.origin)
                self.cache[key] = loaded.data if loaded is not None else None
            data = self.cache[key]
            found = data.get("services") if data is not None else None
            return found if isinstance(found, Mapping) else None

        return services

    def _include_loader(self, lookup: Lookup, chain: tuple[str, ...]):  # type: ignore[no-untyped-def]
        def load(paths: list[str], origin: Origin | None, env_files: list[str]) -> Mapping | None:
            for path in paths:
                target = os.path.abspath(path)
                if target in chain:
                    # Reported once, where the cycle closes, rather than at every level down to the depth limit.
                    names = [self.project.display_name(file) for file in (*chain[chain.index(target) :], path)]
                    self.report(f"include cycle: {' includes '.join(names)}; remove one of these includes", origin)
                    return None
            if len(chain) > MAX_INCLUDE_DEPTH:
                self.report(f"include nests deeper than {MAX_INCLUDE_DEPTH} files; flatten the includes", origin)
                return None
            included_lookup = self._included_lookup(lookup, env_files, origin)
            merged: Mapping | None = None
            for path in paths:
                loaded = self._read(path, origin)
                if loaded is None:
                    return None
                data = self.prepare(loaded, included_lookup, chain)
                merged = data if merged is None else merge_project(merged, data)
            return merged

        return load

    def _included_lookup(self, lookup: Lookup, env_files: list[str], origin: Origin | None) -> Lookup:
        values: dict[str, str] = {}
        for path in env_files:
            try:
                entries = read_env_file(path, lookup)
            except InvalidInput as error:
                self.report(f"include env_file {path}: {error.error.message}", origin)
                continue
            values.update({entry.name: entry.value for entry in entries if entry.value is not None})

        def included(name: str) -> tuple[str, bool]:
            found = lookup(name)
            if found[1] or name not in values:
                return found
            return values[name], True

        return included

    def _read(self, path: str, origin: Origin | None) -> ComposeFile | None:
        try:
            loaded = read_compose_file(path, display=self.project.display_name(path))
        except InvalidInput as error:
            where = f"{error.error.file}:{error.error.line}" if error.error.line else error.error.file
            self.report(f"cannot load {where}: {error.error.message}", origin)
            return None
        self.project.loaded.setdefault(loaded.file, loaded)
        return loaded

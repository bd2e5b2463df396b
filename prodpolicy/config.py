"""Configuration files: find the one nearest to each input, read it, and pick the policy for each input.

A configuration file is a policy without the ``apiVersion`` and ``kind`` lines:
``.prodpolicy.yaml`` (or ``.prodpolicy.yml``), or the ``[tool.prodpolicy]`` table
of a ``pyproject.toml``. The nearest one wins, searching from the input's folder
up to the file system root. In one folder ``.prodpolicy.yaml`` wins over
``.prodpolicy.yml``, which wins over ``pyproject.toml``. A ``pyproject.toml``
without a ``[tool.prodpolicy]`` table is skipped, as Ruff does.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .document import Location
from .errors import PolicyError, PolicyProblem
from .policy.compiled import CompiledRule, Policy
from .policy.read import Reader
from .yamldata import YAMLData

logger = logging.getLogger("prodpolicy.config")

CONFIG_NAMES = (".prodpolicy.yaml", ".prodpolicy.yml")
PYPROJECT = "pyproject.toml"
_TABLE = ("tool", "prodpolicy")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """Return the configuration file nearest to ``start`` (a file or folder), or None."""
    folder = Path(os.path.abspath(start))
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file():
                return path
            if os.path.lexists(path):
                # A folder or named pipe of that name would otherwise be passed over without a word.
                logger.warning("%s is not a regular file, so it is not read as a configuration file", path)
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _has_table(pyproject: Path) -> bool:
    """Return whether a pyproject.toml defines tool.prodpolicy, in any TOML form.

    A file that mentions prodpolicy but cannot be read or parsed is taken, so
    that its error is reported rather than the file skipped without a word.
    """
    try:
        data = pyproject.read_bytes()
    except OSError:
        return False
    if b"prodpolicy" not in data:
        return False
    try:
        document = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    tool = document.get("tool")
    return isinstance(tool, dict) and "prodpolicy" in tool


def read_config(path: Path, reader: Reader) -> None:
    """Add a configuration file's layers to ``reader``; mistakes go to the reader's problems."""
    if path.name != PYPROJECT and path.suffix != ".toml":
        reader.read_file(path, configuration=True)
        return
    file = str(path)
    try:
        # utf-8-sig: an editor may start the file with a byte order mark, which TOML readers skip.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        reader.problems.add(file, f"configuration file not found: {path}")
        return
    except (OSError, UnicodeDecodeError) as error:
        reader.problems.add(file, f"cannot read the configuration file: {error}")
        return
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        position = _TOML_POSITION.search(str(error))
        location = Location(int(position.group(1)), None, int(position.group(2))) if position else None
        reader.problems.add(file, f"invalid TOML: {_TOML_POSITION.sub('', str(error)).strip()}", location)
        return
    table = document.get("tool", {}).get("prodpolicy") if path.name == PYPROJECT else document
    if table is None:
        reader.problems.add(file, "no [tool.prodpolicy] table in this pyproject.toml")
        return
    prefix = _TABLE if path.name == PYPROJECT else ()
    reader.read_file(path, loaded=YAMLData(table, toml_locations(text, prefix)), configuration=True)


def toml_locations(text: str, prefix: tuple[str, ...] = _TABLE) -> dict[tuple[str | int, ...], Location]:
    """Map paths inside the table at ``prefix`` to the lines of their keys and table headers.

    tomllib keeps no positions, so this reads the headers and ``key =`` lines
    itself. NOTE: keys inside multi-line inline tables and the items of arrays
    take the line of their parent key.
    """
    locations: dict[tuple[str | int, ...], Location] = {}
    arrays: dict[tuple[str, ...], int] = {}
    table: tuple[str | int, ...] | None = () if not prefix else None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            table = _header(stripped, prefix, arrays, locations, number)
            continue
        if table is None or "=" not in stripped:
            continue
        keys = _dotted(stripped.split("=", 1)[0])
        if keys:
            column = len(line) - len(line.lstrip()) + 1
            locations[(*table, *keys)] = Location(number, None, column)
    return locations


def _header(
    stripped: str,
    prefix: tuple[str, ...],
    arrays: dict[tuple[str, ...], int],
    locations: dict[tuple[str | int, ...], Location],
    number: int,
) -> tuple[str | int, ...] | None:
    is_array = stripped.startswith("[[")
    name = stripped.strip("[").split("]", 1)[0]
    keys = tuple(_dotted(name))
    if keys[: len(prefix)] != prefix:
        return None
    keys = keys[len(prefix) :]
    if is_array:
        arrays[keys] = arrays.get(keys, -1) + 1
    path: list[str | int] = []
    for end, key in enumerate(keys, 1):
        path.append(key)
        if keys[:end] in arrays:
            path.append(arrays[keys[:end]])
    resolved = tuple(path)
    locations.setdefault(resolved, Location(number))
    if is_array:
        locations.setdefault(resolved[:-1], Location(number))
    return resolved


def _dotted(text: str) -> list[str]:
    return [part.strip().strip("\"'") for part in text.strip().split(".") if part.strip()]


def _relative(path: Path | None) -> Path | None:
    """Return a path below the working folder relative to it, as messages show the user's own files."""
    if path is None:
        return None
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else Path(relative)


@dataclass(frozen=True)
class PolicyOptions:
    """The policy choices a command line makes."""

    policy_files: tuple[str, ...] = ()
    config: str | None = None
    isolated: bool = False
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()


@dataclass
class InputPolicies:
    """Picks the policy for each input: the nearest configuration file's, each file loaded once.

    With ``options.config`` set every input uses that file; with
    ``options.isolated`` none is read. ``rules``, ``rules_for`` and ``find_rule``
    cover every policy loaded so far, for report formats that list rules.
    """

    options: PolicyOptions = field(default_factory=PolicyOptions)
    _configs: dict[str, Path | None] = field(default_factory=dict, repr=False)
    _config_of_path: dict[str, Path | None] = field(default_factory=dict, repr=False)
    _policies: dict[Path | None, Policy] = field(default_factory=dict, repr=False)

    def config_for(self, path: str | os.PathLike[str]) -> Path | None:
        """Return the configuration file that applies to an input, or None."""
        if self.options.isolated:
            return None
        if self.options.config is not None:
            return Path(self.options.config)
        key = os.fspath(path)
        if key in self._config_of_path:
            # An input is asked about several times in a run: before it is evaluated, when its result is merged.
            return self._config_of_path[key]
        folder = os.path.abspath(path)
        folder = folder if os.path.isdir(folder) else os.path.dirname(folder)
        if folder not in self._configs:
            self._configs[folder] = _relative(find_config(folder))
        self._config_of_path[key] = self._configs[folder]
        return self._configs[folder]

    def policy_for(self, path: str | os.PathLike[str]) -> Policy:
        """Return the policy for an input; raise :class:`PolicyError` when it is invalid."""
        config = self.config_for(path)
        if config not in self._policies:
            from .policy.load import load_policy

            self._policies[config] = load_policy(
                list(self.options.policy_files) or None,
                config=config,
                select=self.options.select,
                ignore=self.options.ignore,
            )
        return self._policies[config]

    def load_all(self, paths: Iterable[str]) -> list[PolicyProblem]:
        """Load the policy of every input now; return the problems of every invalid one."""
        problems: list[PolicyProblem] = []
        failed: set[Path | None] = set()
        for path in paths:
            config = self.config_for(path)
            if config in failed:
                continue
            try:
                self.policy_for(path)
            except PolicyError as error:
                failed.add(config)
                problems.extend(problem for problem in error.problems if problem not in problems)
        return problems

    @property
    def policies(self) -> list[Policy]:
        """Return the policies loaded so far, in the order they were loaded."""
        return list(self._policies.values())

    @property
    def rules(self) -> tuple[CompiledRule, ...]:
        """Return the rules of every policy loaded so far, by id; the first policy loaded wins a shared id."""
        merged: dict[str, CompiledRule] = {}
        for policy in self._policies.values():
            for rule in policy.rules:
                merged.setdefault(rule.id, rule)
        return tuple(merged[rule_id] for rule_id in sorted(merged))

    def rules_for(self, kind: str) -> tuple[CompiledRule, ...]:
        """Return the rules any loaded policy applies to an input kind."""
        merged: dict[str, CompiledRule] = {}
        for policy in self._policies.values():
            for rule in policy.rules_for(kind):
                merged.setdefault(rule.id, rule)
        return tuple(merged[rule_id] for rule_id in sorted(merged))

    def find_rule(self, key: str) -> CompiledRule | None:
        """Return the rule with this id or name from the first loaded policy that has it."""
        for policy in self._policies.values():
            found = policy.find_rule(key)
            if found is not None:
                return found
        return None

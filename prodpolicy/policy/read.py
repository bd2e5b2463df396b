"""Read policy files into layers, following ``extends``, and validate them against the format.

A layer is one step of composition: the bundled ruleset, a policy file, a
configuration file or the command line. Layers come out in the order they
apply: a file's ``extends`` (depth first, in the order written) before the file
itself, each file once even when several files extend it.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

from ..document import Location
from ..yamldata import YAMLData, YAMLError
from .compiled import Origin
from .spec import (
    API_VERSION,
    PolicySpec,
    RuleSpec,
    policy_from_plain,
    policy_spec,
    policy_to_plain,
    rule_from_plain,
    rule_spec,
    rule_to_plain,
)
from .problems import DataPath, Problems, data_path, describe_validation_error, line_of, nearest, rule_id_at

if TYPE_CHECKING:
    # The format's pydantic models are imported only to validate a file: cached files need none.
    from pydantic import ValidationError

BUNDLED_POLICY = "prodpolicy:recommended"
BUNDLED_VERSION = "1"
BUNDLED_NAME = f"{BUNDLED_POLICY}@{BUNDLED_VERSION}"


def data_directory(name: str) -> FilePath:
    """Return a bundled data folder (``policies`` or ``schemas``), installed or in a checkout."""
    package = FilePath(__file__).resolve().parent.parent
    installed = package / "_data" / name
    if installed.is_dir():
        return installed
    return package.parent / name


@dataclass
class Source:
    """One loaded file: its name for messages, its folder for relative paths, and key positions."""

    file: str
    base: FilePath | None
    yaml: YAMLData | None

    def location(self, path: DataPath) -> Location | None:
        return nearest(self.yaml, path)

    def origin(self, path: DataPath, how: str = "") -> Origin:
        return Origin(self.file, line_of(self.yaml, path), how)


@dataclass
class RuleDefinition:
    """A validated rule and where it is written."""

    rule: RuleSpec
    source: Source
    prefix: DataPath

    def location(self, *path: str | int) -> Location | None:
        return self.source.location((*self.prefix, *path))

    def origin(self, *path: str | int, how: str = "") -> Origin:
        return self.source.origin((*self.prefix, *path), how)


@dataclass
class Layer:
    """Rules added and changes made by one file, the bundled ruleset or the command line."""

    name: str
    rules: list[RuleDefinition] = field(default_factory=list)
    policy: PolicySpec | None = None
    source: Source | None = None

    def location(self, path: DataPath) -> Location | None:
        return self.source.location(path) if self.source else None

    def origin(self, path: DataPath, how: str = "") -> Origin:
        if self.source is None:
            return Origin(self.name, None, how)
        return self.source.origin(path, how)

    @property
    def file(self) -> str:
        return self.source.file if self.source else self.name


class Reader:
    """Reads policy files into layers; mistakes go to ``problems``."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.layers: list[Layer] = []
        self.sources: list[str] = []
        self._loading: list[FilePath] = []
        self._loaded: set[FilePath] = set()
        self._bundled_loaded = False

    def read_reference(self, reference: str, base: FilePath | None, origin: str, location: Location | None) -> None:
        """Read what an ``extends`` entry names: the bundled ruleset or a file relative to ``base``."""
        if reference.startswith("prodpolicy:"):
            name, _, version = reference.partition("@")
            if name != BUNDLED_POLICY:
                self.problems.add(origin, f"unknown bundled policy {name!r}; the bundled ruleset is {BUNDLED_NAME}", location)
                return
            if version and version != BUNDLED_VERSION:
                self.problems.add(
                    origin,
                    f"{BUNDLED_POLICY} version {version!r} is not available; this release ships version {BUNDLED_VERSION}",
                    location,
                )
                return
            self.read_bundled()
            return
        path = FilePath(reference)
        if not path.is_absolute() and base is not None:
            # services/worker/../../acme.yaml is acme.yaml: one name, so a file two configurations extend
            # is named and reported once.
            path = FilePath(os.path.normpath(base / path))
        self.read_file(path, origin, location)

    def read_bundled(self) -> None:
        """Read the bundled ruleset, one rule per file, as one layer."""
        if self._bundled_loaded:
            return
        self._bundled_loaded = True
        directory = data_directory("policies") / "rules"
        # Rules sit one folder deep, by area; deeper folders hold the fixtures of a rule's test_folder.
        files = sorted(directory.glob("*/*.yaml"))
        if not files:
            self.problems.add(str(directory), "the bundled ruleset is missing; reinstall prodpolicy")
            return
        layer = Layer(BUNDLED_NAME)
        for path, (loaded, rule) in zip(files, self._read_bundled_rules(files)):
            self._loaded.add(path.resolve())
            if loaded is not None and rule is not None:
                layer.rules.append(RuleDefinition(rule, Source(str(path), path.parent, loaded), ()))
        self.layers.append(layer)

    def _read_bundled_rules(self, files: list[FilePath]) -> list[tuple[YAMLData | None, RuleSpec | None]]:
        """Load and validate the bundled rule files, from the cache when their bytes are unchanged (see :mod:`.cache`)."""
        from . import cache

        def read() -> list[tuple[YAMLData | None, RuleSpec | None]]:
            rules: list[tuple[YAMLData | None, RuleSpec | None]] = []
            for path in files:
                loaded = self._read_yaml(path, None, None)
                rule = self._rule_spec(loaded, Source(str(path), path.parent, loaded)) if loaded is not None else None
                rules.append((loaded, rule))
            return rules

        def encode(rules: list[tuple[YAMLData | None, RuleSpec | None]]) -> bytes:
            return cache.encode_marshal([(_plain_yaml(loaded), _plain_rule(rule)) for loaded, rule in rules])

        def decode(data: bytes) -> list[tuple[YAMLData | None, RuleSpec | None]]:
            try:
                rules = [(_yaml_from_plain(loaded), rule_from_plain(rule)) for loaded, rule in cache.decode_marshal(data)]
            except (KeyError, IndexError, TypeError, AttributeError) as error:
                # An entry written by hand or damaged on disk: the cache computes it again.
                raise ValueError(f"the entry has an unexpected shape: {error!r}") from None
            if len(rules) != len(files):
                raise ValueError(f"the entry has {len(rules)} rules for {len(files)} files")
            return rules

        # The code that loads, validates and converts the files is part of the key too, so a changed
        # loader or format in a development checkout reads the files again.
        # The path of model.py is named, not imported: importing pydantic is what the cache saves.
        here = FilePath(__file__)
        sources = [*files, here.parent.parent / "yamlload.py", here.with_name("model.py"), here.with_name("spec.py"), here]
        return cache.cached(lambda: cache.digest("bundled-rules", sources), read, encode, decode)  # type: ignore[no-any-return]

    def read_file(
        self,
        path: FilePath,
        origin: str | None = None,
        location: Location | None = None,
        *,
        loaded: YAMLData | None = None,
        configuration: bool = False,
    ) -> None:
        """Read a policy or rule file, after the files it extends.

        ``loaded`` passes data already read, such as the ``[tool.prodpolicy]``
        table of a ``pyproject.toml``; ``configuration`` marks a configuration file.
        """
        resolved = path.resolve()
        if resolved in self._loading:
            chain = " -> ".join(str(item) for item in [*self._loading[self._loading.index(resolved) :], resolved])
            self.problems.add(origin or str(path), f"policy files extend each other in a cycle: {chain}", location)
            return
        if resolved in self._loaded:
            return
        self._loaded.add(resolved)
        if loaded is None:
            loaded = self._read_yaml(path, origin, location)
        if loaded is None:
            return
        self._loading.append(resolved)
        try:
            self.read_data(loaded, Source(str(path), path.parent, loaded), configuration)
        finally:
            self._loading.pop()

    def read_text(self, text: str, file: str, base: FilePath | None) -> None:
        """Read a policy given as YAML text; relative ``extends`` resolve against ``base``."""
        from ..yamlload import load_yaml

        try:
            loaded = load_yaml(text)
        except YAMLError as error:
            self.problems.add(file, error.message, Location(error.line, None, error.column) if error.line else None)
            return
        self.read_data(loaded, Source(file, base, loaded))

    def read_data(self, loaded: YAMLData, source: Source, configuration: bool = False) -> None:
        """Validate loaded data as a rule or policy file and add its layers.

        A configuration file (``.prodpolicy.yaml``, ``[tool.prodpolicy]``) may leave
        out ``apiVersion`` and ``kind``: it is always a policy.
        """
        data = loaded.data
        if data is None and configuration:
            data = {}
        if not isinstance(data, dict):
            self.problems.add(source.file, "a policy file must be a mapping with apiVersion and kind", source.location(()))
            return
        if configuration:
            data = {"apiVersion": API_VERSION, "kind": "Policy", **data}
            loaded = YAMLData(data, loaded.locations, loaded.tags)
            source.yaml = loaded
        self.sources.append(source.file)
        version = data.get("apiVersion")
        if "apiVersion" in data and version != API_VERSION:
            self.problems.add(
                source.file,
                f"unsupported apiVersion {version!r}; this release of prodpolicy reads {API_VERSION}",
                source.location(("apiVersion",)),
            )
            return
        kind = data.get("kind")
        if kind == "Rule" and not configuration:
            layer = Layer(source.file, source=source)
            self._rule_file(loaded, source, layer)
            self.layers.append(layer)
            return
        if kind == "Policy":
            self._policy_file(data, loaded, source)
            return
        expected = "kind: Policy" if configuration else "kind: Rule or kind: Policy"
        if kind is None:
            message = f"no kind key, so this is not a policy file; a policy file starts with apiVersion: prodpolicy/v1 and {expected}"
        else:
            message = f"unknown kind {kind!r}; use {expected}"
        self.problems.add(source.file, message, source.location(("kind",)))

    def _policy_file(self, data: dict[str, Any], loaded: YAMLData, source: Source) -> None:
        validated = self._validated_policy(data, source)
        if validated is None:
            return
        policy, rules = validated
        for number, reference in enumerate(policy.extends):
            self.read_reference(reference, source.base, source.file, source.location(("extends", number)))
        layer = Layer(source.file, policy=policy, source=source)
        layer.rules = [RuleDefinition(rule, source, ("rules", number)) for number, rule in enumerate(rules)]
        self.layers.append(layer)

    def _validated_policy(self, data: dict[str, Any], source: Source) -> tuple[PolicySpec, tuple[RuleSpec, ...]] | None:
        """Validate a policy file's data into specs, or read them from the cache when the same data was validated before."""
        from . import cache

        def validate() -> tuple[PolicySpec, tuple[RuleSpec, ...]] | None:
            from .model import PolicyFile

            policy = self._validate(PolicyFile, data, source)
            if policy is None:
                return None
            return policy_spec(policy), tuple(rule_spec(rule) for rule in policy.rules)

        def encode(validated: tuple[PolicySpec, tuple[RuleSpec, ...]] | None) -> bytes:
            if validated is None:
                # An invalid file is validated again next time, so its problems are reported again.
                raise ValueError("the policy file is not valid")
            policy, rules = validated
            return cache.encode_marshal((policy_to_plain(policy), tuple(rule_to_plain(rule) for rule in rules)))

        def decode(entry: bytes) -> tuple[PolicySpec, tuple[RuleSpec, ...]]:
            try:
                plain_policy, plain_rules = cache.decode_marshal(entry)
                return policy_from_plain(plain_policy), tuple(rule_from_plain(rule) for rule in plain_rules)
            except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
                raise ValueError(f"the entry has an unexpected shape: {error!r}") from None

        return cache.cached(  # type: ignore[no-any-return]
            lambda: _policy_entry_name(data), validate, encode, decode, keep=cache.POLICY_FILE_ENTRIES
        )

    def _rule_file(self, loaded: YAMLData, source: Source, layer: Layer) -> None:
        rule = self._rule_spec(loaded, source)
        if rule is not None:
            layer.rules.append(RuleDefinition(rule, source, ()))

    def _rule_spec(self, loaded: YAMLData, source: Source) -> RuleSpec | None:
        from .model import RuleFile

        data = loaded.data
        if not isinstance(data, dict) or data.get("kind") != "Rule":
            self.problems.add(source.file, "expected a rule file (kind: Rule)", source.location(("kind",)))
            return None
        rule = self._validate(RuleFile, data, source)
        return rule_spec(rule) if rule is not None else None

    def _read_yaml(self, path: FilePath, origin: str | None, location: Location | None) -> YAMLData | None:
        from ..yamlload import load_yaml

        file = str(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            self.problems.add(origin or file, f"policy file not found: {path}", location)
            return None
        except IsADirectoryError:
            self.problems.add(origin or file, f"{path} is a folder; name a policy file", location)
            return None
        except UnicodeDecodeError as error:
            self.problems.add(file, f"byte {error.start + 1} is not UTF-8 text; a policy file is YAML saved as UTF-8")
            return None
        except OSError as error:
            self.problems.add(file, f"cannot read the policy file: {error.strerror or error}")
            return None
        try:
            return load_yaml(text)
        except YAMLError as error:
            self.problems.add(file, error.message, Location(error.line, None, error.column) if error.line else None)
            return None

    def _validate(self, model: type[Any], data: dict[str, Any], source: Source) -> Any:
        from pydantic import ValidationError

        try:
            return model.model_validate(data)
        except ValidationError as error:
            self._report_validation(error, data, source)
            return None

    def _report_validation(self, error: ValidationError, data: dict[str, Any], source: Source) -> None:
        # A value that fits no branch of a union (text or a list) fails once per branch: report it once.
        by_path: dict[DataPath, list[str]] = defaultdict(list)
        for item in error.errors():
            path = data_path(data, item["loc"])
            message = describe_validation_error(item, path)
            if message not in by_path[path]:
                by_path[path].append(message)
        for path, messages in by_path.items():
            for message in _merge_type_errors(messages):
                self.problems.add(source.file, message, source.location(path), rule_id_at(data, path))


def _merge_type_errors(messages: list[str]) -> list[str]:
    """Join 'X: Input should be a valid string, found ...' and '... a valid list ...' into one sentence."""
    prefix = None
    expected: list[str] = []
    found = ""
    rest: list[str] = []
    for message in messages:
        head, marker, tail = message.partition(": Input should be ")
        if marker and ", found " in tail:
            wanted, _, found = tail.partition(", found ")
            prefix = head
            expected.append(wanted)
        else:
            rest.append(message)
    if len(expected) < 2:
        return messages
    return [f"{prefix}: expected {' or '.join(expected)}, found {found}", *rest]


def cli_layer(select: list[str] | None, ignore: list[str]) -> Layer:
    """Return the layer that ``--select`` and ``--ignore`` make, applied after every file."""
    selectors = [*(select or ()), *ignore]
    if not all(isinstance(selector, str) for selector in selectors):
        raise TypeError(f"select and ignore take rule selectors as text, not {selectors!r}")
    policy = PolicySpec(
        extends=(),
        select=tuple(select) if select is not None else None,
        ignore=tuple(ignore),
        overrides=(),
        exceptions=(),
        inline_suppressions=None,
    )
    return Layer("command line", policy=policy)


def _policy_entry_name(data: dict[str, Any]) -> str:
    """Return the cache entry name of a policy file's data, with the code that validates it.

    The name comes from the data as read, not from the file's bytes: the repr distinguishes a number from
    its text, and a configuration file gets its apiVersion and kind added. It contains no path, because the
    specs contain none either: the same file in another folder, such as a new CI workspace, reads the same entry.
    """
    from . import cache

    here = FilePath(__file__)
    sources = [cache.pydantic_version_file(), here.with_name("model.py"), here.with_name("spec.py"), here]
    return cache.digest("policy-file", sources, repr(data).encode("utf-8", "surrogateescape"))


def _plain_yaml(loaded: YAMLData | None) -> tuple[Any, ...]:
    """Return loaded YAML as plain values for the cache; raise ValueError for a file that did not load."""
    if loaded is None:
        # A file with mistakes is read again next time, so its problems are reported again.
        raise ValueError("a bundled rule file did not load")
    locations = {path: (where.line, where.end_line, where.column, where.file) for path, where in loaded.locations.items()}
    return (loaded.data, locations, loaded.tags, loaded.styles, loaded.merged)


def _plain_rule(rule: RuleSpec | None) -> dict[str, Any]:
    if rule is None:
        raise ValueError("a bundled rule file is not a valid rule")
    return rule_to_plain(rule)


def _yaml_from_plain(plain: tuple[Any, ...]) -> YAMLData:
    data, locations, tags, styles, merged = plain
    return YAMLData(
        data,
        {path: Location(*where) for path, where in locations.items()},
        tags,
        styles,
        merged,
    )

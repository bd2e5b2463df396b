"""Load policy files, validate them against the format, and compile them once.

Every mistake in a policy is reported before anything is evaluated, with the
file, line and column, the rule id when known, and what is expected. All
mistakes are collected, not just the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from pydantic import ValidationError

from ..document import Location
from ..errors import PolicyError, PolicyProblem
from ..yamlload import YAMLData, YAMLError, load_yaml
from .conditions import ConditionError, Predicate, compile_conditions
from .jsonpath import CompiledPath, JSONPathError, compile_path
from .model import SEVERITIES, Docs, PolicyFile, Rule, RuleFile, RuleTest
from .template import Template, TemplateError, compile_template

BUNDLED_POLICY = "prodpolicy:recommended"
BUNDLED_VERSION = "1"
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def data_directory(name: str) -> FilePath:
    """Return a bundled data folder (``policies`` or ``schemas``), installed or in a checkout."""
    package = FilePath(__file__).resolve().parent.parent
    installed = package / "_data" / name
    if installed.is_dir():
        return installed
    return package.parent / name


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate: paths, conditions and message compiled."""

    id: str
    name: str
    title: str
    severity: str
    applies_to: frozenset[str]
    tags: tuple[str, ...]
    enabled: bool
    given: tuple[CompiledPath, ...]
    predicate: Predicate
    on_no_match: str
    message: Template
    report_at: tuple[CompiledPath, ...]
    parameters: dict[str, Any]
    docs: Docs
    references: tuple[str, ...]
    tests: tuple[RuleTest, ...]
    source: str
    line: int | None

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK[self.severity]


@dataclass(frozen=True)
class Policy:
    """A compiled, immutable policy: the rules to apply, in id order."""

    rules: tuple[CompiledRule, ...]
    sources: tuple[str, ...] = ()
    _by_kind: dict[str, tuple[CompiledRule, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for kind in ("dockerfile", "compose", "image"):
            self._by_kind[kind] = tuple(rule for rule in self.rules if rule.enabled and kind in rule.applies_to)

    def rules_for(self, kind: str) -> tuple[CompiledRule, ...]:
        """Return the enabled rules that apply to an input kind."""
        return self._by_kind.get(kind, ())

    def find_rule(self, key: str) -> CompiledRule | None:
        """Return the rule with this id or name (case-insensitive for ids)."""
        for rule in self.rules:
            if rule.id == key.upper() or rule.name == key:
                return rule
        return None


@dataclass
class _RawRule:
    rule: Rule
    file: str
    prefix: tuple[str | int, ...]
    yaml: YAMLData


class _Loader:
    def __init__(self) -> None:
        self.problems: list[PolicyProblem] = []
        self.rules: list[_RawRule] = []
        self.sources: list[str] = []
        self.loading: list[FilePath] = []
        self.loaded: set[FilePath] = set()

    def problem(self, file: str, message: str, location: Location | None = None, rule_id: str | None = None) -> None:
        self.problems.append(
            PolicyProblem(
                file=file,
                message=message,
                line=location.line if location else None,
                column=location.column if location else None,
                rule_id=rule_id,
            )
        )

    def load_reference(self, reference: str, base: FilePath | None, origin: str, location: Location | None) -> None:
        if reference.startswith("prodpolicy:"):
            name, _, version = reference.partition("@")
            if name != BUNDLED_POLICY:
                self.problem(origin, f"unknown bundled policy {name!r}; the bundled ruleset is {BUNDLED_POLICY}", location)
                return
            if version and version != BUNDLED_VERSION:
                self.problem(
                    origin,
                    f"{BUNDLED_POLICY} version {version!r} is not available; this release ships version {BUNDLED_VERSION}",
                    location,
                )
                return
            self.load_bundled()
            return
        path = FilePath(reference)
        if not path.is_absolute() and base is not None:
            path = base / path
        self.load_file(path, origin, location)

    def load_bundled(self) -> None:
        directory = data_directory("policies") / "rules"
        if directory.resolve() in self.loaded:
            return
        self.loaded.add(directory.resolve())
        files = sorted(directory.rglob("*.yaml"))
        if not files:
            self.problem(str(directory), "the bundled ruleset is missing; reinstall prodpolicy")
        for path in files:
            self.load_file(path, None, None)

    def load_file(self, path: FilePath, origin: str | None, location: Location | None) -> None:
        resolved = path.resolve()
        if resolved in self.loading:
            self.problem(origin or str(path), f"policy files extend each other in a cycle through {path}", location)
            return
        if resolved in self.loaded:
            return
        self.loaded.add(resolved)
        file = str(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            self.problem(origin or file, f"policy file not found: {path}", location)
            return
        except (OSError, UnicodeDecodeError) as error:
            self.problem(file, f"cannot read the policy file: {error}")
            return
        self.loading.append(resolved)
        try:
            self.load_text(text, file, path.parent)
        finally:
            self.loading.pop()

    def load_text(self, text: str, file: str, base: FilePath | None) -> None:
        try:
            loaded = load_yaml(text)
        except YAMLError as error:
            self.problem(file, error.message, Location(error.line, None, error.column) if error.line else None)
            return
        data = loaded.data
        if not isinstance(data, dict):
            self.problem(file, "a policy file must be a mapping with apiVersion and kind")
            return
        self.sources.append(file)
        kind = data.get("kind")
        if kind == "Rule":
            model = self.validate(RuleFile, data, loaded, file)
            if model is not None:
                self.rules.append(_RawRule(model, file, (), loaded))
            return
        if kind == "Policy":
            policy = self.validate(PolicyFile, data, loaded, file)
            if policy is None:
                return
            for number, reference in enumerate(policy.extends):
                self.load_reference(reference, base, file, loaded.locations.get(("extends", number)))
            for number, rule in enumerate(policy.rules):
                self.rules.append(_RawRule(rule, file, ("rules", number), loaded))
            return
        self.problem(file, f"unknown kind {kind!r}; use kind: Rule or kind: Policy", loaded.locations.get(("kind",)))

    def validate(self, model: type[Any], data: dict[str, Any], loaded: YAMLData, file: str) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                path = _data_path(data, item["loc"])
                rule_id = _rule_id_at(data, path)
                self.problem(file, _describe(item, path), _nearest(loaded, path), rule_id)
            return None

    def compile(self) -> list[CompiledRule]:
        compiled: list[CompiledRule] = []
        seen_ids: dict[str, str] = {}
        seen_names: dict[str, str] = {}
        for raw in self.rules:
            rule = raw.rule
            where = f"{raw.file}:{_line(raw.yaml, raw.prefix)}"
            location = _nearest(raw.yaml, (*raw.prefix, "id"))
            if rule.id in seen_ids:
                self.problem(raw.file, f"duplicate rule id {rule.id}; it is already used at {seen_ids[rule.id]}", location, rule.id)
                continue
            if rule.name in seen_names:
                self.problem(raw.file, f"duplicate rule name {rule.name}; it is already used at {seen_names[rule.name]}", location, rule.id)
                continue
            seen_ids[rule.id] = where
            seen_names[rule.name] = where
            result = self.compile_rule(raw)
            if result is not None:
                compiled.append(result)
        return compiled

    def compile_rule(self, raw: _RawRule, parameters: dict[str, Any] | None = None) -> CompiledRule | None:
        rule = raw.rule
        before = len(self.problems)
        values = {name: parameter.default for name, parameter in rule.parameters.items()}
        values.update(parameters or {})

        def at(*path: str | int) -> Location | None:
            return _nearest(raw.yaml, (*raw.prefix, *path))

        given_texts = [rule.given] if isinstance(rule.given, str) else rule.given
        given: list[CompiledPath] = []
        for number, text in enumerate(given_texts):
            try:
                path = compile_path(text)
            except JSONPathError as error:
                self.problem(raw.file, str(error), at("given", number) if isinstance(rule.given, list) else at("given"), rule.id)
                continue
            if path.relative:
                self.problem(raw.file, f"given must start at the document root with $: {text!r}", at("given"), rule.id)
                continue
            given.append(path)
        predicate: Predicate = lambda node: True  # noqa: E731 - replaced below unless the conditions are invalid
        try:
            predicate = compile_conditions(rule.when, values)
        except ConditionError as error:
            self.problem(raw.file, error.message, at(*error.location), rule.id)
        message: Template | None = None
        try:
            message = compile_template(rule.message, lambda name: _parameter(values, name))
        except (TemplateError, KeyError) as error:
            self.problem(raw.file, str(error).strip("'\""), at("message"), rule.id)
        report_at: list[CompiledPath] = []
        for number, text in enumerate(rule.report_at):
            try:
                report_at.append(compile_path(text))
            except JSONPathError as error:
                self.problem(raw.file, str(error), at("report_at", number), rule.id)
        tests = tuple(_resolve_test(test, raw.file) for test in rule.tests)
        if len(self.problems) > before or message is None:
            return None
        return CompiledRule(
            id=rule.id,
            name=rule.name,
            title=rule.title,
            severity=rule.severity,
            applies_to=frozenset(rule.applies_to),
            tags=tuple(rule.tags),
            enabled=rule.enabled,
            given=tuple(given),
            predicate=predicate,
            on_no_match=rule.on_no_match,
            message=message,
            report_at=tuple(report_at),
            parameters=values,
            docs=rule.docs,
            references=tuple(rule.references),
            tests=tests,
            source=raw.file,
            line=_line(raw.yaml, raw.prefix),
        )


def _parameter(values: dict[str, Any], name: str) -> Any:
    if name not in values:
        raise KeyError(f"unknown parameter {name!r} in the message; the rule defines: {', '.join(sorted(values)) or 'none'}")
    return values[name]


def _resolve_test(test: RuleTest, rule_file: str) -> RuleTest:
    if test.file is None:
        return test
    path = FilePath(test.file)
    if not path.is_absolute():
        path = FilePath(rule_file).parent / path
    return test.model_copy(update={"file": str(path)})


def _data_path(data: Any, loc: Iterable[str | int]) -> tuple[str | int, ...]:
    """Follow a pydantic error location through the data, skipping union branch labels."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            path.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
    return tuple(path)


def _rule_id_at(data: Any, path: tuple[str | int, ...]) -> str | None:
    if isinstance(data, dict) and data.get("kind") == "Rule":
        return str(data.get("id")) if data.get("id") else None
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = data.get("rules") if isinstance(data, dict) else None
        if isinstance(rules, list) and path[1] < len(rules) and isinstance(rules[path[1]], dict):
            rule_id = rules[path[1]].get("id")
            return str(rule_id) if rule_id else None
    return None


def _describe(item: dict[str, Any], path: tuple[str | int, ...]) -> str:
    kind = item["type"]
    loc = item["loc"]
    key = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return f"unknown key {key!r}; check the spelling against schemas/policy.schema.json"
    if kind == "missing":
        return f"missing required key {key!r}"
    where = ".".join(str(part) for part in path) or "the file"
    message = item["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"{where}: {message}"


def _nearest(loaded: YAMLData, path: tuple[str | int, ...]) -> Location | None:
    for end in range(len(path), -1, -1):
        location = loaded.locations.get(path[:end])
        if location is not None:
            return location
    return Location(1) if path else None


def _line(loaded: YAMLData, path: tuple[str | int, ...]) -> int | None:
    location = _nearest(loaded, path)
    return location.line if location else None


def load_policy(paths: Sequence[str | FilePath] | None = None) -> Policy:
    """Load and compile policies; with no paths, the bundled ruleset.

    Raises :class:`PolicyError` listing every problem found.
    """
    loader = _Loader()
    if not paths:
        loader.load_bundled()
    for path in paths or ():
        loader.load_file(FilePath(path), None, None)
    rules = loader.compile() if not loader.problems else []
    if loader.problems:
        raise PolicyError(loader.problems)
    rules.sort(key=lambda rule: rule.id)
    return Policy(tuple(rules), tuple(loader.sources))


def load_policy_text(text: str, file: str = "<policy>", base: FilePath | None = None) -> Policy:
    """Load and compile a policy given as YAML text; relative ``extends`` resolve against ``base``."""
    loader = _Loader()
    loader.load_text(text, file, base)
    rules = loader.compile() if not loader.problems else []
    if loader.problems:
        raise PolicyError(loader.problems)
    rules.sort(key=lambda rule: rule.id)
    return Policy(tuple(rules), tuple(loader.sources))

"""Merge layers into one policy: later layers win, and every value remembers where it was set.

Within a layer the steps run in a fixed order: its new rules, then ``select``
(only the rules it names stay enabled), then ``ignore``, then each override in
the order written. Exceptions from every layer are kept; ``settings`` values
from a later layer replace earlier ones.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from types import MappingProxyType
from typing import Any

from .compiled import CompiledRule, Origin, PolicySettings, freeze
from .docschema import DocumentSchema, SchemaPathError
from .exceptions import CompiledException
from .globs import FileGlob, GlobError, compile_glob
from .jsonpath import CompiledPath, JSONPathError, compile_path
from .parameters import parameter_problems
from .problems import DataPath, Problems
from .read import Layer, RuleDefinition
from .rulecompile import RuleCompiler
from .selectors import SelectorError, select_one
from .spec import ExceptionSpec


@dataclass(eq=False)
class _RuleState:
    definition: RuleDefinition
    declared: CompiledRule
    severity: str
    enabled: bool
    parameters: dict[str, Any]
    origins: dict[str, Origin] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.declared.id

    @property
    def name(self) -> str:
        return self.declared.name

    @property
    def tags(self) -> tuple[str, ...]:
        return self.declared.tags


@dataclass(frozen=True)
class Merged:
    """The outcome of merging: final rules in id order, exceptions and settings."""

    rules: tuple[CompiledRule, ...]
    exceptions: tuple[CompiledException, ...]
    settings: PolicySettings


class Merger:
    """Applies layers in order; mistakes go to ``problems``."""

    def __init__(self, problems: Problems, compiler: RuleCompiler, schema: DocumentSchema | None) -> None:
        self.problems = problems
        self.compiler = compiler
        self.schema = schema
        self.states: list[_RuleState] = []
        self._defined: dict[str, Origin] = {}
        # The ids and names of rules that are defined but did not compile, whose mistakes are already reported.
        self._failed: set[str] = set()
        self._exceptions: list[tuple[Layer, int, ExceptionSpec]] = []
        self._settings: dict[str, Any] = {"inline_suppressions": "allow"}
        self._setting_origins: dict[str, Origin] = {"inline_suppressions": Origin("built-in default", None, "default")}

    def merge(self, layers: Sequence[Layer]) -> Merged:
        for layer in layers:
            self._add_rules(layer)
            if layer.policy is not None:
                self._apply(layer)
        rules = tuple(sorted((rule for rule in map(self._finish, self.states) if rule is not None), key=lambda rule: rule.id))
        exceptions = tuple(
            compiled
            for layer, number, exception in self._exceptions
            if (compiled := self._exception(layer, number, exception)) is not None
        )
        settings = PolicySettings(
            inline_suppressions=self._settings["inline_suppressions"], origins=MappingProxyType(dict(self._setting_origins))
        )
        return Merged(rules, exceptions, settings)

    def _add_rules(self, layer: Layer) -> None:
        for definition in layer.rules:
            rule = definition.rule
            where = definition.origin("id")
            duplicate = self._defined.get(rule.id) or self._defined.get(f"name:{rule.name}")
            if duplicate is not None:
                what = f"rule id {rule.id}" if rule.id in self._defined else f"rule name {rule.name}"
                self.problems.add(
                    definition.source.file,
                    f"duplicate {what}; it is already defined at {duplicate}",
                    definition.location("id"),
                    rule.id,
                )
                continue
            self._defined[rule.id] = where
            self._defined[f"name:{rule.name}"] = where
            declared = self.compiler.declare(definition)
            if declared is None:
                self._failed.update((rule.id, f"name:{rule.name}"))
                continue
            defaults = {name: copy.deepcopy(parameter.default) for name, parameter in rule.parameters.items()}
            state = _RuleState(definition, declared, declared.severity, declared.enabled, defaults)
            state.origins.update(declared.origins)
            self.states.append(state)

    def _select(self, layer: Layer, selector: str, path: DataPath) -> list[_RuleState]:
        try:
            return select_one(selector, self.states)  # type: ignore[return-value]
        except SelectorError as error:
            # A rule that did not compile has its own mistake reported already. Saying that the selector
            # naming it matches nothing would only mislead.
            if selector not in self._failed and f"name:{selector}" not in self._failed:
                self.problems.add(layer.file, str(error), layer.location(path))
            return []

    def _apply(self, layer: Layer) -> None:
        policy = layer.policy
        assert policy is not None
        if policy.select is not None:
            chosen: dict[int, Origin] = {}
            for number, selector in enumerate(policy.select):
                for state in self._select(layer, selector, ("select", number)):
                    chosen.setdefault(id(state), layer.origin(("select", number), f"select {selector}"))
            unlisted = layer.origin(("select",), "not in select")
            for state in self.states:
                state.enabled = id(state) in chosen
                state.origins["enabled"] = chosen.get(id(state), unlisted)
        for number, selector in enumerate(policy.ignore):
            for state in self._select(layer, selector, ("ignore", number)):
                state.enabled = False
                state.origins["enabled"] = layer.origin(("ignore", number), f"ignore {selector}")
        for number, override in enumerate(policy.overrides):
            at: DataPath = ("overrides", number)
            matched: list[_RuleState] = []
            for position, selector in enumerate(override.rules):
                matched.extend(state for state in self._select(layer, selector, (*at, "rules", position)) if state not in matched)
            for state in matched:
                if override.severity is not None:
                    state.severity = override.severity
                    state.origins["severity"] = layer.origin((*at, "severity"), "override")
                if override.enabled is not None:
                    state.enabled = override.enabled
                    state.origins["enabled"] = layer.origin((*at, "enabled"), "override")
                self._override_parameters(layer, at, override.parameters, state)
        self._exceptions.extend((layer, number, exception) for number, exception in enumerate(policy.exceptions))
        if policy.inline_suppressions is not None:
            self._settings["inline_suppressions"] = policy.inline_suppressions
            self._setting_origins["inline_suppressions"] = layer.origin(("settings", "inline_suppressions"), "settings")

    def _override_parameters(self, layer: Layer, at: DataPath, values: Mapping[str, Any], state: _RuleState) -> None:
        declared = state.definition.rule.parameters
        for name, value in values.items():
            path = (*at, "parameters", name)
            if name not in declared:
                known = ", ".join(sorted(declared)) or "none"
                self.problems.add(
                    layer.file, f"no parameter {name!r}; {state.id} has: {known}", layer.location(path), state.id
                )
                continue
            problems = parameter_problems(name, declared[name], value)
            for index, message in problems:
                self.problems.add(layer.file, message, layer.location((*path, *index)), state.id)
            if problems:
                continue
            state.parameters[name] = value
            state.origins[f"parameters.{name}"] = layer.origin(path, "override")

    def _finish(self, state: _RuleState) -> CompiledRule | None:
        rule = state.declared
        if {name: freeze(value) for name, value in state.parameters.items()} != dict(rule.parameters):
            recompiled = self.compiler.with_parameters(rule, state.definition, state.parameters, state.origins)
            if recompiled is None:
                return None
            rule = recompiled
        return dataclasses.replace(
            rule, severity=state.severity, enabled=state.enabled, origins=MappingProxyType(dict(state.origins))
        )

    def _exception(self, layer: Layer, number: int, exception: ExceptionSpec) -> CompiledException | None:
        at: DataPath = ("exceptions", number)
        before = len(self.problems)
        selectors = [exception.rule] if isinstance(exception.rule, str) else list(exception.rule)
        rule_ids: set[str] = set()
        for position, selector in enumerate(selectors):
            path = (*at, "rule") if isinstance(exception.rule, str) else (*at, "rule", position)
            rule_ids.update(state.id for state in self._select(layer, selector, path))
        target = exception.target
        base = layer.source.base if layer.source and layer.source.base else FilePath.cwd()
        files = self._globs(layer, at, _as_list(target.file), base)
        paths = self._paths(layer, at, _as_list(target.path))
        if len(self.problems) > before:
            return None
        return CompiledException(
            selectors=tuple(selectors),
            rule_ids=frozenset(rule_ids),
            files=files,
            stages=tuple(_as_list(target.stage)),
            services=tuple(_as_list(target.service)),
            paths=paths,
            reason=exception.reason.strip(),
            expires=exception.expires,
            owner=exception.owner,
            origin=layer.origin(at, "exception"),
        )

    def _globs(self, layer: Layer, at: DataPath, patterns: list[str], base: FilePath) -> tuple[FileGlob, ...]:
        globs: list[FileGlob] = []
        for position, pattern in enumerate(patterns):
            try:
                globs.append(compile_glob(pattern, str(base)))
            except GlobError as error:
                self.problems.add(layer.file, str(error), layer.location((*at, "target", "file", position)))
        return tuple(globs)

    def _paths(self, layer: Layer, at: DataPath, texts: list[str]) -> tuple[CompiledPath, ...]:
        paths: list[CompiledPath] = []
        for position, text in enumerate(texts):
            location = layer.location((*at, "target", "path", position)) or layer.location((*at, "target", "path"))
            try:
                path = compile_path(text)
            except JSONPathError as error:
                self.problems.add(layer.file, str(error), location)
                continue
            if path.relative:
                self.problems.add(layer.file, f"an exception path starts at the document root with $: {text!r}", location)
                continue
            roots = self.schema.roots(self.schema.kinds) if self.schema else None
            if roots is not None and self.schema is not None:
                try:
                    self.schema.select(roots, path.steps, "$")
                except SchemaPathError as error:
                    self.problems.add(layer.file, f"exception path {text!r} cannot match any document: {error}", location)
                    continue
            paths.append(path)
        return tuple(paths)


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)

"""Compile one rule: paths, conditions, message template and parameters, checked against the document model."""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path as FilePath
from types import MappingProxyType
from typing import Any

from ..document import Location
from .compiled import CompiledRule, Origin, freeze
from .conditions import ConditionErrors, Predicate, compile_conditions
from .docschema import DocumentSchema, SchemaPathError
from .jsonpath import CompiledPath, JSONPathError, compile_path
from .parameters import parameter_problems
from .problems import Problems
from .read import RuleDefinition
from .selection import rule_plan
from .spec import RuleTest
from .template import Template, TemplateError, compile_template

SchemaNodes = list[dict[str, Any]] | None
# Reports a mistake: message, position in the rule, and the parameter that caused it when known.
Report = Callable[[str, tuple[str | int, ...], str | None], None]


class RuleCompiler:
    """Compiles rule definitions; mistakes go to ``problems``."""

    def __init__(self, problems: Problems, schema: DocumentSchema | None) -> None:
        self.problems = problems
        self.schema = schema

    def declare(self, definition: RuleDefinition) -> CompiledRule | None:
        """Compile a rule with the parameter values its file declares; return None when it has mistakes."""
        rule = definition.rule
        before = len(self.problems)

        def report(message: str, path: tuple[str | int, ...], _parameter: str | None) -> None:
            self.problems.add(definition.source.file, message, definition.location(*path), rule.id)

        values = self._defaults(definition, report)
        self._check_tests(definition, report)
        if len(self.problems) > before:
            # Conditions compiled with a default of the wrong type would only repeat the mistake.
            return None
        compiled = self._compile(definition, values, report)
        if compiled is None or len(self.problems) > before:
            return None
        origins: dict[str, Origin] = {
            "severity": definition.origin("severity", how="rule"),
            "enabled": definition.origin("enabled", how="rule") if rule.enabled_declared
            else definition.origin("id", how="rule default"),
        }
        for name in rule.parameters:
            origins[f"parameters.{name}"] = definition.origin("parameters", name, "default", how="rule default")
        return dataclasses.replace(compiled, origins=MappingProxyType(origins))

    def with_parameters(
        self, declared: CompiledRule, definition: RuleDefinition, values: Mapping[str, Any], origins: Mapping[str, Origin]
    ) -> CompiledRule | None:
        """Compile a declared rule again with parameter values an override set.

        A mistake that a value causes (a regular expression RE2 rejects) is
        reported at the override that set it.
        """
        before = len(self.problems)

        def report(message: str, path: tuple[str | int, ...], parameter: str | None) -> None:
            origin = origins.get(f"parameters.{parameter}") if parameter else None
            if origin is not None and origin.how != "rule default":
                line = Location(origin.line) if origin.line is not None else None
                self.problems.add(origin.file, f"{message} (parameter {parameter} of {declared.id})", line, declared.id)
                return
            self.problems.add(definition.source.file, message, definition.location(*path), declared.id)

        compiled = self._compile(definition, dict(values), report)
        if compiled is None or len(self.problems) > before:
            return None
        return dataclasses.replace(compiled, declared=declared)

    def _defaults(self, definition: RuleDefinition, report: Report) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, parameter in definition.rule.parameters.items():
            for index, message in parameter_problems(name, parameter, parameter.default):
                report(message, ("parameters", name, "default", *index), None)
            values[name] = parameter.default
        return values

    def _check_tests(self, definition: RuleDefinition, report: Report) -> None:
        base = definition.source.base
        for number, test in enumerate(definition.rule.tests):
            if test.file is not None and _outside(test.file, base):
                message = f"test fixture {test.file!r} is outside the folder of the policy file; keep fixtures beside it"
                report(message, ("tests", number, "file"), None)
            elif test.file is not None and base is not None and not (base / test.file).is_file():
                report(f"test fixture not found: {base / test.file}", ("tests", number, "file"), None)
        folder = definition.rule.test_folder
        if folder is not None and _outside(folder, base):
            message = f"test folder {folder!r} is outside the folder of the policy file; keep fixtures beside it"
            report(message, ("test_folder",), None)
        elif folder is not None and base is not None and not (base / folder).is_dir():
            report(f"test folder not found: {base / folder}", ("test_folder",), None)

    def _compile(self, definition: RuleDefinition, values: dict[str, Any], report: Report) -> CompiledRule | None:
        rule = definition.rule
        kinds = "/".join(sorted(rule.applies_to))
        roots = self.schema.roots(rule.applies_to) if self.schema else None
        failed = False

        # given: absolute paths, each checked against the documents the rule applies to.
        given: list[CompiledPath] = []
        nodes: list[dict[str, Any]] = []
        texts = (rule.given,) if isinstance(rule.given, str) else rule.given
        for number, text in enumerate(texts):
            at = ("given",) if isinstance(rule.given, str) else ("given", number)
            try:
                path = compile_path(text)
            except JSONPathError as error:
                report(str(error), at, None)
                failed = True
                continue
            if path.relative:
                report(f"given must start at the document root with $: {text!r}", at, None)
                failed = True
                continue
            given.append(path)
            if roots is not None and self.schema is not None:
                try:
                    nodes.extend(self.schema.select(roots, path.steps, "$"))
                except SchemaPathError as error:
                    report(f"given {text!r} cannot match a {kinds} document: {error}", at, None)
                    failed = True
        node_schemas = nodes if roots is not None and not failed else None

        # when: conditions, with every field checked against what given selects.
        predicate: Predicate = _never
        try:
            predicate = compile_conditions(rule.when, copy.deepcopy(values), self.schema, node_schemas, kinds)
        except ConditionErrors as group:
            for error in group.errors:
                report(error.message, error.location, error.parameter)
            failed = True

        message = self._message(rule.message, values, node_schemas, kinds, report)
        report_at = self._report_at(rule.report_at, node_schemas, kinds, report)
        if failed or message is None or report_at is None:
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
            report_at=report_at,
            parameters=MappingProxyType({name: freeze(value) for name, value in values.items()}),
            docs=rule.docs,
            references=tuple(rule.references),
            tests=tuple(_resolve_test(test, definition.source.base) for test in rule.tests),
            source=definition.source.file,
            line=_line(definition.location("id")),
            test_folder=_resolve_folder(rule.test_folder, definition.source.base),
            test_lines=tuple(_line(definition.location("tests", index)) for index in range(len(rule.tests))),
            plan=rule_plan(rule.when, values),
        )

    def _message(
        self, text: str, values: dict[str, Any], nodes: SchemaNodes, kinds: str, report: Report
    ) -> Template | None:
        def parameter(name: str) -> Any:
            if name not in values:
                known = ", ".join(sorted(values)) or "none"
                raise TemplateError(f"unknown parameter {name!r} in the message; the rule defines: {known}")
            return values[name]

        def check(path: CompiledPath) -> None:
            if nodes is not None and self.schema is not None:
                try:
                    self.schema.select(nodes, path.steps, "@")
                except SchemaPathError as error:
                    raise TemplateError(f"placeholder {{{path.text}}} cannot exist in a {kinds} document: {error}") from None

        try:
            return compile_template(text, parameter, check)
        except TemplateError as error:
            report(str(error), ("message",), None)
            return None

    def _report_at(
        self, texts: Sequence[str], nodes: SchemaNodes, kinds: str, report: Report
    ) -> tuple[CompiledPath, ...] | None:
        paths: list[CompiledPath] = []
        failed = False
        for number, text in enumerate(texts):
            try:
                path = compile_path(text)
                if not path.relative:
                    raise JSONPathError(f"report_at is relative to the matched node; drop the leading $ in {text!r}")
                if nodes is not None and self.schema is not None:
                    self.schema.select(nodes, path.steps, "@")
            except JSONPathError as error:
                report(str(error), ("report_at", number), None)
                failed = True
                continue
            except SchemaPathError as error:
                report(f"report_at {text!r} cannot exist in a {kinds} document: {error}", ("report_at", number), None)
                failed = True
                continue
            paths.append(path)
        return None if failed else tuple(paths)


def _line(location: Location | None) -> int | None:
    return location.line if location else None


def _never(node: Any) -> bool:
    return False


def _outside(path: str, base: FilePath | None) -> bool:
    """Return True for a fixture path that leaves the policy file's folder: absolute, or climbing out with ..

    Fixtures are read by prodpolicy test, so a policy taken from a pull request could otherwise name any file.
    """
    if FilePath(path).is_absolute():
        return True
    if base is None:
        return False
    folder = os.path.realpath(base)
    target = os.path.realpath(base / path)
    return os.path.commonpath([folder, target]) != folder


def _resolve_test(test: RuleTest, base: FilePath | None) -> RuleTest:
    if test.file is None or base is None or FilePath(test.file).is_absolute():
        return test
    return dataclasses.replace(test, file=str(base / test.file))


def _resolve_folder(folder: str | None, base: FilePath | None) -> str | None:
    if folder is None or base is None or FilePath(folder).is_absolute():
        return folder
    return str(base / folder)

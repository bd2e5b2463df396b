"""Rules and policy files as the compiler reads them: frozen values, free of pydantic.

The pydantic models in :mod:`.model` check a policy file against the format.
Once a rule has passed that check, it becomes a :class:`RuleSpec`, and the rest
of a policy file a :class:`PolicySpec`. The compiler, the merge of layers, the
reports and ``prodpolicy test`` read only specs. Two things follow:

* The bundled ruleset and every valid policy file are cached as specs (see
  :mod:`.cache`), so a run whose files are unchanged never imports pydantic,
  which costs about 0.1 s of a 0.3 s start (measured on a 2-core machine).
* A condition is one operator and its operand, not a model with 27 optional
  fields of which exactly one is set.

:func:`rule_spec` and :func:`policy_spec` convert a validated model;
:func:`rule_to_plain`, :func:`policy_to_plain` and their ``from_plain``
counterparts convert a spec to and from the plain values that ``marshal`` stores.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

API_VERSION = "prodpolicy/v1"
INPUT_KINDS = ("dockerfile", "compose", "image")

# Operators whose operand is one condition, a list of conditions, or bounds with an optional condition.
CONDITION_OPERATORS = frozenset({"not", "any_item", "all_items", "no_item"})
CONDITION_LIST_OPERATORS = frozenset({"all", "any"})
BOUNDS_OPERATORS = frozenset({"length", "count"})
BOUND_NAMES = ("equals", "gt", "gte", "lt", "lte")


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    """One test on a node: an optional relative ``field``, one operator and its operand.

    The operand is what the policy wrote (text, a number, a list, ``{param: name}``
    or ``{field: path}``), a :class:`ConditionSpec` for ``not`` and the item
    operators, a tuple of them for ``all`` and ``any``, and :class:`BoundsSpec`
    for ``length`` and ``count``.
    """

    operator: str
    operand: Any
    field: str | None = None


@dataclass(frozen=True, slots=True)
class BoundsSpec:
    """The bounds of ``length`` or ``count`` that were given, in the order of :data:`BOUND_NAMES`."""

    bounds: tuple[tuple[str, Any], ...]
    where: ConditionSpec | None = None


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """A rule parameter: its type, the type of list items, its default and what it means."""

    type: str
    items: str | None
    default: Any
    description: str


@dataclass(frozen=True, slots=True)
class RuleDocs:
    """What a rule reports, why it matters in production and how to fix it."""

    summary: str
    why: str
    bad: str
    good: str
    fix: str
    limitations: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ExpectedFinding:
    """A finding a test case must produce: its line (None for the whole file) and text its message contains."""

    line: int | None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class RuleTest:
    """A test case of a rule: an inline input or a fixture file, and every finding it must produce."""

    name: str
    expect: tuple[ExpectedFinding, ...]
    kind: str | None = None
    input: str | None = None
    file: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A validated rule, as its file declares it."""

    id: str
    name: str
    title: str
    severity: str
    applies_to: tuple[str, ...]
    tags: tuple[str, ...]
    enabled: bool
    # Whether the file sets enabled itself, for config --show.
    enabled_declared: bool
    # Text for one path, or a tuple when the file gives a list, so a mistake names its position.
    given: str | tuple[str, ...]
    when: tuple[ConditionSpec, ...]
    on_no_match: str
    message: str
    report_at: tuple[str, ...]
    parameters: Mapping[str, ParameterSpec]
    docs: RuleDocs
    references: tuple[str, ...]
    tests: tuple[RuleTest, ...]
    test_folder: str | None


@dataclass(frozen=True, slots=True)
class OverrideSpec:
    """A change to the rules its selectors match: severity, enablement or parameter values (None: unchanged)."""

    rules: tuple[str, ...]
    severity: str | None
    enabled: bool | None
    parameters: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ExceptionTargetSpec:
    """The findings an exception covers. Each field is text for one value, a tuple for a list, or None when not given."""

    file: str | tuple[str, ...] | None
    stage: str | tuple[str, ...] | None
    service: str | tuple[str, ...] | None
    path: str | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class ExceptionSpec:
    """A documented exception: findings of ``rule`` (a selector, or a tuple of them) at ``target`` are suppressed until ``expires``."""

    rule: str | tuple[str, ...]
    target: ExceptionTargetSpec
    reason: str
    expires: datetime.date | None
    owner: str | None


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """A validated policy file, apart from its rules, which become :class:`RuleSpec` values of their own."""

    extends: tuple[str, ...]
    select: tuple[str, ...] | None
    ignore: tuple[str, ...]
    overrides: tuple[OverrideSpec, ...]
    exceptions: tuple[ExceptionSpec, ...]
    inline_suppressions: str | None


# From validated pydantic models. The models are read by attribute, so this module never imports them.
def policy_spec(policy: Any) -> PolicySpec:
    """Convert a validated :class:`~prodpolicy.policy.model.PolicyFile` into a spec, without its rules."""
    return PolicySpec(
        extends=tuple(policy.extends),
        select=tuple(policy.select) if policy.select is not None else None,
        ignore=tuple(policy.ignore),
        overrides=tuple(
            OverrideSpec(tuple(override.rules), override.severity, override.enabled, MappingProxyType(dict(override.parameters)))
            for override in policy.overrides
        ),
        exceptions=tuple(
            ExceptionSpec(
                rule=_text_or_tuple(exception.rule),
                target=ExceptionTargetSpec(
                    *(_text_or_tuple(getattr(exception.target, name)) for name in ("file", "stage", "service", "path"))
                ),
                reason=exception.reason,
                expires=exception.expires,
                owner=exception.owner,
            )
            for exception in policy.exceptions
        ),
        inline_suppressions=policy.settings.inline_suppressions if policy.settings is not None else None,
    )


def _text_or_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def rule_spec(rule: Any) -> RuleSpec:
    """Convert a validated :class:`~prodpolicy.policy.model.Rule` into a spec."""
    return RuleSpec(
        id=rule.id,
        name=rule.name,
        title=rule.title,
        severity=rule.severity,
        applies_to=tuple(rule.applies_to),
        tags=tuple(rule.tags),
        enabled=rule.enabled,
        enabled_declared="enabled" in rule.model_fields_set,
        given=rule.given if isinstance(rule.given, str) else tuple(rule.given),
        when=tuple(condition_spec(condition) for condition in rule.when),
        on_no_match=rule.on_no_match,
        message=rule.message,
        report_at=tuple(rule.report_at),
        parameters=MappingProxyType(
            {
                name: ParameterSpec(parameter.type, parameter.items, parameter.default, parameter.description)
                for name, parameter in rule.parameters.items()
            }
        ),
        docs=RuleDocs(
            rule.docs.summary, rule.docs.why, rule.docs.bad, rule.docs.good, rule.docs.fix, rule.docs.limitations, rule.docs.url
        ),
        references=tuple(rule.references),
        tests=tuple(
            RuleTest(
                name=test.name,
                expect=tuple(ExpectedFinding(item.line, item.message) for item in test.expect),
                kind=test.kind,
                input=test.input,
                file=test.file,
            )
            for test in rule.tests
        ),
        test_folder=rule.test_folder,
    )


def condition_spec(condition: Any) -> ConditionSpec:
    """Convert a validated :class:`~prodpolicy.policy.model.Condition`, which sets exactly one operator."""
    (operator,) = condition.operators()
    operand = getattr(condition, {"in": "in_", "not": "not_"}.get(operator, operator))
    if operator in CONDITION_OPERATORS:
        operand = condition_spec(operand)
    elif operator in CONDITION_LIST_OPERATORS:
        operand = tuple(condition_spec(item) for item in operand)
    elif operator in BOUNDS_OPERATORS:
        bounds = tuple((name, _plain_operand(getattr(operand, name))) for name in BOUND_NAMES if getattr(operand, name) is not None)
        where = getattr(operand, "where", None)
        operand = BoundsSpec(bounds, condition_spec(where) if where is not None else None)
    return ConditionSpec(operator, operand, condition.field)


def _plain_operand(value: Any) -> Any:
    """Return a bound as written: a number, or ``{param: name}`` for a parameter reference."""
    param = getattr(value, "param", None)
    return {"param": param} if isinstance(param, str) else value


# To and from plain values for the cache: dicts, tuples and literals only, which marshal stores without code.
def rule_to_plain(spec: RuleSpec) -> dict[str, Any]:
    """Return a spec as plain values that marshal can store."""
    return {
        "id": spec.id,
        "name": spec.name,
        "title": spec.title,
        "severity": spec.severity,
        "applies_to": spec.applies_to,
        "tags": spec.tags,
        "enabled": spec.enabled,
        "enabled_declared": spec.enabled_declared,
        "given": spec.given,
        "when": tuple(_condition_to_plain(condition) for condition in spec.when),
        "on_no_match": spec.on_no_match,
        "message": spec.message,
        "report_at": spec.report_at,
        "parameters": {
            name: (parameter.type, parameter.items, parameter.default, parameter.description)
            for name, parameter in spec.parameters.items()
        },
        "docs": (spec.docs.summary, spec.docs.why, spec.docs.bad, spec.docs.good, spec.docs.fix, spec.docs.limitations, spec.docs.url),
        "references": spec.references,
        "tests": tuple(
            (test.name, tuple((item.line, item.message) for item in test.expect), test.kind, test.input, test.file)
            for test in spec.tests
        ),
        "test_folder": spec.test_folder,
    }


def rule_from_plain(plain: dict[str, Any]) -> RuleSpec:
    """Rebuild a spec from what :func:`rule_to_plain` returned."""
    return RuleSpec(
        id=plain["id"],
        name=plain["name"],
        title=plain["title"],
        severity=plain["severity"],
        applies_to=plain["applies_to"],
        tags=plain["tags"],
        enabled=plain["enabled"],
        enabled_declared=plain["enabled_declared"],
        given=plain["given"],
        when=tuple(_condition_from_plain(condition) for condition in plain["when"]),
        on_no_match=plain["on_no_match"],
        message=plain["message"],
        report_at=plain["report_at"],
        parameters=MappingProxyType({name: ParameterSpec(*values) for name, values in plain["parameters"].items()}),
        docs=RuleDocs(*plain["docs"]),
        references=plain["references"],
        tests=tuple(
            RuleTest(name, tuple(ExpectedFinding(*item) for item in expect), kind, text, file)
            for name, expect, kind, text, file in plain["tests"]
        ),
        test_folder=plain["test_folder"],
    )


def policy_to_plain(spec: PolicySpec) -> dict[str, Any]:
    """Return a policy spec as plain values that marshal can store (an expiry date as ISO text)."""
    return {
        "extends": spec.extends,
        "select": spec.select,
        "ignore": spec.ignore,
        "overrides": tuple(
            (override.rules, override.severity, override.enabled, dict(override.parameters)) for override in spec.overrides
        ),
        "exceptions": tuple(
            (
                exception.rule,
                (exception.target.file, exception.target.stage, exception.target.service, exception.target.path),
                exception.reason,
                exception.expires.isoformat() if exception.expires is not None else None,
                exception.owner,
            )
            for exception in spec.exceptions
        ),
        "inline_suppressions": spec.inline_suppressions,
    }


def policy_from_plain(plain: dict[str, Any]) -> PolicySpec:
    """Rebuild a policy spec from what :func:`policy_to_plain` returned."""
    return PolicySpec(
        extends=plain["extends"],
        select=plain["select"],
        ignore=plain["ignore"],
        overrides=tuple(
            OverrideSpec(rules, severity, enabled, MappingProxyType(parameters))
            for rules, severity, enabled, parameters in plain["overrides"]
        ),
        exceptions=tuple(
            ExceptionSpec(
                rule=rule,
                target=ExceptionTargetSpec(*target),
                reason=reason,
                expires=datetime.date.fromisoformat(expires) if expires is not None else None,
                owner=owner,
            )
            for rule, target, reason, expires, owner in plain["exceptions"]
        ),
        inline_suppressions=plain["inline_suppressions"],
    )


def _condition_to_plain(condition: ConditionSpec) -> tuple[Any, ...]:
    operand = condition.operand
    if condition.operator in CONDITION_OPERATORS:
        operand = _condition_to_plain(operand)
    elif condition.operator in CONDITION_LIST_OPERATORS:
        operand = tuple(_condition_to_plain(item) for item in operand)
    elif condition.operator in BOUNDS_OPERATORS:
        operand = (operand.bounds, _condition_to_plain(operand.where) if operand.where is not None else None)
    return (condition.operator, operand, condition.field)


def _condition_from_plain(plain: tuple[Any, ...]) -> ConditionSpec:
    # The operator decides what the operand is, so a literal list is never mistaken for conditions.
    operator, operand, field = plain
    if operator in CONDITION_OPERATORS:
        operand = _condition_from_plain(operand)
    elif operator in CONDITION_LIST_OPERATORS:
        operand = tuple(_condition_from_plain(item) for item in operand)
    elif operator in BOUNDS_OPERATORS:
        bounds, where = operand
        operand = BoundsSpec(tuple(tuple(bound) for bound in bounds), _condition_from_plain(where) if where is not None else None)
    return ConditionSpec(operator, operand, field)

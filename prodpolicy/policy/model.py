"""The policy format, as pydantic models: the source of ``schemas/policy.schema.json``.

A YAML file is either one rule (``kind: Rule``, the form of the bundled rules) or
a policy (``kind: Policy``) that extends other policies, adds its own rules, and
tunes the rules it inherits with ``select``, ``ignore``, ``overrides``,
``exceptions`` and ``settings``. Everything here is data: conditions come from a
closed set of operators and nothing in a policy is ever executed.

Models are strict: ``exists: "yes"`` is an error, not a boolean, because a
policy that means something other than what it reads as is worse than one
that does not load.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..severities import SEVERITIES
from .selectors import RULE_SELECTOR_HELP
from .spec import API_VERSION, INPUT_KINDS

INLINE_SUPPRESSION_MODES = ("allow", "require-reason", "forbid")

Severity = Literal["info", "low", "medium", "high", "critical"]
InputKind = Literal["dockerfile", "compose", "image"]
ParameterType = Literal["string", "number", "integer", "boolean", "list", "regex"]
ItemType = Literal["string", "number", "integer", "boolean", "regex"]

# Condition operators that take one operand.
VALUE_OPERATORS = (
    "exists",
    "absent",
    "equals",
    "not_equals",
    "in",
    "not_in",
    "matches",
    "not_matches",
    "contains",
    "not_contains",
    "contains_match",
    "contains_all",
    "startswith",
    "endswith",
    "gt",
    "gte",
    "lt",
    "lte",
)
NESTED_OPERATORS = ("all", "any", "not", "any_item", "all_items", "no_item", "length", "count")



class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class ParameterRef(_Strict):
    """Use a rule parameter as an operand: ``in: {param: allowed_registries}``."""

    param: str


class FieldRef(_Strict):
    """Use another field of the tested node as an operand: ``lt: {field: interval}``."""

    field: str = Field(description="Path relative to the node the condition tests")


class Comparison(_Strict):
    """Numeric bounds for ``length`` and ``count``; all given bounds must hold."""

    equals: int | ParameterRef | None = None
    gt: int | ParameterRef | None = None
    gte: int | ParameterRef | None = None
    lt: int | ParameterRef | None = None
    lte: int | ParameterRef | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Comparison:
        if not self.model_fields_set & {"equals", "gt", "gte", "lt", "lte"}:
            raise ValueError("give at least one bound: equals, gt, gte, lt or lte")
        return self


class Count(Comparison):
    """Count the items of a list that satisfy ``where`` and compare the count."""

    where: Condition | None = None


Operand = Annotated[Any, Field(description="A literal value, or {param: name} for a rule parameter")]
ComparableOperand = Annotated[
    Any,
    Field(description="A literal value, {param: name} for a rule parameter, or {field: path} for another field of the node"),
]
BoundOperand = Annotated[
    Any,
    Field(
        description="A number or a duration such as 30s or 1m30s (compared in seconds), {param: name} or "
        "{field: path}"
    ),
]


class Condition(_Strict):
    """One test on the matched node: an optional ``field`` and exactly one operator.

    ``field`` is a path relative to the matched node (``user.is_root``, ``ports[*].port``);
    without it the operator tests the node itself. When the field selects several
    values, an operator holds when it holds for any of them; the ``not_*``
    operators hold when the positive operator holds for none.
    """

    field: str | None = Field(None, description="Path relative to the matched node")
    exists: bool | None = Field(None, description="true: the field has a non-null value; false: it has none")
    absent: bool | None = Field(None, description="true: the field is missing or null; false: it has a value")
    equals: ComparableOperand = None
    not_equals: ComparableOperand = None
    in_: Operand = Field(None, alias="in", description="A list of values, or a parameter holding one")
    not_in: Operand = None
    matches: Operand = Field(None, description="A regular expression (RE2 syntax), or a list of them")
    not_matches: Operand = None
    contains: Operand = Field(None, description="The field (a list or text) contains this value")
    not_contains: Operand = None
    contains_match: Operand = Field(None, description="Some item of the field (a list) matches this regular expression")
    contains_all: Operand = Field(
        None, description="A list of values, or a parameter with one: the field (a list, or a mapping's keys) contains every one"
    )
    startswith: Operand = Field(None, description="Text, or a list of texts, the field starts with")
    endswith: Operand = Field(None, description="Text, or a list of texts, the field ends with")
    gt: BoundOperand = None
    gte: BoundOperand = None
    lt: BoundOperand = None
    lte: BoundOperand = None
    length: Comparison | None = Field(None, description="Compare the length of a list, text or mapping")
    count: Count | None = Field(None, description="Count list items that satisfy `where`")
    # An empty list is a mistake, not a condition: all: [] would always hold and any: [] never.
    all: list[Condition] | None = Field(None, min_length=1, description="Every condition is true")
    any: list[Condition] | None = Field(None, min_length=1, description="At least one condition is true")
    not_: Condition | None = Field(None, alias="not", description="The condition does not hold")
    any_item: Condition | None = Field(None, description="Some item of the list field satisfies the condition")
    all_items: Condition | None = Field(None, description="Every item of the list field satisfies the condition")
    no_item: Condition | None = Field(None, description="No item of the list field satisfies the condition")

    @model_validator(mode="after")
    def _exactly_one_operator(self) -> Condition:
        used = sorted(self.operators())
        if len(used) != 1:
            names = ", ".join(VALUE_OPERATORS + NESTED_OPERATORS)
            if not used:
                raise ValueError(f"a condition needs one operator; choose from {names}")
            raise ValueError(f"a condition takes exactly one operator, found {', '.join(used)}; split it with all/any")
        return self

    def operators(self) -> set[str]:
        """Return the operator keys this condition sets (``in`` and ``not`` by their YAML names)."""
        aliases = {"in_": "in", "not_": "not"}
        return {aliases.get(name, name) for name in self.model_fields_set if name != "field"}


class Parameter(_Strict):
    """A value an organisation can tune without editing the rule."""

    type: ParameterType
    items: ItemType | None = Field(None, description="For type list: the type every item must have")
    default: Any
    description: str


class Docs(_Strict):
    """What the rule reports, why it matters in production and how to fix it."""

    summary: str
    why: str
    bad: str = Field(description="An example that the rule reports")
    good: str = Field(description="The same example, fixed")
    fix: str
    limitations: str | None = None
    url: str | None = Field(
        None,
        description="The address of the rule's reference page, linked from SARIF, GitLab and explain; "
        "bundled rules link to their page in docs/rules, other rules only when this is set",
    )


class ExpectedFinding(_Strict):
    """A finding a test case must produce."""

    line: int | None = Field(description="The line the finding points at; null for a finding on the whole file")
    message: str | None = Field(None, description="Text the message must contain")


class RuleTest(_Strict):
    """A test case: an input and the findings it must produce (none for a passing case)."""

    name: str
    kind: InputKind | None = Field(None, description="Input kind; taken from the file name when omitted")
    input: str | None = Field(None, description="The input inline")
    file: str | None = Field(None, description="A fixture file, relative to the rule file")
    expect: list[ExpectedFinding] = Field(description="Every finding the rule must produce, by line; [] when none")

    @model_validator(mode="after")
    def _one_input(self) -> RuleTest:
        if (self.input is None) == (self.file is None):
            raise ValueError("a test needs exactly one of input or file")
        return self


class Rule(_Strict):
    """A rule: select nodes with ``given``, report those that satisfy ``when``."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,7}[0-9]{3}$", description="Stable code such as DF101")
    name: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", description="Readable kebab-case name")
    title: str
    severity: Severity = Field(description="info < low < medium < high < critical")
    applies_to: list[InputKind] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    enabled: bool = Field(True, description="false: the rule runs only when a policy selects or enables it")
    given: str | list[str] = Field(description="JSONPath (RFC 9535 selectors) of the nodes to test")
    when: list[Condition] = Field(
        default_factory=list, description="Conditions that must all hold for a finding; none means every node"
    )
    on_no_match: Literal["pass", "fail"] = Field(
        "pass", description="fail: report the document when `given` selects nothing"
    )
    message: str = Field(description="Finding message; {field} inserts a field of the matched node")
    report_at: list[str] = Field(
        default_factory=list, description="Fields of the matched node to point at, first present one wins"
    )
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    docs: Docs
    references: list[str] = Field(default_factory=list, description="Peer rule ids such as hadolint:DL3002")
    tests: list[RuleTest] = Field(default_factory=list)
    test_folder: str | None = Field(
        None,
        description="A folder of fixture files relative to this file; a '# expect: ID' comment marks the next "
        "line as one where the rule must report, and a file without marks must give no finding",
    )


class RuleFile(Rule):
    """A file holding one rule."""

    schema_: str | None = Field(None, alias="$schema")
    apiVersion: Literal["prodpolicy/v1"]
    kind: Literal["Rule"]


class Override(_Strict):
    """Change the rules a selector matches: severity, enablement or parameter values."""

    rules: list[str] = Field(min_length=1, description=f"Selectors: {RULE_SELECTOR_HELP}")
    severity: Severity | None = None
    enabled: bool | None = None
    parameters: dict[str, Any] = Field(default_factory=dict, description="New parameter values, checked against their type")

    @model_validator(mode="after")
    def _changes_something(self) -> Override:
        if self.severity is None and self.enabled is None and not self.parameters:
            raise ValueError("an override needs severity, enabled or parameters")
        return self


class ExceptionTarget(_Strict):
    """The findings an exception covers: every field given must match, and a list matches any of its items."""

    file: str | list[str] | None = Field(
        None,
        description="Glob relative to the folder of the file that declares the exception (** crosses folders); "
        "a glob without / matches the file name in any folder",
    )
    stage: str | list[str] | None = Field(None, description="Dockerfile stage name or index")
    service: str | list[str] | None = Field(None, description="Compose service name")
    path: str | list[str] | None = Field(None, description="JSONPath of document nodes; findings at or below them match")

    @model_validator(mode="after")
    def _one_target(self) -> ExceptionTarget:
        if not self.model_fields_set:
            raise ValueError("a target needs file, stage, service or path")
        return self


class PolicyException(_Strict):
    """A documented exception: findings of ``rule`` at ``target`` are suppressed until ``expires``."""

    rule: str | list[str] = Field(description=f"Selector or selectors: {RULE_SELECTOR_HELP}")
    target: ExceptionTarget
    reason: str = Field(min_length=1, description="Why the finding is accepted; shown in every report")
    expires: datetime.date | None = Field(
        None, strict=False, description="Last day the exception applies (YYYY-MM-DD); after it the finding returns"
    )
    owner: str | None = Field(None, description="The team or person responsible for the exception")

    @model_validator(mode="after")
    def _reason_has_text(self) -> PolicyException:
        if not self.reason.strip():
            raise ValueError("reason must say why the finding is accepted")
        return self


class Settings(_Strict):
    """Policy-wide settings."""

    inline_suppressions: Literal["allow", "require-reason", "forbid"] | None = Field(
        None,
        description="allow (the default): '# prodpolicy ignore=RULE' comments suppress findings; require-reason: "
        "only comments with '-- reason' do; forbid: comments are not honoured",
    )


class PolicyFile(_Strict):
    """A policy: other policies it extends, rules of its own, and changes to the rules it inherits.

    Changes apply in this order: the policies in ``extends``, this file's
    ``rules``, then ``select``, ``ignore`` and ``overrides`` (later entries win).
    """

    schema_: str | None = Field(None, alias="$schema")
    apiVersion: Literal["prodpolicy/v1"]
    kind: Literal["Policy"]
    name: str | None = None
    description: str | None = None
    extends: list[str] = Field(
        default_factory=list,
        description="prodpolicy:recommended@1 (the bundled ruleset) or paths relative to this file",
    )
    rules: list[Rule] = Field(default_factory=list)
    select: list[str] | None = Field(
        None, description=f"Enable only the rules these selectors match and disable the others: {RULE_SELECTOR_HELP}"
    )
    ignore: list[str] = Field(default_factory=list, description="Disable the rules these selectors match")
    overrides: list[Override] = Field(default_factory=list)
    exceptions: list[PolicyException] = Field(default_factory=list)
    settings: Settings | None = None


Count.model_rebuild()
Condition.model_rebuild()

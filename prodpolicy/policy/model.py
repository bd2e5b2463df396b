"""The policy format, as pydantic models: the source of ``schemas/policy.schema.json``.

A YAML file is either one rule (``kind: Rule``, the form of the bundled rules) or
a policy (``kind: Policy``) that extends other policies and adds its own rules.
Everything here is data: conditions come from a closed set of operators and
nothing in a policy is ever executed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

API_VERSION = "prodpolicy/v1"
SEVERITIES = ("info", "low", "medium", "high", "critical")
INPUT_KINDS = ("dockerfile", "compose", "image")

Severity = Literal["info", "low", "medium", "high", "critical"]
InputKind = Literal["dockerfile", "compose", "image"]

# Condition operators that take one operand.
VALUE_OPERATORS = (
    "exists",
    "equals",
    "not_equals",
    "in",
    "not_in",
    "matches",
    "not_matches",
    "contains",
    "not_contains",
    "contains_match",
    "startswith",
    "endswith",
    "gt",
    "gte",
    "lt",
    "lte",
)
NESTED_OPERATORS = ("all", "any", "not", "any_item", "all_items", "no_item", "length", "count")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ParameterRef(_Strict):
    """Use a rule parameter as an operand: ``in: {param: allowed_registries}``."""

    param: str


class Comparison(_Strict):
    """Numeric bounds for ``length`` and ``count``; all given bounds must hold."""

    equals: int | ParameterRef | None = None
    gt: int | ParameterRef | None = None
    gte: int | ParameterRef | None = None
    lt: int | ParameterRef | None = None
    lte: int | ParameterRef | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Comparison:
        if not self.model_fields_set:
            raise ValueError("give at least one bound: equals, gt, gte, lt or lte")
        return self


class Count(Comparison):
    """Count the items of a list that satisfy ``where`` and compare the count."""

    where: Condition | None = None


Operand = Annotated[Any, Field(description="A literal value, or {param: name} for a rule parameter")]


class Condition(_Strict):
    """One test on the matched node: an optional ``field`` and exactly one operator.

    ``field`` is a path relative to the matched node (``user.is_root``, ``ports[*].port``);
    without it the operator tests the node itself. When the field selects several
    values, an operator holds when it holds for any of them; the ``not_*``
    operators hold when the positive operator holds for none.
    """

    field: str | None = Field(None, description="Path relative to the matched node")
    exists: bool | None = Field(None, description="true: the field has a non-null value; false: it has none")
    equals: Operand = None
    not_equals: Operand = None
    in_: Operand = Field(None, alias="in", description="A list of values, or a parameter holding one")
    not_in: Operand = None
    matches: Operand = Field(None, description="A regular expression (RE2 syntax), or a list of them")
    not_matches: Operand = None
    contains: Operand = Field(None, description="The field (a list or text) contains this value")
    not_contains: Operand = None
    contains_match: Operand = Field(None, description="Some item of the field (a list) matches this regular expression")
    startswith: Operand = None
    endswith: Operand = None
    gt: Operand = Field(None, description="A number, or a duration such as 30s or 1m")
    gte: Operand = None
    lt: Operand = None
    lte: Operand = None
    length: Comparison | None = Field(None, description="Compare the length of a list, text or mapping")
    count: Count | None = Field(None, description="Count list items that satisfy `where`")
    all: list[Condition] | None = Field(None, description="Every condition holds")
    any: list[Condition] | None = Field(None, description="At least one condition holds")
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

    type: Literal["string", "number", "integer", "boolean", "list", "regex"]
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


class ExpectedFinding(_Strict):
    """A finding a test case must produce."""

    line: int
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
    severity: Severity
    applies_to: list[InputKind] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    enabled: bool = True
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


class RuleFile(Rule):
    """A file holding one rule."""

    schema_: str | None = Field(None, alias="$schema")
    apiVersion: Literal["prodpolicy/v1"]
    kind: Literal["Rule"]


class PolicyFile(_Strict):
    """A policy: other policies it extends, and rules of its own."""

    schema_: str | None = Field(None, alias="$schema")
    apiVersion: Literal["prodpolicy/v1"]
    kind: Literal["Policy"]
    name: str | None = None
    description: str | None = None
    extends: list[str] = Field(
        default_factory=list,
        description="prodpolicy:recommended (the bundled ruleset) or paths relative to this file",
    )
    rules: list[Rule] = Field(default_factory=list)


Count.model_rebuild()
Condition.model_rebuild()

"""Condition operators on real Dockerfile documents, one rule per operator, with exact findings."""

from __future__ import annotations

import json

import pytest

from prodpolicy.api import normalize
from prodpolicy.errors import PolicyError
from prodpolicy.evaluation import evaluate
from prodpolicy.policy.conditions import compile_conditions
from prodpolicy.policy.load import load_policy_text
from prodpolicy.policy.model import Condition
from prodpolicy.policy.spec import condition_spec

DOCKERFILE = """\
FROM python:3.12-slim AS build
RUN pip wheel --wheel-dir /wheels .
FROM python:3.12-slim
ENV APP_ENV=production DEBUG=false
EXPOSE 8000 9090/udp
HEALTHCHECK --interval=5m --timeout=6m CMD ["python", "-m", "app.health"]
USER 10001
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:wsgi"]
"""


def rule_policy(given: str, when: list, message: str = "found", **extra) -> str:
    rule = {
        "id": "TST001",
        "name": "operator-under-test",
        "title": "Operator under test",
        "severity": "low",
        "applies_to": ["dockerfile"],
        "given": given,
        "when": when,
        "message": message,
        "docs": {"summary": "s", "why": "w", "bad": "b", "good": "g", "fix": "f"},
        **extra,
    }
    # JSON is YAML: the rule is written as one flow mapping.
    return "apiVersion: prodpolicy/v1\nkind: Policy\nrules:\n  - " + json.dumps(rule) + "\n"


def fired(given: str, when: list, text: str = DOCKERFILE, **extra) -> list[tuple[int | None, str]]:
    policy = load_policy_text(rule_policy(given, when, **extra))
    report = evaluate(normalize("Dockerfile", text=text), policy)
    return [(finding.line, finding.path) for finding in report.findings]


def problem_messages(given: str, when: list, **extra) -> list[str]:
    with pytest.raises(PolicyError) as raised:
        load_policy_text(rule_policy(given, when, **extra))
    return [problem.message for problem in raised.value.problems]


RUNTIME = "$.runtimes[*]"
ROOT_PATH = "$['runtimes'][0]"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ([{"field": "workdir", "absent": True}], [(3, ROOT_PATH)]),
        ([{"field": "workdir", "absent": False}], []),
        ([{"field": "user.uid", "exists": True}], [(3, ROOT_PATH)]),
        ([{"field": "user.uid", "equals": 10001}], [(3, ROOT_PATH)]),
        ([{"field": "user.uid", "equals": "10001"}], []),
        ([{"field": "user.is_root", "equals": 0}], []),
        ([{"field": "user.uid", "not_equals": 10001}], []),
        ([{"field": "env.APP_ENV.value", "in": ["production", "staging"]}], [(3, ROOT_PATH)]),
        ([{"field": "env.APP_ENV.value", "not_in": ["production"]}], []),
        ([{"field": "execution.argv[0]", "matches": "^gunicorn$"}], [(3, ROOT_PATH)]),
        ([{"field": "execution.argv[0]", "not_matches": ["^gunicorn$", "^uvicorn$"]}], []),
        ([{"field": "execution.argv", "contains": "app:wsgi"}], [(3, ROOT_PATH)]),
        ([{"field": "execution.argv", "contains_match": "^0\\.0\\.0\\.0:"}], [(3, ROOT_PATH)]),
        ([{"field": "env", "contains": "DEBUG"}], [(3, ROOT_PATH)]),
        ([{"field": "env", "contains": ["DEBUG"]}], []),
        ([{"field": "env", "contains": {"DEBUG": "false"}}], []),
        ([{"field": "env", "not_contains": ["DEBUG"]}], [(3, ROOT_PATH)]),
        ([{"field": "env", "contains_all": ["APP_ENV", "DEBUG"]}], [(3, ROOT_PATH)]),
        ([{"field": "env", "contains_all": ["APP_ENV", "SECRET_KEY"]}], []),
        ([{"field": "execution.argv", "contains_all": ["gunicorn", "app:wsgi"]}], [(3, ROOT_PATH)]),
        ([{"field": "execution.argv", "contains_all": ["gunicorn", "--workers"]}], []),
        ([{"field": "execution.argv[0]", "contains_all": ["gunicorn"]}], []),
        ([{"field": "labels", "contains_all": []}], [(3, ROOT_PATH)]),
        ([{"field": "labels", "contains_all": ["team"]}], []),
        ([{"not": {"field": "labels", "contains_all": ["team"]}}], [(3, ROOT_PATH)]),
        ([{"field": "base.reference", "startswith": ["python:", "node:"]}], [(3, ROOT_PATH)]),
        ([{"field": "base.reference", "endswith": "-alpine"}], []),
        ([{"field": "healthcheck.interval", "gt": "4m"}], [(3, ROOT_PATH)]),
        ([{"field": "healthcheck.interval", "lte": 299}], []),
        ([{"field": "healthcheck.timeout", "gte": {"field": "healthcheck.interval"}}], [(3, ROOT_PATH)]),
        ([{"field": "healthcheck.timeout", "lt": {"field": "healthcheck.interval"}}], []),
        ([{"field": "user.uid", "equals": {"field": "user.uid"}}], [(3, ROOT_PATH)]),
        ([{"field": "ports", "length": {"equals": 2}}], [(3, ROOT_PATH)]),
        ([{"field": "ports", "count": {"gte": 1, "where": {"field": "protocol", "equals": "udp"}}}], [(3, ROOT_PATH)]),
        ([{"field": "ports", "any_item": {"field": "port", "lt": 1024}}], []),
        ([{"field": "ports", "all_items": {"field": "port", "gte": 1024}}], [(3, ROOT_PATH)]),
        ([{"field": "ports", "no_item": {"field": "port", "equals": 22}}], [(3, ROOT_PATH)]),
        ([{"field": "user", "all": [{"field": "uid", "gt": 0}, {"field": "is_root", "equals": False}]}], [(3, ROOT_PATH)]),
        ([{"any": [{"field": "user.is_root", "equals": True}, {"field": "workdir", "exists": True}]}], []),
        ([{"not": {"field": "user.is_root", "equals": True}}], [(3, ROOT_PATH)]),
    ],
    ids=lambda value: json.dumps(value)[:60] if isinstance(value, list) and value and isinstance(value[0], dict) else None,
)
def test_operator(when, expected):
    assert fired(RUNTIME, when) == expected


def test_no_conditions_report_every_selected_node():
    assert fired("$.stages[*]", []) == [(1, "$['stages'][0]"), (3, "$['stages'][1]")]


def test_on_no_match_fail_reports_the_document():
    assert fired("$.runtimes[*].entrypoint", [], on_no_match="fail") == [(None, "$")]
    assert fired("$.runtimes[*].entrypoint", [], on_no_match="pass") == []


def test_report_at_points_at_field():
    assert fired(RUNTIME, [{"field": "user.uid", "gt": 0}], report_at=["user"]) == [(7, "$['runtimes'][0]['user']")]


def test_message_renders_fields_and_parameters():
    text = rule_policy(
        RUNTIME,
        [{"field": "user.uid", "gt": {"param": "minimum"}}],
        message="uid {user.uid} is above {param.minimum}; ports {ports[*].port}; missing {workdir}",
        parameters={"minimum": {"type": "integer", "default": 1000, "description": "Lowest uid"}},
    )
    report = evaluate(normalize("Dockerfile", text=DOCKERFILE), load_policy_text(text))

    assert [finding.message for finding in report.findings] == ["uid 10001 is above 1000; ports 8000, 9090; missing (none)"]


def test_contains_all_takes_a_parameter_list():
    parameters = {"required": {"type": "list", "items": "string", "default": ["APP_ENV", "DEBUG"], "description": "Keys"}}
    when = [{"field": "env", "contains_all": {"param": "required"}}]

    assert fired(RUNTIME, when, parameters=parameters) == [(3, ROOT_PATH)]


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ([{"field": "user.uid", "any_item": {"equals": 1}}], "any_item needs a list or mapping field: the field is a whole number"),
        ([{"field": "user.uid", "gt": {"field": "user.ui"}}], "field 'user.ui' cannot exist in a dockerfile document"),
        ([{"field": "ports", "any_item": {"field": "prot", "equals": "udp"}}], "@ is a Port object, which has no field 'prot'"),
        ([{"field": "env.ANY.valeu", "exists": True}], "@.env.ANY is a Variable object, which has no field 'valeu'"),
        ([{"field": "user.uid[0]", "exists": True}], "@.user.uid is a whole number, not a list"),
        ([{"field": "$.user", "exists": True}], "a field is relative to the matched node; drop the leading $"),
        ([{"field": "user.uid", "gt": True}], "a comparison needs a number or a duration, not a boolean"),
        ([{"field": "user.uid", "gt": "soon"}], "a comparison needs a number or a duration such as 30s, not 'soon'"),
        ([{"field": "user.uid", "length": {"gt": "two"}}], "length.gt: expected a valid integer"),
        ([{"field": "env", "contains_all": "APP_ENV"}], "contains_all takes a list of values"),
    ],
)
def test_condition_mistakes_are_load_errors(when, message):
    messages = problem_messages(RUNTIME, when)

    assert any(message in text for text in messages), messages


def test_descendant_paths_are_checked_against_every_nested_node():
    assert fired("$..healthcheck", [{"field": "state", "equals": "configured"}]) == [
        (6, "$['runtimes'][0]['healthcheck']"),
        (6, "$['stages'][1]['instructions'][3]['healthcheck']"),
    ]
    # A mapping such as env takes any key, so only a path no node can continue is an error.
    assert fired("$..any_variable_name", []) == []
    assert "has no field 'is_rot'; did you mean 'is_root'?" in problem_messages("$..user.is_rot", [])[0]


def test_rule_problems_reported_together():
    messages = problem_messages(
        RUNTIME,
        [{"field": "usr", "exists": True}, {"field": "workdir", "matches": "(a)\\1"}],
        message="{wrkdir}",
    )

    assert len(messages) == 3


def test_null_fields_are_not_selected():
    assert fired("$.runtimes[*].workdir", []) == []


def test_message_fallback_for_missing_field():
    text = rule_policy(
        RUNTIME,
        [{"field": "user.uid", "gt": 0}],
        message="workdir {workdir|not set}; uid {user.uid|unknown}",
    )
    report = evaluate(normalize("Dockerfile", text=DOCKERFILE), load_policy_text(text))

    assert [finding.message for finding in report.findings] == ["workdir not set; uid 10001"]


# Fields of one and two names are read without building their list of values. These cases check that the
# shortcut gives what the general path gives: absent and null are no value, and a boolean is not a number.
FIELD_NODES = [
    {"manager": "apt-get", "package": {"manager": "apt-get", "shipped": True}},
    {"manager": ["apt-get"], "package": {"manager": ["apt-get"], "shipped": 1}},
    {"manager": None, "package": {"manager": None, "shipped": None}},
    {"package": "apt-get"},
    {},
    "apt-get",
]
FIELD_CASES = [
    ({"field": "manager", "equals": "apt-get"}, [True, False, False, False, False, False]),
    ({"field": "package.manager", "equals": "apt-get"}, [True, False, False, False, False, False]),
    ({"field": "package.shipped", "equals": True}, [True, False, False, False, False, False]),
    ({"field": "package.shipped", "equals": 1}, [False, True, False, False, False, False]),
    ({"field": "manager", "in": ["apk", "apt-get"]}, [True, False, False, False, False, False]),
    ({"field": "package.manager", "in": ["apk", "apt-get"]}, [True, False, False, False, False, False]),
    ({"field": "manager", "exists": True}, [True, True, False, False, False, False]),
    ({"field": "package.manager", "exists": True}, [True, True, False, False, False, False]),
    ({"field": "package.manager", "absent": True}, [False, False, True, True, True, True]),
    ({"field": "package.shipped", "not_equals": True}, [False, True, True, True, True, True]),
]


@pytest.mark.parametrize(("condition", "expected"), FIELD_CASES, ids=lambda value: json.dumps(value) if isinstance(value, dict) else "")
def test_fields_of_names_read_directly(condition, expected):
    predicate = compile_conditions([condition_spec(Condition.model_validate(condition))], {})
    assert [predicate(node) for node in FIELD_NODES] == expected

"""Every bundled rule passes its own test cases and carries what users need."""

from __future__ import annotations

import json

import jsonschema
import pytest

from prodpolicy.policy.load import data_directory, load_policy
from prodpolicy.policy.testing import run_case
from prodpolicy.yamlload import load_yaml

POLICY = load_policy()
CASES = [(rule, test) for rule in POLICY.rules for test in rule.tests]


@pytest.mark.parametrize(("rule", "test"), CASES, ids=[f"{rule.id}-{test.name}" for rule, test in CASES])
def test_rule_case(rule, test):
    result = run_case(rule, test)
    assert result.passed, result.describe()


@pytest.mark.parametrize("rule", POLICY.rules, ids=[rule.id for rule in POLICY.rules])
def test_rule_has_failing_and_passing_cases(rule):
    assert any(test.expect for test in rule.tests), f"{rule.id} has no case that must fire"
    assert any(not test.expect for test in rule.tests), f"{rule.id} has no case that must stay quiet"


@pytest.mark.parametrize("rule", POLICY.rules, ids=[rule.id for rule in POLICY.rules])
def test_rule_docs_are_complete(rule):
    for field in ("summary", "why", "bad", "good", "fix"):
        assert getattr(rule.docs, field).strip(), f"{rule.id} docs.{field} is empty"


def test_rule_files_are_named_after_their_rule():
    for rule in POLICY.rules:
        assert rule.source.endswith(f"{rule.id}-{rule.name}.yaml"), rule.source


def test_rule_files_validate_against_the_published_schema():
    schema = json.loads((data_directory("schemas") / "policy.schema.json").read_text(encoding="utf-8"))
    for path in sorted((data_directory("policies") / "rules").glob("*/*.yaml")):
        data = load_yaml(path.read_text(encoding="utf-8")).data
        jsonschema.validate(data, schema)


def test_rule_ids_and_names_are_unique():
    assert len({rule.id for rule in POLICY.rules}) == len(POLICY.rules)
    assert len({rule.name for rule in POLICY.rules}) == len(POLICY.rules)

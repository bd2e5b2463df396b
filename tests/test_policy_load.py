"""Policies load, compose with the bundled set, and fail early with positions."""

from __future__ import annotations

import json

import jsonschema
import pytest

from prodpolicy.api import normalize
from prodpolicy.errors import PolicyError
from prodpolicy.evaluation import evaluate
from prodpolicy.policy.load import load_policy, load_policy_text
from prodpolicy.yamlload import load_yaml

from .helpers import ROOT

RULE = """\
apiVersion: prodpolicy/v1
kind: Policy
extends: [prodpolicy:recommended@1]
rules:
  - id: ACME001
    name: trusted-registry
    title: Base images come from the internal registry
    severity: high
    applies_to: [dockerfile]
    given: $.stages[*].base
    when:
      - field: pinning
        in: [tag, digest, latest, none]
      - field: registry
        not_in: [registry.example.internal]
    message: "base image {reference} is not from registry.example.internal"
    docs:
      summary: Only the internal registry is trusted.
      why: Images from public registries are not scanned by the platform team.
      bad: FROM node:20
      good: FROM registry.example.internal/node:20
      fix: Use the mirrored image.
    tests:
      - name: public image
        input: "FROM node:20-alpine\\n"
        expect: [{line: 1}]
"""


def test_custom_rule_extends_the_bundled_set():
    policy = load_policy_text(RULE)
    assert policy.find_rule("ACME001") is not None
    assert policy.find_rule("runs-as-root") is not None
    # A file every bundled rule passes, so the custom rule's finding is the only one.
    text = (
        "FROM node:22-alpine\nENV NODE_ENV=production\nUSER 1000\n"
        'HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["true"]\n'
    )
    report = evaluate(normalize("Dockerfile", text=text), policy)
    assert [(finding.rule_id, finding.line) for finding in report.findings] == [("ACME001", 1)]


def problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(PolicyError) as raised:
        load_policy_text(text, "policy.yaml")
    return [(problem.line, problem.rule_id, problem.message) for problem in raised.value.problems]


def test_id_and_name_patterns_in_words():
    found = problems(RULE.replace("  - id: ACME001\n", "  - id: X001\n").replace("    name: trusted-registry\n", "    name: Internal_Registry\n"))

    assert (5, "X001", "rules.0.id: the text 'X001' is not valid: an id is 2 to 8 upper-case letters or digits starting with a letter, then three digits, as ACME001") in found
    assert (6, "X001", "rules.0.name: the text 'Internal_Registry' is not valid: a name is lower-case letters and digits in words joined by single hyphens, as internal-registry-only") in found


def test_unknown_key_in_a_rule():
    found = problems(RULE.replace("    severity: high\n", "    severty: high\n"))
    assert (8, "ACME001", "unknown key 'severty'; did you mean 'severity'?") in found
    assert (5, "ACME001", "missing required key 'severity'") in found


def test_unknown_operator():
    found = problems(RULE.replace("        in: [tag, digest, latest, none]", "        within: [tag]"))
    assert any(line == 13 and "unknown key 'within'" in message for line, _, message in found)


def test_invalid_jsonpath():
    found = problems(RULE.replace("given: $.stages[*].base", "given: $.stages[?(@.x)]"))
    assert found[0][0] == 10
    assert "JSONPath" in found[0][2] or "selector" in found[0][2]


def test_regex_that_re2_rejects():
    text = RULE.replace("      - field: registry\n        not_in: [registry.example.internal]", "      - field: registry\n        matches: '(a)\\1'")
    found = problems(text)
    assert found[0][0] == 15
    assert "invalid regular expression" in found[0][2]


def test_duplicate_rule_id():
    duplicated = RULE + RULE.split("rules:\n", 1)[1]
    found = problems(duplicated)
    assert any("duplicate rule id ACME001" in message for _, _, message in found)


def test_unknown_bundled_version():
    found = problems(RULE.replace("prodpolicy:recommended@1", "prodpolicy:recommended@9"))
    assert found[0][0] == 3
    assert "version '9' is not available" in found[0][2]


def test_yaml_syntax_error_has_a_line():
    found = problems("apiVersion: prodpolicy/v1\nkind: Policy\nrules: [\n")
    assert found[0][0] is not None
    assert found[0][2].startswith("invalid YAML")


def test_union_mismatch_is_one_problem():
    found = problems(RULE.replace("given: $.stages[*].base", "given: 5"))

    assert found == [(10, "ACME001", "rules.0.given: expected a valid string or a valid list, found the number 5")]


def test_problems_are_sorted_by_line():
    text = RULE.replace("    severity: high\n", "    severity: urgent\n").replace("kind: Policy\n", "kind: Policy\nrulez: []\n")

    found = problems(text)

    assert [line for line, _, _ in found] == sorted(line for line, _, _ in found)
    assert found[0][2].startswith("unknown key 'rulez'")


def test_rule_file_loads_on_its_own(tmp_path):
    path = tmp_path / "ACME001-trusted-registry.yaml"
    body = RULE.split("rules:\n  - ", 1)[1].replace("\n    ", "\n")
    path.write_text("apiVersion: prodpolicy/v1\nkind: Rule\n" + body, encoding="utf-8")

    policy = load_policy([path])

    assert [rule.id for rule in policy.rules] == ["ACME001"]
    assert policy.rules[0].line == 3
    assert policy.layers == (str(path),)


def test_configuration_file_may_leave_out_version_and_kind(tmp_path):
    path = tmp_path / ".prodpolicy.yaml"
    path.write_text("ignore: [DF]\n", encoding="utf-8")

    policy = load_policy(config=path)

    assert policy.find_rule("DF101").enabled is False
    assert str(policy.find_rule("DF101").origins["enabled"]) == f"{path}:1"


def test_configuration_file_cannot_be_a_rule(tmp_path):
    path = tmp_path / ".prodpolicy.yaml"
    path.write_text("kind: Rule\n", encoding="utf-8")

    with pytest.raises(PolicyError) as raised:
        load_policy(config=path)

    assert [(problem.line, problem.message) for problem in raised.value.problems] == [
        (1, "unknown kind 'Rule'; use kind: Policy")
    ]


def test_policy_error_lists_every_problem_as_text():
    with pytest.raises(PolicyError) as raised:
        load_policy_text(RULE.replace("    severity: high\n", "    severty: high\n"), "policy.yaml")

    assert str(raised.value).splitlines() == [
        "policy.yaml:5:5: rule ACME001: missing required key 'severity'",
        "policy.yaml:8:5: rule ACME001: unknown key 'severty'; did you mean 'severity'?",
    ]


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "tests" / "policies" / "org" / "acme-policy.yaml",
        ROOT / "tests" / "policies" / "broken" / "12-duplicate-rule-id.yaml",
    ],
    ids=["org", "duplicate-id"],
)
def test_valid_format_passes_the_published_schema(path):
    schema = json.loads((ROOT / "schemas" / "policy.schema.json").read_text(encoding="utf-8"))

    jsonschema.validate(load_yaml(path.read_text(encoding="utf-8")).data, schema)


def test_unknown_key_fails_the_published_schema():
    schema = json.loads((ROOT / "schemas" / "policy.schema.json").read_text(encoding="utf-8"))
    data = load_yaml((ROOT / "tests" / "policies" / "broken" / "06-unknown-rule-key.yaml").read_text(encoding="utf-8")).data

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_json_without_kind_rejected(tmp_path):
    path = tmp_path / "image.json"
    path.write_text('{"Config": {"User": ""}}\n', encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_policy([path])
    assert [(problem.file, problem.line, problem.message) for problem in raised.value.problems] == [
        (
            str(path),
            1,
            "no kind key, so this is not a policy file; a policy file starts with apiVersion: prodpolicy/v1 and "
            "kind: Rule or kind: Policy",
        )
    ]


def test_binary_policy_names_byte(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"apiVersion: prodpolicy/v1\n\xb4\x00\x01")
    with pytest.raises(PolicyError) as raised:
        load_policy([path])
    assert [problem.message for problem in raised.value.problems] == ["byte 27 is not UTF-8 text; a policy file is YAML saved as UTF-8"]

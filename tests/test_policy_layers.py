"""Composition: extends, select, ignore and overrides apply in a fixed order and later layers win."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from prodpolicy.api import normalize
from prodpolicy.errors import PolicyError
from prodpolicy.evaluation import evaluate
from prodpolicy.policy.load import load_policy, load_policy_text
from prodpolicy.policy.testing import rule_cases, run_case

HEADER = "apiVersion: prodpolicy/v1\nkind: Policy\n"


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def policy_from(body: str, **options):
    return load_policy_text(HEADER + textwrap.dedent(body), "policy.yaml", **options)


def enabled_ids(policy) -> list[str]:
    return [rule.id for rule in policy.enabled_rules]


def problems(body: str) -> list[tuple[int | None, str]]:
    with pytest.raises(PolicyError) as raised:
        policy_from(body)
    return [(problem.line, problem.message) for problem in raised.value.problems]


def test_override_by_id_name_prefix_and_tag():
    policy = policy_from(
        """\
        extends: [prodpolicy:recommended@1]
        overrides:
          - rules: [RT101]
            severity: critical
          - rules: [shell-form-command]
            severity: low
          - rules: [SC1]
            severity: info
          - rules: [tag:reliability]
            enabled: false
        """
    )

    assert policy.find_rule("RT101").severity == "critical"
    assert policy.find_rule("RT302").severity == "low"
    assert [policy.find_rule(rule_id).severity for rule_id in ("SC101", "SC102", "SC103")] == ["info"] * 3
    tagged = [rule.id for rule in policy.rules if "reliability" in rule.tags]
    assert tagged
    assert all(not policy.find_rule(rule_id).enabled for rule_id in tagged)


def test_select_keeps_only_the_named_rules():
    policy = policy_from(
        """\
        extends: [prodpolicy:recommended@1]
        select: [RT1, SC101]
        """
    )

    assert enabled_ids(policy) == ["RT101", "SC101"]
    assert policy.find_rule("DF101").origins["enabled"].how == "not in select"


def test_ignore_runs_after_select_and_overrides_after_ignore():
    policy = policy_from(
        """\
        extends: [prodpolicy:recommended@1]
        select: [DF, RT]
        ignore: [DF]
        overrides:
          - rules: [DF101]
            enabled: true
        """
    )

    assert "DF101" in enabled_ids(policy)
    assert "DF102" not in enabled_ids(policy)
    assert not any(rule_id.startswith("SC") for rule_id in enabled_ids(policy))
    assert str(policy.find_rule("DF101").origins["enabled"]) == "policy.yaml:8"
    assert str(policy.find_rule("DF102").origins["enabled"]) == "policy.yaml:5"


def test_later_file_wins_over_the_file_it_extends(tmp_path):
    write(
        tmp_path,
        "team.yaml",
        """\
        extends: [prodpolicy:recommended@1]
        overrides:
          - rules: [RT201]
            severity: critical
          - rules: [RT302]
            enabled: false
        """,
    )
    service = write(
        tmp_path,
        "service.yaml",
        """\
        extends: [./team.yaml]
        overrides:
          - rules: [RT201]
            severity: low
        """,
    )

    policy = load_policy([service])

    assert policy.find_rule("RT201").severity == "low"
    assert str(policy.find_rule("RT201").origins["severity"]) == f"{service}:6"
    assert policy.find_rule("RT302").enabled is False
    assert policy.layers == ("prodpolicy:recommended@1 (%d rules)" % len(load_policy().rules), str(tmp_path / "team.yaml"), str(service))


def test_diamond_extends_loads_once(tmp_path):
    write(tmp_path, "base.yaml", "extends: [prodpolicy:recommended@1]\n")
    write(tmp_path, "left.yaml", "extends: [./base.yaml]\n")
    write(tmp_path, "right.yaml", "extends: [./base.yaml, prodpolicy:recommended]\n")
    top = write(tmp_path, "top.yaml", "extends: [./left.yaml, ./right.yaml]\n")

    policy = load_policy([top])

    assert len(policy.rules) == len(load_policy().rules)
    assert [layer.rsplit("/", 1)[-1] for layer in policy.layers[1:]] == ["base.yaml", "left.yaml", "right.yaml", "top.yaml"]


def test_command_line_select_and_ignore_apply_last():
    text = HEADER + "extends: [prodpolicy:recommended@1]\nignore: [RT101]\n"

    policy = load_policy_text(text, select=["RT", "SC101"], ignore=["RT302"])
    runtime_rules = [rule.id for rule in policy.rules if rule.id.startswith("RT") and rule.id != "RT302"]

    assert enabled_ids(policy) == sorted(runtime_rules) + ["SC101"]
    assert "RT101" in enabled_ids(policy)
    assert str(policy.find_rule("RT302").origins["enabled"]) == "command line"


def test_parameter_override_changes_findings():
    policy = policy_from(
        """\
        extends: [prodpolicy:recommended@1]
        overrides:
          - rules: [full-base-image]
            parameters:
              images: [node, python, golang]
        """
    )
    documents = normalize("Dockerfile", text="FROM golang:1.26\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\n")

    report = evaluate(documents, policy)
    findings = [(finding.rule_id, finding.line) for finding in report.findings if finding.rule_id == "DF102"]
    rule = policy.find_rule("DF102")

    assert findings == [("DF102", 1)]
    assert rule.parameters["images"] == ("node", "python", "golang")
    assert rule.as_declared.parameters["images"][:2] == ("node", "python")
    assert str(rule.origins["parameters.images"]) == "policy.yaml:7"
    assert all(run_case(rule, case).passed for case in rule_cases(rule))


def test_bad_override_regex_names_line():
    found = problems(
        """\
        extends: [prodpolicy:recommended@1]
        overrides:
          - rules: [DF102]
            parameters:
              small_variants: ["slim", "(?<=x)alpine"]
        """
    )

    assert len(found) == 1
    line, message = found[0]
    assert line == 7
    # small_variants declares items: regex, so the override's item is checked where it is written.
    assert message.startswith("parameter 'small_variants' item 1: invalid regular expression '(?<=x)alpine'")


def test_parameter_item_type_is_checked():
    found = problems(
        """\
        extends: [prodpolicy:recommended@1]
        rules:
          - id: ACME010
            name: port-allowed
            title: Only allowed ports are exposed
            severity: low
            applies_to: [dockerfile]
            given: $.runtimes[*].ports[*]
            when:
              - field: port
                not_in: {param: ports}
            message: "port {port} is not allowed"
            parameters:
              ports:
                type: list
                items: integer
                default: [8080, "443"]
                description: Ports a service may expose.
            docs: {summary: s, why: w, bad: b, good: g, fix: f}
        """
    )

    assert found == [(19, "parameter 'ports' item 1: expected a whole number, found text '443'")]


def test_tag_written_without_prefix_gets_a_hint():
    found = problems(
        """\
        extends: [prodpolicy:recommended@1]
        ignore: [security]
        """
    )

    assert found == [(4, "rule selector 'security' matches no rule; to select the rules tagged security, write tag:security")]


def test_lower_case_id_gets_a_hint():
    found = problems(
        """\
        extends: [prodpolicy:recommended@1]
        ignore: [rt101]
        """
    )

    assert found == [(4, "rule selector 'rt101' matches no rule; ids and prefixes are upper case: did you mean RT101?")]


def test_duplicate_rule_name_across_files(tmp_path):
    rule = """\
        rules:
          - id: {id}
            name: runs-as-root
            title: Duplicate name
            severity: low
            applies_to: [dockerfile]
            given: $.runtimes[*]
            message: duplicate
            docs: {{summary: s, why: w, bad: b, good: g, fix: f}}
        """
    path = write(tmp_path, "dup.yaml", "extends: [prodpolicy:recommended@1]\n" + textwrap.dedent(rule.format(id="ACME020")))

    with pytest.raises(PolicyError) as raised:
        load_policy([path])

    [problem] = raised.value.problems
    assert (problem.line, problem.rule_id) == (5, "ACME020")
    assert problem.message.startswith("duplicate rule name runs-as-root; it is already defined at ")
    assert problem.message.endswith("RT101-runs-as-root.yaml:4")


def test_rule_disabled_by_default_runs_when_selected():
    body = """\
        rules:
          - id: ACME030
            name: workdir-missing
            title: No WORKDIR is set
            severity: info
            enabled: false
            applies_to: [dockerfile]
            given: $.runtimes[*]
            when:
              - field: workdir
                absent: true
            message: no WORKDIR is set
            docs: {summary: s, why: w, bad: b, good: g, fix: f}
        """
    documents = normalize("Dockerfile", text="FROM alpine:3.20\nCMD [\"true\"]\n")

    off = policy_from(body)
    on = policy_from(body, select=["ACME030"])

    assert evaluate(documents, off).findings == []
    assert [(finding.rule_id, finding.line) for finding in evaluate(documents, on).findings] == [("ACME030", 1)]


def test_settings_from_a_later_layer_win(tmp_path):
    write(tmp_path, "base.yaml", "extends: [prodpolicy:recommended@1]\nsettings:\n  inline_suppressions: forbid\n")
    top = write(tmp_path, "top.yaml", "extends: [./base.yaml]\nsettings:\n  inline_suppressions: require-reason\n")

    policy = load_policy([top])

    assert policy.settings.inline_suppressions == "require-reason"
    assert str(policy.settings.origins["inline_suppressions"]) == f"{top}:5"


def test_selector_of_rule_that_failed_adds_no_problem():
    found = problems(
        """\
        rules:
          - id: ACME005
            name: broken-rule
            title: A rule with a misspelt field
            severity: low
            applies_to: [dockerfile]
            given: $.stages[*]
            when:
              - field: stat
                exists: true
            message: m
            docs: {summary: s, why: w, bad: b, good: g, fix: f}
        select: [ACME005, broken-rule, ACME999]
        """
    )

    # Two header lines come first, so the field is on line 11 and select on line 15.
    assert [line for line, _ in found] == [11, 15]
    assert found[0][1].startswith("field 'stat' cannot exist in a dockerfile document")
    assert found[1][1].startswith("rule selector 'ACME999' matches no rule")

"""SARIF output: valid SARIF 2.1.0 in the shape GitHub code scanning reads.

sarif-pydantic's models accept unknown keys and do not check values, so
``sarif_problems`` adds what they miss. Every key must be a SARIF property of
its object, and values must satisfy the constraints of the SARIF 2.1.0 schema
and of GitHub's upload rules. The last tests prove that the check rejects
malformed logs.
"""

from __future__ import annotations

import copy
import json
import typing
from urllib.parse import urlparse

import pytest
import sarif_pydantic
from pydantic import BaseModel

from prodpolicy.api import evaluate_paths
from prodpolicy.report import render
from prodpolicy.report.sarif_format import FINGERPRINT_KEY, sarif_log

from .helpers import ROOT

LEVELS = {"none", "note", "warning", "error"}
SUPPRESSION_KINDS = {"inSource", "external"}
SUPPRESSION_STATUSES = {"accepted", "underReview", "rejected"}
COLUMN_KINDS = {"utf16CodeUnits", "unicodeCodePoints"}
# SARIF 2.1.0 properties that sarif-pydantic 0.6.2 has no field for, with the model of their values.
# It names result.suppressions in the singular, as one object, where SARIF has an array.
MISSING_FIELDS: dict[str, dict[str, typing.Any]] = {
    "Run": {"columnKind": str},
    "Invocation": {
        "toolExecutionNotifications": list[sarif_pydantic.sarif.Notification],
        "toolConfigurationNotifications": list[sarif_pydantic.sarif.Notification],
    },
    "Result": {"suppressions": list[sarif_pydantic.sarif.Suppression]},
}


def evaluate_log(monkeypatch, bundled, *paths: str) -> dict[str, typing.Any]:
    monkeypatch.chdir(ROOT)
    report = evaluate_paths(list(paths), bundled)
    return json.loads(render("sarif", report, policy=bundled))


def sarif_problems(log: dict[str, typing.Any]) -> list[str]:
    """List what makes ``log`` invalid SARIF 2.1.0 or unfit for GitHub code scanning; empty when it is fine."""
    problems: list[str] = []
    try:
        sarif_pydantic.Sarif.model_validate(log)
    except ValueError as error:
        problems.append(f"sarif-pydantic rejects the log: {error}")
    _check_keys(log, sarif_pydantic.Sarif, "$", problems)
    if log.get("version") != "2.1.0":
        problems.append(f"$.version is {log.get('version')!r}, not '2.1.0'")
    if not str(log.get("$schema", "")).startswith("https://"):
        problems.append("$.$schema is not the address of the SARIF schema")
    for number, run in enumerate(log.get("runs", [])):
        _check_run(run, f"$.runs[{number}]", problems)
    return problems


def _check_keys(value: typing.Any, model: type[BaseModel], where: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where}: expected an object")
        return
    fields = {(info.alias or name): info.annotation for name, info in model.model_fields.items()}
    fields.update(MISSING_FIELDS.get(model.__name__, {}))
    for key, item in value.items():
        if key not in fields:
            problems.append(f"{where}: {key!r} is not a property of a SARIF {model.__name__} object")
        elif key != "properties":
            _check_value(item, fields[key], f"{where}.{key}", problems)


def _check_value(value: typing.Any, annotation: typing.Any, where: str, problems: list[str]) -> None:
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        inner = [argument for argument in typing.get_args(annotation) if argument is not type(None)]
        if value is not None and len(inner) == 1:
            _check_value(value, inner[0], where, problems)
    elif origin is list:
        if not isinstance(value, list):
            problems.append(f"{where}: expected an array")
            return
        for number, item in enumerate(value):
            _check_value(item, typing.get_args(annotation)[0], f"{where}[{number}]", problems)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        _check_keys(value, annotation, where, problems)


def _check_run(run: dict[str, typing.Any], where: str, problems: list[str]) -> None:
    driver = run.get("tool", {}).get("driver", {})
    rules = driver.get("rules", [])
    ids = [rule.get("id") for rule in rules]
    if len(ids) != len(set(ids)):
        problems.append(f"{where}: rule ids are not unique")
    for number, rule in enumerate(rules):
        _check_rule(rule, f"{where}.tool.driver.rules[{number}]", problems)
    if run.get("columnKind", "unicodeCodePoints") not in COLUMN_KINDS:
        problems.append(f"{where}.columnKind is not one of {sorted(COLUMN_KINDS)}")
    if "results" not in run:
        problems.append(f"{where}: GitHub requires results, even when empty")
    for number, result in enumerate(run.get("results", [])):
        _check_result(result, ids, f"{where}.results[{number}]", problems)
    for number, invocation in enumerate(run.get("invocations", [])):
        notifications = [
            (f"{key}[{index}]", notification)
            for key in ("toolExecutionNotifications", "toolConfigurationNotifications")
            for index, notification in enumerate(invocation.get(key, []))
        ]
        for name, notification in notifications:
            place = f"{where}.invocations[{number}].{name}"
            _check_message(notification, place, problems)
            _check_level(notification, place, problems)
            for location_number, location in enumerate(notification.get("locations", [])):
                _check_location(location, f"{place}.locations[{location_number}]", problems)


def _check_rule(rule: dict[str, typing.Any], where: str, problems: list[str]) -> None:
    if not rule.get("id"):
        problems.append(f"{where}: a rule needs an id")
    for key in ("shortDescription", "fullDescription", "help"):
        if not rule.get(key, {}).get("text"):
            problems.append(f"{where}.{key}.text is missing or empty")
    # helpUri is optional (a custom rule may have no page), but when given it must be an address a browser opens.
    help_uri = urlparse(rule.get("helpUri", "https://absent.invalid/"))
    if help_uri.scheme != "https" or not help_uri.netloc:
        problems.append(f"{where}.helpUri is not an absolute https address")
    if rule.get("defaultConfiguration", {}).get("level") not in LEVELS:
        problems.append(f"{where}.defaultConfiguration.level is not one of {sorted(LEVELS)}")
    score = rule.get("properties", {}).get("security-severity")
    if score is not None and not (isinstance(score, str) and 0.0 <= float(score) <= 10.0):
        problems.append(f"{where}.properties.security-severity must be a number from 0.0 to 10.0 given as text")


def _check_result(result: dict[str, typing.Any], rule_ids: list[str | None], where: str, problems: list[str]) -> None:
    rule_id = result.get("ruleId")
    if rule_id not in rule_ids:
        problems.append(f"{where}.ruleId {rule_id!r} has no rule in tool.driver.rules")
    index = result.get("ruleIndex")
    if index is not None and not (isinstance(index, int) and 0 <= index < len(rule_ids) and rule_ids[index] == rule_id):
        problems.append(f"{where}.ruleIndex {index!r} does not point at rule {rule_id!r}")
    _check_level(result, where, problems)
    _check_message(result, where, problems)
    locations = result.get("locations") or []
    if not locations:
        problems.append(f"{where}: GitHub requires at least one location")
    for number, location in enumerate(locations):
        _check_location(location, f"{where}.locations[{number}]", problems)
    for key, value in result.get("partialFingerprints", {}).items():
        if not isinstance(value, str) or not value:
            problems.append(f"{where}.partialFingerprints[{key!r}] must be a non-empty string")
    for number, suppression in enumerate(result.get("suppressions", [])):
        if suppression.get("kind") not in SUPPRESSION_KINDS:
            problems.append(f"{where}.suppressions[{number}].kind is not one of {sorted(SUPPRESSION_KINDS)}")
        if suppression.get("status", "accepted") not in SUPPRESSION_STATUSES:
            problems.append(f"{where}.suppressions[{number}].status is not one of {sorted(SUPPRESSION_STATUSES)}")


def _check_level(item: dict[str, typing.Any], where: str, problems: list[str]) -> None:
    if item.get("level", "warning") not in LEVELS:
        problems.append(f"{where}.level {item.get('level')!r} is not one of {sorted(LEVELS)}")


def _check_message(item: dict[str, typing.Any], where: str, problems: list[str]) -> None:
    if not item.get("message", {}).get("text"):
        problems.append(f"{where}.message.text is missing or empty")


def _check_location(location: dict[str, typing.Any], where: str, problems: list[str]) -> None:
    physical = location.get("physicalLocation", {})
    artifact = physical.get("artifactLocation", {})
    uri = artifact.get("uri", "")
    if not uri:
        problems.append(f"{where}.physicalLocation.artifactLocation.uri is missing")
    if "\\" in uri or (artifact.get("uriBaseId") and (uri.startswith("/") or urlparse(uri).scheme)):
        problems.append(f"{where}: a URI relative to a uriBaseId must be a relative path with / separators")
    region = physical.get("region")
    if region is None:
        return
    start = region.get("startLine")
    if not isinstance(start, int) or start < 1:
        problems.append(f"{where}.physicalLocation.region.startLine must be an integer of at least 1")
        return
    end = region.get("endLine", start)
    if not isinstance(end, int) or end < start:
        problems.append(f"{where}.physicalLocation.region.endLine must not be before startLine")
    column = region.get("startColumn", 1)
    if not isinstance(column, int) or column < 1:
        problems.append(f"{where}.physicalLocation.region.startColumn must be an integer of at least 1")


@pytest.mark.parametrize(
    "paths",
    [
        ["examples/node-express/naive.Dockerfile"],
        ["examples/node-express/production.Dockerfile"],
        ["tests/golden/inputs/broken.Dockerfile", "tests/golden/inputs/unterminated.Dockerfile"],
        ["tests/golden/inputs/suppressed.Dockerfile"],
    ],
)
def test_sarif_is_valid(monkeypatch, bundled, paths):
    log = evaluate_log(monkeypatch, bundled, *paths)
    assert sarif_problems(log) == []


def test_sarif_results_of_naive_example(monkeypatch, format_policy):
    log = evaluate_log(monkeypatch, format_policy, "examples/node-express/naive.Dockerfile")
    run = log["runs"][0]
    results = [
        (result["ruleId"], result["level"], result["locations"][0]["physicalLocation"]["region"]["startLine"])
        for result in run["results"]
    ]
    assert results == [
        ("DF102", "warning", 1),
        ("RT101", "error", 1),
        ("RT201", "warning", 1),
        ("SC101", "error", 4),
        ("RT301", "error", 7),
    ]
    copy_env = run["results"][3]
    assert copy_env["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "examples/node-express/naive.Dockerfile",
        "uriBaseId": "%SRCROOT%",
    }
    assert copy_env["locations"][0]["physicalLocation"]["region"]["snippet"] == {"text": "COPY .env .env\n"}
    assert set(copy_env["partialFingerprints"]) == {FINGERPRINT_KEY}


def test_sarif_rules_carry_help(monkeypatch, bundled):
    log = evaluate_log(monkeypatch, bundled, "examples/node-express/naive.Dockerfile")
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    runs_as_root = rules["RT101"]
    assert runs_as_root["name"] == "runs-as-root"
    assert runs_as_root["shortDescription"] == {"text": "The container runs as root"}
    assert runs_as_root["helpUri"].endswith("/docs/rules/RT101.md")
    assert "Why it matters" in runs_as_root["help"]["text"]
    assert "```dockerfile" in runs_as_root["help"]["markdown"]
    assert runs_as_root["defaultConfiguration"] == {"level": "error"}
    assert runs_as_root["properties"]["security-severity"] == "8.0"
    assert "security-severity" not in rules["RT201"]["properties"]


def test_sarif_suppression_has_justification(monkeypatch, bundled):
    log = evaluate_log(monkeypatch, bundled, "tests/golden/inputs/suppressed.Dockerfile")
    results = {result["ruleId"]: result for result in log["runs"][0]["results"]}
    assert results["DF101"]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "the vendor publishes only a rolling tag"}
    ]
    assert "suppressions" not in results["SC102"]


def test_sarif_input_errors_are_notifications(monkeypatch, bundled):
    log = evaluate_log(monkeypatch, bundled, "tests/golden/inputs/broken.Dockerfile")
    notifications = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(item["level"], item["message"]["text"]) for item in notifications] == [("error", "unknown instruction COPYY")]
    assert notifications[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_sarif_absolute_path_outside_working_directory(tmp_path, monkeypatch, bundled):
    dockerfile = tmp_path / "my app" / "Dockerfile"
    dockerfile.parent.mkdir()
    dockerfile.write_text("FROM alpine:3.20\nUSER 10001\n", encoding="utf-8")
    monkeypatch.chdir(ROOT)
    log = sarif_log(evaluate_paths([str(dockerfile)], bundled), bundled)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "file://" + str(dockerfile).replace(" ", "%20")}
    assert sarif_problems(log) == []


def test_sarif_without_rules_describes_reported_rules(monkeypatch, format_policy):
    monkeypatch.chdir(ROOT)
    report = evaluate_paths(["examples/node-express/naive.Dockerfile"], format_policy)
    report.rules.clear()
    log = sarif_log(report)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["DF102", "RT101", "RT201", "SC101", "RT301"]
    assert rules[1]["shortDescription"] == {"text": "runs-as-root"}
    assert sarif_problems(log) == []


MALFORMED = {
    "misspelled key": lambda log: log["runs"][0]["results"][0].update(ruleID="RT101"),
    "wrong version": lambda log: log.update(version="2.0.0"),
    "line zero": lambda log: log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(startLine=0),
    "end before start": lambda log: log["runs"][0]["results"][4]["locations"][0]["physicalLocation"]["region"].update(endLine=2),
    "rule index elsewhere": lambda log: log["runs"][0]["results"][0].update(ruleIndex=0),
    "unknown rule": lambda log: log["runs"][0]["results"][0].update(ruleId="XX999"),
    "bad level": lambda log: log["runs"][0]["results"][0].update(level="critical"),
    "empty message": lambda log: log["runs"][0]["results"][0].update(message={"text": ""}),
    "no locations": lambda log: log["runs"][0]["results"][0].pop("locations"),
    "windows path": lambda log: log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].update(
        uri="examples\\node-express\\naive.Dockerfile"
    ),
    "suppression kind": lambda log: log["runs"][0]["results"][0].update(suppressions=[{"kind": "inline"}]),
    "help uri not absolute": lambda log: log["runs"][0]["tool"]["driver"]["rules"][0].update(helpUri="docs/rules/DF101.md"),
    "security severity number": lambda log: log["runs"][0]["tool"]["driver"]["rules"][2]["properties"].update(
        {"security-severity": 8.0}
    ),
    "results missing": lambda log: log["runs"][0].pop("results"),
    "runs not a list": lambda log: log.update(runs={}),
}


@pytest.mark.parametrize("mistake", sorted(MALFORMED))
def test_sarif_check_rejects_malformed_log(monkeypatch, format_policy, mistake):
    log = evaluate_log(monkeypatch, format_policy, "examples/node-express/naive.Dockerfile")
    assert sarif_problems(copy.deepcopy(log)) == []
    MALFORMED[mistake](log)
    assert sarif_problems(log) != []


CUSTOM_RULES = """\
apiVersion: prodpolicy/v1
kind: Policy
rules:
  - id: ORG001
    name: root-user
    title: Runs as root
    severity: high
    applies_to: [dockerfile]
    given: $.runtimes[*].user
    when: [{field: is_root, equals: true}]
    message: runs as root
    docs: {summary: s, why: w, bad: b, good: g, fix: f}
  - id: ORG002
    name: root-user-linked
    title: Runs as root, with a page
    severity: high
    applies_to: [dockerfile]
    given: $.runtimes[*].user
    when: [{field: is_root, equals: true}]
    message: runs as root
    docs: {summary: s, why: w, bad: b, good: g, fix: f, url: "https://wiki.example.com/containers/ORG002"}
"""


def test_custom_rule_help_links(tmp_path):
    from prodpolicy.policy.load import load_policy_text

    policy = load_policy_text(CUSTOM_RULES)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.22\n", encoding="utf-8")
    log = sarif_log(evaluate_paths([str(dockerfile)], policy), policy)

    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert "helpUri" not in rules["ORG001"]
    assert rules["ORG002"]["helpUri"] == "https://wiki.example.com/containers/ORG002"
    assert sarif_problems(log) == []


def test_long_region_has_no_snippet(tmp_path, monkeypatch, bundled):
    packages = " ".join(f"package{number}" for number in range(500))
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM ubuntu:24.04\nCOPY .env /app/.env\nRUN apt-get install -y {packages}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    log = sarif_log(evaluate_paths(["Dockerfile"], bundled), bundled)

    regions = {
        (result["ruleId"], result["locations"][0]["physicalLocation"]["region"]["startLine"]): result["locations"][0]["physicalLocation"]["region"]
        for result in log["runs"][0]["results"]
    }
    assert regions[("SC101", 2)]["snippet"] == {"text": "COPY .env /app/.env\n"}
    assert regions[("DF204", 3)] == {"startLine": 3, "endLine": 3, "startColumn": 1}
    assert sarif_problems(log) == []

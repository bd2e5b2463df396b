"""SARIF 2.1.0, in the subset GitHub code scanning reads.

One run with every rule of the policy as a reporting descriptor (title, summary,
help text and Markdown, help URI, default level, tags and, for rules tagged
``security``, the ``security-severity`` score GitHub sorts alerts by). Each
finding is a result with its region, a snippet of the redacted source lines and
the finding's fingerprint under ``partialFingerprints``. A suppressed finding
carries a ``suppressions`` entry with the justification. Input errors become
tool execution notifications and report warnings (an unused policy exception)
tool configuration notifications, because they are problems of the run, not of
the code.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import InputError
from ..findings import Finding, Report, ReportWarning
from .links import PROJECT_URL, rule_help_uri
from .locations import artifact_uri, finding_column, start_column
from .messages import full_message
from .rule_docs import rule_markdown, rule_text
from .rule_index import RuleSource, rules_applied, rules_by_id

# A region of up to this many characters gets a snippet; a longer one gets none (see _snippet).
MAX_SNIPPET_CHARACTERS = 4096

if TYPE_CHECKING:
    from ..policy.load import CompiledRule

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
# The key of our fingerprint in partialFingerprints; the version changes if the fingerprint's recipe does.
FINGERPRINT_KEY = "prodpolicy/v1"

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}
# GitHub code scanning ranks security alerts by this score: critical above 9.0, high from 7.0,
# medium from 4.0, low below that.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
SUPPRESSION_KINDS = {"inline": "inSource"}


def render(report: Report, *, policy: RuleSource | None = None, **_context: Any) -> str:
    return json.dumps(sarif_log(report, policy), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report: Report, policy: RuleSource | None = None) -> dict[str, Any]:
    """Build the SARIF log of a report as JSON-ready data."""
    descriptors = _descriptors(report, policy)
    index = {descriptor["id"]: number for number, descriptor in enumerate(descriptors)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "prodpolicy",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URL,
                "rules": descriptors,
            }
        },
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index[finding.rule_id], report) for finding in report.findings],
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _descriptors(report: Report, policy: RuleSource | None) -> list[dict[str, Any]]:
    """Describe the rules applied to the evaluated files, then any other rule with a finding."""
    known = rules_by_id(policy, report)
    applied = rules_applied(policy, report)
    descriptors = [_descriptor(rule) for rule in sorted(applied, key=lambda rule: rule.id)]
    listed = {descriptor["id"] for descriptor in descriptors}
    # A finding of a rule the caller's policy does not list still needs a descriptor to point at.
    for finding in report.findings:
        if finding.rule_id not in listed:
            listed.add(finding.rule_id)
            rule = known.get(finding.rule_id)
            descriptors.append(_descriptor(rule) if rule else _bare_descriptor(finding))
    return descriptors


def _descriptor(rule: CompiledRule) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": list(rule.tags), "precision": "high"}
    if "security" in rule.tags:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": " ".join(rule.docs.summary.split())},
        "help": {"text": rule_text(rule), "markdown": rule_markdown(rule)},
        "helpUri": rule_help_uri(rule.id, rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }
    if descriptor["helpUri"] is None:
        del descriptor["helpUri"]
    return descriptor


def _bare_descriptor(finding: Finding) -> dict[str, Any]:
    """Describe a rule known only from its finding: name, reference page and level."""
    help_uri = rule_help_uri(finding.rule_id)
    descriptor = {
        "id": finding.rule_id,
        "name": finding.rule_name,
        "shortDescription": {"text": finding.rule_name},
        "fullDescription": {"text": finding.rule_name},
        "help": {"text": f"See {help_uri}" if help_uri else finding.rule_name},
        "helpUri": help_uri,
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }
    if help_uri is None:
        del descriptor["helpUri"]
    return descriptor


def _result(finding: Finding, rule_index: int, report: Report) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": full_message(finding)},
        "locations": [_location(finding.file, finding.line, finding.end_line, finding_column(finding, report.sources), report)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"severity": finding.severity, "path": finding.path},
    }
    if finding.subject is not None:
        result["properties"]["subject"] = finding.subject
    if finding.suppressed is not None:
        suppression: dict[str, Any] = {"kind": SUPPRESSION_KINDS.get(finding.suppressed.kind, "external"), "status": "accepted"}
        if finding.suppressed.justification:
            suppression["justification"] = finding.suppressed.justification
        result["suppressions"] = [suppression]
    return result


def _location(file: str, line: int | None, end_line: int | None, column: int | None, report: Report) -> dict[str, Any]:
    uri, relative = artifact_uri(file)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line is not None:
        region: dict[str, Any] = {"startLine": line, "endLine": max(end_line or line, line)}
        if column is not None:
            region["startColumn"] = column
        snippet = _snippet(report.sources.get(file), line, region["endLine"])
        if snippet is not None:
            region["snippet"] = {"text": snippet}
        physical["region"] = region
    return {"physicalLocation": physical}


def _snippet(lines: list[str] | None, line: int, end_line: int) -> str | None:
    """Return the text of a finding's lines, or None when there are none or they are too long to repeat."""
    if not lines or line > len(lines):
        return None
    text = "\n".join(lines[line - 1 : min(end_line, len(lines))]) + "\n"
    # Every finding of a long RUN would repeat it: 6,000 findings on one line of 60 KB make a log of hundreds of
    # megabytes. A snippet is optional in SARIF, and a cut one would misquote the file.
    return text if len(text) <= MAX_SNIPPET_CHARACTERS else None


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.errors:
        invocation["toolExecutionNotifications"] = [_notification(error, report) for error in report.errors]
    if report.warnings:
        invocation["toolConfigurationNotifications"] = [_warning(warning, report) for warning in report.warnings]
    return invocation


def _warning(warning: ReportWarning, report: Report) -> dict[str, Any]:
    column = start_column(warning.line, None, report.sources, warning.file)
    return {
        "level": "warning",
        "message": {"text": warning.message},
        "locations": [_location(warning.file, warning.line, warning.line, column, report)],
        "properties": {"kind": warning.kind},
    }


def _notification(error: InputError, report: Report) -> dict[str, Any]:
    column = start_column(error.line, error.column, report.sources, error.file)
    return {
        "level": "error",
        "message": {"text": error.message},
        "locations": [_location(error.file, error.line, error.line, column, report)],
    }

"""Findings and reports: what evaluation produces, as data."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .severities import SEVERITIES

if TYPE_CHECKING:
    from .policy.compiled import CompiledRule


@dataclass(frozen=True, slots=True)
class Suppressed:
    """Why a finding is not counted: an inline comment (``inline``) or a policy exception (``exception``).

    ``source`` is where the comment or exception is written, as ``file:line``.
    """

    kind: str
    justification: str | None
    source: str | None = None
    owner: str | None = None
    expires: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "justification": self.justification}
        for name in ("source", "owner", "expires"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """One rule violation at one place."""

    rule_id: str
    rule_name: str
    severity: str
    message: str
    file: str
    line: int | None
    end_line: int | None
    column: int | None
    path: str
    subject: str | None = None
    suppressed: Suppressed | None = None
    # Why a suppression did not apply, such as an exception that expired; shown with the finding.
    notes: tuple[str, ...] = ()
    # The exception that would suppress this finding had it not expired.
    expired_exception: Suppressed | None = None

    def __init__(
        self,
        rule_id: str,
        rule_name: str,
        severity: str,
        message: str,
        file: str,
        line: int | None,
        end_line: int | None,
        column: int | None,
        path: str,
        subject: str | None = None,
        suppressed: Suppressed | None = None,
        notes: tuple[str, ...] = (),
        expired_exception: Suppressed | None = None,
    ) -> None:
        # A compose file of the benchmark corpus gets about 120 findings. The slots' own setters take half the time of the
        # object.__setattr__ calls a frozen dataclass makes.
        (
            set_rule_id, set_rule_name, set_severity, set_message, set_file, set_line, set_end_line, set_column, set_path,
            set_subject, set_suppressed, set_notes, set_expired_exception,
        ) = _SET_FINDING  # fmt: skip
        set_rule_id(self, rule_id)
        set_rule_name(self, rule_name)
        set_severity(self, severity)
        set_message(self, message)
        set_file(self, file)
        set_line(self, line)
        set_end_line(self, end_line)
        set_column(self, column)
        set_path(self, path)
        set_subject(self, subject)
        set_suppressed(self, suppressed)
        set_notes(self, notes)
        set_expired_exception(self, expired_exception)

    @property
    def fingerprint(self) -> str:
        """A stable id for baselines: file, subject, rule and path, but not the line."""
        key = "\0".join((self.file, self.subject or "", self.rule_id, self.path))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line,
            "column": self.column,
            "path": self.path,
            "fingerprint": self.fingerprint,
        }
        if self.subject is not None:
            data["subject"] = self.subject
        if self.suppressed is not None:
            data["suppressed"] = self.suppressed.to_json()
        if self.notes:
            data["notes"] = list(self.notes)
        if self.expired_exception is not None:
            data["expired_exception"] = self.expired_exception.to_json()
        return data


_SET_FINDING = tuple(getattr(Finding, name).__set__ for name in Finding.__slots__)


@dataclass(frozen=True, slots=True)
class ReportWarning:
    """A problem worth fixing that did not stop evaluation, such as an exception that matched nothing.

    ``kind`` is one of ``unused-exception``, ``suppression-without-reason``,
    ``suppression-forbidden``, ``suppression-unknown-rule``, ``unused-suppression`` and
    ``inactive-services``.
    """

    kind: str
    message: str
    file: str
    line: int | None = None

    def location(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "line": self.line, "message": self.message}


def sort_key(finding: Finding) -> tuple[Any, ...]:
    return (finding.file, finding.subject or "", finding.line or 0, finding.rule_id, finding.path)


@dataclass
class Report:
    """The result of evaluating a batch of inputs."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Source lines by file, secrets already redacted, for code frames in reports.
    sources: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[ReportWarning] = field(default_factory=list)
    # The enabled rules of the policies applied, by id: titles, docs and references for report formats.
    rules: dict[str, CompiledRule] = field(default_factory=dict)
    # Unsuppressed findings that a baseline hid; they are no longer in ``findings``.
    baseline_hidden: int = 0

    def active_findings(self) -> list[Finding]:
        """Return the findings that are not suppressed."""
        return [finding for finding in self.findings if finding.suppressed is None]

    def summary(self) -> dict[str, Any]:
        active = self.active_findings()
        counts = Counter(finding.severity for finding in active)
        return {
            "files": len(self.files),
            "findings": len(active),
            "suppressed": len(self.findings) - len(active),
            "errors": len(self.errors),
            "by_severity": {severity: counts.get(severity, 0) for severity in reversed(SEVERITIES)},
        }

    def to_json(self, *, finding_objects: bool = False) -> dict[str, Any]:
        """Return the report as JSON data, with the findings as :class:`Finding` objects when ``finding_objects`` is set.

        The encoder of ``prodpolicy.report.json_text`` writes Finding objects directly,
        so no dict is built for each finding.
        """
        data: dict[str, Any] = {
            "version": 1,
            "findings": list(self.findings) if finding_objects else [finding.to_json() for finding in self.findings],
            "errors": [error.to_json() for error in self.errors],
            "summary": {**self.summary(), "baseline_hidden": self.baseline_hidden},
        }
        # Added only when present, so reports without warnings keep the version 1 shape exactly.
        if self.warnings:
            data["warnings"] = [warning.to_json() for warning in self.warnings]
        return data

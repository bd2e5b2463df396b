"""Baselines: report only the findings that a saved JSON report does not already list.

A baseline file is a JSON report, as ``prodpolicy eval --format json`` or
``--write-baseline`` writes it. A finding is in the baseline when an unsuppressed
finding of the baseline has the same fingerprint parts: file, subject, rule id
and path in the document model. The line is not compared, so editing other lines
of a file keeps its accepted findings hidden. Files are compared as paths relative
to the current folder, so ``./api/Dockerfile`` and ``api/Dockerfile`` match.
Each finding of the baseline hides at most one finding of the run.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .errors import ProdpolicyError
from .findings import Finding, Report
from .report.locations import repository_path

# The JSON report versions this module reads.
READABLE_VERSIONS = (1,)

Key = tuple[str, str, str, str]


class BaselineError(ProdpolicyError):
    """Raised when a baseline file cannot be read or is not a prodpolicy JSON report."""


@dataclass(frozen=True)
class Baseline:
    """The findings of a baseline file, by fingerprint parts, with how many times each occurs."""

    file: str
    keys: Counter[Key]

    def __len__(self) -> int:
        return sum(self.keys.values())


def finding_key(file: str, subject: str | None, rule_id: str, path: str) -> Key:
    return (repository_path(file), subject or "", rule_id, path)


def baseline_of(report: Report, file: str) -> Baseline:
    """Return the baseline that a report would be once written to ``file``."""
    keys = Counter(finding_key(item.file, item.subject, item.rule_id, item.path) for item in report.active_findings())
    return Baseline(file, keys)


def read_baseline(path: str) -> Baseline:
    """Read a baseline file; raise :class:`BaselineError` with the file and the fix when it is unusable."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found; create it with --write-baseline {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise BaselineError(f"{path}: cannot read the baseline file: {reason}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}:{error.lineno}:{error.colno}: invalid JSON in the baseline file: {error.msg}") from None
    except (RecursionError, ValueError):
        # Nesting deeper than Python's recursion limit, or a number of thousands of digits: no report has them.
        raise BaselineError(f"{path}: not a prodpolicy JSON report (nested too deeply or a number too long); write one with --write-baseline") from None
    return Baseline(path, Counter(_keys(data, path)))


def _keys(data: Any, path: str) -> list[Key]:
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(
            f"{path}: not a prodpolicy JSON report (no findings list); write one with --write-baseline or --format json"
        )
    version = data.get("version")
    if version not in READABLE_VERSIONS:
        raise BaselineError(f"{path}: JSON report version {version!r} is not supported; this prodpolicy reads version 1")
    keys = []
    for number, item in enumerate(data["findings"], 1):
        fields = _fields(item)
        if fields is None:
            raise BaselineError(
                f"{path}: finding {number} of the baseline lacks a text rule_id, file or path; "
                "write the baseline again with --write-baseline"
            )
        if not item.get("suppressed"):
            keys.append(fields)
    return keys


def _fields(item: Any) -> Key | None:
    if not isinstance(item, dict):
        return None
    values = [item.get(name) for name in ("file", "rule_id", "path")]
    subject = item.get("subject")
    if not all(isinstance(value, str) for value in values) or not isinstance(subject, (str, type(None))):
        return None
    file, rule_id, path = values
    return finding_key(file, subject, rule_id, path)


def apply_baseline(report: Report, baseline: Baseline) -> tuple[Report, int]:
    """Return the report without the unsuppressed findings the baseline lists, and how many were hidden.

    Suppressed findings stay, as they are reported as suppressed either way. The
    returned report also carries the count as ``baseline_hidden`` for its summary.
    """
    remaining = Counter(baseline.keys)
    reported: list[Finding] = []
    hidden = 0
    for finding in report.findings:
        key = finding_key(finding.file, finding.subject, finding.rule_id, finding.path)
        if finding.suppressed is None and remaining[key] > 0:
            remaining[key] -= 1
            hidden += 1
            continue
        reported.append(finding)
    return dataclasses.replace(report, findings=reported, baseline_hidden=report.baseline_hidden + hidden), hidden


def hidden_note(hidden: int, baseline: Baseline) -> str:
    """Return the sentence that reports how many findings the baseline hid."""
    noun = "finding" if hidden == 1 else "findings"
    return f"{hidden} {noun} hidden by the baseline {baseline.file}."

"""The shape of the JSON report, as typed dictionaries: the source of ``schemas/report.schema.json``.

The report itself is built by :meth:`prodpolicy.findings.Report.to_json`; a test
validates its output against the schema generated from these classes, so the two
cannot drift apart. Keys that the report leaves out when they do not apply are
``NotRequired`` here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field
from typing_extensions import NotRequired, TypedDict

Severity = Annotated[
    Literal["info", "low", "medium", "high", "critical"],
    Field(description="From lowest to highest: info, low, medium, high, critical"),
]
Line = Annotated[int | None, Field(ge=1, description="1-based line in the file; null when unknown")]
Count = Annotated[int, Field(ge=0)]


class SuppressedJSON(TypedDict):
    """Why a finding does not count: present only on suppressed findings."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    kind: Annotated[str, Field(description="inline: a comment in the input; exception: a policy exception")]
    justification: Annotated[str | None, Field(description="The reason given with the suppression")]
    source: NotRequired[Annotated[str, Field(description="Where the comment or exception is written, as file:line")]]
    owner: NotRequired[Annotated[str, Field(description="Who owns the exception")]]
    expires: NotRequired[Annotated[str, Field(description="The date the exception expires, as YYYY-MM-DD")]]


class FindingJSON(TypedDict):
    """One rule violation at one place."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    rule_id: Annotated[str, Field(description="Stable rule code such as RT101")]
    rule_name: Annotated[str, Field(description="Readable rule name such as runs-as-root")]
    severity: Severity
    message: str
    file: Annotated[str, Field(description="The input file as it was given or found")]
    line: Line
    end_line: Line
    column: Annotated[int | None, Field(ge=1, description="1-based column; null when the finding covers whole lines")]
    path: Annotated[str, Field(description="RFC 9535 normalized path of the matched node in the document model")]
    fingerprint: Annotated[
        str,
        Field(pattern="^[0-9a-f]{32}$", description="Stable id from file, subject, rule and path, not the line"),
    ]
    subject: NotRequired[Annotated[str, Field(description="Which part of a multi-document input, such as one image of an archive")]]
    suppressed: NotRequired[SuppressedJSON]
    notes: NotRequired[Annotated[list[str], Field(description="Why a suppression did not apply, such as an expired exception")]]
    expired_exception: NotRequired[
        Annotated[SuppressedJSON, Field(description="The exception that would suppress this finding had it not expired")]
    ]


class InputErrorJSON(TypedDict):
    """An input that could not be evaluated in full."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    file: str
    line: Line
    column: Annotated[int | None, Field(ge=1)]
    message: Annotated[str, Field(description="What is wrong and what to do about it")]


class WarningJSON(TypedDict):
    """A problem worth fixing that did not stop evaluation, such as a policy exception that matched nothing."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    kind: Annotated[
        str,
        Field(
            description="unused-exception, suppression-without-reason, suppression-forbidden, suppression-unknown-rule, "
            "unused-suppression or inactive-services"
        ),
    ]
    file: str
    line: Line
    message: str


class SeverityCountsJSON(TypedDict):
    """Unsuppressed findings by severity, highest first."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    critical: Count
    high: Count
    medium: Count
    low: Count
    info: Count


class SummaryJSON(TypedDict):
    """Counts over the whole run."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    files: Annotated[Count, Field(description="Inputs that were read and evaluated")]
    findings: Annotated[Count, Field(description="Findings that are not suppressed")]
    suppressed: Count
    errors: Annotated[Count, Field(description="Entries in errors")]
    by_severity: SeverityCountsJSON
    baseline_hidden: NotRequired[
        Annotated[
            Count,
            Field(description="Unsuppressed findings that --baseline hid, not counted in findings; 0 without a baseline"),
        ]
    ]


class ReportJSON(TypedDict):
    """The report of one ``prodpolicy eval`` run (``--format json``)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    version: Annotated[Literal[1], Field(description="Format version; fields are only added within a version")]
    findings: Annotated[list[FindingJSON], Field(description="Sorted by file, subject, line, rule id and path")]
    errors: list[InputErrorJSON]
    summary: SummaryJSON
    warnings: NotRequired[Annotated[list[WarningJSON], Field(description="Present only when there are warnings")]]

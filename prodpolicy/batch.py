"""Evaluate a batch of inputs one at a time, in this process or in worker processes, and merge the results.

:class:`InputEvaluator` reads, normalizes and evaluates one input and returns an
:class:`InputResult`: the findings, errors and warnings, and only the source
lines that report formats show (the lines near findings, errors and warnings),
so that a run over many files keeps neither documents nor whole files in memory.
An exception raised while evaluating it, other than an interrupt, becomes an input
error of that file instead of stopping the batch.

:class:`BatchEvaluation` merges the results in the order the inputs were found.
It then sorts the report as :meth:`Evaluation.finish` does, so the report
depends neither on which process evaluated an input nor on when it finished.
"""

from __future__ import annotations

import dataclasses
import datetime
from datetime import date
import logging
import os
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from .errors import InputError, InvalidInput
from .evaluation import Evaluation, RuleProfile
from .findings import Finding, Report, ReportWarning
from .kinds import NormalizeOptions, kind_for_directory, kind_for_name
from .policy.compiled import Policy
from .report.code_frame import CONTEXT_LINES

if TYPE_CHECKING:
    from .config import InputPolicies, PolicyOptions

logger = logging.getLogger("prodpolicy.batch")

# A compiled policy for every input, or the policy of the configuration file nearest to each input.
PolicySource = Union[Policy, "InputPolicies"]


@dataclass(frozen=True, slots=True)
class InputTask:
    """One input to evaluate."""

    # The name reported and the place its configuration file is searched from.
    file: str
    # Where to read it, when that is not ``file``: a temporary copy of standard input.
    path: str | None = None
    # The content, when it was read before evaluation (standard input).
    text: bytes | None = None
    # Why the input could not be read before evaluation.
    error: InputError | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Built again through __init__: unpickling a frozen dataclass sets its fields one by one, which
        # fails where this module is compiled (see docs/design.md, "Compiled build").
        return (InputTask, (self.file, self.path, self.text, self.error))


@dataclass(slots=True)
class InputResult:
    """The findings, errors and warnings of one input, and how long it took."""

    file: str
    # The input was read and normalized, fully or with errors that did not stop normalization.
    read: bool = False
    # At least one document was evaluated, so the policy's rules and exceptions were applied.
    evaluated: bool = False
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[ReportWarning] = field(default_factory=list)
    # The redacted source lines the report formats need, by file (see kept_source_lines).
    sources: dict[str, list[str]] = field(default_factory=dict)
    normalize_seconds: float = 0.0
    evaluate_seconds: float = 0.0
    # The time each rule took on this input, when the settings ask for a rule profile.
    rule_profile: RuleProfile | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A worker sends its findings as tuples of their fields: pickling and unpickling the frozen
        # dataclasses themselves costs about three times as much (10 µs a finding each way).
        findings = [tuple(getattr(finding, name) for name in _FINDING_FIELDS) for finding in self.findings]
        return (
            _rebuild_result,
            (
                self.file,
                self.read,
                self.evaluated,
                findings,
                self.errors,
                self.warnings,
                self.sources,
                self.normalize_seconds,
                self.evaluate_seconds,
                self.rule_profile,
            ),
        )


_FINDING_FIELDS = tuple(item.name for item in dataclasses.fields(Finding))


def _rebuild_result(
    file: str,
    read: bool,
    evaluated: bool,
    findings: list[tuple[Any, ...]],
    errors: list[InputError],
    warnings: list[ReportWarning],
    sources: dict[str, list[str]],
    normalize_seconds: float,
    evaluate_seconds: float,
    rule_profile: RuleProfile | None,
) -> InputResult:
    return InputResult(
        file,
        read,
        evaluated,
        [Finding(*values) for values in findings],
        errors,
        warnings,
        sources,
        normalize_seconds,
        evaluate_seconds,
        rule_profile,
    )


@dataclass(frozen=True)
class EvaluatorSettings:
    """Settings for reading every input of a batch, the same in every worker process."""

    kind: str | None = None
    options: NormalizeOptions | None = None
    today: date = field(default_factory=datetime.date.today)
    # Time every rule on every document (prodpolicy eval --profile-rules).
    profile_rules: bool = False

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Sent to spawned workers, and rebuilt through __init__ for the reason InputTask.__reduce__ gives.
        return (EvaluatorSettings, (self.kind, self.options, self.today, self.profile_rules))


class InputEvaluator:
    """Normalize and evaluate one input at a time with a policy loaded once."""

    def __init__(self, policy: PolicySource, settings: EvaluatorSettings) -> None:
        self.policy = policy
        self.settings = settings

    def evaluate(self, task: InputTask) -> InputResult:
        """Evaluate one input. An exception other than an interrupt becomes an input error of that file."""
        try:
            return self._evaluate(task)
        except Exception as error:  # noqa: BLE001 - one broken input must not stop the batch
            reason = describe_exception(error)
            logger.debug("evaluating %s failed: %s", task.file, reason)
            return failed_result(task.file, reason)

    def _evaluate(self, task: InputTask) -> InputResult:
        from .api import normalize_input

        result = InputResult(task.file)
        if task.error is not None:
            result.errors.append(task.error)
            return result

        started = time.perf_counter()
        try:
            documents = normalize_input(
                task.path or task.file,
                file=task.file,
                kind=self.settings.kind,
                text=task.text,
                options=self.settings.options,
            )
        except InvalidInput as error:
            result.errors.append(error.error)
            result.normalize_seconds = time.perf_counter() - started
            return result
        result.read = True
        evaluating = time.perf_counter()
        result.normalize_seconds = evaluating - started

        evaluation = Evaluation(today=self.settings.today, profile=RuleProfile() if self.settings.profile_rules else None)
        policy = policy_for(self.policy, task.file)
        for document in documents:
            evaluation.add(document, policy)
        report = evaluation.report
        result.evaluated = bool(documents)
        result.findings = report.findings
        result.errors = report.errors
        result.warnings = report.warnings
        result.sources = kept_source_lines(report)
        result.rule_profile = evaluation.profile
        result.evaluate_seconds = time.perf_counter() - evaluating
        return result


def policy_for(policy: PolicySource, file: str) -> Policy:
    """Return the policy that applies to an input; raise :class:`~prodpolicy.errors.PolicyError` when it is invalid."""
    return policy if isinstance(policy, Policy) else policy.policy_for(file)


def failed_result(file: str, reason: str) -> InputResult:
    """Return the result of an input whose evaluation failed for a reason that is not the input's fault."""
    message = f"internal error while evaluating this input ({reason}); the other inputs were evaluated, please report it"
    return InputResult(file, errors=[InputError(file, message)])


def describe_exception(error: BaseException) -> str:
    """Name an exception and where it was raised, without its message, which may quote the input."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    last = frames[-1]
    return f"{type(error).__name__} in {os.path.basename(last.filename)}:{last.lineno}"


def kept_source_lines(report: Report) -> dict[str, list[str]]:
    """Return the source lines that report formats read, by file.

    Code frames, SARIF snippets and start columns read the lines of a finding,
    error or warning and :data:`CONTEXT_LINES` around them. The other lines are
    replaced by empty strings so that line numbers stay valid, and the list ends
    after the last line needed. A file with nothing reported keeps no lines.
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    for finding in report.findings:
        if finding.line is not None:
            spans.setdefault(finding.file, []).append((finding.line, max(finding.end_line or finding.line, finding.line)))
    for problem in report.errors:
        if problem.line is not None:
            spans.setdefault(problem.file, []).append((problem.line, problem.line))
    for warning in report.warnings:
        if warning.line is not None:
            spans.setdefault(warning.file, []).append((warning.line, warning.line))

    needed: dict[str, list[str]] = {}
    for file, lines in report.sources.items():
        if not _kind_shown_by_name(file):
            # The report formats tell such a file's kind from its lines (prodpolicy/report/rule_index.py).
            needed[file] = lines
        elif file in spans:
            needed[file] = _sparse_lines(lines, spans[file])
    return needed


def _kind_shown_by_name(file: str) -> bool:
    return kind_for_name(os.path.basename(file)) is not None or (os.path.isdir(file) and kind_for_directory(file) is not None)


def _sparse_lines(lines: list[str], spans: Iterable[tuple[int, int]]) -> list[str]:
    spans = list(spans)
    end = min(len(lines), max(last for _, last in spans) + CONTEXT_LINES)
    sparse = [""] * end
    for first, last in spans:
        for number in range(max(1, first - CONTEXT_LINES), min(end, last + CONTEXT_LINES) + 1):
            sparse[number - 1] = lines[number - 1]
    return sparse


def merge_source_lines(known: list[str] | None, more: list[str]) -> list[str]:
    """Combine two sparse copies of the same file's lines, as two inputs can report into one file."""
    if not known:
        return more
    longer, shorter = (known, more) if len(known) >= len(more) else (more, known)
    merged = list(longer)
    for index, line in enumerate(shorter):
        if line and not merged[index]:
            merged[index] = line
    return merged


class BatchEvaluation(Evaluation):
    """Collect the results of many inputs into one report, as :class:`Evaluation` collects documents."""

    def merge(self, result: InputResult, policy: Policy | None) -> None:
        """Add one input's result; ``policy`` is the policy applied to it (None when it was not read)."""
        report = self.report
        if result.read:
            report.files.append(result.file)
        report.findings.extend(result.findings)
        report.errors.extend(result.errors)
        report.warnings.extend(result.warnings)
        for file, lines in result.sources.items():
            report.sources[file] = merge_source_lines(report.sources.get(file), lines)
        if result.evaluated and policy is not None:
            # The same bookkeeping as Evaluation.add, which ran in the worker on a report of its own.
            # NOTE: this writes Evaluation's private records of exceptions; keep it in step with Evaluation.add.
            self._record_rules(policy)
            for exception in policy.exceptions:
                source = str(exception.origin)
                self._exceptions.setdefault(source, exception)
                self._under.setdefault(source, set()).update((result.file, *result.sources))
        for finding in result.findings:
            for mark in (finding.suppressed, finding.expired_exception):
                if mark is not None and mark.kind == "exception" and mark.source is not None:
                    self._used.add(mark.source)


# The evaluator of a worker process, set once by its initializer.
_worker_evaluator: InputEvaluator | None = None


def start_worker(policy: PolicySource | PolicyOptions, settings: EvaluatorSettings) -> None:
    """Set up a worker process: load the policy once, or take the one inherited from the parent."""
    global _worker_evaluator
    from .config import InputPolicies, PolicyOptions

    if isinstance(policy, PolicyOptions):
        policy = InputPolicies(policy)
    _worker_evaluator = InputEvaluator(policy, settings)


def evaluate_in_worker(task: InputTask) -> InputResult:
    """Evaluate one input in a worker process set up by :func:`start_worker`."""
    if _worker_evaluator is None:
        return failed_result(task.file, "the worker process was not set up")
    return _worker_evaluator.evaluate(task)

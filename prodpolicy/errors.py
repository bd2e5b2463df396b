"""Errors as data, and the few exceptions that carry them.

Violations of a policy are findings, never exceptions. Exceptions are raised only
when an input cannot be evaluated (:class:`InvalidInput`) or a policy cannot be
used (:class:`PolicyError`). Both carry plain records that reports print.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class InputError:
    """A problem with one input file: where it is and what to do about it."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    # False when the rest of the file was still normalized and evaluated.
    fatal: bool = True

    def location(self) -> str:
        """Format the position as ``file:line:column`` with the parts that are known."""
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One mistake in a policy file, with the rule it belongs to when known."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    rule_id: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        rule = f" rule {self.rule_id}:" if self.rule_id else ""
        return f"{where}:{rule} {self.message}"


class ProdpolicyError(Exception):
    """Base class of the exceptions this package raises on purpose."""


class InvalidInput(ProdpolicyError):
    """Raised when a file cannot be normalized at all."""

    def __init__(self, error: InputError) -> None:
        super().__init__(f"{error.location()}: {error.message}")
        self.error = error


@dataclass
class PolicyError(ProdpolicyError):
    """Raised when a policy cannot be loaded; lists every problem found, not just the first."""

    problems: list[PolicyProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

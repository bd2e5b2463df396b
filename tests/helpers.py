"""Helpers shared by the tests; the test inputs live in tests/cases, written for this project."""

from __future__ import annotations

from pathlib import Path

from prodpolicy.document import Document
from prodpolicy.dockerfile import normalize_dockerfile

CASES = Path(__file__).parent / "cases"
ROOT = Path(__file__).parent.parent


def dockerfile(text: str, target: str | None = None) -> Document:
    """Normalize Dockerfile text given inline in a test."""
    return normalize_dockerfile(text, "Dockerfile", target)


def syntax_case(name: str) -> Document:
    return normalize_dockerfile((CASES / "syntax" / name).read_bytes().decode("utf-8"), name)



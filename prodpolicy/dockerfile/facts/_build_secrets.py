"""The secret-token fact of a Dockerfile: credentials of known shapes anywhere in its source.

A helper of ``build.py``. The scan is the same one the normalizer runs to redact
the document (``prodpolicy.secrets.scan_tokens`` caches it), so the source is
scanned once. Each token is recorded by line and kind, never by value.
"""

from __future__ import annotations

import bisect
from typing import Any

from ... import secrets
from ...document import Location, Path
from ..lexer import LexResult


def secret_tokens(
    document: dict[str, Any], locations: dict[Path, Location], source: LexResult, shipped: set[int]
) -> None:
    """List the credentials of known shapes in the source, by line, with the instruction each one is in."""
    text = "\n".join(source.lines)
    tokens = secrets.scan_tokens(text)
    if not tokens:
        return
    starts = [0]
    for line in source.lines:
        starts.append(starts[-1] + len(line) + 1)
    spans = _instruction_spans(document, shipped)
    found: list[dict[str, Any]] = []
    for token in tokens:
        line = bisect.bisect_right(starts, token.start)
        entry: dict[str, Any] = {"line": line, "kind": token.kind}
        owner = _owner(spans, line)
        if owner is not None:
            entry.update(owner)
        locations[("facts", "secret_tokens", len(found))] = Location(line, line)
        found.append(entry)
    document.setdefault("facts", {})["secret_tokens"] = found


def _instruction_spans(document: dict[str, Any], shipped: set[int]) -> list[tuple[int, int, dict[str, Any]]]:
    spans = [
        (instruction["line"], instruction["end_line"], {"keyword": instruction["keyword"]})
        for instruction in document.get("instructions_before_from") or []
    ]
    for stage in document["stages"]:
        for instruction in stage["instructions"]:
            owner = {"keyword": instruction["keyword"], "stage": stage["index"], "shipped": stage["index"] in shipped}
            spans.append((instruction["line"], instruction["end_line"], owner))
    spans.sort(key=lambda span: span[0])
    return spans


def _owner(spans: list[tuple[int, int, dict[str, Any]]], line: int) -> dict[str, Any] | None:
    position = bisect.bisect_right([span[0] for span in spans], line) - 1
    if position >= 0 and spans[position][0] <= line <= spans[position][1]:
        return spans[position][2]
    return None

"""The secret-token fact of a Dockerfile: credentials of known shapes anywhere in its source.

A helper of ``build.py``. The scan is the same one the normalizer runs to redact
the document (``prodpolicy.secrets.scan_tokens`` caches it), so the source is
scanned once. Commands are scanned too, for the shapes that only a command's
text shows. Each token is recorded by line and kind, never by value.
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
    at_lines: list[tuple[int, str]] = []
    if tokens:
        starts = [0]
        for text_line in source.lines:
            starts.append(starts[-1] + len(text_line) + 1)
        at_lines = [(bisect.bisect_right(starts, token.start), token.kind) for token in tokens]
    seen = {token.value for token in tokens}
    for line, token in command_tokens(document):
        if token.value not in seen:
            seen.add(token.value)
            at_lines.append((line, token.kind))
    if not at_lines:
        return
    at_lines.sort(key=lambda item: item[0])
    spans = _instruction_spans(document, shipped)
    found: list[dict[str, Any]] = []
    for line, kind in at_lines:
        entry: dict[str, Any] = {"line": line, "kind": kind}
        owner = _owner(spans, line)
        if owner is not None:
            entry.update(owner)
        locations[("facts", "secret_tokens", len(found))] = Location(line, line)
        found.append(entry)
    document.setdefault("facts", {})["secret_tokens"] = found


def command_texts(document: dict[str, Any]) -> list[tuple[int, str]]:
    """Return the line of the instruction and the text of every command: RUN, ONBUILD, HEALTHCHECK, CMD, ENTRYPOINT."""
    found: list[tuple[int, str]] = []
    for stage in document["stages"]:
        for instruction in stage["instructions"]:
            _add_texts(instruction, instruction["line"], found)
            for name in ("inner", "healthcheck"):
                holder = instruction.get(name)
                if holder:
                    _add_texts(holder, instruction["line"], found)
    return found


def _add_texts(holder: dict[str, Any], line: int, found: list[tuple[int, str]]) -> None:
    commands = holder.get("commands")
    if commands:
        found += [(line, command["text"]) for command in commands]
    process = holder.get("process")
    if isinstance(process, dict) and process.get("argv"):
        found.append((line, " ".join(process["argv"])))


def command_tokens(document: dict[str, Any]) -> list[tuple[int, secrets.TokenMatch]]:
    """Find the tokens in the text of every command, with the line of its instruction.

    A command joined from continuation lines (curl \\ -u USER:PASSWORD) or written as
    a JSON array has shapes that no source line has. The normalizer reads the same
    document's tokens after the facts, to mask their values, so the last result is kept.
    """
    global _LAST
    last = _LAST
    if last is not None and last[0] is document:
        return last[1]
    commands = command_texts(document)
    texts = [text for _, text in commands]
    found = [
        (commands[number][0], token)
        for number in secrets.texts_to_mask(texts)
        for token in secrets.scan_tokens(texts[number])
    ]
    _LAST = (document, found)
    return found


# The last document command_tokens read, and its tokens.
_LAST: tuple[dict[str, Any], list[tuple[int, secrets.TokenMatch]]] | None = None


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

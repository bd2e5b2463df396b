"""Inline suppressions: ``# prodpolicy ignore=RULE[,RULE] -- reason``.

A rule is named by its id (``DF101``) or its name (``base-image-unpinned``). The
reason follows ``--`` or a second ``#``. The comment covers the instruction on
the line after it in a Dockerfile, and the key on the same or the next line in
YAML inputs, including the other files of a compose project (overrides,
``extends`` bases, included files). Normalizers record the lines it covers
in ``Document.suppressions``.

The policy setting ``inline_suppressions`` decides whether comments count:
``allow`` (the default), ``require-reason`` (a comment without a reason is
ignored) or ``forbid`` (no comment is honoured).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .document import Document, Suppression

_PATTERN = re.compile(
    r"^prodpolicy\s+ignore\s*=\s*(?P<rules>[A-Za-z0-9_.:-]+(?:\s*,\s*[A-Za-z0-9_.:-]+)*)"
    r"\s*(?:(?:--|#)\s*(?P<reason>.*?))?\s*$"
)


def parse_suppression(comment: str, line: int, start_line: int, end_line: int, file: str | None = None) -> Suppression | None:
    """Read one comment (without its ``#``); return None when it is not a suppression.

    ``file`` names the file of the comment when it is not the document's own file.
    """
    match = _PATTERN.match(comment.strip())
    if not match:
        return None
    rules = tuple(rule.strip() for rule in match.group("rules").split(",") if rule.strip())
    reason = match.group("reason") or None
    return Suppression(rules=rules, reason=reason, line=line, start_line=start_line, end_line=end_line, file=file)


def covering(document: Document, rule_id: str, rule_name: str, line: int | None, file: str | None = None) -> Iterator[Suppression]:
    """Yield the comments of a document that name a rule and cover a line of ``file``, in file order.

    ``file`` defaults to the document's own file.
    """
    if line is None:
        return
    target_file = file or document.file
    for suppression in document.suppressions:
        if rule_id not in suppression.rules and rule_name not in suppression.rules:
            continue
        if (suppression.file or document.file) != target_file:
            continue
        if suppression.start_line <= line <= suppression.end_line:
            yield suppression


def honoured(suppression: Suppression, mode: str) -> bool:
    """Return whether a comment suppresses under the policy's ``inline_suppressions`` mode."""
    if mode == "forbid":
        return False
    if mode == "require-reason":
        return bool(suppression.reason and suppression.reason.strip())
    return True

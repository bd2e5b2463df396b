"""Read inline suppression comments: ``# prodpolicy ignore=RULE[,RULE] -- reason``.

A rule is named by its id (``DF101``) or its name (``base-image-unpinned``). The
reason follows ``--`` or a second ``#``. The comment covers the instruction on
the line after it in a Dockerfile, and the key on the same or the next line in
YAML inputs.
"""

from __future__ import annotations

import re

from .document import Suppression

_PATTERN = re.compile(
    r"^prodpolicy\s+ignore\s*=\s*(?P<rules>[A-Za-z0-9_.:-]+(?:\s*,\s*[A-Za-z0-9_.:-]+)*)"
    r"\s*(?:(?:--|#)\s*(?P<reason>.*?))?\s*$"
)


def parse_suppression(comment: str, line: int, start_line: int, end_line: int) -> Suppression | None:
    """Read one comment (without its ``#``); return None when it is not a suppression."""
    match = _PATTERN.match(comment.strip())
    if not match:
        return None
    rules = tuple(rule.strip() for rule in match.group("rules").split(",") if rule.strip())
    reason = match.group("reason") or None
    return Suppression(rules=rules, reason=reason, line=line, start_line=start_line, end_line=end_line)

"""Shell wildcard patterns in ``${VAR#pattern}``, ``${VAR%pattern}`` and ``${VAR/pattern/text}``.

BuildKit reads these patterns with its own rules, which this module follows.
``*`` matches any text: the shortest match, unless the operator is doubled (as
in ``##`` and ``%%``) or it is a replacement. ``?`` matches one character, and
a backslash makes ``*``, ``?`` or ``\\`` literal. Bracket expressions such as
``[a-z]`` are not supported by BuildKit, so ``[`` is a literal character here
too. A backslash before ``}`` or ``/`` only keeps that character inside the
substitution.
"""

from __future__ import annotations

import functools
import re

_LITERAL_ESCAPES = frozenset("*?\\")


@functools.lru_cache(maxsize=256)
def pattern_regex(pattern: str, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """Compile a substitution pattern; raise ValueError for an invalid escape."""
    parts = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            parts.append(star)
        elif char == "?":
            parts.append(".")
        elif char == "\\":
            following = pattern[index : index + 1]
            if following in ("}", "/"):
                continue
            if following not in _LITERAL_ESCAPES or not following:
                raise ValueError(f"invalid escape '\\{following}' in the pattern {pattern!r}")
            parts.append(re.escape(following))
            index += 1
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts))


def trim_prefix(value: str, pattern: str, greedy: bool) -> str:
    """Remove the shortest (or, when ``greedy``, longest) prefix of ``value`` that matches."""
    match = pattern_regex(pattern, greedy, anchored=True).match(value)
    return value[match.end() :] if match else value


def trim_suffix(value: str, pattern: str, greedy: bool) -> str:
    """Remove the shortest (or longest) matching suffix.

    A regular expression finds the leftmost match, so the value and the pattern
    are both reversed to turn the rightmost match into a leftmost one.
    """
    reversed_value = value[::-1]
    trimmed = trim_prefix(reversed_value, _reverse_pattern(pattern), greedy)
    return trimmed[::-1]


def _reverse_pattern(pattern: str) -> str:
    """Reverse a pattern but keep each backslash in front of the character it escapes."""
    tokens: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\" and index + 1 < len(pattern):
            tokens.append(pattern[index : index + 2])
            index += 2
        else:
            tokens.append(pattern[index])
            index += 1
    return "".join(reversed(tokens))

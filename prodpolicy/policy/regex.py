"""Test texts against a condition's regular expressions with as few RE2 calls as possible.

A ``matches`` condition only needs to know whether some pattern is found in a
text. Calling ``re2.compile(...).search`` costs about 2 µs in google-re2's
Python wrapper, mostly outside RE2: it decodes the span of every group and
builds a match object. A :class:`PatternTest` saves most of that without
changing any result:

* the patterns of one condition are joined into one alternation, each
  alternative in a group of its own so that inline flags such as ``(?i)``
  keep their scope, and RE2 runs once per text;
* groups become non-capturing, so RE2 reports one span, and the wrapper's
  match objects are skipped by calling RE2's ``Match`` directly;
* a pattern that can only match at the start of the text with a fixed prefix
  (``^go (build|install)``) is tried only on texts that start with it, a
  prefix that RE2's ``PossibleMatchRange`` gives;
* results are kept per text, for up to :data:`MEMO_SIZE` texts per condition,
  because the same command text is tested by many documents.

:class:`TextSearch` answers the same question for many texts at once, to find
which nodes of a selection a rule can match (see :mod:`prodpolicy.policy.selection`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

import re2

from .plain import plain_evaluation

# Texts whose results one condition keeps. A full memo takes no more texts: emptying it would
# lose the common texts, which come early, and the first texts bound its memory.
MEMO_SIZE = 2048

# PatternTest calls RE2 through private parts of google-re2's wrapper: _Anchor, and _regexp on a compiled
# pattern (in 1.1). Where they are missing, every test goes through the public search instead.
_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
_NO_MATCH = (-1, -1)
# Inline flags at the start of a pattern that leave ^ meaning the start of the text.
_LEADING_FLAGS = re.compile(r"(\(\?[iUs]+\))+")
# The options of every policy pattern: RE2's defaults, without RE2 logging its own errors to stderr.
RE2_OPTIONS = re2.Options()
RE2_OPTIONS.log_errors = False
# Syntax that TextSearch does not join. \A and \z mean the start and end of each text. \Q quotes up to \E or
# the end of the pattern, so it could take in the ) of the group around it. An inline flag that turns a mode
# off could turn off the multi-line mode of the joined search.
_TEXT_BOUND = re.compile(r"\\[AzQ]|\(\?[A-Za-z]*-")
# Below this many texts, one test per text is as fast as a joined search.
_JOIN_FROM = 4


class PatternTest:
    """Whether any of a condition's compiled patterns is found in a text."""

    __slots__ = ("_patterns", "_gated", "_rest", "_memo", "_memo_size")

    def __init__(self, patterns: Sequence[Any], memo_size: int = MEMO_SIZE) -> None:
        # The RE2 programs of the test are built on its first call, so a condition that no
        # document reaches costs nothing when the policy loads.
        self._patterns = tuple(patterns)
        self._gated: tuple[tuple[bytes, Any], ...] | None = None
        self._rest: Any = None
        self._memo: dict[str, bool] = {}
        self._memo_size = memo_size

    def __call__(self, text: str) -> bool:
        memo = self._memo
        found = memo.get(text)
        if found is not None:
            return found
        found = self._search(text.encode("utf-8", "surrogatepass"))
        if len(memo) < self._memo_size:
            memo[text] = found
        return found

    def _search(self, encoded: bytes) -> bool:
        gated = self._gated
        if gated is None:
            gated = self._prepare()
        end = len(encoded)
        for prefix, regexp in gated:
            if encoded.startswith(prefix) and regexp.Match(_UNANCHORED, encoded, 0, end)[0] != _NO_MATCH:
                return True
        rest = self._rest
        return rest is not None and rest.Match(_UNANCHORED, encoded, 0, end)[0] != _NO_MATCH

    def _prepare(self) -> tuple[tuple[bytes, Any], ...]:
        gated: list[tuple[bytes, Any]] = []
        rest: list[str] = []
        options = self._patterns[0].options if self._patterns else None
        for pattern in self._patterns:
            text = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode()
            prefix = _required_prefix(text, options, pattern)
            if prefix or "\\Q" in text:
                # \Q quotes up to \E or the end of the pattern, so a pattern with it is never joined to others:
                # its quote could take in the ) that closes its group. An empty prefix lets every text through.
                gated.append((prefix, _raw(text, options, pattern)))
            else:
                rest.append(text)
        # _rest is set before _gated, because other threads take a set _gated to mean that the test is ready.
        self._rest = _raw("|".join(f"(?:{text})" for text in rest), options) if rest else None
        self._gated = tuple(gated)
        return self._gated


class JoinedTexts:
    """Texts joined by newlines in UTF-8, with the offset where each starts, built once for every search on them."""

    __slots__ = ("texts", "_joined")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self._joined: tuple[bytes, list[int]] | None = None

    def joined(self) -> tuple[bytes, list[int]]:
        """Return the joined bytes and the byte offset at which each text starts."""
        if self._joined is None:
            joined = "\n".join(self.texts)
            encoded = joined.encode("utf-8", "surrogatepass")
            if len(encoded) == len(joined):
                sizes: Any = map(len, self.texts)
            else:
                sizes = (len(text.encode("utf-8", "surrogatepass")) for text in self.texts)
            starts = [0]
            starts.extend(itertools.accumulate(size + 1 for size in sizes))
            # The last entry is where a text after the last one would start.
            starts.pop()
            self._joined = (encoded, starts)
        return self._joined


class TextSearch:
    """A search for which of many texts a condition's patterns may be found in, with one RE2 search for most texts.

    The texts are joined with newlines and the patterns searched in multi-line
    mode, where ``^`` and ``$`` also match next to a newline. A pattern found in
    a text on its own is then found at the same place in the joined text, since
    ``^``, ``$`` and ``\\b`` see a newline there as they see the edge of a text.
    After a match the search goes on from the start of the next text, so a match
    that runs on into the next text cannot hide that one's own. Such a match, or
    one on a newline inside a text, may name a text in which the pattern alone is
    not found: the result can hold more texts than match, never fewer. Patterns
    with ``\\A``, ``\\z`` or a flag turned off are tested one text at a time.
    """

    __slots__ = ("_patterns", "_joined", "_single")

    def __init__(self, patterns: Sequence[str]) -> None:
        self._patterns = tuple(patterns)
        # Compiled on first use, like PatternTest.
        self._joined: Any = None
        self._single: Callable[[str], bool] | None = None

    def flagged(self, texts: JoinedTexts) -> list[int]:
        """Return the positions of the texts in which a pattern may be found, in order; none that has one is left out."""
        if self._single is None:
            self._prepare()
        if self._joined is None or len(texts.texts) < _JOIN_FROM:
            single = self._single
            assert single is not None
            return [position for position, text in enumerate(texts.texts) if single(text)]
        encoded, starts = texts.joined()
        last = len(starts) - 1
        end = len(encoded)
        regexp = self._joined
        flagged: list[int] = []
        position = 0
        while True:
            span = regexp.Match(_UNANCHORED, encoded, position, end)[0]
            if span == _NO_MATCH:
                return flagged
            number = bisect.bisect_right(starts, span[0]) - 1
            flagged.append(number)
            if number >= last:
                return flagged
            position = starts[number + 1]

    def _prepare(self) -> None:
        compiled = [re2.compile(pattern, RE2_OPTIONS) for pattern in self._patterns]
        if _UNANCHORED is not None and self._patterns and not any(_TEXT_BOUND.search(pattern) for pattern in self._patterns):
            self._joined = _raw("(?m)" + "|".join(f"(?:{pattern})" for pattern in self._patterns), RE2_OPTIONS)
        self._single = search_any(compiled)


def search_any(patterns: Sequence[Any], *, memo: bool = True) -> Callable[[str], bool]:
    """Return a test of whether any of the compiled ``patterns`` is found in a text.

    Without ``memo``, results are not kept per text, for tests of long texts that seldom repeat.

    With the environment switch of :mod:`prodpolicy.policy.selection`, the test
    makes one plain ``search`` call per pattern and text instead, to check that
    :class:`PatternTest` gives the same results.
    """
    if plain_evaluation() or _UNANCHORED is None or not all(hasattr(pattern, "_regexp") for pattern in patterns):
        # Encoded as PatternTest encodes, so that a lone surrogate (from an image's JSON) is a byte sequence
        # RE2 skips, not an error.
        return lambda text: any(pattern.search(text.encode("utf-8", "surrogatepass")) for pattern in patterns)
    return PatternTest(patterns, MEMO_SIZE if memo else 0)


def _raw(pattern: str, options: Any, compiled: Any = None) -> Any:
    """Compile ``pattern`` with its groups made non-capturing, and return RE2's own object.

    ``compiled`` is the pattern compiled as written, used as it is when it has no group to rewrite.
    """
    if compiled is not None and compiled._regexp.NumberOfCapturingGroups() == 0:
        return compiled._regexp
    rewritten = non_capturing(pattern)
    compiled = None
    if rewritten is not None:
        try:
            compiled = re2.compile(rewritten, options)
        except Exception:  # noqa: BLE001 - google-re2 raises its own error class; the original pattern compiled
            compiled = None
    if compiled is None or compiled._regexp.NumberOfCapturingGroups() != 0:
        compiled = re2.compile(pattern, options)
    return compiled._regexp


def _required_prefix(pattern: str, options: Any, compiled: Any = None) -> bytes:
    """Return the UTF-8 bytes every text must start with for a search to find ``pattern`` in it.

    Only a pattern anchored at the start of the text has one: its match is then
    a prefix of the text, and RE2's ``PossibleMatchRange`` bounds the matches.
    ``compiled`` is the pattern already compiled, if any.
    """
    if not _anchored_at_start(pattern):
        return b""
    if compiled is None:
        try:
            compiled = re2.compile(pattern, options)
        except Exception:  # noqa: BLE001 - google-re2 raises its own error class
            return b""
    ok, lowest, highest = compiled._regexp.PossibleMatchRange(64)
    if not ok:
        return b""
    # Every string between two strings that share a prefix shares it too.
    length = 0
    for low, high in zip(lowest, highest):
        if low != high:
            break
        length += 1
    # PossibleMatchRange leaves out empty matches: ^v?\b matches "3.12" with an empty string, yet its range
    # starts with "v". Only characters written as plain literals right after ^, none of them optional, are
    # sure to start every match.
    literal = _leading_literal(pattern)
    return bytes(lowest[: min(length, len(literal.encode("utf-8")))])


def _leading_literal(pattern: str) -> str:
    """Return the plain characters that every match starts with, read after ``^`` (and leading flags).

    Reading stops at the first character a quantifier makes optional, and at any syntax other than plain
    characters, escaped punctuation and a first group whose alternatives all start with the same characters.
    """
    flags = _LEADING_FLAGS.match(pattern)
    body = pattern[flags.end() :] if flags else pattern
    return _literal_run(body[1:]) if body.startswith("^") else ""


def _literal_run(body: str) -> str:
    literal: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "(" and not literal:
            return _group_literal(body, index)
        if char == "\\" and index + 1 < len(body) and body[index + 1] in _ESCAPED_PUNCTUATION:
            char = body[index + 1]
            index += 1
        elif not (char.isalnum() or char in _PLAIN_PUNCTUATION):
            break
        following = body[index + 1 : index + 2]
        if following in ("?", "*", "{"):
            break
        literal.append(char)
        if following == "+":
            # The character repeats, so what comes after it is not at a fixed place.
            break
        index += 1
    return "".join(literal)


def _group_literal(body: str, start: int) -> str:
    """Return the characters that every alternative of the group at ``start`` starts with, if it is not optional."""
    depth = 0
    alternatives: list[str] = []
    begin = start + 3 if body.startswith("(?:", start) else start + 1
    if body.startswith("(?", start) and begin == start + 1:
        # A named group or inline flags: not read.
        return ""
    index = begin
    while index < len(body):
        char = body[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            end = _class_end(body, index)
            if end is None:
                return ""
            index = end
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                alternatives.append(body[begin:index])
                if body[index + 1 : index + 2] in ("?", "*", "{"):
                    return ""
                return _common_prefix([_literal_run(alternative) for alternative in alternatives])
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(body[begin:index])
            begin = index + 1
        index += 1
    return ""


def _common_prefix(texts: list[str]) -> str:
    if not texts:
        return ""
    shortest = min(texts, key=len)
    for length in range(len(shortest), 0, -1):
        if all(text.startswith(shortest[:length]) for text in texts):
            return shortest[:length]
    return ""


# Characters that match themselves in RE2 syntax, and escaped punctuation that does.
_PLAIN_PUNCTUATION = frozenset(" -_=:/,@%&'\"<>~!#")
_ESCAPED_PUNCTUATION = frozenset(".$/-{}()[]*+?|^\\:=@#&~,'\"<> ")


def _anchored_at_start(pattern: str) -> bool:
    """Return whether every match of ``pattern`` starts at the start of the text.

    That holds when the pattern, after inline flags without ``m`` (multi-line
    mode would let ``^`` match after a newline), starts with ``^`` and has no
    ``|`` outside groups, classes and escapes.
    """
    flags = _LEADING_FLAGS.match(pattern)
    body = pattern[flags.end() :] if flags else pattern
    if not body.startswith("^"):
        return False
    depth = 0
    index = 0
    size = len(body)
    while index < size:
        char = body[index]
        if char == "\\":
            if body.startswith("\\Q", index):
                return False
            index += 2
            continue
        if char == "[":
            end = _class_end(body, index)
            if end is None:
                return False
            index = end
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return False
        index += 1
    return depth == 0


def non_capturing(pattern: str) -> str | None:
    """Rewrite the capturing groups of an RE2 pattern as non-capturing ones; None when unsure of the syntax."""
    output: list[str] = []
    index = 0
    size = len(pattern)
    while index < size:
        char = pattern[index]
        if char == "\\":
            if pattern.startswith("\\Q", index):
                # \Q...\E quotes everything up to \E or the end literally.
                end = pattern.find("\\E", index + 2)
                end = size if end < 0 else end + 2
                output.append(pattern[index:end])
                index = end
                continue
            output.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[":
            class_end = _class_end(pattern, index)
            if class_end is None:
                return None
            output.append(pattern[index:class_end])
            index = class_end
            continue
        if char == "(":
            if pattern.startswith("(?P<", index) or pattern.startswith("(?<", index):
                close = pattern.find(">", index)
                if close < 0:
                    return None
                output.append("(?:")
                index = close + 1
                continue
            if pattern.startswith("(?", index):
                output.append("(")
                index += 1
                continue
            output.append("(?:")
            index += 1
            continue
        output.append(char)
        index += 1
    return "".join(output)


def _class_end(pattern: str, start: int) -> int | None:
    """Return the index after the character class that starts at ``start``, or None when it does not end."""
    index = start + 1
    size = len(pattern)
    if index < size and pattern[index] == "^":
        index += 1
    if index < size and pattern[index] == "]":
        # A ] right after [ or [^ is a literal member.
        index += 1
    while index < size:
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if pattern.startswith("[:", index):
            close = pattern.find(":]", index + 2)
            if close >= 0:
                index = close + 2
                continue
        if char == "]":
            return index + 1
        index += 1
    return None

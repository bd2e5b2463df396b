"""Style and syntax facts read from the source text: comments, directives, casing, whitespace.

These facts need what the document data does not keep: the physical lines,
the comments, and each keyword as written. Heredoc bodies are content, not
Dockerfile text, so no whitespace or comment fact points into them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...document import Location, Path
from ..lexer import DIRECTIVE_NAMES, LexResult, RawInstruction

# Keywords whose arguments Docker reads as a JSON array when they are one.
_EXEC_FORM_KEYWORDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "VOLUME"})
_DIRECTIVE_LIKE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(\S.*)$")
_PLAUSIBLE_VALUE = {
    "syntax": re.compile(r"[/:@]"),
    "escape": re.compile(r"^[\\`]$"),
    "check": re.compile(r"^(skip|error|experimental)\s*="),
}
_SYNTAX_IMAGE = "docker/dockerfile"
# A JSON-looking array of quoted items: only commas and whitespace between the quotes, maybe unclosed.
_QUOTED_ITEMS = re.compile(r"""^\[\s*(?:(?:"(?:[^"\\]|\\.)*"|'[^']*')\s*,?\s*)+\]?$""")
# An array of bare words separated by commas, such as [node, server.js].
_BARE_ITEMS = re.compile(r"^\[\s*[^\s,\[\]\"']+(?:\s*,\s*[^\s,\[\]\"']+)+\s*\]$")
_CHAIN_OPERATORS = frozenset({"&&", "||", ";"})
_INSTALL_ACTIONS = frozenset({"install", "add"})
_SUPPRESSION_PREFIXES = ("prodpolicy ignore", "hadolint ignore", "hadolint global", "tally ignore")


def annotate(document: dict[str, Any], locations: dict[Path, Location], source: LexResult) -> None:
    """Add the style facts of the document and its instructions, in place."""
    lines = source.lines
    heredoc_lines = _heredoc_lines(source.instructions)
    directive_lines = {directive.line for directive in source.directives}
    by_line = _instructions_by_line(document)
    facts: dict[str, Any] = {"line_count": len(lines), "final_newline": source.final_newline}
    # Findings about the file as a whole point at its last line.
    last_line = Location(max(len(lines), 1), max(len(lines), 1))
    locations[("facts", "line_count")] = last_line
    locations[("facts", "final_newline")] = last_line

    comments = _comments(lines, heredoc_lines, directive_lines)
    _add_list(facts, locations, "comments", comments)
    first_instruction = source.instructions[0].start_line if source.instructions else len(lines) + 1
    _add_list(facts, locations, "directive_problems", _directive_problems(comments, first_instruction))
    _add_list(facts, locations, "trailing_whitespace", _trailing_whitespace(lines, heredoc_lines))
    _add_list(facts, locations, "blank_line_runs", _blank_line_runs(lines, heredoc_lines))
    _add_list(facts, locations, "multiple_spaces", _multiple_spaces(lines, heredoc_lines, source))

    case = _keyword_case(document)
    if case is not None:
        facts["keyword_case"] = case
    # Global ARGs are left out of the casing check, as in BuildKit.
    before_from = {id(instruction) for instruction in document["instructions_before_from"]}
    for raw in source.instructions:
        instruction = by_line.get(raw.start_line)
        if instruction is not None:
            in_stage = id(instruction) not in before_from
            _instruction_facts(raw, instruction, lines, heredoc_lines, directive_lines, case, in_stage)
    for stage in document["stages"]:
        _indentation(stage["instructions"], lines)
    document.setdefault("facts", {}).update(facts)


def _set(instruction: dict[str, Any], name: str, value: Any) -> None:
    facts = instruction.get("facts")
    if facts is None:
        facts = instruction["facts"] = {}
    facts[name] = value


def _add_list(facts: dict[str, Any], locations: dict[Path, Location], name: str, entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    facts[name] = entries
    for number, entry in enumerate(entries):
        locations[("facts", name, number)] = Location(entry["line"], entry["line"])


def _heredoc_lines(instructions: list[RawInstruction]) -> set[int]:
    """Return the lines of heredoc bodies and their terminators."""
    lines: set[int] = set()
    for raw in instructions:
        target = raw.inner if raw.inner is not None else raw
        for heredoc in target.heredocs:
            lines.update(range(heredoc.start_line, heredoc.end_line + 1))
    return lines


def _instructions_by_line(document: dict[str, Any]) -> dict[int, dict[str, Any]]:
    found = {instruction["line"]: instruction for instruction in document["instructions_before_from"]}
    for stage in document["stages"]:
        for instruction in stage["instructions"]:
            found[instruction["line"]] = instruction
    return found


def _comments(lines: list[str], heredoc_lines: set[int], directive_lines: set[int]) -> list[dict[str, Any]]:
    comments = []
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if not stripped.startswith("#") or number in heredoc_lines:
            continue
        comment: dict[str, Any] = {"line": number, "text": stripped[1:].strip()}
        if number in directive_lines:
            comment["directive"] = True
        comments.append(comment)
    return comments


def _directive_problems(comments: list[dict[str, Any]], first_instruction: int) -> list[dict[str, Any]]:
    problems = []
    for comment in comments:
        if comment.get("directive"):
            problem = _syntax_value_problem(comment)
            if problem:
                problems.append(problem)
            continue
        match = _DIRECTIVE_LIKE.match(comment["text"])
        if not match:
            continue
        name, value = match.group(1).lower(), match.group(2).strip()
        if name in DIRECTIVE_NAMES:
            if _PLAUSIBLE_VALUE[name].search(value):
                problems.append(
                    {"line": comment["line"], "text": comment["text"], "problem": "misplaced", "expected": f"{name}={value}"}
                )
            continue
        if comment["line"] > first_instruction:
            continue
        closest = min(DIRECTIVE_NAMES, key=lambda known: edit_distance(name, known))
        if len(name) >= 4 and edit_distance(name, closest) <= 2 and _PLAUSIBLE_VALUE[closest].search(value):
            problems.append(
                {"line": comment["line"], "text": comment["text"], "problem": "misspelled", "expected": f"{closest}={value}"}
            )
    return problems


def _syntax_value_problem(comment: dict[str, Any]) -> dict[str, Any] | None:
    match = _DIRECTIVE_LIKE.match(comment["text"])
    if not match or match.group(1).lower() != "syntax":
        return None
    value = match.group(2).strip()
    image = re.split(r"[:@]", value, maxsplit=1)[0]
    suffix = value[len(image) :]
    bare = image.removeprefix("docker.io/")
    if bare == _SYNTAX_IMAGE:
        return None
    distance = edit_distance(bare, _SYNTAX_IMAGE)
    if bare != "dockerfile" and not 0 < distance <= 3:
        return None
    expected = f"syntax={_SYNTAX_IMAGE}{suffix or ':1'}"
    return {"line": comment["line"], "text": comment["text"], "problem": "misspelled-value", "expected": expected}


def edit_distance(left: str, right: str) -> int:
    """Return the Levenshtein distance between two short words."""
    previous = list(range(len(right) + 1))
    for row, left_char in enumerate(left, start=1):
        current = [row]
        for column, right_char in enumerate(right, start=1):
            cost = 0 if left_char == right_char else 1
            current.append(min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + cost))
        previous = current
    return previous[-1]


def _trailing_whitespace(lines: list[str], heredoc_lines: set[int]) -> list[dict[str, Any]]:
    return [
        {"line": number}
        for number, text in enumerate(lines, start=1)
        if number not in heredoc_lines and text != text.rstrip(" \t")
    ]


def _blank_line_runs(lines: list[str], heredoc_lines: set[int]) -> list[dict[str, Any]]:
    runs = []
    start: int | None = None
    for number, text in enumerate([*lines, "end"], start=1):
        blank = not text.strip() and number not in heredoc_lines and number <= len(lines)
        if blank and start is None:
            start = number
        elif not blank and start is not None:
            if number - start >= 2:
                runs.append({"line": start, "count": number - start})
            start = None
    return runs


def _multiple_spaces(lines: list[str], heredoc_lines: set[int], source: LexResult) -> list[dict[str, Any]]:
    """Find lines with runs of spaces inside instruction text, ignoring indentation, quotes and alignment before \\."""
    found = []
    escape = source.escape
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if number in heredoc_lines or not stripped or stripped.startswith("#") or "  " not in stripped:
            continue
        body = stripped[:-1].rstrip() if stripped.endswith(escape) else stripped
        if _has_unquoted_double_space(body):
            found.append({"line": number})
    return found


def _has_unquoted_double_space(text: str) -> bool:
    quote = ""
    previous = ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == " " and previous == " ":
            return True
        previous = char
    return False


def _keyword_case(document: dict[str, Any]) -> str | None:
    """Return the case most keywords use, counting only keywords written wholly in one case, as BuildKit does."""
    lower = upper = 0
    for stage in document["stages"]:
        for instruction in stage["instructions"]:
            written = instruction["keyword_as_written"]
            if written == written.lower():
                lower += 1
            elif written == written.upper():
                upper += 1
    if lower == 0 and upper == 0:
        return None
    return "lowercase" if lower > upper else "uppercase"


def _instruction_facts(
    raw: RawInstruction,
    instruction: dict[str, Any],
    lines: list[str],
    heredoc_lines: set[int],
    directive_lines: set[int],
    case: str | None,
    in_stage: bool,
) -> None:
    written = raw.keyword_as_written
    if case is not None and in_stage:
        expected = written.lower() if case == "lowercase" else written.upper()
        if written != expected:
            _set(instruction, "keyword_case_expected", case)
    if raw.keyword == "FROM":
        _from_as_case(raw, instruction)
    empty = [
        number
        for number in range(raw.start_line + 1, raw.end_line + 1)
        if number not in heredoc_lines and not lines[number - 1].strip()
    ]
    if empty:
        _set(instruction, "empty_continuation_lines", empty)
    _description(raw, instruction, directive_lines)
    if _invalid_json_array(raw):
        _set(instruction, "invalid_json_array", True)
    if raw.keyword == "RUN":
        _run_script_facts(instruction)


def _from_as_case(raw: RawInstruction, instruction: dict[str, Any]) -> None:
    arguments = instruction.get("arguments") or []
    if len(arguments) != 3 or arguments[1].lower() != "as":
        return
    written = raw.keyword_as_written
    if written == written.lower():
        mismatch = arguments[1] != arguments[1].lower()
    elif written == written.upper():
        mismatch = arguments[1] != arguments[1].upper()
    else:
        # A mixed-case FROM is reported by the keyword casing fact already.
        mismatch = False
    if mismatch:
        _set(instruction, "as_case_mismatch", True)


def _description(raw: RawInstruction, instruction: dict[str, Any], directive_lines: set[int]) -> None:
    """Compare the comment right above FROM ... AS name or ARG with the names it could describe."""
    if raw.keyword == "FROM":
        names = [instruction["stage_name"]] if instruction.get("stage_name") else []
    elif raw.keyword == "ARG":
        names = [variable["name"] for variable in instruction.get("variables") or []]
    else:
        return
    comments = [
        text for line, text in raw.comments
        if line not in directive_lines and not text.lower().startswith(_SUPPRESSION_PREFIXES)
    ]
    if not names or not comments:
        return
    first_word = comments[-1].split(" ")[0]
    if first_word not in names:
        _set(instruction, "description_mismatch", True)


def _invalid_json_array(raw: RawInstruction) -> bool:
    """Tell whether shell-form arguments were probably meant as an exec-form JSON array."""
    if raw.json_form or raw.json_error:
        return False
    if raw.keyword in _EXEC_FORM_KEYWORDS:
        text = raw.arguments_text
    elif raw.keyword == "HEALTHCHECK":
        kind, _, text = raw.arguments_text.partition(" ")
        if kind.upper() != "CMD":
            return False
    else:
        return False
    text = text.strip()
    if not text.startswith("["):
        return False
    if _QUOTED_ITEMS.match(text) or _BARE_ITEMS.match(text):
        return True
    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        # Arrays nested past Python's recursion limit are no exec form either (see lexer.parse_json_array).
        return False
    # A valid array followed by more text: Docker reads the whole line as shell form.
    return isinstance(value, list) and end < len(text)


def _run_script_facts(instruction: dict[str, Any]) -> None:
    chained: list[int] = []
    unsorted: list[str] = []
    previous_line: int | None = None
    for command in instruction.get("commands") or []:
        if command.get("depth"):
            continue
        line = command.get("line")
        if command.get("operator") in _CHAIN_OPERATORS and line is not None and line == previous_line and line not in chained:
            chained.append(line)
        previous_line = line
        package = command.get("package")
        if package and package.get("action") in _INSTALL_ACTIONS:
            names = [item["name"] for item in package.get("packages") or [] if not item.get("source")]
            if len(names) >= 2 and names != sorted(names, key=str.lower) and package["manager"] not in unsorted:
                unsorted.append(package["manager"])
    if chained:
        _set(instruction, "chained_command_lines", chained)
    if unsorted:
        _set(instruction, "unsorted_packages", unsorted)


def _indentation(instructions: list[dict[str, Any]], lines: list[str]) -> None:
    """Mark instructions of a stage indented differently from the first one after FROM."""
    expected: str | None = None
    for instruction in instructions[1:]:
        text = lines[instruction["line"] - 1]
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        if expected is None:
            expected = indent
        elif indent != expected:
            _set(instruction, "indent_inconsistent", True)

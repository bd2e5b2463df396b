"""Code frames: the lines a finding points at, with a line of context on each side."""

from __future__ import annotations

from .style import Styler, printable

# Frames longer than this show their first lines and how many were left out. The first lines of a whole
# compose service or a long RUN are enough to find it, and a long frame per finding buries the next one.
MAX_MARKED_LINES = 3
# Longer source lines are cut, so that one minified line cannot flood the terminal.
MAX_LINE_WIDTH = 160
CONTEXT_LINES = 1


def code_frame(lines: list[str], line: int, end_line: int | None, style: Styler) -> list[str]:
    """Return the frame for lines ``line`` to ``end_line`` (1-based, inclusive) of ``lines``.

    Returns an empty list when the lines are not in the source, for example for a
    file that could not be read.
    """
    last = min(max(end_line or line, line), len(lines))
    if not 1 <= line <= last:
        return []
    shown_last = min(last, line + MAX_MARKED_LINES - 1)
    first_context = max(1, line - CONTEXT_LINES)
    last_context = min(len(lines), last + CONTEXT_LINES) if shown_last == last else shown_last
    width = len(str(last_context))

    frame: list[str] = []
    for number in range(first_context, line):
        frame.append(_row(number, lines[number - 1], width, marked=False, style=style))
    for number in range(line, shown_last + 1):
        frame.append(_row(number, lines[number - 1], width, marked=True, style=style))
    if shown_last < last:
        hidden = last - shown_last
        gutter = style(f"   {'':>{width}} |", "blue")
        frame.append(f"{gutter} ... {hidden} more line{'s' if hidden != 1 else ''}")
    for number in range(last + 1, last_context + 1):
        frame.append(_row(number, lines[number - 1], width, marked=False, style=style))
    return frame


def _row(number: int, text: str, width: int, *, marked: bool, style: Styler) -> str:
    marker = style(">", "bold red") if marked else " "
    gutter = style(f"{number:>{width}} |", "blue")
    text = text.rstrip("\r\n")
    if len(text) > MAX_LINE_WIDTH:
        text = text[: MAX_LINE_WIDTH - 3] + "..."
    body = printable(text)
    return f" {marker} {gutter} {body}".rstrip()

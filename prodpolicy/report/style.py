"""Terminal styling for the text report, and escaping of text that came from inputs."""

from __future__ import annotations

import re

_RESET = "\x1b[0m"
_CODES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
    "bold red": "1;31",
    "bold magenta": "1;35",
}

SEVERITY_STYLES = {
    "critical": "bold magenta",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}

# C0 and C1 control characters except tab, DEL, and the Unicode bidirectional
# overrides and isolates, which can reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Styler:
    """Wrap text in ANSI escape codes, or leave it unchanged when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{_CODES[style]}m{text}{_RESET}"


def printable(text: str) -> str:
    """Escape control characters, so that input text cannot move the cursor or change the terminal."""
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)

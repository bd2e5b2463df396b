"""Finding messages with the notes evaluation attached, such as an exception that expired."""

from __future__ import annotations

from ..findings import Finding


def full_message(finding: Finding) -> str:
    """Return the message followed by each note in parentheses, for formats with one text field."""
    if not finding.notes:
        return finding.message
    return finding.message + "".join(f" (note: {note})" for note in finding.notes)

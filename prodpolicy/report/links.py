"""Addresses of the project and of the rule reference pages."""

from __future__ import annotations

# The rule reference pages are generated into docs/rules/<ID>.md of the repository.
DOCS_BASE_URL = "https://github.com/prodpolicy/prodpolicy/blob/main/docs"
PROJECT_URL = "https://github.com/prodpolicy/prodpolicy"


def rule_help_uri(rule_id: str) -> str:
    """Return the address of a rule's reference page."""
    return f"{DOCS_BASE_URL}/rules/{rule_id}.md"

"""Addresses of the project and of the rule reference pages."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..policy.compiled import CompiledRule

# The rule reference pages are generated into docs/rules/<ID>.md of the repository.
DOCS_BASE_URL = "https://github.com/prodpolicy/prodpolicy/blob/main/docs"
PROJECT_URL = "https://github.com/prodpolicy/prodpolicy"


def rule_help_uri(rule_id: str, rule: CompiledRule | None = None) -> str | None:
    """Return the address of a rule's reference page, or None for a rule that has none.

    A rule's own ``docs.url`` wins. Otherwise only bundled rules have a page: an
    organisation's rule ORG001 has no docs/rules/ORG001.md to link to.
    """
    if rule is not None and rule.docs.url:
        return rule.docs.url
    if rule_id in _bundled_rule_ids():
        return f"{DOCS_BASE_URL}/rules/{rule_id}.md"
    return None


@functools.cache
def _bundled_rule_ids() -> frozenset[str]:
    from ..policy.read import data_directory

    # Bundled rule files are named <ID>-<name>.yaml, so the ids come without parsing the rules.
    return frozenset(path.name.split("-", 1)[0] for path in (data_directory("policies") / "rules").glob("*/*.yaml"))

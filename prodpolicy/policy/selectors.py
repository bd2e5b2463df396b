"""Rule selectors: how select, ignore, overrides and exceptions name rules.

A selector is one of:

* ``ALL``: every rule;
* an id (``RT101``) or an id prefix (``RT``, ``SC1``), in upper case;
* a rule name (``runs-as-root``), in lower case;
* ``tag:NAME`` (``tag:security``): every rule with that tag.

A selector that matches no rule is an error, so a typo cannot silently turn an
override or an exception into a no-op.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

# The forms of a selector, for messages and the descriptions of the policy schema.
RULE_SELECTOR_HELP = "a rule id (RT101), a name (runs-as-root), an id prefix (RT, SC1), tag:NAME or ALL"

_CODE = re.compile(r"^[A-Z][A-Z0-9]*$")


class Selectable(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def tags(self) -> Sequence[str]: ...


class SelectorError(ValueError):
    """Raised for a selector that is malformed or matches no rule."""


def matches(selector: str, rule: Selectable) -> bool:
    """Return whether one selector names a rule."""
    if selector == "ALL":
        return True
    if selector.startswith("tag:"):
        return selector[len("tag:") :] in rule.tags
    if _CODE.match(selector):
        return rule.id.startswith(selector)
    return rule.name == selector


def select(selectors: Iterable[str], rules: Sequence[Selectable]) -> list[Selectable]:
    """Return the rules any selector names, in the given order; raise :class:`SelectorError` for a dead selector."""
    chosen: list[Selectable] = []
    for selector in selectors:
        found = select_one(selector, rules)
        chosen.extend(rule for rule in found if rule not in chosen)
    return chosen


def select_one(selector: str, rules: Sequence[Selectable]) -> list[Selectable]:
    """Return the rules one selector names; raise :class:`SelectorError` when it names none."""
    text = selector.strip()
    if not text or text != selector:
        raise SelectorError(f"invalid rule selector {selector!r}: use {RULE_SELECTOR_HELP}")
    found = [rule for rule in rules if matches(text, rule)]
    if found:
        return found
    raise SelectorError(_no_match(text, rules))


def _no_match(selector: str, rules: Sequence[Selectable]) -> str:
    message = f"rule selector {selector!r} matches no rule"
    ids = {rule.id for rule in rules}
    if selector != selector.upper() and any(rule_id.startswith(selector.upper()) for rule_id in ids):
        return f"{message}; ids and prefixes are upper case: did you mean {selector.upper()}?"
    candidates: list[str] = []
    if selector.startswith("tag:"):
        candidates = sorted({f"tag:{tag}" for rule in rules for tag in rule.tags})
    elif _CODE.match(selector):
        prefixes = {rule.id.rstrip("0123456789") for rule in rules}
        candidates = sorted(prefixes | {rule.id for rule in rules})
    else:
        candidates = sorted(rule.name for rule in rules)
        tags = {tag for rule in rules for tag in rule.tags}
        if selector in tags:
            return f"{message}; to select the rules tagged {selector}, write tag:{selector}"
    close = difflib.get_close_matches(selector, candidates, n=1)
    hint = f"; did you mean {close[0]}?" if close else f"; use {RULE_SELECTOR_HELP}"
    return message + hint

"""Variable facts: references to variables nothing defines, and ENV values that cannot see their neighbours.

Docker substitutes variables in FROM (global ARGs only), ARG, ENV, LABEL,
COPY, ADD, WORKDIR, USER, EXPOSE, VOLUME and STOPSIGNAL. A variable counts as
defined when an ARG declares it (with or without a default) or an ENV sets
it, earlier in the stage or in the stages it is built FROM. The platform ARGs
BuildKit predefines (TARGETPLATFORM and the like) are defined in the global
scope only: a stage must declare them again to use them, as BuildKit's
UndefinedVar check expects. The environment of a base image from a registry
is not visible here, so rules leave names such as PATH to a parameter.
"""

from __future__ import annotations

import re
from typing import Any

from ...document import Location, Path
from ...imageref import parse_image_reference
from ..expand import PREDEFINED_ARGS, SubstitutionError, expand
from ..flags import flag_value
from ..lexer import LexResult

# Keywords whose arguments Docker substitutes, apart from FROM, ARG, ENV and LABEL.
_EXPANDED = frozenset({"COPY", "ADD", "WORKDIR", "USER", "EXPOSE", "VOLUME", "STOPSIGNAL"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# A variable's value, or None when a build argument without a default decides it.
Scope = dict[str, str | None]


def annotate(document: dict[str, Any], locations: dict[Path, Location], source: LexResult) -> None:
    """Add undefined variables, ENV self-references and FROM defaults to the instructions, in place."""
    escape = document.get("escape") or "\\"
    global_scope: Scope = {name: None for name in PREDEFINED_ARGS}
    for instruction in document["instructions_before_from"]:
        if instruction["keyword"] == "ARG" and not instruction.get("error"):
            undefined = _declare_args(instruction, global_scope, escape)
            if undefined:
                _set(instruction, "undefined_variables", undefined)

    stage_scopes: list[Scope] = []
    for stage in document["stages"]:
        parent = stage.get("parent_stage")
        scope: Scope = dict(stage_scopes[parent]) if parent is not None and parent < len(stage_scopes) else {}
        for position, instruction in enumerate(stage["instructions"]):
            if instruction.get("error"):
                continue
            if position == 0:
                _from_facts(instruction, global_scope, escape)
            else:
                _instruction_facts(instruction, scope, global_scope, escape)
        stage_scopes.append(scope)


def _set(instruction: dict[str, Any], name: str, value: Any) -> None:
    facts = instruction.get("facts")
    if facts is None:
        facts = instruction["facts"] = {}
    facts[name] = value


def _references(text: str, scope: Scope, escape: str) -> list[str]:
    """Return the variable names ``text`` refers to, in order; none when Docker would reject the text."""
    if "$" not in text:
        return []
    try:
        expanded = expand(text, scope, escape)
    except SubstitutionError:
        return []
    return [name for name in expanded.references if _NAME.match(name)]


def _undefined(texts: list[str], scope: Scope, escape: str) -> list[str]:
    undefined: list[str] = []
    for text in texts:
        for name in _references(text, scope, escape):
            if name not in scope and name not in undefined:
                undefined.append(name)
    return undefined


def _from_facts(instruction: dict[str, Any], global_scope: Scope, escape: str) -> None:
    arguments = instruction.get("arguments") or []
    if not arguments:
        return
    texts = [arguments[0]]
    platform = flag_value(instruction.get("flags") or [], "platform")
    if platform:
        texts.append(platform)
    undefined = _undefined(texts, global_scope, escape)
    if undefined:
        _set(instruction, "undefined_variables", undefined)
    image = instruction.get("image") or {}
    if image.get("unknown"):
        _default_reference(instruction, arguments[0], global_scope, escape)


def _default_reference(instruction: dict[str, Any], raw: str, global_scope: Scope, escape: str) -> None:
    """Record the reference a build without --build-arg uses, where ARGs without a default leave it open."""
    without_build_args = {name: value for name, value in global_scope.items() if value is not None}
    try:
        reference = expand(raw, without_build_args, escape).value
    except SubstitutionError:
        return
    _set(instruction, "default_reference", reference)
    invalid = not reference or parse_image_reference(reference).error is not None
    if invalid:
        _set(instruction, "default_reference_invalid", True)


def _instruction_facts(instruction: dict[str, Any], scope: Scope, global_scope: Scope, escape: str) -> None:
    keyword = instruction["keyword"]
    if keyword == "ARG":
        undefined = _declare_args(instruction, scope, escape, global_scope)
    elif keyword in ("ENV", "LABEL"):
        undefined = _name_values(instruction, scope, escape)
    elif keyword in _EXPANDED:
        undefined = _undefined(_expanded_texts(instruction), scope, escape)
    else:
        return
    if undefined:
        _set(instruction, "undefined_variables", undefined)


def _declare_args(instruction: dict[str, Any], scope: Scope, escape: str, global_scope: Scope | None = None) -> list[str]:
    """Check ARG defaults, then add the names; each default can use the ARGs before it in the same line."""
    undefined: list[str] = []
    for variable in instruction.get("variables") or []:
        raw = variable.get("raw")
        if raw is not None:
            for name in _undefined([raw], scope, escape):
                if name not in undefined:
                    undefined.append(name)
        name = variable["name"]
        if raw is None and global_scope is not None and name in global_scope and name not in scope:
            scope[name] = global_scope[name]
        elif variable.get("unknown") or variable.get("value") is None:
            scope[name] = None
        else:
            scope[name] = variable["value"]
    return undefined


def _name_values(instruction: dict[str, Any], scope: Scope, escape: str) -> list[str]:
    """Check the values of ENV or LABEL, each expanded with the variables as they were before the line."""
    variables = instruction.get("variables") or []
    undefined: list[str] = []
    self_references: list[str] = []
    set_here: list[str] = []
    for variable in variables:
        for name in _references(variable.get("raw") or "", scope, escape):
            if instruction["keyword"] == "ENV" and name in set_here and name != variable["name"]:
                if name not in self_references:
                    self_references.append(name)
            elif name not in scope and name not in undefined:
                undefined.append(name)
        set_here.append(variable["name"])
    if self_references:
        _set(instruction, "env_self_references", self_references)
    if instruction["keyword"] == "ENV":
        for variable in variables:
            scope[variable["name"]] = None if variable.get("unknown") else variable.get("value")
    return [name for name in undefined if name not in self_references]


def _expanded_texts(instruction: dict[str, Any]) -> list[str]:
    texts = list(instruction.get("arguments") or [])
    if instruction["keyword"] in ("COPY", "ADD"):
        for name in ("chown", "chmod"):
            value = flag_value(instruction.get("flags") or [], name)
            if value:
                texts.append(value)
    return texts

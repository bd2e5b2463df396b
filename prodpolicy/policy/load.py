"""Load policies: read every layer, validate, compile and merge them into one immutable policy.

Every mistake in a policy is reported before anything is evaluated, with the
file, line and column, the rule id when known, and what is expected. All
mistakes are collected, not just the first.

Layers apply in this order, later ones winning:

1. the policy files given (``--policy``), each after the files it extends, or
   the bundled ruleset when none is given;
2. the configuration file (``.prodpolicy.yaml`` or ``[tool.prodpolicy]``), after
   the files it extends;
3. ``select`` and ``ignore`` from the command line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path as FilePath

from ..errors import PolicyError
from .compiled import SEVERITY_RANK, CompiledRule, Origin, Policy, PolicySettings
from .docschema import document_schema
from .merge import Merger
from .problems import Problems
from .read import BUNDLED_NAME, BUNDLED_POLICY, BUNDLED_VERSION, Reader, cli_layer, data_directory
from .rulecompile import RuleCompiler

__all__ = [
    "BUNDLED_NAME",
    "BUNDLED_POLICY",
    "BUNDLED_VERSION",
    "SEVERITY_RANK",
    "CompiledRule",
    "Origin",
    "Policy",
    "PolicySettings",
    "data_directory",
    "load_policy",
    "load_policy_text",
]


def load_policy(
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    config: str | os.PathLike[str] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> Policy:
    """Load and compile a policy.

    ``paths`` are policy or rule files; with none, the bundled ruleset. ``config``
    is a configuration file (``.prodpolicy.yaml`` or a ``pyproject.toml`` with a
    ``[tool.prodpolicy]`` table) applied on top; find the nearest one with
    :func:`prodpolicy.config.find_config`. ``select`` and ``ignore`` take rule
    selectors and apply last, as on the command line.

    Raises :class:`~prodpolicy.errors.PolicyError` listing every problem found.
    """
    problems = Problems()
    reader = Reader(problems)
    if not paths:
        reader.read_bundled()
    for path in paths or ():
        reader.read_file(FilePath(path))
    if config is not None:
        from ..config import read_config

        read_config(FilePath(config), reader)
    return _build(reader, problems, select, ignore)


def load_policy_text(
    text: str,
    file: str = "<policy>",
    base: str | os.PathLike[str] | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> Policy:
    """Load and compile a policy given as YAML text; relative ``extends`` and file globs resolve against ``base``."""
    problems = Problems()
    reader = Reader(problems)
    reader.read_text(text, file, FilePath(base) if base is not None else None)
    return _build(reader, problems, select, ignore)


def _build(reader: Reader, problems: Problems, select: Sequence[str] | None, ignore: Sequence[str]) -> Policy:
    layers = list(reader.layers)
    if select is not None or ignore:
        layers.append(cli_layer(list(select) if select is not None else None, list(ignore)))
    if problems:
        raise PolicyError(problems.sorted())
    schema = document_schema()
    merged = Merger(problems, RuleCompiler(problems, schema), schema).merge(layers)
    if problems:
        raise PolicyError(problems.sorted())
    return Policy(
        rules=merged.rules,
        sources=tuple(reader.sources),
        exceptions=merged.exceptions,
        settings=merged.settings,
        layers=tuple(_describe(layer.name, len(layer.rules)) for layer in layers),
    )


def _describe(name: str, rules: int) -> str:
    if name == BUNDLED_NAME:
        return f"{name} ({rules} rules)"
    return name

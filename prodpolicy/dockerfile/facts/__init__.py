"""Derived facts that rules read, computed once after the stage walk.

Each module in this package covers one area and has ``annotate(document,
locations, source)``, which adds entries under the ``facts`` key of
instructions, stages and the document itself. ``source`` is the lexer's result:
physical lines, comments and directives, for facts the document data does not
carry (see ``prodpolicy/model/facts_*.py`` for their
shape). Keeping facts here keeps the rules pure data: a rule tests a fact such
as ``facts.installs_build_tools`` instead of matching text.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from ...document import Location, Path
from ..lexer import LexResult

Annotator = Callable[[dict[str, Any], dict[Path, Location], LexResult], None]

# Modules whose name starts with an underscore are helpers of the others, not annotators.
_ANNOTATORS: tuple[Annotator, ...] = tuple(
    importlib.import_module(f"{__name__}.{info.name}").annotate
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
    if not info.name.startswith("_")
)


def annotate(document: dict[str, Any], locations: dict[Path, Location], source: LexResult) -> None:
    """Add every area's facts to the document data, in place."""
    for annotator in _ANNOTATORS:
        annotator(document, locations, source)

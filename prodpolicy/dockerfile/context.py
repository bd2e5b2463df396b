"""What an instruction's meaning depends on, and helpers every keyword uses.

The stage walk builds one :class:`Context` per instruction: the variables in
scope, the escape character, the stages defined so far and the effective SHELL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..imageref import parse_image_reference
from .expand import Environment, Expanded, expand, split_words

DEFAULT_SHELL = ("/bin/sh", "-c")
WHITESPACE = re.compile(r"[\t\v\f\r ]+")


class Context:
    """The state an instruction is read in.

    ``stage_names`` maps the lower-case names of the stages defined before this
    instruction to their index; ``all_stage_names`` contains every stage of the
    file, so that ``COPY --from`` naming a later stage is an error and not an
    image. ``stage_index`` is the stage being built (None before the first
    FROM) and ``stage_count`` the number of stages in the file.
    """

    def __init__(
        self,
        environment: Environment,
        escape: str,
        stage_names: Mapping[str, int],
        file: str,
        *,
        all_stage_names: Mapping[str, int] | None = None,
        stage_index: int | None = None,
        stage_count: int = 0,
        shell: list[str] | None = None,
    ) -> None:
        self.environment = environment
        self.escape = escape
        self.stage_names = stage_names
        self.file = file
        self.all_stage_names = all_stage_names if all_stage_names is not None else stage_names
        self.stage_index = stage_index
        self.stage_count = stage_count
        self.shell = shell if shell is not None else list(DEFAULT_SHELL)

    def expand(self, text: str) -> Expanded:
        return expand(text, self.environment, self.escape)

    def words(self, text: str) -> list[Expanded]:
        return split_words(text, self.environment, self.escape)


def whitespace_words(text: str) -> list[str]:
    """Split on whitespace only, as Docker does for FROM, EXPOSE, COPY and ADD arguments."""
    return [word for word in WHITESPACE.split(text) if word]


def image_reference(raw: str, expanded: Expanded, stage_names: Mapping[str, int]) -> dict[str, Any]:
    """Describe an image reference, or the earlier stage a FROM names.

    Docker looks the expanded name up among the stages exactly as written, and
    stage names are stored in lower case, so ``FROM Builder`` is an image.
    """
    reference = expanded.value
    result: dict[str, Any] = {"raw": raw, "reference": reference}
    if expanded.unknown:
        result.update(unknown=True, pinning="unknown")
        return result
    stage_index = stage_names.get(reference)
    if stage_index is not None:
        result.update(stage=reference, stage_index=stage_index, pinning="stage")
        return result
    if reference == "scratch":
        result.update(scratch=True, pinning="scratch")
        return result
    result.update(parse_image_reference(reference).fields())
    return result

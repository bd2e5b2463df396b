"""Options that say how to read inputs: shared by eval and normalize."""

from __future__ import annotations

import argparse
from typing import Any

INPUT_KINDS = ("dockerfile",)


def add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=INPUT_KINDS, help="read every input as this kind instead of detecting it")
    parser.add_argument("--target", metavar="STAGE", help="evaluate this Dockerfile stage instead of the last one")


def normalize_options_from_arguments(arguments: argparse.Namespace) -> Any:
    """Build the normalizer settings the options give."""
    from ..kinds import NormalizeOptions

    return NormalizeOptions(target=arguments.target)

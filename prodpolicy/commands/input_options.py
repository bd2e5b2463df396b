"""Options for reading inputs, shared by eval and normalize, and the folder search options of eval."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ..limits import option_fields, parse_count, parse_size

INPUT_KINDS = ("dockerfile", "compose", "image")


def add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=INPUT_KINDS, help="read every input as this kind instead of detecting it")
    parser.add_argument("--target", metavar="STAGE", help="evaluate this Dockerfile stage instead of the last one")
    compose = parser.add_argument_group("compose files")
    compose.add_argument(
        "-f",
        "--file",
        dest="compose_files",
        action="append",
        metavar="FILE",
        help="merge this compose file after the one given as input, as docker compose -f does; repeat in order "
        "(without -f, a compose.override.yaml beside a default compose file is merged)",
    )
    compose.add_argument(
        "--env-file",
        dest="env_files",
        action="append",
        metavar="FILE",
        help="read interpolation variables from this file instead of the project's .env; repeat to combine",
    )
    compose.add_argument(
        "--profile",
        dest="profiles",
        action="append",
        metavar="NAME",
        help="activate this compose profile (default: the profiles COMPOSE_PROFILES names); repeat for several",
    )
    compose.add_argument(
        "--env",
        dest="variables",
        action="append",
        metavar="NAME=VALUE",
        type=_assignment,
        help="set an interpolation variable; it wins over env files (the shell environment is not read)",
    )
    add_limit_options(parser)


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """Add one option per input limit; an input over a limit is an input error that names its option."""
    limits = parser.add_argument_group("input limits (an input over one is reported as an input error)")
    for limit in option_fields():
        unit = limit.metadata["unit"]
        sizes = unit == "bytes"
        limits.add_argument(
            limit.metadata["option"],
            dest=limit.name,
            metavar="SIZE" if sizes else "N",
            type=_limit_type(parse_size if sizes else parse_count),
            help=f"maximum {limit.metadata['description']}"
            + (", in bytes or with a KiB, MiB or GiB suffix" if sizes else "")
            + f" (default: {_default_text(limit.default, sizes)})",
        )


def add_search_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that choose which files a folder search takes, and how standard input is named."""
    search = parser.add_argument_group("folder search")
    search.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERN",
        help="skip files and folders that match this .gitignore-style pattern, relative to the current folder "
        "(a pattern without a slash matches at any depth); repeatable",
    )
    search.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply --exclude and the ignore files to paths given by name too, as a pre-commit hook needs",
    )
    search.add_argument(
        "--no-ignore-files",
        dest="ignore_files",
        action="store_false",
        help="do not read .gitignore and .prodpolicyignore files (read by default in every folder searched and "
        "its parents up to the repository root)",
    )
    search.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the file name to report standard input (-) under; configuration files are searched from its folder",
    )


def _assignment(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _limit_type(parse: Callable[[str], int]) -> Callable[[str], int]:
    def convert(text: str) -> int:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


def _default_text(value: Any, sizes: bool) -> str:
    if sizes and value % (1024 * 1024 * 1024) == 0:
        return f"{value // (1024 * 1024 * 1024)}GiB"
    if sizes and value % (1024 * 1024) == 0:
        return f"{value // (1024 * 1024)}MiB"
    return f"{value:,}"


def limits_from_arguments(arguments: argparse.Namespace) -> Any:
    """Build the input limits: the defaults, with the values of the limit options given."""
    from ..limits import Limits

    values = {limit.name: getattr(arguments, limit.name, None) for limit in option_fields()}
    return Limits(**{name: value for name, value in values.items() if value is not None})


def normalize_options_from_arguments(arguments: argparse.Namespace) -> Any:
    """Build the normalizer settings the options give."""
    from ..kinds import NormalizeOptions

    return NormalizeOptions(
        target=arguments.target,
        environment=dict(getattr(arguments, "variables", None) or []),
        env_files=tuple(getattr(arguments, "env_files", None) or ()),
        profiles=tuple(getattr(arguments, "profiles", None) or ()),
        extra_files=tuple(getattr(arguments, "compose_files", None) or ()),
        limits=limits_from_arguments(arguments),
    )

"""The ``prodpolicy`` command.

Exit codes: 0 when no finding is at or above the ``--fail-on`` severity, 1 when
one is, 2 for a usage error, an invalid policy or an input that could not be
evaluated. The report goes to standard output; messages go to standard error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .commands import COMMAND_MODULES, EXIT_ERROR, EXIT_OK


EPILOG = """\
examples:
  prodpolicy eval .
  prodpolicy eval Dockerfile --format sarif --output prodpolicy.sarif
  prodpolicy explain RT101
  prodpolicy rules --format md

exit codes:
  0  no finding reaches the --fail-on severity
  1  a finding does
  2  usage error, invalid policy, or an input that could not be evaluated

Run prodpolicy COMMAND --help for the options of a command.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prodpolicy",
        description="Check Dockerfiles, compose files and images against production policies.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"prodpolicy {__version__}",
        help="print the version and exit",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__package__}.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return int(arguments.handler(arguments))
    except KeyboardInterrupt:
        print("prodpolicy: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK

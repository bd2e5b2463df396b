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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the parser of every subcommand, or only of ``command``, whose module alone is then imported."""
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
    for name in COMMAND_MODULES if command is None else (command,):
        importlib.import_module(f"{__package__}.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    if words == ["--version"]:
        # Printed before any subcommand module is imported, so it costs little more than starting Python.
        # It exits as argparse's version action does.
        print(f"prodpolicy {__version__}")
        raise SystemExit(EXIT_OK)
    # Only the subcommand that runs is imported; help and usage errors without one list them all.
    command = words[0] if words and words[0] in COMMAND_MODULES else None
    parser = build_parser(command)
    arguments = parser.parse_args(words)
    if arguments.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    _escape_unencodable(sys.stdout)
    if getattr(arguments, "cache", True) is False:
        # --no-cache, which every command that loads a policy takes, applies before anything is loaded.
        from .policy import cache

        cache.disable()
    try:
        return int(arguments.handler(arguments))
    except KeyboardInterrupt:
        print("prodpolicy: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _escape_unencodable(stream: object) -> None:
    """Make a text stream write characters it cannot encode as backslash escapes instead of raising."""
    # JSON and YAML inputs can hold a lone surrogate ("\ud800"), which UTF-8 cannot encode. Printed as \ud800,
    # it leaves the rest of the report intact, where the default error handler would stop the output halfway.
    # The same goes for a file name that is not UTF-8, which Python reads with surrogateescape: written back as
    # its raw bytes, it would make a JSON or SARIF report invalid UTF-8.
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None or getattr(stream, "errors", None) == "backslashreplace":
        return
    try:
        reconfigure(errors="backslashreplace")
    except (ValueError, OSError):
        # A stream in use by another layer cannot be reconfigured; it keeps its handler.
        return

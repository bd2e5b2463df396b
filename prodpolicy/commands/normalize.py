"""``prodpolicy normalize``: print the document model of one input as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import EXIT_ERROR, EXIT_OK
from .input_options import add_input_options, normalize_options_from_arguments

STDIN = "-"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "normalize",
        help="print the document model of one input as JSON",
        description="Print the document model of one input as JSON: the facts rules select from.\n\n"
        "A FILE of - reads standard input, which needs --kind.",
        epilog="examples:\n  prodpolicy normalize Dockerfile\n  prodpolicy normalize --kind dockerfile - < Dockerfile\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", metavar="FILE", help="the input to read; - for standard input")
    add_input_options(parser)
    parser.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the file name to report standard input (-) under (default: -)",
    )
    parser.set_defaults(handler=run, usage_error=parser.error)


def usage_problem(arguments: argparse.Namespace) -> str | None:
    """Return what is wrong with a combination of options, or None."""
    if arguments.path == STDIN and arguments.kind is None:
        return (
            "reading standard input (-) needs --kind dockerfile, --kind compose or --kind image, "
            "because there is no file name to tell the kind from"
        )
    if arguments.stdin_filename is not None and arguments.path != STDIN:
        return "--stdin-filename names standard input: give - as the FILE"
    return None


def run(arguments: argparse.Namespace) -> int:
    from ..batch import describe_exception
    from ..errors import InvalidInput
    from ..report.style import printable

    problem = usage_problem(arguments)
    if problem is not None:
        arguments.usage_error(problem)
    try:
        documents = _normalize(arguments)
    except InvalidInput as error:
        print(f"{printable(error.error.location())}: error: {printable(error.error.message)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - reported as eval reports it, without a traceback that may quote the input
        reason = describe_exception(error)
        print(f"{printable(arguments.path)}: error: internal error while normalizing this input ({reason}); please report it", file=sys.stderr)
        return EXIT_ERROR
    payload: Any = documents[0].data if len(documents) == 1 else [document.data for document in documents]
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    for document in documents:
        for error in document.errors:
            print(f"{printable(error.location())}: error: {printable(error.message)}", file=sys.stderr)
    return EXIT_ERROR if any(document.errors for document in documents) else EXIT_OK


def _normalize(arguments: argparse.Namespace) -> list[Any]:
    """Normalize the input a file names or standard input holds; raise InvalidInput when it cannot be read."""
    from ..api import normalize, normalize_input
    from ..errors import InvalidInput
    from ..stdin import STDIN_NAME, stdin_task

    options = normalize_options_from_arguments(arguments)
    if arguments.path != STDIN:
        return normalize(arguments.path, kind=arguments.kind, options=options)

    # Standard input is read as eval reads it: text whole, an archive copied to a temporary file.
    with stdin_task(file=arguments.stdin_filename or STDIN_NAME, max_bytes=options.limits.max_file_bytes) as task:
        if task.error is not None:
            raise InvalidInput(task.error)
        return normalize_input(task.path or task.file, file=task.file, kind=arguments.kind, text=task.text, options=options)

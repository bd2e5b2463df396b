"""``prodpolicy normalize``: print the document model of one input as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import EXIT_ERROR, EXIT_OK
from .input_options import add_input_options, normalize_options_from_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("normalize", help="print the document model of one input as JSON")
    parser.add_argument("path", metavar="FILE")
    add_input_options(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from ..api import normalize
    from ..errors import InvalidInput

    try:
        documents = normalize(arguments.path, kind=arguments.kind, options=normalize_options_from_arguments(arguments))
    except InvalidInput as error:
        print(f"{error.error.location()}: error: {error.error.message}", file=sys.stderr)
        return EXIT_ERROR
    payload: Any = documents[0].data if len(documents) == 1 else [document.data for document in documents]
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    for document in documents:
        for error in document.errors:
            print(f"{error.location()}: error: {error.message}", file=sys.stderr)
    return EXIT_ERROR if any(document.errors for document in documents) else EXIT_OK

"""``prodpolicy schema``: print the JSON Schema of the document model, the policy format or the JSON report."""

from __future__ import annotations

import argparse
import sys

from . import EXIT_OK

EXAMPLES = """\
examples:
  prodpolicy schema policy
  prodpolicy schema report
  prodpolicy schema document
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..schemas import SCHEMAS

    parser = subparsers.add_parser(
        "schema",
        help="print a JSON Schema: document, policy or report",
        description="Print the JSON Schema (draft 2020-12) of the document model that rules select\n"
        "from, of policy and rule files, or of the JSON report. The same files ship in schemas/.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", choices=sorted(SCHEMAS), metavar="NAME", help=f"one of: {', '.join(sorted(SCHEMAS))}")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from ..schemas import render

    sys.stdout.write(render(arguments.name))
    return EXIT_OK

"""``prodpolicy config``: show which configuration applies and the merged policy it gives."""

from __future__ import annotations

import argparse
import json
import sys

from . import EXIT_ERROR, EXIT_OK
from .policy_options import add_policy_options, policy_options_from_arguments, print_policy_problems

EXAMPLES = """\
examples:
  prodpolicy config                      the configuration file that applies here
  prodpolicy config --show               every merged value and where it was set
  prodpolicy config --show services/api/Dockerfile --format json
  prodpolicy config --show --policy acme-policy.yaml --ignore DF
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config",
        help="show the configuration file and the merged policy that apply to an input",
        description="Print the configuration file that applies to PATH (default: the current folder). With\n"
        "--show, print the merged policy: settings, every rule's enabled state, severity and\n"
        "parameters, and the exceptions, each with the file and line that set it.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", nargs="?", default=".", metavar="PATH", help="an input file or folder (default: .)")
    parser.add_argument("--show", action="store_true", help="print the merged policy with the origin of every value")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    add_policy_options(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from ..config import InputPolicies
    from ..errors import PolicyError
    from ..policy.show import describe_policy, render_text

    policies = InputPolicies(policy_options_from_arguments(arguments))
    config = policies.config_for(arguments.path)
    configuration = str(config) if config is not None else None
    try:
        policy = policies.policy_for(arguments.path)
    except PolicyError as error:
        print_policy_problems(error.problems)
        return EXIT_ERROR
    if not arguments.show:
        if arguments.format == "json":
            sys.stdout.write(json.dumps({"input": arguments.path, "configuration": configuration}, indent=2) + "\n")
        else:
            print(configuration or "no configuration file applies; the bundled ruleset is used as it is")
        return EXIT_OK
    description = describe_policy(policy, configuration, arguments.path)
    if arguments.format == "json":
        sys.stdout.write(json.dumps(description, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(description))
    return EXIT_OK

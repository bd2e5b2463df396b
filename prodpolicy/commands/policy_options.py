"""Options that choose the policy: shared by eval, rules and the other policy commands."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        action="append",
        metavar="FILE",
        help="policy or rule file to apply instead of the bundled ruleset; repeat to combine "
        "(a policy can extend the bundled set with 'extends: [prodpolicy:recommended]')",
    )


def load_policy_from_arguments(arguments: argparse.Namespace) -> Any:
    """Load the policy the options name; print the problems and return None when it is invalid."""
    from ..errors import PolicyError
    from ..policy.load import load_policy

    try:
        return load_policy(arguments.policy)
    except PolicyError as error:
        count = len(error.problems)
        print(f"prodpolicy: the policy is invalid ({count} problem{'s' if count != 1 else ''}):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return None

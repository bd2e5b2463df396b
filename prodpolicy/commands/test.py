"""``prodpolicy test``: run the test cases that rules carry."""

from __future__ import annotations

import argparse
import sys

from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .policy_options import add_cache_option, print_policy_problems

EXAMPLES = """\
examples:
  prodpolicy test                        the bundled ruleset
  prodpolicy test acme-policy.yaml       an organisation's policy and every rule it extends
  prodpolicy test acme-policy.yaml --select ACME -v
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run the test cases of the rules in policies",
        description="Run every rule's test cases: its tests: entries and the files of its test_folder.\n"
        "Each case must produce exactly the expected findings; a failing case is printed as a\n"
        "diff (- an expected finding that is missing, + an unexpected one). Cases run with the\n"
        "parameter values the rule's own file declares. Exit codes: 0 when every case passes,\n"
        "1 when one fails, 2 for an invalid policy.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "policies", nargs="*", metavar="POLICY", help="policy or rule files (default: the bundled ruleset)"
    )
    parser.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="test only these rules: comma-separated ids, id prefixes, names, tag:NAME or ALL; repeatable",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")
    add_cache_option(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from ..errors import PolicyError
    from ..policy.load import load_policy
    from ..policy.selectors import SelectorError, select
    from ..policy.testing import rule_cases, run_case, unknown_marks

    try:
        policy = load_policy(arguments.policies or None)
    except PolicyError as error:
        print_policy_problems(error.problems)
        return EXIT_ERROR
    rules = list(policy.rules)
    if arguments.select:
        selectors = [part.strip() for value in arguments.select for part in value.split(",") if part.strip()]
        try:
            rules = select(selectors, rules)  # type: ignore[assignment]
        except SelectorError as error:
            print(f"prodpolicy: --select: {error}", file=sys.stderr)
            return EXIT_ERROR
        rules.sort(key=lambda rule: rule.id)

    passed = failed = 0
    untested: list[str] = []
    for rule in rules:
        cases = rule_cases(rule)
        if not cases:
            untested.append(rule.id)
        for case in cases:
            result = run_case(rule, case)
            if result.passed:
                passed += 1
                if arguments.verbose:
                    print(f"ok    {rule.id} {rule.name}: {case.name}")
                continue
            failed += 1
            print(f"FAIL  {result.describe()}")

    if untested:
        print(f"rules without test cases: {', '.join(untested)}")
    for warning in unknown_marks(policy):
        print(f"warning: {warning}")
    total = passed + failed
    summary = f"{len(rules)} rule{'s' if len(rules) != 1 else ''}, {total} case{'s' if total != 1 else ''}: {passed} passed"
    print(f"{summary}, {failed} failed." if failed else f"{summary}.")
    return EXIT_FINDINGS if failed else EXIT_OK

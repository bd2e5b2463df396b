"""``prodpolicy explain``: print a rule's documentation, the text of its reference page docs/rules/<ID>.md."""

from __future__ import annotations

import argparse
import difflib
import shutil
import sys

from . import EXIT_ERROR, EXIT_OK
from .policy_options import add_policy_options, load_policy_from_arguments

EXAMPLES = """\
examples:
  prodpolicy explain RT101
  prodpolicy explain runs-as-root
  prodpolicy explain ACME001 --policy acme-policy.yaml
"""
# Wide terminals still get paragraphs of a readable length.
MAX_WIDTH = 100


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="print a rule's documentation",
        description="Print what a rule reports, why it matters in production, a reported and an\n"
        "accepted example, the fix, its limitations, its parameters and the peer rules it\n"
        "covers: the text of the rule's reference page.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("rule", metavar="RULE", help="rule id (RT101) or name (runs-as-root)")
    add_policy_options(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from ..report.rule_docs import rule_text

    policy = load_policy_from_arguments(arguments)
    if policy is None:
        return EXIT_ERROR
    rule = policy.find_rule(arguments.rule)
    if rule is None:
        print(f"prodpolicy: unknown rule {arguments.rule!r}{_suggestion(arguments.rule, policy)}", file=sys.stderr)
        return EXIT_ERROR
    width = min(shutil.get_terminal_size((80, 24)).columns, MAX_WIDTH) - 1
    sys.stdout.write(rule_text(rule, width))
    return EXIT_OK


def _suggestion(key: str, policy: object) -> str:
    rules = getattr(policy, "rules", ())
    candidates = [rule.id for rule in rules] + [rule.name for rule in rules]
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.6)
    if close:
        return f"; did you mean {' or '.join(close)}? Run prodpolicy rules to list them all"
    return "; run prodpolicy rules to list the rules"

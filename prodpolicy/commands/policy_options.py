"""Options that choose the policy: shared by eval, rules, config and the other policy commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("policy")
    group.add_argument(
        "--policy",
        action="append",
        metavar="FILE",
        help="policy or rule file to apply instead of the bundled ruleset; repeat to combine "
        "(a policy can extend the bundled set with 'extends: [prodpolicy:recommended@1]')",
    )
    configuration = group.add_mutually_exclusive_group()
    configuration.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file to use for every input (.prodpolicy.yaml or a pyproject.toml with "
        "[tool.prodpolicy]) instead of the one nearest to each input",
    )
    configuration.add_argument(
        "--isolated", action="store_true", help="ignore every configuration file; use only the command line"
    )
    group.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="enable only these rules, applied after every file: comma-separated ids (RT101), id prefixes (RT), "
        "names (runs-as-root), tag:NAME or ALL; repeatable",
    )
    group.add_argument(
        "--ignore",
        action="append",
        metavar="RULES",
        help="disable these rules, applied after --select: the same selectors, comma-separated; repeatable",
    )
    add_cache_option(group)


def add_cache_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Add --no-cache, which every command that loads a policy takes."""
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="neither read nor write the cache of the bundled ruleset and document schema "
        "(also: PRODPOLICY_NO_CACHE=1); the results are the same either way",
    )


def policy_options_from_arguments(arguments: argparse.Namespace) -> Any:
    """Return the :class:`~prodpolicy.config.PolicyOptions` the command line sets."""
    from ..config import PolicyOptions

    select = getattr(arguments, "select", None)
    return PolicyOptions(
        policy_files=tuple(getattr(arguments, "policy", None) or ()),
        config=getattr(arguments, "config", None),
        isolated=bool(getattr(arguments, "isolated", False)),
        select=tuple(_split(select)) if select is not None else None,
        ignore=tuple(_split(getattr(arguments, "ignore", None) or ())),
    )


def _split(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def load_policy_from_arguments(arguments: argparse.Namespace, start: str = ".") -> Any:
    """Load the policy for inputs in the folder ``start``; print the problems and return None when it is invalid."""
    from ..config import InputPolicies
    from ..errors import PolicyError

    policies = InputPolicies(policy_options_from_arguments(arguments))
    try:
        return policies.policy_for(start)
    except PolicyError as error:
        print_policy_problems(error.problems)
        return None


def load_input_policies_from_arguments(arguments: argparse.Namespace, inputs: list[str]) -> Any:
    """Load the policy of every input before anything is evaluated.

    ``inputs`` are the files found, by the names they are reported under.
    Returns an :class:`~prodpolicy.config.InputPolicies`, from which the batch
    takes each input's policy, or None after printing the problems of every
    invalid policy. Without inputs, the policies of ``arguments.paths`` are
    loaded, so that a mistake in them is still reported.
    """
    from ..config import InputPolicies

    policies = InputPolicies(policy_options_from_arguments(arguments))
    problems = policies.load_all(inputs or list(arguments.paths))
    if problems:
        print_policy_problems(problems)
        return None
    return policies


def print_policy_problems(problems: list[Any]) -> None:
    """Print policy problems to standard error, one per line with file, line and column."""
    count = len(problems)
    print(f"prodpolicy: the policy is invalid ({count} problem{'s' if count != 1 else ''}):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)

"""``prodpolicy eval``: evaluate files and folders against a policy."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
from typing import TYPE_CHECKING, Any

from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .input_options import add_input_options, add_search_options, normalize_options_from_arguments
from .output_options import (
    FORMATS_WITH_SUMMARY,
    STATISTICS_FORMATS,
    add_output_options,
    fails_threshold,
    logging_for_verbosity,
    write_file,
    write_report,
    write_statistics,
)
from .policy_options import add_policy_options, load_input_policies_from_arguments

if TYPE_CHECKING:
    from ..baseline import Baseline
    from ..findings import Report
    from ..progress import ProgressBar

logger = logging.getLogger("prodpolicy.eval")

EXAMPLES = """\
examples:
  prodpolicy eval .
  prodpolicy eval Dockerfile --format json --fail-on high
  prodpolicy eval services/ --policy acme-policy.yaml
  prodpolicy eval . --format sarif --output prodpolicy.sarif
  prodpolicy eval . --jobs 0 --exclude 'tests/fixtures/'
  prodpolicy eval . --write-baseline prodpolicy-baseline.json
  prodpolicy eval . --baseline prodpolicy-baseline.json
  prodpolicy eval . --statistics
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="evaluate files and folders against a policy",
        description="Evaluate inputs against the bundled ruleset or the given policies.\n\n"
        "A PATH of - reads standard input, which needs --kind.\n\n"
        "Exit codes: 0 when no finding reaches --fail-on, 1 when one does, 2 for a usage\n"
        "error, an invalid policy or an input that could not be evaluated.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to search for inputs; - for standard input")
    parser.add_argument(
        "-j",
        "--jobs",
        type=_job_count,
        default=1,
        metavar="N",
        help="evaluate inputs in N worker processes; 0 starts one per CPU. The report is the same as with 1 (default: 1)",
    )
    add_policy_options(parser)
    add_input_options(parser)
    add_search_options(parser)
    add_output_options(parser)
    add_speed_options(parser)
    parser.set_defaults(handler=run, usage_error=parser.error)


def add_speed_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that measure or tune how fast the evaluation runs."""
    group = parser.add_argument_group("speed")
    group.add_argument(
        "--profile-rules",
        action="store_true",
        help="after the report, print on standard error the time each rule took over all documents, "
        "slowest first (named so because --profile selects compose profiles)",
    )


def _job_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of worker processes, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (one per CPU) or more worker processes, got {value}")
    return value


def run(arguments: argparse.Namespace) -> int:
    from ..ignore import Excludes

    problem = usage_problem(arguments)
    try:
        excludes = Excludes(arguments.exclude or (), ignore_files=arguments.ignore_files)
    except ValueError as error:
        problem = problem or str(error)
    if problem is not None:
        arguments.usage_error(problem)
    with logging_for_verbosity(arguments):
        return _evaluate(arguments, excludes)


def usage_problem(arguments: argparse.Namespace) -> str | None:
    """Return what is wrong with a combination of options, or None."""
    from ..discovery import STDIN

    stdin_count = arguments.paths.count(STDIN)
    if stdin_count > 1:
        return "standard input (-) can be given only once"
    if stdin_count and arguments.kind is None:
        return (
            "reading standard input (-) needs --kind dockerfile, --kind compose or --kind image, "
            "because there is no file name to tell the kind from"
        )
    if arguments.stdin_filename is not None and not stdin_count:
        return "--stdin-filename names standard input: add - to the paths"
    if arguments.statistics and arguments.format not in STATISTICS_FORMATS and arguments.output is None:
        return (
            f"--statistics prints the counts as text or JSON, not {arguments.format}: "
            f"use --format text or json, or add --output FILE to write the {arguments.format} report to a file as well"
        )
    return None


def _evaluate(arguments: argparse.Namespace, excludes: Any) -> int:
    from ..api import evaluate_inputs
    from ..baseline import BaselineError, apply_baseline, baseline_of, hidden_note, read_baseline
    from ..discovery import STDIN, discover
    from ..evaluation import RuleProfile

    baseline: Baseline | None = None
    if arguments.baseline is not None and arguments.write_baseline is None:
        try:
            baseline = read_baseline(arguments.baseline)
        except BaselineError as error:
            print(f"prodpolicy: {error}", file=sys.stderr)
            return EXIT_ERROR

    started = time.perf_counter()
    inputs = list(
        discover(arguments.paths, excludes, force_exclude=arguments.force_exclude, stdin_filename=arguments.stdin_filename)
    )
    logger.debug("found %d inputs in %.1f ms", len(inputs), (time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    names = [(arguments.stdin_filename or STDIN) if found.path == STDIN else found.path for found in inputs]
    policy = load_input_policies_from_arguments(arguments, names)
    if policy is None:
        return EXIT_ERROR
    count = len(policy.policies)
    logger.debug("loaded %d %s in %.1f ms", count, "policy" if count == 1 else "policies", (time.perf_counter() - started) * 1000)

    # Normalizing allocates many small containers that reference counting frees, so Python's cyclic
    # collector, run every 700 allocations by default, mostly finds nothing. Running it less often
    # saved about 7% of a run over 1,500 Dockerfiles (bench/run.py) without raising its peak memory.
    gc.set_threshold(50_000, 50, 100)
    progress = _progress_bar(arguments, len(inputs))
    profile = RuleProfile() if arguments.profile_rules else None
    try:
        report = evaluate_inputs(
            inputs,
            policy,
            kind=arguments.kind,
            options=normalize_options_from_arguments(arguments),
            progress=progress.advance if progress else None,
            jobs=arguments.jobs,
            stdin_filename=arguments.stdin_filename,
            rule_profile=profile,
        )
    finally:
        if progress:
            progress.close()
    if profile is not None:
        _print_rule_profile(profile)

    if arguments.write_baseline is not None:
        if not _write_baseline(report, arguments, policy):
            return EXIT_ERROR
        baseline = baseline_of(report, arguments.write_baseline)
    note = None
    if baseline is not None:
        report, hidden = apply_baseline(report, baseline)
        note = hidden_note(hidden, baseline) if hidden else None
    if not _output(report, arguments, policy, note):
        return EXIT_ERROR
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fails_threshold(report, arguments) else EXIT_OK


def _print_rule_profile(profile: RuleProfile) -> None:
    """Print the rule profile on standard error, so that it never mixes with a report on standard output."""
    rows = profile.rows()
    total = sum(seconds for _, seconds, _, _ in rows) or 1.0
    lines = [f"{'rule':<8} {'total ms':>9} {'share':>6} {'documents':>9} {'µs/document':>11} {'findings':>8}"]
    for rule_id, seconds, runs, findings in rows:
        lines.append(
            f"{rule_id:<8} {seconds * 1000:>9.1f} {seconds / total:>6.1%} {runs:>9} {seconds / runs * 1e6:>11.1f} {findings:>8}"
        )
    lines.append(f"{'all':<8} {total * 1000:>9.1f}")
    print("\n".join(lines), file=sys.stderr)


def _write_baseline(report: Report, arguments: argparse.Namespace, policy: Any) -> bool:
    from ..report import render

    written = write_file(arguments.write_baseline, render("json", report, policy=policy))
    if written:
        logger.debug("wrote %d findings to the baseline %s", len(report.active_findings()), arguments.write_baseline)
    return written


def _output(report: Report, arguments: argparse.Namespace, policy: Any, note: str | None) -> bool:
    """Print the report or the statistics; return False when the report could not be written.

    The summaries of the text, GitHub and JSON reports count the findings a
    baseline hid. The other formats have no summary, so ``note`` is printed on
    standard error instead.
    """
    if arguments.statistics:
        if arguments.output is not None and not write_report(report, arguments, policy):
            return False
        write_statistics(report, arguments)
        return True
    if not write_report(report, arguments, policy):
        return False
    if note and arguments.format not in FORMATS_WITH_SUMMARY and not arguments.quiet:
        print(f"prodpolicy: {note}", file=sys.stderr)
    return True


def _progress_bar(arguments: argparse.Namespace, total: int) -> ProgressBar | None:
    """Return a progress bar for this run, or None when none is drawn.

    Log lines of --verbose would break the bar, and --quiet prints only the report.
    """
    from ..progress import progress_bar

    if arguments.quiet or arguments.verbose:
        return None
    return progress_bar(sys.stderr, total, enabled=arguments.progress)

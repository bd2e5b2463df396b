"""Measure how long normalizing one Dockerfile takes, and where the time goes.

    python bench/normalize_dockerfile.py [FILE] [--runs 7] [--loops 300] [--full-parser]

Normalizes FILE (default: the 60-line multi-stage benchmark file in
tests/cases/syntax/realistic-60.Dockerfile) ``loops`` times per run and prints
the median time per file over ``runs`` runs. The lexer, the shell parser and
the token scan of the source lines are also measured alone on the same file.
``--full-parser`` turns off the fast reader for simple scripts, so every
script goes through tree-sitter, to show what the fast reader saves. Times are CPU time of this process
(``time.process_time``), which other busy processes on the machine disturb
less than wall-clock time; the wall-clock median is printed too. The figures
in docs/benchmarks.md come from this script.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prodpolicy import secrets, shell  # noqa: E402
from prodpolicy.dockerfile import normalize_dockerfile  # noqa: E402
from prodpolicy.dockerfile.lexer import lex  # noqa: E402

DEFAULT_FILE = ROOT / "tests" / "cases" / "syntax" / "realistic-60.Dockerfile"


def median_ms(
    function: Callable[[], object], runs: int, loops: int, clock: Callable[[], float] = time.process_time
) -> float:
    """Return the median over ``runs`` of the mean time of one call, in milliseconds."""
    function()
    timings = []
    for _ in range(runs):
        start = clock()
        for _ in range(loops):
            function()
        timings.append((clock() - start) / loops * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help="the Dockerfile to normalize")
    parser.add_argument("--runs", type=int, default=7, help="number of runs; the median is reported")
    parser.add_argument("--loops", type=int, default=300, help="normalizations per run")
    parser.add_argument("--full-parser", action="store_true", help="parse every script with tree-sitter")
    arguments = parser.parse_args()
    if arguments.full_parser:
        shell.split_simple_script = lambda script: None

    text = arguments.file.read_text(encoding="utf-8")
    name = arguments.file.name
    document = normalize_dockerfile(text, name)
    scripts = [
        instruction["process"]["script"]
        for stage in document.data["stages"]
        for instruction in stage["instructions"]
        if instruction["keyword"] == "RUN" and instruction.get("form") == "shell"
    ]

    whole = median_ms(lambda: normalize_dockerfile(text, name), arguments.runs, arguments.loops)
    wall = median_ms(lambda: normalize_dockerfile(text, name), arguments.runs, arguments.loops, time.perf_counter)
    lexer = median_ms(lambda: lex(text, name), arguments.runs, arguments.loops)
    shell_only = median_ms(lambda: [shell.parse_script(script) for script in scripts], arguments.runs, arguments.loops)
    joined = "\n".join(text.splitlines())
    # scan_tokens keeps its last results, so the scan is timed on the uncached function.
    scan = secrets._scan_tokens.__wrapped__
    tokens = median_ms(lambda: scan(joined), arguments.runs, arguments.loops)

    lines = text.count("\n")
    print(f"file: {arguments.file.relative_to(ROOT) if arguments.file.is_relative_to(ROOT) else arguments.file} ({lines} lines)")
    print(f"python {platform.python_version()} on {platform.machine()}, median of {arguments.runs} runs of {arguments.loops}")
    print(f"normalize, whole file     {whole:7.3f} ms CPU ({wall:.3f} ms wall clock)")
    print(f"  lexer alone             {lexer:7.3f} ms")
    print(f"  shell parser, {len(scripts)} RUN lines {shell_only:7.3f} ms")
    print(f"  token scan of the lines {tokens:7.3f} ms")


if __name__ == "__main__":
    main()

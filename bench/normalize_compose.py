"""Measure the time to load and normalize a 300-line compose file.

    python bench/normalize_compose.py [FILE] [--runs 7] [--loops 200]

Each run normalizes the file ``--loops`` times, read from memory so that disk
speed does not count, and takes the time per normalization. The script prints
the median and the fastest of the runs. It also prints the Python and PyYAML
versions and whether PyYAML's C parser (libyaml) was used. The default input is
bench/compose-300.yml: eight services with anchors, merge keys, interpolation,
long-syntax ports and volumes, healthchecks and deploy limits.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import yaml

from prodpolicy.compose import normalize_compose
from prodpolicy.source import Source

DEFAULT_FILE = Path(__file__).parent / "compose-300.yml"


def measure(source: Source, loops: int) -> float:
    """Return the seconds per normalization over ``loops`` normalizations."""
    started = time.perf_counter()
    for _ in range(loops):
        normalize_compose(source)
    return (time.perf_counter() - started) / loops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE), help="compose file to normalize")
    parser.add_argument("--runs", type=int, default=7, help="number of timed runs (default: 7)")
    parser.add_argument("--loops", type=int, default=200, help="normalizations per run (default: 200)")
    arguments = parser.parse_args()

    path = Path(arguments.file)
    # A name that is not on disk: no .env, override or env_file is looked up, only the text is measured.
    source = Source(f"<benchmark>/{path.name}", path.read_bytes())
    lines = source.data.count(b"\n")
    measure(source, 10)
    times = [measure(source, arguments.loops) for _ in range(arguments.runs)]

    print(f"{path.name}: {lines} lines, {arguments.runs} runs of {arguments.loops} normalizations")
    print(f"median {statistics.median(times) * 1000:.2f} ms, fastest {min(times) * 1000:.2f} ms per file")
    print(
        f"Python {platform.python_version()}, PyYAML {yaml.__version__}, "
        f"libyaml {'yes' if hasattr(yaml, 'CSafeLoader') else 'no'}, {platform.machine()}"
    )


if __name__ == "__main__":
    main()

"""Measure a whole batch: time and peak memory of evaluating a generated corpus with 1 and more worker processes.

    python bench/eval_batch.py [--scales 1,4] [--jobs 1,2] [--runs 3]

Each scale writes a corpus with bench/corpus.py to a temporary folder, in the
mix of the default corpus. One unit of scale is 375 Dockerfiles, 225 compose
files (each moved to a folder of its own as compose.yaml) and 75 docker inspect
files. Each run then evaluates the corpus in a fresh Python process, as
``prodpolicy eval`` would with the bundled ruleset, and renders the JSON report.

The script prints, per scale and job count, medians of the runs: the
wall-clock time and the CPU time of the main process and of the workers. The
CPU time of a parallel run minus that of a serial run is the cost of the worker
processes. It also prints the peak resident memory of the main process twice,
once every input is evaluated and once the report is rendered. The last columns
are the peak of the largest worker and the source lines the report keeps out of
all lines read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).parent
# Files of each kind per unit of scale, in the proportions of bench/corpus.py's defaults.
PER_SCALE = {"dockerfiles": 375, "compose": 225, "images": 75}


def measure_child(corpus: Path, jobs: int) -> dict[str, float]:
    """Evaluate the corpus in this process (a child of the main script) and return the figures."""
    from prodpolicy.api import evaluate_inputs
    from prodpolicy.config import InputPolicies, PolicyOptions
    from prodpolicy.discovery import Found, discover
    from prodpolicy.report import render

    files = sorted(str(path) for path in corpus.rglob("*") if path.is_file())
    started = time.perf_counter()
    policies = InputPolicies(PolicyOptions())
    policies.load_all([str(corpus)])
    # Image files are given by name, as a folder search does not take them; their content shows their kind.
    inputs = list(discover([str(corpus / "dockerfiles"), str(corpus / "compose")]))
    inputs += [Found(str(path), True) for path in sorted((corpus / "images").iterdir())]
    report = evaluate_inputs(inputs, policies, jobs=jobs)
    evaluated_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    render("json", report, policy=policies)
    elapsed = time.perf_counter() - started

    total_lines = 0
    for file in files:
        with open(file, "rb") as handle:
            total_lines += handle.read().count(b"\n")
    kept_lines = sum(sum(1 for line in lines if line) for lines in report.sources.values())
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "main_cpu_seconds": own.ru_utime + own.ru_stime,
        "worker_cpu_seconds": workers.ru_utime + workers.ru_stime,
        "inputs": len(inputs),
        "seconds": elapsed,
        "findings": len(report.findings),
        "errors": len(report.errors),
        "evaluated_rss_mib": evaluated_rss,
        "main_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "kept_lines": kept_lines,
        "total_lines": total_lines,
    }


def write_corpus(folder: Path, scale: int) -> None:
    counts = {kind: str(count * scale) for kind, count in PER_SCALE.items()}
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "corpus.py"),
            "--out",
            str(folder),
            "--dockerfiles",
            counts["dockerfiles"],
            "--compose",
            counts["compose"],
            "--images",
            counts["images"],
        ],
        check=True,
        capture_output=True,
    )
    # Compose files are found by their names in a project, so give each the name compose.yaml in a folder of its own.
    for path in sorted((folder / "compose").glob("compose-*.yaml")):
        project = path.with_suffix("")
        project.mkdir()
        path.rename(project / "compose.yaml")


def run_child(corpus: Path, jobs: int) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(corpus), "--jobs", str(jobs)], check=True, capture_output=True, text=True
    )
    return json.loads(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,4", help="corpus sizes in units of 675 files (default: 1,4)")
    parser.add_argument("--jobs", default="1,2", help="worker process counts to compare (default: 1,2)")
    parser.add_argument("--runs", type=int, default=3, help="runs per configuration; the median is shown (default: 3)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    jobs = [int(value) for value in arguments.jobs.split(",")]

    if arguments.child:
        print(json.dumps(measure_child(Path(arguments.child), jobs[0])))
        return

    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    print(
        "| inputs | findings | jobs | time (median) | CPU time: main, workers | inputs/s "
        "| main process peak: evaluated, rendered | largest worker peak | lines kept / read |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scale in (int(value) for value in arguments.scales.split(",")):
        with tempfile.TemporaryDirectory(prefix="prodpolicy-bench-") as folder:
            corpus = Path(folder)
            write_corpus(corpus, scale)
            for count in jobs:
                runs = [run_child(corpus, count) for _ in range(arguments.runs)]
                seconds = statistics.median(run["seconds"] for run in runs)
                main_cpu = statistics.median(run["main_cpu_seconds"] for run in runs)
                worker_cpu = statistics.median(run["worker_cpu_seconds"] for run in runs)
                last = runs[-1]
                worker = f"{last['worker_rss_mib']:.0f} MiB" if count > 1 else "-"
                print(
                    f"| {last['inputs']:,} | {last['findings']:,} | {count} | {seconds:.2f} s | {main_cpu:.2f} s, {worker_cpu:.2f} s "
                    f"| {last['inputs'] / seconds:.0f} "
                    f"| {last['evaluated_rss_mib']:.0f} MiB, {last['main_rss_mib']:.0f} MiB | {worker} "
                    f"| {last['kept_lines']:,} / {last['total_lines']:,} |"
                )


if __name__ == "__main__":
    main()

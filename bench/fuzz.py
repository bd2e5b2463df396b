"""Fuzz the normalizers and the bundled rules with generated inputs, valid and mutated.

Usage: python bench/fuzz.py [--count 100000] [--processes 2] [--seed 1] [--crashes DIR]

Each input is a Dockerfile, compose file or image config from the generators in
tests/test_robustness_generate.py, with up to four random mutations. It is
normalized from memory and every document is evaluated with the bundled rules.
A crash is any exception other than an input error (InvalidInput), or an
internal-error finding, which means a rule failed on a document. Crashing
inputs are saved to --crashes with the traceback. An input that takes more
than --slow seconds is counted as slow and saved too. The exit status is 1
when any input crashed or was slow.

The same seed gives the same inputs, whatever the number of processes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prodpolicy.api import normalize  # noqa: E402
from prodpolicy.errors import InvalidInput  # noqa: E402
from prodpolicy.evaluation import iter_findings  # noqa: E402
from prodpolicy.policy.load import load_policy  # noqa: E402
from tests.test_robustness_generate import GENERATORS, generate  # noqa: E402

# Inputs per task: small enough to spread the work evenly over the processes.
CHUNK = 500
_POLICY = None


def _policy():
    global _POLICY
    if _POLICY is None:
        _POLICY = load_policy()
    return _POLICY


def run_chunk(task: tuple[int, int, int, float, str]) -> dict:
    """Generate and check ``count`` inputs from the seed of chunk ``number``; return the tallies."""
    seed, number, count, slow, crashes = task
    rnd = random.Random(f"{seed}:{number}")
    policy = _policy()
    tally: Counter[str] = Counter()
    problems: list[str] = []
    slowest = 0.0
    for index in range(count):
        kind = rnd.choice(sorted(GENERATORS))
        name = GENERATORS[kind][0]
        data = generate(rnd, kind, mutations=rnd.choice([0, 1, 2, 4]))
        started = time.perf_counter()
        try:
            documents = normalize(name, text=data, kind=kind)
            internal = [
                finding.rule_id
                for document in documents
                for finding in iter_findings(document, policy)
                if finding.message.startswith("internal error")
            ]
            tally["evaluated"] += 1
            if internal:
                raise RuntimeError(f"internal-error findings of {', '.join(internal)}")
        except InvalidInput:
            tally["input errors"] += 1
        except Exception:  # noqa: BLE001 - every other exception is the crash being searched for
            tally["crashes"] += 1
            problems.append(_save(crashes, seed, number, index, name, data, traceback.format_exc()))
        elapsed = time.perf_counter() - started
        slowest = max(slowest, elapsed)
        if elapsed > slow:
            tally["slow"] += 1
            problems.append(_save(crashes, seed, number, index, name, data, f"took {elapsed:.2f} s\n"))
    return {"tally": tally, "problems": problems, "slowest": slowest}


def _save(folder: str, seed: int, number: int, index: int, name: str, data: bytes, report: str) -> str:
    path = Path(folder) / f"{seed}-{number}-{index}-{name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.with_name(path.name + ".txt").write_text(report, encoding="utf-8")
    return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="number of inputs to generate (default: 100000)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="worker processes (default: one per CPU)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generators (default: 1)")
    parser.add_argument("--slow", type=float, default=2.0, help="seconds after which an input counts as slow (default: 2)")
    parser.add_argument("--crashes", default="fuzz-crashes", help="folder for crashing and slow inputs (default: fuzz-crashes)")
    arguments = parser.parse_args(argv)

    chunks = [
        (arguments.seed, number, min(CHUNK, arguments.count - start), arguments.slow, arguments.crashes)
        for number, start in enumerate(range(0, arguments.count, CHUNK))
    ]
    started = time.perf_counter()
    tally: Counter[str] = Counter()
    problems: list[str] = []
    slowest = 0.0
    with multiprocessing.Pool(arguments.processes) as pool:
        for result in pool.imap_unordered(run_chunk, chunks):
            tally.update(result["tally"])
            problems.extend(result["problems"])
            slowest = max(slowest, result["slowest"])
    elapsed = time.perf_counter() - started

    print(
        f"{arguments.count:,} inputs (seed {arguments.seed}, {arguments.processes} processes) in {elapsed:.0f} s: "
        f"{tally['evaluated']:,} evaluated, {tally['input errors']:,} input errors, {tally['crashes']:,} crashes, "
        f"{tally['slow']:,} slower than {arguments.slow:g} s; slowest input {slowest:.2f} s"
    )
    for path in problems[:20]:
        print(f"  saved {path}")
    return 1 if tally["crashes"] or tally["slow"] else 0


if __name__ == "__main__":
    sys.exit(main())

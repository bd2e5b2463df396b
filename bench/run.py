"""Benchmark prodpolicy against hadolint, Checkov and compose-lint on the same generated files, in one run.

    python bench/run.py [--runs 3] [--dockerfiles 1500] [--compose 900] [--json results.json]

The script writes a corpus with bench/corpus.py (the same seed gives the same
files) to a temporary folder, then times each tool on it as a whole process,
as a user runs it:

* ``prodpolicy eval --format json`` with the bundled ruleset on the Dockerfiles,
  with one job and with ``--jobs 2``, and on the compose files;
* hadolint on the same Dockerfiles, Checkov (``--framework dockerfile``) on the
  same folder, and compose-lint on the same compose files, each when it is
  found (``--hadolint``, ``--checkov``, ``--compose-lint``, else on PATH);
* with ``--real-dockerfiles FOLDER``, prodpolicy and hadolint on real
  Dockerfiles as well, and the shape of those files next to the corpus's
  (``bench/corpus_shape.py``), to check that the corpus is realistic.

For each it prints the medians of ``--runs`` runs: wall-clock time, CPU time
(user and system, of the process and every child it waited for), files per
second, and peak memory. Peak memory is the resident memory of the whole
process tree, sampled every 10 ms from /proc. The last column is prodpolicy's throughput divided by the
tool's. Then come the cold start of one small Dockerfile (whole process), also
with a configuration file beside it, the time of ``import prodpolicy``, and the slowest rules (``--profile-rules``).

The script runs on Linux only, because it reads process memory from /proc.
Every tool runs warm, as an installed one does: Python tools get a byte-code
cache in the temporary folder even where PYTHONDONTWRITEBYTECODE is set, and
prodpolicy its own cache there, and one unmeasured run fills both first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus_shape import dockerfiles as dockerfiles_in
from corpus_shape import shape, table

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# The peers installed next to this checkout on the benchmark machine; PATH is searched when they are absent.
DEFAULT_PEERS = {
    "hadolint": "/work/peers/bin/hadolint",
    "checkov": "/work/peers-checkov/bin/checkov",
    "compose-lint": "/work/peers/bin/compose-lint",
}
SMALL_DOCKERFILE = """\
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
USER 1000
CMD ["python", "main.py"]
"""
# A team's configuration file, as docs/policies.md describes one: the cold start is timed with it too,
# since a run that finds one validates it (or reads it from the cache) before the first input.
SMALL_CONFIG = """\
extends: [prodpolicy:recommended@1]
ignore: [DF605]
overrides:
  - rules: [healthcheck-missing]
    severity: high
exceptions:
  - rule: secret-in-env
    target: {file: Dockerfile}
    reason: The image only runs in the integration tests.
    expires: 2099-12-31
"""
# The targets of the performance work, checked at the end.
TARGET_FILES_PER_SECOND = 300
TARGET_JOBS_GAIN = 1.7
TARGET_PEAK_MIB = 150
TARGET_COLD_START_SECONDS = 0.3
TARGET_IMPORT_SECONDS = 0.1


@dataclass
class Measured:
    """One run of a command: wall-clock and CPU seconds, peak memory of its process tree, exit code."""

    wall: float
    cpu: float
    peak_mib: float
    returncode: int


@dataclass
class Row:
    """The medians of several runs of one tool on one set of files."""

    tool: str
    inputs: str
    files: int
    runs: int
    wall: float
    cpu: float
    peak_mib: float

    @property
    def files_per_second(self) -> float:
        return self.files / self.wall if self.wall else 0.0


def tree_rss_kib(root: int) -> int:
    """Return the resident memory of a process and all its descendants, in KiB (0 once it has ended)."""
    total = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(command: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Run ``command`` with its output discarded and measure it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    peak = 0
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.is_set():
            peak = max(peak, tree_rss_kib(process.pid))
            finished.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    returncode = process.wait()
    wall = time.perf_counter() - started
    finished.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(wall, cpu, peak / 1024, returncode)


def median_row(tool: str, inputs: str, files: int, runs: int, command: list[str], env: dict[str, str], cwd: Path) -> Row:
    measured = [measure(command, env, cwd) for _ in range(runs)]
    print(f"  {tool} on {inputs}: " + ", ".join(f"{run.wall:.2f} s" for run in measured), file=sys.stderr, flush=True)
    return Row(
        tool,
        inputs,
        files,
        runs,
        statistics.median(run.wall for run in measured),
        statistics.median(run.cpu for run in measured),
        statistics.median(run.peak_mib for run in measured),
    )


def find_tool(name: str, given: str | None) -> str | None:
    """Return the path of a peer tool: the one given, the default place, or PATH."""
    for candidate in (given, DEFAULT_PEERS[name]):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def child_environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["PRODPOLICY_CACHE_DIR"] = str(work / "prodpolicy-cache")
    env.pop("PRODPOLICY_NO_CACHE", None)
    env["NO_COLOR"] = "1"
    return env


def write_corpus(folder: Path, dockerfiles: int, compose: int) -> tuple[list[Path], list[Path]]:
    subprocess.run(
        [sys.executable, str(BENCH / "corpus.py"), "--out", str(folder), "--dockerfiles", str(dockerfiles),
         "--compose", str(compose), "--images", "0"],
        check=True,
        capture_output=True,
    )
    return sorted((folder / "dockerfiles").iterdir()), sorted((folder / "compose").iterdir())


def machine() -> dict[str, str]:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        memory = meminfo.readline().split()[1]
    return {
        "cpu": model,
        "cpus": str(os.cpu_count()),
        "memory": f"{int(memory) / 1024 / 1024:.1f} GiB",
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load average at start": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def cold_starts(prodpolicy: list[str], peers: dict[str, str | None], small: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    """Return the median wall-clock seconds of each tool on one small Dockerfile (and prodpolicy with a configuration file)."""
    configured = small.parent.parent / "configured" / small.name
    configured.parent.mkdir(exist_ok=True)
    configured.write_text(small.read_text(encoding="utf-8"), encoding="utf-8")
    (configured.parent / ".prodpolicy.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    commands = {
        "prodpolicy eval": [*prodpolicy, "eval", "--format", "json", str(small)],
        "prodpolicy eval, with a .prodpolicy.yaml": [*prodpolicy, "eval", "--format", "json", str(configured)],
    }
    if peers["hadolint"]:
        commands["hadolint"] = [peers["hadolint"], "--no-fail", str(small)]
    if peers["checkov"]:
        commands["checkov"] = [peers["checkov"], "-f", str(small), "--framework", "dockerfile", "--skip-download", "--quiet", "--compact"]
    commands["prodpolicy --version"] = [*prodpolicy, "--version"]
    times: dict[str, float] = {}
    for name, command in commands.items():
        measure(command, env, small.parent)
        times[name] = statistics.median(measure(command, env, small.parent).wall for _ in range(runs))
    return times


def build(env: dict[str, str], cwd: Path) -> str:
    """Return which build of prodpolicy the measured commands import: compiled with mypyc, or pure Python."""
    code = "import prodpolicy.evaluation as module; print(module.__file__)"
    completed = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True, cwd=cwd)
    return "pure Python" if completed.stdout.strip().endswith(".py") else "compiled with mypyc"


def import_seconds(env: dict[str, str], runs: int) -> float:
    code = "import time; started = time.perf_counter(); import prodpolicy; print(time.perf_counter() - started)"
    values = []
    for _ in range(runs):
        completed = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True, cwd=ROOT)
        values.append(float(completed.stdout))
    return statistics.median(values)


def rule_profile(command: list[str], env: dict[str, str], cwd: Path, top: int) -> list[str]:
    completed = subprocess.run([*command, "--profile-rules"], env=env, cwd=cwd, capture_output=True, text=True)
    lines = completed.stderr.strip().splitlines()
    return [*lines[: top + 1], lines[-1]] if len(lines) > top + 2 else lines


def print_rows(rows: list[Row], reference: Row) -> None:
    print("| tool | inputs | files | wall s | CPU s | files/s | peak MiB | prodpolicy's throughput / tool's |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        ratio = reference.files_per_second / row.files_per_second if row.files_per_second else 0.0
        print(
            f"| {row.tool} | {row.inputs} | {row.files} | {row.wall:.2f} | {row.cpu:.2f} | {row.files_per_second:.0f} "
            f"| {row.peak_mib:.0f} | {ratio:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; medians are shown (default: 3)")
    parser.add_argument("--peer-runs", type=int, help="runs of each peer tool on the corpus (default: --runs)")
    parser.add_argument("--dockerfiles", type=int, default=1500, help="Dockerfiles in the corpus (default: 1500)")
    parser.add_argument("--compose", type=int, default=900, help="compose files in the corpus (default: 900)")
    parser.add_argument("--hadolint", help="path of hadolint (default: /work/peers/bin/hadolint, else PATH)")
    parser.add_argument("--checkov", help="path of checkov (default: /work/peers-checkov/bin/checkov, else PATH)")
    parser.add_argument("--compose-lint", help="path of compose-lint (default: /work/peers/bin/compose-lint, else PATH)")
    parser.add_argument("--no-peers", action="store_true", help="time prodpolicy only")
    parser.add_argument("--keep", help="write the corpus and caches to this folder and keep them")
    parser.add_argument("--json", help="also write every figure to this JSON file")
    parser.add_argument(
        "--real-dockerfiles",
        type=Path,
        help="a folder of real Dockerfiles (found recursively by name): time prodpolicy and hadolint on them too, "
        "and compare their shape with the corpus",
    )
    arguments = parser.parse_args()
    peer_runs = arguments.peer_runs or arguments.runs

    peers: dict[str, str | None] = {name: None for name in DEFAULT_PEERS}
    if not arguments.no_peers:
        peers = {
            "hadolint": find_tool("hadolint", arguments.hadolint),
            "checkov": find_tool("checkov", arguments.checkov),
            "compose-lint": find_tool("compose-lint", arguments.compose_lint),
        }
    description = machine()
    with tempfile.TemporaryDirectory(prefix="prodpolicy-bench-") as temporary:
        work = Path(arguments.keep) if arguments.keep else Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        corpus = work / "corpus"
        if corpus.exists():
            shutil.rmtree(corpus)
        print(f"writing the corpus to {corpus}", file=sys.stderr, flush=True)
        dockerfiles, composes = write_corpus(corpus, arguments.dockerfiles, arguments.compose)
        small = work / "small" / "Dockerfile"
        small.parent.mkdir(exist_ok=True)
        small.write_text(SMALL_DOCKERFILE, encoding="utf-8")
        env = child_environment(work)
        prodpolicy = [sys.executable, "-m", "prodpolicy"]
        evaluate = [*prodpolicy, "eval", "--format", "json", "--fail-on", "none", "--no-progress", "-q"]
        docker_command = [*evaluate, str(corpus / "dockerfiles")]
        compose_command = [*evaluate, *map(str, composes)]
        # The unmeasured run that fills the byte-code and policy caches.
        measure([*evaluate, str(small)], env, work)
        description["prodpolicy build"] = build(env, work)

        print("timing the corpus runs", file=sys.stderr, flush=True)
        docker_rows = [
            median_row("prodpolicy", "Dockerfiles", len(dockerfiles), arguments.runs, docker_command, env, work),
            median_row("prodpolicy --jobs 2", "Dockerfiles", len(dockerfiles), arguments.runs, [*docker_command, "--jobs", "2"], env, work),
        ]
        if peers["hadolint"]:
            command = [peers["hadolint"], "--no-fail", "--no-color", *map(str, dockerfiles)]
            docker_rows.append(median_row("hadolint", "Dockerfiles", len(dockerfiles), peer_runs, command, env, work))
        if peers["checkov"]:
            checkov = [peers["checkov"], "-d", str(corpus / "dockerfiles"), "--framework", "dockerfile", "--skip-download", "--quiet", "--compact"]
            measure([peers["checkov"], "-f", str(small), "--framework", "dockerfile", "--skip-download", "--quiet"], env, work)
            docker_rows.append(median_row("checkov", "Dockerfiles", len(dockerfiles), peer_runs, checkov, env, work))
        real_rows: list[Row] = []
        shapes: dict[str, dict[str, float]] = {}
        if arguments.real_dockerfiles:
            real = dockerfiles_in(arguments.real_dockerfiles)
            shapes = {f"generated ({len(dockerfiles)} files)": shape(dockerfiles), f"real ({len(real)} files)": shape(real)}
            real_rows.append(median_row("prodpolicy", "real Dockerfiles", len(real), arguments.runs, [*evaluate, *map(str, real)], env, work))
            if peers["hadolint"]:
                command = [peers["hadolint"], "--no-fail", "--no-color", *map(str, real)]
                real_rows.append(median_row("hadolint", "real Dockerfiles", len(real), peer_runs, command, env, work))
        compose_rows = [median_row("prodpolicy", "compose files", len(composes), arguments.runs, compose_command, env, work)]
        if peers["compose-lint"]:
            command = [peers["compose-lint"], "check", "--fail-on", "critical", *map(str, composes)]
            measure([peers["compose-lint"], "check", str(composes[0])], env, work)
            compose_rows.append(median_row("compose-lint", "compose files", len(composes), peer_runs, command, env, work))

        print("timing cold starts and the import", file=sys.stderr, flush=True)
        starts = cold_starts(prodpolicy, peers, small, env, max(arguments.runs, 5))
        imported = import_seconds(env, max(arguments.runs, 5))
        print("profiling the rules", file=sys.stderr, flush=True)
        docker_profile = rule_profile(docker_command, env, work, 10)
        compose_profile = rule_profile(compose_command, env, work, 10)
        description["load average at end"] = " ".join(f"{value:.2f}" for value in os.getloadavg())

    print("## Machine\n")
    for key, value in description.items():
        print(f"- {key}: {value}")
    print(f"\n## Throughput (medians of {arguments.runs} runs; peers {peer_runs})\n")
    print_rows(docker_rows, docker_rows[0])
    print()
    print_rows(compose_rows, compose_rows[0])
    if real_rows:
        print(f"\n## Real Dockerfiles in {arguments.real_dockerfiles} (not part of the targets)\n")
        print_rows(real_rows, real_rows[0])
        print("\nShape of the generated and the real Dockerfiles (bench/corpus_shape.py):\n")
        print(table(shapes))
    print("\n## Cold start, one small Dockerfile (median wall-clock seconds of the whole process)\n")
    for name, seconds in starts.items():
        print(f"- {name}: {seconds * 1000:.0f} ms")
    print(f"- import prodpolicy: {imported * 1000:.1f} ms")
    print("\n## Slowest rules on the Dockerfiles (prodpolicy eval --profile-rules)\n")
    print("\n".join(f"    {line}" for line in docker_profile))
    print("\n## Slowest rules on the compose files\n")
    print("\n".join(f"    {line}" for line in compose_profile))

    serial, parallel = docker_rows[0], docker_rows[1]
    by_tool = {row.tool: row for row in docker_rows + compose_rows[1:]}
    checks = [
        (f"Dockerfiles per second, one job >= {TARGET_FILES_PER_SECOND}", serial.files_per_second, TARGET_FILES_PER_SECOND, True),
        (f"--jobs 2 gain >= {TARGET_JOBS_GAIN}", parallel.files_per_second / serial.files_per_second, TARGET_JOBS_GAIN, True),
        (f"peak memory, one job, MiB < {TARGET_PEAK_MIB}", serial.peak_mib, TARGET_PEAK_MIB, False),
        ("cold start seconds < 0.3", starts["prodpolicy eval"], TARGET_COLD_START_SECONDS, False),
        ("cold start with a configuration file, seconds < 0.3", starts["prodpolicy eval, with a .prodpolicy.yaml"], TARGET_COLD_START_SECONDS, False),
        ("import prodpolicy seconds < 0.1", imported, TARGET_IMPORT_SECONDS, False),
    ]
    if "hadolint" in by_tool:
        checks.append(("throughput / hadolint's >= 20", serial.files_per_second / by_tool["hadolint"].files_per_second, 20, True))
    if "checkov" in by_tool:
        checks.append(("throughput / Checkov's >= 5", serial.files_per_second / by_tool["checkov"].files_per_second, 5, True))
    if "compose-lint" in by_tool:
        ratio = compose_rows[0].files_per_second / by_tool["compose-lint"].files_per_second
        checks.append(("compose throughput / compose-lint's >= 2", ratio, 2, True))
    print("\n## Targets\n")
    for name, value, target, at_least in checks:
        met = value >= target if at_least else value < target
        print(f"- {name}: {value:.3g} ({'met' if met else 'missed'})")

    if arguments.json:
        results = {
            "machine": description,
            "rows": [{**asdict(row), "files_per_second": row.files_per_second} for row in docker_rows + compose_rows + real_rows],
            "cold_start_seconds": starts,
            "import_seconds": imported,
            "profile": {"dockerfiles": docker_profile, "compose": compose_profile},
        }
        Path(arguments.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

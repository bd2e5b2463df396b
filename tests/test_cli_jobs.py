"""--jobs: worker processes give the report of a serial run, byte for byte, and survive failing inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from prodpolicy import parallel
from prodpolicy.api import evaluate_paths
from prodpolicy.cli import main
from prodpolicy.config import InputPolicies, PolicyOptions
from prodpolicy.report import FORMATS

from .helpers import CASES, ROOT

SHARED_CASES = [str(CASES / name) for name in ("dockerfile", "compose", "image", "syntax")]
FORK_ONLY = pytest.mark.skipif(parallel.start_method() != "fork", reason="the test patches code that spawned workers do not see")


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("report_format", FORMATS)
def test_two_jobs_match_one_job(capsys, report_format):
    serial = run(capsys, "eval", *SHARED_CASES, "--format", report_format, "--color", "never")
    parallel_run = run(capsys, "eval", *SHARED_CASES, "--format", report_format, "--color", "never", "--jobs", "2")
    assert parallel_run[1] == serial[1]
    assert parallel_run[0] == serial[0] == 2


def test_shared_cases_give_findings_and_errors(capsys):
    _, out, _ = run(capsys, "eval", *SHARED_CASES, "--format", "json", "--jobs", "2")
    summary = json.loads(out)["summary"]
    assert summary["files"] > 40
    assert summary["findings"] > 50
    assert summary["errors"] == 7


def test_statistics_match_with_jobs(capsys):
    serial = run(capsys, "eval", *SHARED_CASES, "--statistics")
    parallel_run = run(capsys, "eval", *SHARED_CASES, "--statistics", "--jobs", "2")
    assert parallel_run == serial


def test_jobs_zero_starts_one_worker_per_cpu(capsys):
    _, _, err = run(capsys, "eval", *SHARED_CASES, "--jobs", "0", "--verbose")
    expected = parallel.cpu_count()
    if expected > 1:
        assert f"prodpolicy.api: evaluating with {expected} worker processes" in err
    else:
        assert "in this process" in err


def test_never_more_workers_than_inputs(capsys):
    _, _, err = run(capsys, "eval", str(ROOT / "examples"), "--jobs", "8", "--verbose")
    assert "prodpolicy.api: evaluating with 2 worker processes" in err


def test_negative_jobs_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["eval", ".", "--jobs", "-1"])
    assert exit_.value.code == 2
    assert "expected 0 (one per CPU) or more worker processes, got -1" in capsys.readouterr().err


def test_spawned_workers_load_the_policy_themselves(monkeypatch):
    serial = evaluate_paths(SHARED_CASES, InputPolicies(PolicyOptions()))
    monkeypatch.setattr(parallel, "start_method", lambda: "spawn")
    spawned = evaluate_paths(SHARED_CASES, InputPolicies(PolicyOptions()), jobs=2)
    assert spawned.to_json() == serial.to_json()
    assert spawned.sources == serial.sources


def test_compiled_policy_needs_fork(monkeypatch, bundled):
    monkeypatch.setattr(parallel, "start_method", lambda: "spawn")
    with pytest.raises(ValueError, match="reaches worker processes only with the fork start method"):
        evaluate_paths(SHARED_CASES, bundled, jobs=2)


@FORK_ONLY
def test_exception_in_a_worker_is_an_input_error(monkeypatch, bundled):
    from prodpolicy import api

    broken = str(CASES / "dockerfile" / "16-numeric-root-uid.Dockerfile")
    original = api.normalize_input

    def normalize_or_fail(path, **keywords):
        if os.fspath(path) == broken:
            raise RuntimeError("simulated failure")
        return original(path, **keywords)

    monkeypatch.setattr(api, "normalize_input", normalize_or_fail)
    report = evaluate_paths([str(CASES / "dockerfile")], bundled, jobs=2)
    errors = [error for error in report.errors if error.file == broken]
    assert len(errors) == 1
    assert errors[0].message.startswith("internal error while evaluating this input (RuntimeError in test_cli_jobs.py:")
    assert "simulated failure" not in errors[0].message
    assert broken not in report.files
    assert len(report.files) == 20
    assert {finding.file for finding in report.findings} >= {str(CASES / "dockerfile" / "15-no-user-instruction.Dockerfile")}


# ordered_map, with functions that misbehave on purpose. They run in the workers, so they live at module level.


def _double_slowly_at_first(item: int) -> int:
    # The first items finish last, so results arrive out of order.
    time.sleep(0.05 * max(0, 4 - item))
    return item * 2


def _double_or_die(item: int) -> int:
    if item == 3:
        os._exit(9)
    return item * 2


def _double_or_raise(item: int) -> int:
    if item == 2:
        raise ValueError("no")
    return item * 2


def _double_or_unpicklable(item: int) -> object:
    if item == 5:
        # A lambda cannot be pickled, so this result cannot travel back from the worker.
        return lambda: item
    return item * 2


def _failure(item: int, reason: str) -> str:
    return f"{item} failed: {reason}"


def test_results_keep_the_order_of_items():
    results = list(parallel.ordered_map(_double_slowly_at_first, range(10), workers=3, on_failure=_failure))
    assert results == [item * 2 for item in range(10)]


def test_dead_worker_fails_only_its_item():
    results = list(parallel.ordered_map(_double_or_die, range(8), workers=2, on_failure=_failure))
    assert results == [0, 2, 4, f"3 failed: {parallel.CRASH_REASON}", 8, 10, 12, 14]


def test_exception_fails_only_its_item():
    results = list(parallel.ordered_map(_double_or_raise, range(5), workers=2, on_failure=_failure))
    assert results == [0, 2, "2 failed: ValueError raised in or returned from the worker process", 6, 8]


def test_unsendable_result_fails_only_its_item():
    results = list(parallel.ordered_map(_double_or_unpicklable, range(12), workers=2, on_failure=_failure, items_per_task=4))
    assert results[:5] == [0, 2, 4, 6, 8]
    assert results[5].startswith("5 failed: ")
    assert results[5].endswith("raised in or returned from the worker process")
    assert results[6:] == [12, 14, 16, 18, 20, 22]


def test_tasks_of_several_items_keep_the_order():
    results = list(parallel.ordered_map(_double_slowly_at_first, range(10), workers=2, on_failure=_failure, items_per_task=3))
    assert results == [item * 2 for item in range(10)]


def test_dead_worker_in_a_task_of_several_items():
    results = list(parallel.ordered_map(_double_or_die, range(9), workers=2, on_failure=_failure, items_per_task=4))
    assert results == [0, 2, 4, f"3 failed: {parallel.CRASH_REASON}", 8, 10, 12, 14, 16]


def test_spawned_workers_keep_the_order():
    results = list(parallel.ordered_map(_double_slowly_at_first, range(6), workers=2, on_failure=_failure, method="spawn"))
    assert results == [0, 2, 4, 6, 8, 10]


def test_pool_broken_before_a_submit(monkeypatch):
    # A worker can die between two results; the next submit then raises instead of returning a future.
    from concurrent.futures.process import BrokenProcessPool

    submit = parallel._Pool.submit
    calls = {"count": 0}

    def failing_submit(self, function, items):
        calls["count"] += 1
        if calls["count"] == 3:
            raise BrokenProcessPool("a worker died")
        return submit(self, function, items)

    monkeypatch.setattr(parallel._Pool, "submit", failing_submit)
    results = list(parallel.ordered_map(_double_slowly_at_first, range(12), workers=2, on_failure=_failure, items_per_task=2))
    assert results == [item * 2 for item in range(12)]


# A worker that dies halfway through sending a large result, as when the out-of-memory killer stops it then.
# The script runs in a process of its own, because it replaces how every connection of that process sends.
HALF_SENT_RESULT = """
import json, os, signal, struct
from multiprocessing import connection
from prodpolicy import parallel

parent = os.getpid()
send = connection.Connection._send_bytes

def send_half_then_die(self, buffer):
    if os.getpid() != parent and len(buffer) >= 1_000_000:
        self._send(struct.pack("!i", len(buffer)))
        self._send(bytes(buffer)[: len(buffer) // 2])
        os.kill(os.getpid(), signal.SIGKILL)
    return send(self, buffer)

connection.Connection._send_bytes = send_half_then_die

def large_for_five(item):
    return "x" * 2_000_000 if item == 5 else item * 2

def failure(item, reason):
    return f"{item} failed: {reason}"

results = parallel.ordered_map(large_for_five, range(12), workers=2, on_failure=failure, items_per_task=2)
print(json.dumps(list(results)))
"""


def test_worker_dead_while_sending_fails_only_its_item():
    completed = subprocess.run(
        [sys.executable, "-c", HALF_SENT_RESULT], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == [0, 2, 4, 6, 8, f"5 failed: {parallel.CRASH_REASON}", 12, 14, 16, 18, 20, 22]
    assert "a worker process died while sending a result" in completed.stderr

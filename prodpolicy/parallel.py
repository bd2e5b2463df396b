"""Run a function over items in worker processes and yield the results in the order of the items.

Items travel to the workers in tasks of a few, and at most a few tasks per
worker are in flight, so memory does not grow with the number of items. An exception that escapes the function, or a result that cannot
be sent back, becomes ``on_failure(item, reason)`` for that item alone. A worker
process that dies (a crash in an extension module, the out-of-memory killer)
breaks the whole pool. The items that were in flight then run again one at a
time in a pool of one worker, so only the item that kills its worker again is
reported as failed. A worker that dies while it sends a result leaves the pool
stuck instead: waits check the workers and break such a pool (see :meth:`_Pool.result`).

Workers start with ``fork`` on Linux when this process runs a single thread:
they then inherit what this process has loaded, such as the compiled policy. Elsewhere
they start with ``spawn`` and the initializer arguments must be picklable.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

logger = logging.getLogger("prodpolicy.parallel")

Item = TypeVar("Item")
Result = TypeVar("Result")

# Items sent to a worker in one task: a task per item costs more in messages and wake-ups than a small
# input takes to evaluate (measured with bench/run.py on 1,500 Dockerfiles and two workers).
ITEMS_PER_TASK = 8
# Tasks submitted ahead per worker: enough to keep every worker busy while the oldest result is awaited.
TASKS_AHEAD_PER_WORKER = 3

# How often a wait for a result checks that no worker died, and how long a dead worker may leave it waiting.
WATCH_SECONDS = 0.5
STALL_SECONDS = 2.0

CRASH_REASON = (
    "the worker process evaluating it stopped unexpectedly, for example killed for lack of memory; "
    "run with --jobs 1 to evaluate it in the main process"
)


def cpu_count() -> int:
    """Return the number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """Return ``fork`` where it is safe and shares the parent's memory, otherwise ``spawn``."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def ordered_map(
    function: Callable[[Item], Result],
    items: Iterable[Item],
    *,
    workers: int,
    on_failure: Callable[[Item, str], Result],
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    method: str | None = None,
    items_per_task: int = ITEMS_PER_TASK,
) -> Iterator[Result]:
    """Yield ``function(item)`` for each item, computed by ``workers`` processes, in the order of ``items``.

    ``function`` runs in the workers, so it must be a module-level function;
    ``on_failure`` runs in this process. Items travel to the workers in tasks of
    ``items_per_task``.
    ``method`` is a multiprocessing start method (default: :func:`start_method`).
    """
    context = multiprocessing.get_context(method or start_method())
    pool = _Pool(context, workers, initializer, initargs)
    pending: deque[_Task[Item]] = deque()
    remaining = iter(items)
    limit = workers * TASKS_AHEAD_PER_WORKER
    forked = context.get_start_method() == "fork"
    if forked:
        # A forked worker shares the parent's memory until it writes to a page. The cyclic collector of a
        # worker writes to every object it visits, the policy and the imported modules included, and so
        # copies their pages. Frozen objects are left out of collections until the parent unfreezes them.
        gc.freeze()
    try:
        _fill(pool, function, remaining, pending, limit, items_per_task)
        while pending:
            task_items, future = pending.popleft()
            outcomes = _CRASHED if future is None else _outcomes(task_items, future, function, pool, on_failure)
            if outcomes is _CRASHED:
                # Every unfinished task failed with the pool: run their items again alone, in their place.
                queued: list[_Task[Item]] = [(task_items, None), *pending]
                logger.warning(
                    "a worker process stopped unexpectedly; evaluating again, one at a time, the inputs that were in flight (up to %d)",
                    sum(len(queued_items) for queued_items, _ in queued),
                )
                pending.clear()
                # Stop the broken pool first, so that no thread of it runs while new workers are forked.
                pool.shutdown()
                yield from _after_crash(context, function, queued, on_failure, initializer, initargs)
                pool.restart(workers)
            else:
                yield from outcomes
            _fill(pool, function, remaining, pending, limit, items_per_task)
    finally:
        pool.shutdown()
        if forked:
            gc.unfreeze()


def run_task(function: Callable[[Item], Result], items: list[Item]) -> list[tuple[bool, Any]]:
    """Run ``function`` on each item of a task in a worker, and return (True, result) or (False, the reason it failed) for each."""
    outcomes: list[tuple[bool, Any]] = []
    for item in items:
        try:
            outcomes.append((True, function(item)))
        except Exception as error:  # noqa: BLE001 - the failure of one item, reported for that item alone
            outcomes.append((False, _return_failure(error)))
    return outcomes


def _after_crash(
    context: BaseContext,
    function: Callable[[Item], Result],
    queued: list[_Task[Item]],
    on_failure: Callable[[Item, str], Result],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> Iterator[Result]:
    """Yield the results of the items that were in flight when the pool broke, in their order.

    A task whose future contains its results keeps them. The items of the others
    run alone in a pool of one worker, so an item that kills that worker is the one to blame.
    """
    alone: _Pool | None = None
    try:
        for task_items, future in queued:
            outcomes = _CRASHED if future is None else _outcomes(task_items, future, function, None, on_failure)
            if outcomes is not _CRASHED:
                yield from outcomes
                continue
            for item in task_items:
                alone = alone or _Pool(context, 1, initializer, initargs)
                result = _outcomes([item], alone.submit(function, [item]), function, None, on_failure, runner=alone)
                if result is _CRASHED:
                    logger.warning("a worker process stopped unexpectedly again; the input it was evaluating is reported as an error")
                    result = [on_failure(item, CRASH_REASON)]
                    alone.restart(1)
                yield from result
    finally:
        if alone is not None:
            alone.shutdown()


def _outcomes(
    items: list[Item],
    future: Future[list[tuple[bool, Any]]],
    function: Callable[[Item], Result],
    pool: _Pool | None,
    on_failure: Callable[[Item, str], Result],
    runner: _Pool | None = None,
) -> Any:
    """Wait for a task and return its results (``on_failure``'s for failed items), or _CRASHED when the pool broke.

    ``runner`` is the pool that runs the task, watched while waiting (default: ``pool``).
    ``pool``, when given, runs the items again one by one if the task could not travel.
    """
    runner = runner or pool
    try:
        outcomes = runner.result(future) if runner is not None else future.result()
    except (BrokenProcessPool, CancelledError):
        # A task cancelled by the shutdown of a broken pool never ran: it runs again like the ones that crashed.
        return _CRASHED
    except Exception as error:  # noqa: BLE001 - a task that could not travel, such as a result that cannot be pickled
        if pool is None or len(items) == 1:
            return [on_failure(item, _return_failure(error)) for item in items]
        # Find the item at fault: each one again in a task of its own.
        results: list[Result] = []
        for item in items:
            try:
                resubmitted = pool.submit(function, [item])
            except BrokenProcessPool:
                return _CRASHED
            single = _outcomes([item], resubmitted, function, None, on_failure, runner=pool)
            if single is _CRASHED:
                return _CRASHED
            results.extend(single)
        return results
    return [result if ok else on_failure(item, result) for item, (ok, result) in zip(items, outcomes)]


def _return_failure(error: BaseException) -> str:
    return f"{type(error).__name__} raised in or returned from the worker process"


def _fill(
    pool: _Pool,
    function: Callable[[Item], Result],
    remaining: Iterator[Item],
    pending: deque[_Task[Item]],
    limit: int,
    items_per_task: int,
) -> None:
    while len(pending) < limit:
        task_items = list(itertools.islice(remaining, items_per_task))
        if not task_items:
            return
        try:
            future = pool.submit(function, task_items)
        except BrokenProcessPool:
            # A worker died since the last result was read: the task runs again with the ones in flight.
            pending.append((task_items, None))
            return
        pending.append((task_items, future))


_CRASHED: Any = object()
# The items of one task, and its future or None when the task has to run again.
_Task = tuple[list[Item], "Future[list[tuple[bool, Any]]] | None"]


class _Pool:
    """A process pool that can be replaced after one of its workers died."""

    def __init__(self, context: BaseContext, workers: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
        self._context = context
        self._initializer = initializer
        self._initargs = initargs
        self._executor = self._start(workers)

    def _start(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=self._context, initializer=self._initializer, initargs=self._initargs)

    def submit(self, function: Callable[[Item], Result], items: list[Item]) -> Future[list[tuple[bool, Any]]]:
        return self._executor.submit(run_task, function, items)

    def result(self, future: Future[list[tuple[bool, Any]]]) -> list[tuple[bool, Any]]:
        """Wait for a task's outcomes; raise BrokenProcessPool when a worker died and left the pool stuck.

        A worker killed while it writes a result larger than the pipe's buffer leaves
        part of a message in the pipe. The executor's thread then waits for the rest
        forever, and the run would hang. Such a wait is broken after ``STALL_SECONDS``.
        """
        dead_since: float | None = None
        while True:
            try:
                return future.result(timeout=WATCH_SECONDS)
            except FutureTimeout:
                pass
            if not self._worker_died():
                dead_since = None
                continue
            now = time.monotonic()
            if dead_since is None:
                dead_since = now
            elif now - dead_since >= STALL_SECONDS:
                self._break_stuck(future)
                dead_since = None

    def _processes(self) -> list[Any]:
        # The executor keeps its worker processes in a private mapping, the only place they are listed.
        # NOTE: this and the result queue's writer in _break_stuck are private to CPython's executor (3.11 to
        # 3.13 have them). Without them a stuck pool is not detected, and the run waits as it did before.
        processes = getattr(self._executor, "_processes", None) or {}
        return list(processes.values())

    def _worker_died(self) -> bool:
        return any(process.exitcode not in (None, 0) for process in self._processes())

    def _break_stuck(self, future: Future[list[tuple[bool, Any]]]) -> None:
        """Make the executor give up the partial message of a dead worker, so that it breaks the pool.

        The other workers are killed first: they could never send a result again, because the dead one
        holds the lock of the result pipe. Filler bytes then complete the message. It does not unpickle,
        so the executor marks the pool broken and fails every task in flight, which run again.
        """
        logger.warning("a worker process died while sending a result; stopping the other workers and evaluating their inputs again")
        for process in self._processes():
            if process.exitcode is None:
                process.kill()
        queue = getattr(self._executor, "_result_queue", None)
        writer = getattr(queue, "_writer", None)
        if writer is None or writer.closed:
            return
        descriptor = writer.fileno()
        os.set_blocking(descriptor, False)
        filler = bytes(65536)
        deadline = time.monotonic() + STALL_SECONDS * 5
        while not future.done() and time.monotonic() < deadline:
            try:
                os.write(descriptor, filler)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                return

    def restart(self, workers: int) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._start(workers)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

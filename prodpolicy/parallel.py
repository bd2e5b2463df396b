"""Run a function over items in worker processes and yield the results in the order of the items.

At most a few items per worker are in flight, so memory does not grow with the
number of items. An exception that escapes the function, or a result that cannot
be sent back, becomes ``on_failure(item, reason)`` for that item alone. A worker
process that dies (a crash in an extension module, the out-of-memory killer)
breaks the whole pool. The items that were in flight then run again one at a
time in a pool of one worker, so only the item that kills its worker again is
reported as failed.

Workers start with ``fork`` on Linux when this process runs a single thread:
they then inherit what this process has loaded, such as the compiled policy. Elsewhere
they start with ``spawn`` and the initializer arguments must be picklable.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

logger = logging.getLogger("prodpolicy.parallel")

Item = TypeVar("Item")
Result = TypeVar("Result")

# Items submitted ahead per worker: enough to keep every worker busy while the oldest result is awaited.
ITEMS_AHEAD_PER_WORKER = 4

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
) -> Iterator[Result]:
    """Yield ``function(item)`` for each item, computed by ``workers`` processes, in the order of ``items``.

    ``function`` runs in the workers, so it must be a module-level function;
    ``on_failure`` runs in this process.
    ``method`` is a multiprocessing start method (default: :func:`start_method`).
    """
    context = multiprocessing.get_context(method or start_method())
    pool = _Pool(context, workers, initializer, initargs)
    pending: deque[tuple[Item, Future[Result]]] = deque()
    remaining = iter(items)
    try:
        _fill(pool, function, remaining, pending, workers * ITEMS_AHEAD_PER_WORKER)
        while pending:
            item, future = pending.popleft()
            result = _outcome(item, future, on_failure)
            if result is _CRASHED:
                # Every unfinished item failed with the pool: run those again alone, in their place.
                logger.warning(
                    "a worker process stopped unexpectedly; evaluating again, one at a time, the inputs that were in flight (up to %d)",
                    1 + len(pending),
                )
                queued = [(item, None), *pending]
                pending.clear()
                # Stop the broken pool first, so that no thread of it runs while new workers are forked.
                pool.shutdown()
                yield from _after_crash(context, function, queued, on_failure, initializer, initargs)
                pool.restart(workers)
            else:
                yield result
            _fill(pool, function, remaining, pending, workers * ITEMS_AHEAD_PER_WORKER)
    finally:
        pool.shutdown()


def _after_crash(
    context: BaseContext,
    function: Callable[[Item], Result],
    queued: list[tuple[Item, Future[Result] | None]],
    on_failure: Callable[[Item, str], Result],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> Iterator[Result]:
    """Yield the results of the items that were in flight when the pool broke, in their order.

    An item whose future contains a result keeps it. The others run alone in a pool
    of one worker, so an item that kills that worker is the one to blame.
    """
    alone: _Pool | None = None
    try:
        for item, future in queued:
            result = _CRASHED if future is None else _outcome(item, future, on_failure)
            if result is _CRASHED:
                alone = alone or _Pool(context, 1, initializer, initargs)
                result = _outcome(item, alone.submit(function, item), on_failure)
            if result is _CRASHED:
                logger.warning("a worker process stopped unexpectedly again; the input it was evaluating is reported as an error")
                result = on_failure(item, CRASH_REASON)
                alone.restart(1)
            yield result
    finally:
        if alone is not None:
            alone.shutdown()


def _outcome(item: Item, future: Future[Result], on_failure: Callable[[Item, str], Result]) -> Any:
    """Wait for a future; return its result, ``on_failure``'s for an exception, or _CRASHED when the pool broke."""
    try:
        return future.result()
    except BrokenProcessPool:
        return _CRASHED
    except Exception as error:  # noqa: BLE001 - the result of one item, such as one that cannot be pickled
        return on_failure(item, _return_failure(error))


def _return_failure(error: BaseException) -> str:
    return f"{type(error).__name__} raised in or returned from the worker process"


def _fill(
    pool: _Pool,
    function: Callable[[Item], Result],
    remaining: Iterator[Item],
    pending: deque[tuple[Item, Future[Result]]],
    limit: int,
) -> None:
    while len(pending) < limit:
        item = next(remaining, _END)
        if item is _END:
            return
        pending.append((item, pool.submit(function, item)))


_END: Any = object()
_CRASHED: Any = object()


class _Pool:
    """A process pool that can be replaced after one of its workers died."""

    def __init__(self, context: BaseContext, workers: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
        self._context = context
        self._initializer = initializer
        self._initargs = initargs
        self._executor = self._start(workers)

    def _start(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=self._context, initializer=self._initializer, initargs=self._initargs)

    def submit(self, function: Callable[[Item], Result], item: Item) -> Future[Result]:
        return self._executor.submit(function, item)

    def restart(self, workers: int) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._start(workers)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

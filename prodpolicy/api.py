"""The library entry points: normalize inputs, and evaluate a batch of files.

A batch runs in this process, or with ``jobs`` above 1 in worker processes that
each evaluate one input at a time (see :mod:`prodpolicy.batch` and
:mod:`prodpolicy.parallel`). Both give the same report, byte for byte.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from typing import IO, TYPE_CHECKING

from .discovery import STDIN, Found, discover
from .document import Document
from .errors import InputError, InvalidInput
from .findings import Report
from .ignore import Excludes
from .kinds import KINDS, NormalizeOptions, detect_kind, kind_for_directory, normalize_with
from .policy.load import Policy
from .source import Source, read_source

if TYPE_CHECKING:
    from .batch import EvaluatorSettings, InputResult, InputTask, PolicySource
    from .evaluation import RuleProfile
    from .config import InputPolicies

logger = logging.getLogger("prodpolicy.api")


def normalize(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    text: str | bytes | None = None,
    options: NormalizeOptions | None = None,
    max_file_bytes: int | None = None,
) -> list[Document]:
    """Normalize one input into documents (an image archive can hold several).

    ``path`` names the input; pass ``text`` to normalize content that is not on
    disk. ``kind`` (``dockerfile``, ``compose`` or ``image``) overrides detection
    by name and content. Text inputs are read whole, up to ``max_file_bytes``
    (default: the ``max_file_bytes`` of ``options.limits``, 10 MiB); an image
    archive is streamed from its path under the archive limits instead. Raises
    :class:`~prodpolicy.errors.InvalidInput` when the input cannot be read.
    """
    return normalize_input(path, kind=kind, text=text, options=options, max_file_bytes=max_file_bytes)


def normalize_input(
    path: str | os.PathLike[str],
    *,
    file: str | None = None,
    kind: str | None = None,
    text: str | bytes | None = None,
    options: NormalizeOptions | None = None,
    max_file_bytes: int | None = None,
) -> list[Document]:
    """Normalize the input at ``path``, reported under the name ``file`` (default: ``path``).

    The two differ for standard input copied to a temporary file. The other
    arguments are those of :func:`normalize`.
    """
    location = os.fspath(path)
    file = file or location
    if text is None and os.path.isdir(location):
        folder_kind = kind_for_directory(location)
        if folder_kind is None:
            raise InvalidInput(InputError(file, "is a folder, not an input; pass it to eval to search it for inputs"))
        return normalize_with(folder_kind, Source(file, b"", path=location), options)
    if text is None:
        limit = max_file_bytes if max_file_bytes is not None else (options or NormalizeOptions()).limits.max_file_bytes
        source = read_source(location, limit, display=file)
    else:
        source = Source(file, text.encode("utf-8") if isinstance(text, str) else text)
    if kind is None:
        chosen = detect_kind(source, os.path.basename(file))
    elif kind in KINDS:
        chosen = KINDS[kind]
    else:
        raise InvalidInput(InputError(file, f"unknown input kind {kind!r}; choose from {', '.join(sorted(KINDS))}"))
    return normalize_with(chosen, source, options)


def evaluate_paths(
    paths: Sequence[str],
    policy: Policy | InputPolicies,
    *,
    kind: str | None = None,
    options: NormalizeOptions | None = None,
    progress: Callable[[str], None] | None = None,
    today: datetime.date | None = None,
    jobs: int = 1,
    exclude: Sequence[str] = (),
    ignore_files: bool = True,
    force_exclude: bool = False,
    stdin: IO[bytes] | bytes | None = None,
    stdin_filename: str | None = None,
) -> Report:
    """Find, normalize and evaluate every input under ``paths``; bad inputs become report errors.

    ``policy`` is one policy for every input, or an :class:`~prodpolicy.config.InputPolicies`
    that picks the policy of the configuration file nearest to each input.
    ``progress`` is called with each input's path as it is evaluated. ``today``
    decides which policy exceptions have expired (default: the current date).

    Folders are searched as :func:`~prodpolicy.discovery.discover` describes:
    ``exclude`` adds ``.gitignore``-style patterns relative to the current folder,
    ``ignore_files`` False stops reading ``.gitignore`` and ``.prodpolicyignore``
    files, and ``force_exclude`` applies the exclusions to paths given by name too.
    Raises :class:`ValueError` for an invalid ``exclude`` pattern.

    A path ``-`` reads standard input, or ``stdin`` when given, reported as
    ``stdin_filename`` (default: ``-``). ``jobs`` is the number of worker
    processes (0: one per CPU; 1: evaluate in this process); see :func:`evaluate_inputs`.
    """
    if list(paths).count(STDIN) > 1:
        raise ValueError("standard input (-) can be given only once")
    excludes = Excludes(exclude, ignore_files=ignore_files)
    found = list(discover(list(paths), excludes, force_exclude=force_exclude, stdin_filename=stdin_filename))
    return evaluate_inputs(
        found, policy, kind=kind, options=options, progress=progress, today=today, jobs=jobs, stdin=stdin, stdin_filename=stdin_filename
    )


def evaluate_inputs(
    inputs: Sequence[Found],
    policy: Policy | InputPolicies,
    *,
    kind: str | None = None,
    options: NormalizeOptions | None = None,
    progress: Callable[[str], None] | None = None,
    today: datetime.date | None = None,
    jobs: int = 1,
    stdin: IO[bytes] | bytes | None = None,
    stdin_filename: str | None = None,
    rule_profile: RuleProfile | None = None,
) -> Report:
    """Normalize and evaluate inputs already found by :func:`~prodpolicy.discovery.discover`.

    With ``jobs`` above 1 (0 means one per CPU), up to that many worker
    processes evaluate one input each at a time, never more workers than
    inputs. The results are merged in the order of ``inputs``, so the report is
    the same as with ``jobs=1``. A worker that fails on an input reports an input
    error for it and the batch goes on. A compiled :class:`Policy` reaches the
    workers only where they start with ``fork`` (Linux); elsewhere pass an
    :class:`~prodpolicy.config.InputPolicies`, which each worker loads once.

    ``rule_profile``, when given, receives the time each rule took on every
    document, in this process or in the workers.
    """
    from .batch import BatchEvaluation, EvaluatorSettings, policy_for

    started = time.perf_counter()
    settings = EvaluatorSettings(
        kind=kind, options=options, today=today or datetime.date.today(), profile_rules=rule_profile is not None
    )
    workers = min(_worker_count(jobs), len(inputs))
    evaluation = BatchEvaluation(today=settings.today)
    with ExitStack() as stack:
        max_bytes = (options or NormalizeOptions()).limits.max_file_bytes
        tasks = _tasks(inputs, policy, stack, stdin, stdin_filename, max_bytes)
        if workers > 1:
            results = _in_workers(tasks, policy, settings, workers, progress)
        else:
            results = _in_this_process(tasks, policy, settings, progress)
        for result in results:
            chosen = policy_for(policy, result.file) if result.evaluated else None
            evaluation.merge(result, chosen)
            if rule_profile is not None and result.rule_profile is not None:
                rule_profile.merge(result.rule_profile)
            _log_result(result)
    report = evaluation.finish()
    where = f"{workers} worker processes" if workers > 1 else "this process"
    logger.debug("evaluated %d inputs in %.2f s in %s", len(inputs), time.perf_counter() - started, where)
    return report


def _worker_count(jobs: int) -> int:
    if jobs < 0:
        raise ValueError(f"jobs must be 0 (one per CPU) or more, not {jobs}")
    if jobs:
        return jobs
    # Imported only here: a run with one job does not load multiprocessing.
    from .parallel import cpu_count

    return cpu_count()


def _tasks(
    inputs: Iterable[Found],
    policy: PolicySource,
    stack: ExitStack,
    stdin: IO[bytes] | bytes | None,
    stdin_filename: str | None,
    max_bytes: int,
) -> Iterator[InputTask]:
    """Turn found inputs into tasks.

    Each input's policy is loaded here, so an invalid one raises :class:`~prodpolicy.errors.PolicyError`
    in this process, as in a serial run, rather than in a worker.
    """
    import io

    from .batch import InputTask, policy_for
    from .stdin import STDIN_NAME, stdin_task

    for found in inputs:
        if found.path == STDIN:
            stream = io.BytesIO(stdin) if isinstance(stdin, bytes) else stdin
            task = stack.enter_context(stdin_task(stream, file=stdin_filename or STDIN_NAME, max_bytes=max_bytes))
        elif found.problem is not None:
            task = InputTask(found.path, error=InputError(found.path, found.problem))
        else:
            task = InputTask(found.path)
        policy_for(policy, task.file)
        yield task


def _in_this_process(
    tasks: Iterable[InputTask], policy: PolicySource, settings: EvaluatorSettings, progress: Callable[[str], None] | None
) -> Iterator[InputResult]:
    from .batch import InputEvaluator

    evaluator = InputEvaluator(policy, settings)
    for task in tasks:
        if progress is not None:
            progress(task.file)
        yield evaluator.evaluate(task)


def _in_workers(
    tasks: Iterable[InputTask],
    policy: PolicySource,
    settings: EvaluatorSettings,
    workers: int,
    progress: Callable[[str], None] | None,
) -> Iterator[InputResult]:
    from .batch import evaluate_in_worker, start_worker
    from .config import InputPolicies
    from .parallel import ordered_map, start_method

    method = start_method()
    # A forked worker inherits the compiled policies; a spawned one is sent the options and loads them once.
    shared: object = policy
    if method != "fork":
        if not isinstance(policy, InputPolicies):
            raise ValueError("a compiled Policy reaches worker processes only with the fork start method; pass an InputPolicies or jobs=1")
        shared = policy.options
    logger.debug("evaluating with %d worker processes started with %s", workers, method)
    for result in ordered_map(
        evaluate_in_worker,
        tasks,
        workers=workers,
        on_failure=_failed,
        initializer=start_worker,
        initargs=(shared, settings),
        method=method,
    ):
        if progress is not None:
            progress(result.file)
        yield result


def _failed(task: InputTask, reason: str) -> InputResult:
    from .batch import failed_result

    logger.debug("evaluating %s failed in its worker process: %s", task.file, reason)
    return failed_result(task.file, reason)


def _log_result(result: InputResult) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    total = (result.normalize_seconds + result.evaluate_seconds) * 1000
    logger.debug(
        "evaluated %s in %.1f ms (reading and normalizing %.1f ms, rules %.1f ms): %d findings, %d errors",
        result.file,
        total,
        result.normalize_seconds * 1000,
        result.evaluate_seconds * 1000,
        len(result.findings),
        len(result.errors),
    )

"""The library entry points: normalize inputs, and evaluate a batch of files."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from .discovery import discover
from .document import Document
from .errors import InputError, InvalidInput
from .evaluation import Evaluation
from .findings import Report
from .kinds import KINDS, NormalizeOptions, detect_kind, kind_for_directory, normalize_with
from .policy.load import Policy
from .source import DEFAULT_MAX_FILE_BYTES, Source, read_source

if TYPE_CHECKING:
    from .config import InputPolicies


def normalize(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    text: str | bytes | None = None,
    options: NormalizeOptions | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> list[Document]:
    """Normalize one input into documents (an image archive can hold several).

    ``path`` names the input; pass ``text`` to normalize content that is not on
    disk. ``kind`` (``dockerfile``, ``compose`` or ``image``) overrides detection
    by name and content. Text inputs are read whole, up to ``max_file_bytes``;
    an image archive is streamed from its path and has no size limit. Raises
    :class:`~prodpolicy.errors.InvalidInput` when the input cannot be read.
    """
    file = os.fspath(path)
    if text is None and os.path.isdir(file):
        folder_kind = kind_for_directory(file)
        if folder_kind is None:
            raise InvalidInput(InputError(file, "is a folder, not an input; pass it to eval to search it for inputs"))
        return normalize_with(folder_kind, Source(file, b"", path=file), options)
    if text is None:
        source = read_source(file, max_file_bytes)
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
) -> Report:
    """Find, normalize and evaluate every input under ``paths``; bad inputs become report errors.

    ``policy`` is one policy for every input, or an :class:`~prodpolicy.config.InputPolicies`
    that picks the policy of the configuration file nearest to each input.
    ``progress`` is called with each input's path before it is read. ``today``
    decides which policy exceptions have expired (default: the current date).
    """
    evaluation = Evaluation(today=today)
    for path, _explicit in discover(list(paths)):
        if progress is not None:
            progress(path)
        documents = _normalize_or_error(path, kind, options, evaluation.report)
        chosen = policy if isinstance(policy, Policy) else policy.policy_for(path)
        for document in documents:
            evaluation.add(document, chosen)
    return evaluation.finish()


def _normalize_or_error(path: str, kind: str | None, options: NormalizeOptions | None, report: Report) -> Iterable[Document]:
    try:
        documents = normalize(path, kind=kind, options=options)
    except InvalidInput as error:
        report.errors.append(error.error)
        return []
    report.files.append(path)
    return documents

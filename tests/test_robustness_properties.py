"""Batches of generated inputs, valid and mutated: no uncaught exception, no file lost, no order dependence.

Each example writes a Dockerfile, a compose file and an image config, each
valid or mutated (see ``test_robustness_generate``), evaluates them as one
batch with the bundled rules, and evaluates them again in the reverse order.
The example counts are fixed and ``derandomize=True`` makes every run test the
same inputs, so CI is repeatable; ``bench/fuzz.py`` runs the long search.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodpolicy.api import evaluate_paths, normalize
from prodpolicy.errors import InvalidInput

from .test_robustness_generate import GENERATORS, MUTATIONS, generate

PROPERTY_SETTINGS = settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))


def write_batch(folder: Path, rnd: random.Random, mutations: int) -> list[str]:
    """Write one input of each kind, each in its own folder as projects are laid out; return their paths."""
    paths = []
    for kind, (name, _) in sorted(GENERATORS.items()):
        (folder / kind).mkdir()
        path = folder / kind / name
        path.write_bytes(generate(rnd, kind, mutations))
        paths.append(str(path))
    return paths


def outcome(report) -> tuple[list, list]:
    findings = sorted((f.file, f.line or 0, f.rule_id, f.path, f.message, f.subject or "") for f in report.findings)
    errors = sorted((e.file, e.line or 0, e.message) for e in report.errors)
    return findings, errors


def check_batch(bundled, rnd: random.Random, mutations: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="prodpolicy-robustness-"))
    try:
        paths = write_batch(folder, rnd, mutations)
        forward = evaluate_paths(paths, bundled)
        backward = evaluate_paths(list(reversed(paths)), bundled)

        # Every file is evaluated or listed among the errors; none is skipped silently.
        reported = set(forward.files) | {error.file for error in forward.errors}
        assert set(paths) <= reported
        # An internal error of a rule would mean a rule crashed on the document.
        assert [f.message for f in forward.findings if f.message.startswith("internal error")] == []
        assert outcome(forward) == outcome(backward)
    finally:
        shutil.rmtree(folder)


@PROPERTY_SETTINGS
@given(st.randoms(use_true_random=False))
def test_valid_batch_is_evaluated(bundled, rnd):
    check_batch(bundled, rnd, mutations=0)


@PROPERTY_SETTINGS
@given(st.randoms(use_true_random=False))
def test_mutated_batch_never_crashes(bundled, rnd):
    check_batch(bundled, rnd, mutations=3)


@settings(max_examples=120, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False), st.sampled_from(sorted(GENERATORS)), st.sampled_from(sorted(MUTATIONS)))
def test_each_mutation_gives_document_or_input_error(rnd, kind, mutation):
    name, generator = GENERATORS[kind]
    data = MUTATIONS[mutation](rnd, generator(rnd).encode("utf-8"))
    try:
        documents = normalize(name, text=data, kind=kind)
    except InvalidInput as error:
        assert error.error.file == name
        assert error.error.message
        return
    assert documents
    for document in documents:
        assert document.file == name
        assert all(error.file for error in document.errors)

"""Fixtures shared by the tests."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from prodpolicy.policy.load import Policy, load_policy

_CACHE_DIR = "PRODPOLICY_CACHE_DIR"


def pytest_configure(config):
    # The tests must not write to the user's cache folder: each run caches the compiled policy in its own.
    if _CACHE_DIR not in os.environ:
        config._prodpolicy_cache = tempfile.mkdtemp(prefix="prodpolicy-test-cache-")
        os.environ[_CACHE_DIR] = config._prodpolicy_cache


def pytest_unconfigure(config):
    folder = getattr(config, "_prodpolicy_cache", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(_CACHE_DIR, None)


# The rules that the report format tests pin findings of. The tests are about the formats, so
# rules added to the bundled set later must not change what they expect.
FORMAT_RULES = ("DF101", "DF102", "RT101", "RT201", "RT301", "RT302", "SC101", "SC102")


@pytest.fixture(scope="session")
def bundled() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def format_policy() -> Policy:
    """The bundled ruleset with only FORMAT_RULES enabled."""
    return load_policy(select=FORMAT_RULES)

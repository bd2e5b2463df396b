"""Fixtures shared by the tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from prodpolicy.policy import cache
from prodpolicy.policy.load import Policy, load_policy

_CACHE_DIR = "PRODPOLICY_CACHE_DIR"


PACKAGE = Path(__file__).resolve().parent.parent / "prodpolicy"


def stale_extensions(package: Path = PACKAGE) -> list[str]:
    """Return the sources that are newer than the compiled extension beside them."""
    stale = []
    for extension in package.rglob("*.so"):
        source = extension.with_name(extension.name.split(".", 1)[0] + ".py")
        if source.is_file() and source.stat().st_mtime > extension.stat().st_mtime:
            stale.append(str(source.relative_to(package.parent)))
    return sorted(stale)


def pytest_configure(config):
    # Python imports an extension before the .py beside it, so a compiled build left in the tree would run
    # instead of the sources just edited (docs/design.md, "Compiled build").
    stale = stale_extensions()
    if stale:
        names = ", ".join(stale[:3]) + (" and others" if len(stale) > 3 else "")
        raise pytest.UsageError(
            f"the compiled build in this tree is out of date (older than {names}): "
            "delete it with find prodpolicy -name '*.so' -delete, or build it again"
        )
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


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A policy cache folder of this test's own, not yet created, with the cache turned on."""
    monkeypatch.setenv(cache.CACHE_DIR_ENVIRONMENT, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENVIRONMENT, raising=False)
    return tmp_path / "cache"


@pytest.fixture(scope="session")
def bundled() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def format_policy() -> Policy:
    """The bundled ruleset with only FORMAT_RULES enabled."""
    return load_policy(select=FORMAT_RULES)

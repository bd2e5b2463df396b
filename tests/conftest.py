"""Fixtures shared by the tests."""

from __future__ import annotations

import pytest

from prodpolicy.policy.load import Policy, load_policy


@pytest.fixture(scope="session")
def bundled() -> Policy:
    return load_policy()

"""Fixtures shared by the tests."""

from __future__ import annotations

import pytest

from prodpolicy.policy.load import Policy, load_policy


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

"""The switch that turns the evaluation shortcuts off, to check that they change no result."""

from __future__ import annotations

import os

# Set to any value to test every selected node with one plain RE2 search per pattern, without plans,
# indexes or joined patterns.
PLAIN_ENVIRONMENT = "PRODPOLICY_PLAIN_EVALUATION"


def plain_evaluation() -> bool:
    """Return whether the environment turns the evaluation shortcuts off."""
    return bool(os.environ.get(PLAIN_ENVIRONMENT))

"""The JSON Schemas in schemas/ match the pydantic models they are generated from."""

from __future__ import annotations

import pytest

from prodpolicy.policy.load import data_directory
from prodpolicy.schemas import SCHEMAS, render


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_file_is_current(name):
    path = data_directory("schemas") / f"{name}.schema.json"
    assert path.read_text(encoding="utf-8") == render(name), f"{path} is stale: run python -m prodpolicy.schemas"

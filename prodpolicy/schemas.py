"""Generate the JSON Schemas in ``schemas/`` from the pydantic models.

Run ``python -m prodpolicy.schemas`` after changing a model; a test fails while
the files in ``schemas/`` differ from what this module generates.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Union

from pydantic import TypeAdapter

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def document_schema() -> dict[str, Any]:
    from .model import DocumentModel

    schema = TypeAdapter(DocumentModel).json_schema(mode="serialization")
    return _finish(schema, "prodpolicy document", "A normalized input: a Dockerfile, compose file or image config.")


def policy_schema() -> dict[str, Any]:
    from .policy.model import PolicyFile, RuleFile

    schema = TypeAdapter(Union[RuleFile, PolicyFile]).json_schema(mode="validation")
    return _finish(schema, "prodpolicy policy", "A rule file (kind: Rule) or a policy file (kind: Policy).")


def report_schema() -> dict[str, Any]:
    from .report.json_model import ReportJSON

    schema = TypeAdapter(ReportJSON).json_schema(mode="serialization")
    return _finish(schema, "prodpolicy report", "The JSON report of prodpolicy eval (--format json).")


def _finish(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {"$schema": SCHEMA_DIALECT, "title": title, "description": description, **schema}


SCHEMAS = {"document": document_schema, "policy": policy_schema, "report": report_schema}


def render(name: str) -> str:
    """Return the schema file text for ``name`` (document, policy or report)."""
    return json.dumps(SCHEMAS[name](), indent=2, sort_keys=True) + "\n"


def write_all(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; return the files written."""
    written = []
    for name in SCHEMAS:
        path = directory / f"{name}.schema.json"
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    from .policy.load import data_directory

    for path in write_all(data_directory("schemas")):
        print(f"wrote {path}", file=sys.stderr)

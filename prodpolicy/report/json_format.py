"""The JSON report: a stable shape for other tools (see docs/output.md)."""

from __future__ import annotations

import json
from typing import Any

from ..findings import Report


def render(report: Report, **_context: Any) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"

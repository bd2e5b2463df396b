"""Report formats, one module each: every module has ``render(report, context) -> str``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..findings import Report

FORMATS = ("text", "json")


def renderer(name: str) -> Callable[..., str]:
    """Return the render function of a format."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{name}_format")
    render: Callable[..., str] = module.render
    return render


def render(name: str, report: Report, **context: Any) -> str:
    return renderer(name)(report, **context)

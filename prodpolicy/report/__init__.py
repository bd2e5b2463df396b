"""Report formats, one module each: every module has ``render(report, **context) -> str``.

Context that renderers may use, all optional so that library callers can pass a
report alone:

* ``policy``: the compiled :class:`~prodpolicy.policy.load.Policy` the report came
  from, for rule titles, documentation and help links (SARIF, JUnit, GitLab);
* ``color``: True to style the text report with ANSI escape codes;
* ``summary``: False to leave out the closing summary line of the text and
  GitHub formats, as ``--quiet`` does. The other formats ignore it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..findings import Report

FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab", "checkstyle")


def renderer(name: str) -> Callable[..., str]:
    """Return the render function of a format."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{name}_format")
    render: Callable[..., str] = module.render
    return render


def render(name: str, report: Report, **context: Any) -> str:
    """Render ``report`` in the format ``name``; see the module docstring for ``context``."""
    return renderer(name)(report, **context)

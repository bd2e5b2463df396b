"""prodpolicy: is this container ready for production?

The public API, imported lazily so that ``import prodpolicy`` stays fast:

* :func:`normalize` turns a Dockerfile, compose file or image config into documents;
* :func:`load_policy` loads and compiles policies (the bundled ruleset by default);
* :func:`evaluate` applies a policy to documents and returns a :class:`Report`;
* :func:`iter_findings` yields the findings of one document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Document",
    "Finding",
    "InputError",
    "InvalidInput",
    "Policy",
    "PolicyError",
    "Report",
    "evaluate",
    "evaluate_paths",
    "iter_findings",
    "load_policy",
    "normalize",
    "__version__",
]

_EXPORTS = {
    "Document": "prodpolicy.document",
    "Finding": "prodpolicy.findings",
    "Report": "prodpolicy.findings",
    "InputError": "prodpolicy.errors",
    "InvalidInput": "prodpolicy.errors",
    "PolicyError": "prodpolicy.errors",
    "Policy": "prodpolicy.policy.load",
    "load_policy": "prodpolicy.policy.load",
    "evaluate": "prodpolicy.evaluate",
    "iter_findings": "prodpolicy.evaluate",
    "normalize": "prodpolicy.api",
    "evaluate_paths": "prodpolicy.api",
}

if TYPE_CHECKING:
    from .api import evaluate_paths, normalize
    from .document import Document
    from .errors import InputError, InvalidInput, PolicyError
    from .evaluate import evaluate, iter_findings
    from .findings import Finding, Report
    from .policy.load import Policy, load_policy


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'prodpolicy' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value

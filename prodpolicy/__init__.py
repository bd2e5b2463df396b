"""prodpolicy: is this container ready for production?

The public API, imported lazily so that ``import prodpolicy`` stays fast:

* :func:`normalize` turns a Dockerfile, compose file or image config into documents;
* :func:`load_policy` loads and compiles policies (the bundled ruleset by default),
  :func:`load_policy_text` a policy given as text, and :func:`find_config` finds
  the configuration file nearest to an input;
* :func:`evaluate` applies a policy to documents and returns a :class:`Report`;
* :func:`iter_findings` yields the findings of one document, lazily;
* :func:`run_policy_tests` runs the test cases of a policy's rules.

Compiled policies are immutable and can be shared; nothing here keeps global
state. See docs/api.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "CompiledRule",
    "Document",
    "Finding",
    "InputError",
    "InvalidInput",
    "Policy",
    "PolicyError",
    "PolicyProblem",
    "Report",
    "ReportWarning",
    "Suppressed",
    "evaluate",
    "evaluate_paths",
    "find_config",
    "iter_findings",
    "load_policy",
    "load_policy_text",
    "normalize",
    "run_policy_tests",
    "__version__",
]

_EXPORTS = {
    "CompiledRule": "prodpolicy.policy.compiled",
    "Document": "prodpolicy.document",
    "Finding": "prodpolicy.findings",
    "Report": "prodpolicy.findings",
    "ReportWarning": "prodpolicy.findings",
    "Suppressed": "prodpolicy.findings",
    "InputError": "prodpolicy.errors",
    "InvalidInput": "prodpolicy.errors",
    "PolicyError": "prodpolicy.errors",
    "PolicyProblem": "prodpolicy.errors",
    "Policy": "prodpolicy.policy.compiled",
    "load_policy": "prodpolicy.policy.load",
    "load_policy_text": "prodpolicy.policy.load",
    "find_config": "prodpolicy.config",
    "evaluate": "prodpolicy.evaluation",
    "iter_findings": "prodpolicy.evaluation",
    "normalize": "prodpolicy.api",
    "evaluate_paths": "prodpolicy.api",
    "run_policy_tests": "prodpolicy.policy.testing",
}

if TYPE_CHECKING:
    from .api import evaluate_paths, normalize
    from .config import find_config
    from .document import Document
    from .errors import InputError, InvalidInput, PolicyError, PolicyProblem
    from .evaluation import evaluate, iter_findings
    from .findings import Finding, Report, ReportWarning, Suppressed
    from .policy.compiled import CompiledRule, Policy
    from .policy.load import load_policy, load_policy_text
    from .policy.testing import run_policy_tests


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'prodpolicy' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

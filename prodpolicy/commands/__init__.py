"""The subcommands of ``prodpolicy``, one module each.

Each module has ``register(subparsers)``, which adds its parser and sets
``handler`` to a function taking the parsed arguments and returning an exit code.
Options shared by several commands live in ``*_options.py`` modules.
"""

from __future__ import annotations

import pkgutil

# Every module here except the *_options helpers is a subcommand.
COMMAND_MODULES = tuple(
    sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.endswith("_options"))
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

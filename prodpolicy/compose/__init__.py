"""The compose normalizer: compose files read, merged and normalized as docker compose v2 reads them.

The modules follow the phases: ``load`` (YAML with positions), ``interpolate``,
``include``, ``extends``, ``merge`` (several files) and ``profiles``. One module
normalizes each group of service keys (``ports``, ``volumes``, ``environment``,
``process``, ``security``, ``resources``, ``limits``, ``credentials``).
``service`` assembles them, and ``runtime`` builds the shared runtime view.
``crossref`` compares the services with each other, ``layout`` reads the
written order of the primary file, and ``gitignore`` checks whether Git ignores
an env file.
"""

from __future__ import annotations

from ..document import Document
from ..kinds import NormalizeOptions
from ..source import Source
from .normalize import build_document
from .project import load_project

__all__ = ["normalize_compose", "normalize_source"]


def normalize_compose(
    source: Source,
    extra_files: tuple[str, ...] = (),
    environment: dict[str, str] | None = None,
    env_files: tuple[str, ...] = (),
    profiles: tuple[str, ...] = (),
) -> Document:
    """Normalize a compose file (and the files merged after it) into one document."""
    project = load_project(source, extra_files, environment, env_files, profiles)
    return build_document(project)


def normalize_source(source: Source, options: NormalizeOptions) -> list[Document]:
    """Normalize one compose input; the kind registry calls this."""
    document = normalize_compose(source, options.extra_files, options.environment, options.env_files, options.profiles)
    return [document]

"""The Dockerfile normalizer: lexer, instruction meanings, stage walk."""

from __future__ import annotations

from ..document import Document
from ..kinds import NormalizeOptions
from ..source import Source, decode_text
from .normalize import normalize_dockerfile

__all__ = ["normalize_dockerfile", "normalize_source"]


def normalize_source(source: Source, options: NormalizeOptions) -> list[Document]:
    """Normalize one Dockerfile source; the kind registry calls this."""
    return [normalize_dockerfile(decode_text(source), source.file, options.target)]

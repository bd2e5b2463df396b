"""The document model: pydantic classes that describe every normalized input.

Normalizers build plain JSON-like dicts for speed; these classes are the schema
of those dicts (``schemas/document.schema.json`` is generated from them) and the
typed view that :meth:`prodpolicy.Document.to_model` returns.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field, TypeAdapter

from .base import Command, ImageRef, SecretInfo, Variable
from .compose import ComposeDocument
from .dockerfile import DockerfileDocument, Instruction, Stage
from .image import ImageDocument
from .runtime import Execution, Healthcheck, Port, Process, Runtime, Subject, User

DocumentModel = Annotated[Union[DockerfileDocument, ComposeDocument, ImageDocument], Field(discriminator="kind")]

__all__ = [
    "Command",
    "DockerfileDocument",
    "DocumentModel",
    "Execution",
    "Healthcheck",
    "ImageDocument",
    "ImageRef",
    "Instruction",
    "Port",
    "Process",
    "Runtime",
    "SecretInfo",
    "Stage",
    "Subject",
    "User",
    "Variable",
    "document_adapter",
]


def document_adapter() -> TypeAdapter[DockerfileDocument]:
    """Return a validator for any document kind (built on first use)."""
    return TypeAdapter(DocumentModel)

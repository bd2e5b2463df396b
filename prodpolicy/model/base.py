"""Shared pieces of the document model: the base class and small value types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelBase(BaseModel):
    """Base of every model class: unknown keys are errors, so the schema stays exact."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SecretInfo(ModelBase):
    """The reason a value was redacted."""

    reason: str = Field(description="key-name, entropy, or token:<kind> such as token:aws-access-key")


class Variable(ModelBase):
    """A name and value from ENV, ARG, LABEL, a compose environment or an image config."""

    name: str
    value: str | None = Field(None, description="Expanded value; redacted when `secret` is set; null when not given")
    raw: str | None = Field(None, description="The value as written, before expansion; redacted like `value`")
    unknown: bool = Field(False, description="A build argument without a default decides the value")
    references: list[str] | None = Field(None, description="Variables the value refers to")
    credential_name: bool | None = Field(None, description="The name marks the value as a credential, as in DB_PASSWORD")
    inherited_global: bool | None = Field(None, description="A stage ARG without a default took the global ARG's value")
    secret: SecretInfo | None = None
    line: int | None = None


class Command(ModelBase):
    """One simple command of a shell script."""

    argv: list[str]
    program: str | None = Field(None, description="Base name of argv[0]: /usr/bin/apt-get gives apt-get")
    operator: Literal["&&", "||", ";", "|", "|&", "&", ";;"] | None = Field(
        None, description="The operator joining this command to the previous one; null for the first"
    )
    text: str = Field(description="argv joined with spaces, for pattern matching; the source text when unparsed")
    assignments: list[dict[str, str]] | None = None
    redirects: list[dict[str, str]] | None = None
    line: int | None = Field(None, description="The line of the file the command starts on, when known")
    depth: int | None = Field(
        None, description="How many levels of sh -c, a heredoc read by a shell, or $(...) enclose the command"
    )
    unparsed: bool | None = Field(
        None, description="The shell parser could not read this line, so text contains it as written and argv is empty"
    )
    package: PackageCall | None = Field(None, description="The package manager call this command makes")


class ImageRef(ModelBase):
    """An image reference split into its parts, with how well it is pinned."""

    raw: str = Field(description="The reference as written, before variable substitution")
    reference: str = Field(description="The reference after substitution")
    registry: str | None = Field(None, description="Registry host with port; null means Docker Hub")
    repository: str | None = Field(None, description="Repository path without registry, tag or digest")
    name: str | None = Field(None, description="Last component of the repository path")
    tag: str | None = None
    digest: str | None = None
    stage: str | None = Field(None, description="Name of the earlier stage this reference points at")
    stage_index: int | None = None
    scratch: bool = False
    unknown: bool = Field(False, description="A build argument without a default decides the reference")
    pinning: Literal["digest", "tag", "latest", "none", "stage", "scratch", "unknown"] = Field(
        description="digest, tag, latest (the tag latest), none (no tag), stage, scratch or unknown"
    )
    error: str | None = Field(None, description="Why Docker would reject the reference")


# Imported last: the package model builds on ModelBase above.
from .packages import PackageCall  # noqa: E402

Command.model_rebuild()

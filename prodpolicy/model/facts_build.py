"""Facts about building: what ships, the variables in effect for a RUN, instruction order and secrets in the source.

Filled by ``prodpolicy/dockerfile/facts/build.py``, which also fills the build
context fields of package calls (``prodpolicy/model/packages.py``). A fact is
present only where it applies: an instruction of a builder stage has no
``shipped``.
"""

from __future__ import annotations

from pydantic import Field

from .base import ModelBase


class PreviousInstruction(ModelBase):
    """The instruction before this one in the stage."""

    keyword: str
    line: int
    same_flags: bool = Field(description="It has the same keyword as this instruction and the same flags")
    command_count: int | None = Field(None, description="RUN: the number of commands it runs, not counting nested scripts")
    destination: str | None = Field(None, description="COPY, ADD: its destination as written")


class SecretToken(ModelBase):
    """A credential of a known shape written in the Dockerfile: its line and kind, never its value."""

    line: int
    kind: str = Field(description="The token shape, such as github-token, url-password or credential-assignment")
    keyword: str | None = Field(None, description="The instruction the line belongs to; null for a comment between instructions")
    stage: int | None = Field(None, description="The index of that instruction's stage")
    shipped: bool | None = Field(None, description="That stage is the target stage or one it is built FROM")


class BuildInstructionFacts(ModelBase):
    """Build facts about one instruction."""

    shipped: bool | None = Field(
        None,
        description="The instruction belongs to the target stage or a stage the target is built FROM, so what it "
        "writes is in the image; absent in builder stages",
    )
    previous: PreviousInstruction | None = Field(None, description="The instruction before this one in the stage")
    env: dict[str, str | None] | None = Field(
        None,
        description="RUN: the ENV and ARG values the commands see, from this stage and the stages it is built FROM; "
        "null for a value a build argument without a default decides",
    )
    extracted_at: int | None = Field(
        None, description="COPY of a local tar archive: the line of a later RUN in the stage that extracts it with tar"
    )
    destination_variables: list[str] | None = Field(
        None,
        description="COPY, ADD: the ENV and ARG variables of the stage whose value is a path this instruction writes, "
        "such as GOOGLE_APPLICATION_CREDENTIALS=/app/key.json",
    )


class BuildStageFacts(ModelBase):
    """Build facts about one stage."""

    shipped: bool | None = Field(
        None, description="The stage is the target stage or one the target is built FROM; absent for builder stages"
    )


class BuildDocumentFacts(ModelBase):
    """Build facts about the whole Dockerfile."""

    secret_tokens: list[SecretToken] | None = Field(
        None, description="Credentials of known shapes anywhere in the source, comments and heredoc bodies included"
    )

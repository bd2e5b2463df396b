"""The Dockerfile part of the document model: directives, stages and instructions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Command, ImageRef, ModelBase, Variable
from .facts_build import BuildDocumentFacts, BuildInstructionFacts, BuildStageFacts
from .facts_structure import StructureDocumentFacts, StructureInstructionFacts, StructureStageFacts
from .runtime import Healthcheck, Port, Process, Runtime, User


class InstructionFacts(BuildInstructionFacts, StructureInstructionFacts):
    """Facts derived about one instruction, for rules to test."""


class StageFacts(BuildStageFacts, StructureStageFacts):
    """Facts derived about one stage, for rules to test."""


class DocumentFacts(BuildDocumentFacts, StructureDocumentFacts):
    """Facts derived about the whole Dockerfile, for rules to test."""


class Directive(ModelBase):
    """A parser directive such as ``# syntax=docker/dockerfile:1``."""

    name: Literal["syntax", "escape", "check"]
    value: str
    line: int


class Flag(ModelBase):
    """A ``--name=value`` flag of an instruction, as written."""

    name: str
    value: str | None = None


class Heredoc(ModelBase):
    """A here-document attached to RUN, COPY or ADD."""

    name: str
    chomp: bool = Field(description="<<- strips leading tabs")
    quoted: bool = Field(description="The delimiter is quoted, so the body is not expanded")
    file_descriptor: int | None = None
    content: str
    line: int = Field(description="First line of the body")
    end_line: int = Field(description="The terminator line")


class Mount(ModelBase):
    """A ``RUN --mount`` option."""

    type: Literal["bind", "cache", "tmpfs", "secret", "ssh"] = "bind"
    id: str | None = None
    target: str | None = None
    source: str | None = None
    from_: str | None = Field(None, alias="from", description="An earlier stage or an image, as written")
    from_stage: int | None = Field(None, description="Index of the stage from names")
    from_image: ImageRef | None = Field(None, description="The image from names, when it names no stage")
    env: str | None = Field(None, description="secret mounts: the environment variable that holds the secret")
    required: bool | None = None
    readonly: bool = Field(description="As Docker decides: true unless rw is set or the type is cache or tmpfs")
    sharing: Literal["shared", "private", "locked"] | None = None
    mode: int | None = Field(None, description="File mode, read from octal")
    uid: int | None = None
    gid: int | None = None
    size: str | None = Field(None, description="tmpfs size as written")
    options: dict[str, str] = Field(default_factory=dict, description="Every option as written, values expanded")


class CopySource(ModelBase):
    """A source of COPY or ADD."""

    path: str = Field(description="The path or URL after substitution; the name for a heredoc")
    kind: Literal["local", "url", "git", "heredoc", "stage", "image"] = Field(
        "local",
        description="local: the build context; url: an HTTP(S) download; git: a repository; heredoc: inline "
        "content; stage or image: the --from source",
    )
    archive: bool = Field(False, description="A local archive that ADD would extract")
    ref: str | None = Field(None, description="git: the branch, tag or commit given with #ref or ?ref=")


class Copy(ModelBase):
    """The meaning of a COPY or ADD instruction."""

    sources: list[CopySource]
    destination: str | None = None
    from_: str | None = Field(None, alias="from", description="--from as written: a stage name, index or image")
    from_stage: int | None = Field(None, description="Index of the stage --from names")
    from_image: ImageRef | None = Field(None, description="The image --from names, when it names no stage")
    chown: str | None = None
    chmod: str | None = None
    link: bool = False
    parents: bool | None = Field(None, description="COPY --parents: keep the parent folders of each source")
    exclude: list[str] | None = Field(None, description="--exclude patterns")
    checksum: str | None = Field(None, description="ADD --checksum")
    keep_git_dir: bool | None = Field(None, description="ADD --keep-git-dir, when given")
    unpack: bool | None = Field(None, description="ADD --unpack, when given")


class Instruction(ModelBase):
    """One instruction with its arguments and, where it has one, its meaning."""

    keyword: str = Field(description="Upper case, as Docker matches it")
    keyword_as_written: str
    line: int
    end_line: int
    original: str = Field(description="The logical line: continuations joined; secrets redacted")
    arguments: list[str] = Field(description="The arguments as Docker splits them, before substitution")
    flags: list[Flag] = Field(default_factory=list)
    form: Literal["exec", "shell"] | None = Field(None, description="For RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK")
    heredocs: list[Heredoc] | None = None
    error: str | None = Field(None, description="Why Docker would reject this instruction")
    warnings: list[str] | None = Field(None, description="What Docker accepts but warns about")
    # Meaning, by keyword.
    image: ImageRef | None = Field(None, description="FROM")
    stage_name: str | None = Field(None, description="FROM ... AS name")
    platform: str | None = Field(None, description="FROM --platform after substitution; as written when a build argument decides it")
    commands: list[Command] | None = Field(
        None,
        description="RUN: the simple commands the build runs, when the script is POSIX shell. What CMD and "
        "ENTRYPOINT start is in runtimes[*].execution",
    )
    shell_error: bool | None = Field(None, description="The shell parser could not read all of the script")
    script_language: str | None = Field(
        None,
        description="Shell-form RUN, CMD, ENTRYPOINT and HEALTHCHECK: posix (parsed into commands), powershell, "
        "cmd, or the interpreter a heredoc's #! line names",
    )
    mounts: list[Mount] | None = Field(None, description="RUN --mount")
    network: str | None = Field(None, description="RUN --network")
    security: str | None = Field(None, description="RUN --security")
    devices: list[str] | None = Field(None, description="RUN --device")
    process: Process | None = Field(None, description="RUN, CMD, ENTRYPOINT: the argv Docker runs, with the SHELL for shell form")
    shell: list[str] | None = Field(None, description="SHELL")
    variables: list[Variable] | None = Field(None, description="ENV, ARG, LABEL")
    legacy_form: bool | None = Field(None, description="ENV or LABEL written as NAME value, without =")
    copy_: Copy | None = Field(None, alias="copy", description="COPY, ADD")
    user: User | None = Field(None, description="USER")
    healthcheck: Healthcheck | None = Field(None, description="HEALTHCHECK")
    ports: list[Port] | None = Field(None, description="EXPOSE")
    path: str | None = Field(None, description="WORKDIR after substitution")
    volumes: list[str] | None = Field(None, description="VOLUME")
    signal: str | None = Field(None, description="STOPSIGNAL")
    maintainer: str | None = Field(None, description="MAINTAINER, deprecated")
    inner: Instruction | None = Field(None, description="ONBUILD: the instruction it defers")
    facts: InstructionFacts | None = None


class Stage(ModelBase):
    """A build stage: a FROM line and the instructions up to the next FROM."""

    index: int
    name: str | None = None
    name_duplicate_of: int | None = Field(
        None,
        description="Index of the nearest earlier stage with the same name (compared in lower case); a later FROM "
        "names this stage",
    )
    line: int
    end_line: int
    base: ImageRef
    platform: str | None = Field(None, description="FROM --platform, as in the FROM instruction")
    parent_stage: int | None = Field(None, description="Index of the stage this one is FROM")
    depends_on: list[int] = Field(default_factory=list, description="Stages used by FROM, COPY --from and RUN --mount from=")
    reachable: bool = Field(description="The target stage depends on this stage, or is this stage")
    final: bool = Field(description="The stage that produces the image")
    instructions: list[Instruction]
    triggers: list[Instruction] | None = Field(
        None, description="The parent stage's ONBUILD instructions, which run before this stage's own"
    )
    user: User = Field(description="Effective user at the end of the stage")
    env: dict[str, Variable] = Field(default_factory=dict, description="ENV in effect at the end of the stage")
    args: list[Variable] = Field(default_factory=list, description="ARGs declared in the stage")
    facts: StageFacts | None = None


class ParseWarning(ModelBase):
    """Something Docker accepts with a warning, such as an empty line inside a continuation."""

    line: int | None
    message: str


class ParseError(ModelBase):
    """An instruction Docker would reject; the rest of the file is still normalized."""

    line: int | None
    message: str


class DockerfileDocument(ModelBase):
    """A Dockerfile, normalized."""

    kind: Literal["dockerfile"] = "dockerfile"
    file: str
    directives: list[Directive] = Field(default_factory=list)
    escape: Literal["\\", "`"] = "\\"
    global_args: list[Variable] = Field(default_factory=list, description="ARGs before the first FROM")
    instructions_before_from: list[Instruction] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list)
    target: str | None = Field(None, description="The stage given as --target, if any")
    final_stage: int | None = None
    runtimes: list[Runtime] = Field(default_factory=list)
    errors: list[ParseError] = Field(default_factory=list, description="Instructions Docker would reject")
    warnings: list[ParseWarning] | None = None
    facts: DocumentFacts | None = None


Instruction.model_rebuild()

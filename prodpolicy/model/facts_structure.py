"""Facts about the structure of a Dockerfile: stages, instruction order, syntax and style.

Filled by the ``structure``, ``variables``, ``style`` and ``dockerignore``
modules of ``prodpolicy/dockerfile/facts/``. A fact is present only where it
applies: an instruction that no later one replaces has no ``overridden_by``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import ModelBase


class ChmodAfterCopy(ModelBase):
    """A ``RUN chmod`` right after COPY or ADD that changes the mode of the files just copied."""

    line: int = Field(description="The line of the RUN instruction")
    mode: str = Field(description="The mode chmod sets, as written")


class StructureInstructionFacts(ModelBase):
    """Structure facts about one instruction."""

    workdir: str | None = Field(
        None, description="The WORKDIR in effect when the instruction runs, set in this stage or the stages it is built FROM"
    )
    resolved_path: str | None = Field(None, description="WORKDIR: the directory it sets, joined with the previous WORKDIR")
    user: str | None = Field(None, description="COPY, ADD, RUN: the USER in effect, as written; null when no USER is set")
    user_is_root: bool | None = Field(
        None, description="COPY, ADD, RUN: the USER in effect is root (also when none is set); null when a build argument decides it"
    )
    base_image: str | None = Field(
        None,
        description="RUN, USER, COPY, ADD: the external image the stage's FROM chain starts from, 'scratch' for an empty one",
    )
    passwd_copied: bool | None = Field(
        None, description="RUN, USER, COPY, ADD: an earlier COPY or ADD of the FROM chain writes /etc/passwd"
    )
    shell_copied: bool | None = Field(
        None, description="RUN: an earlier COPY or ADD of the FROM chain writes into /bin, /usr/bin or the root folder"
    )
    destination_relative: bool | None = Field(
        None, description="COPY, ADD: the destination is a relative path (null when a build argument without a default decides it)"
    )
    chmod_after: ChmodAfterCopy | None = Field(
        None, description="COPY, ADD: the next instruction is a RUN that only changes the mode of the copied files"
    )
    ignored_sources: list[str] | None = Field(
        None, description="COPY, ADD: sources that the build context's .dockerignore excludes"
    )
    source_stage_empty: bool | None = Field(
        None, description="COPY, ADD: --from names a stage built on scratch that never adds a file"
    )
    overridden_by: int | None = Field(
        None, description="CMD, ENTRYPOINT, HEALTHCHECK: the line of a later one in the same stage, which replaces this one"
    )
    created_users: list[str] | None = Field(None, description="RUN: users that useradd or adduser create")
    unused_created_users: list[str] | None = Field(
        None, description="RUN of the shipped stage's FROM chain: created users that the image does not run as"
    )
    dropped_groups: list[str] | None = Field(
        None,
        description="USER name:group: supplementary groups an earlier RUN gave the user, which an explicit group discards",
    )
    undefined_variables: list[str] | None = Field(
        None,
        description="Variables the instruction expands that no ARG or ENV before it defines (FROM: no global ARG); "
        "shell-form RUN, CMD and ENTRYPOINT are left to the shell",
    )
    env_self_references: list[str] | None = Field(
        None, description="ENV: variables a value refers to that the same ENV instruction sets, which it cannot see yet"
    )
    default_reference: str | None = Field(
        None, description="FROM: the image reference when every build argument without a default is empty"
    )
    default_reference_invalid: bool | None = Field(
        None, description="FROM: default_reference is empty or not a valid image reference"
    )
    invalid_json_array: bool | None = Field(
        None, description="The arguments start with [ but are not a JSON array of strings, so Docker reads them as shell form"
    )
    keyword_case_expected: Literal["uppercase", "lowercase"] | None = Field(
        None, description="The keyword mixes cases, or differs from the case most keywords of the file use: the case to use"
    )
    as_case_mismatch: bool | None = Field(None, description="FROM: the AS keyword is not written in the case of FROM")
    empty_continuation_lines: list[int] | None = Field(
        None, description="Empty lines inside the instruction's line continuations"
    )
    description_mismatch: bool | None = Field(
        None, description="FROM ... AS name, ARG: the comment right above does not start with the stage or argument name"
    )
    indent_inconsistent: bool | None = Field(
        None, description="The instruction is indented differently from the first instruction after its stage's FROM"
    )
    runtime_misplaced: bool | None = Field(
        None,
        description="EXPOSE, STOPSIGNAL, HEALTHCHECK, ENTRYPOINT, CMD: a RUN, COPY, ADD or WORKDIR follows it in the stage, "
        "or it comes after one that belongs later in that order",
    )
    chained_command_lines: list[int] | None = Field(
        None, description="RUN: lines where a command chained with &&, || or ; starts on the line of the previous one"
    )
    unsorted_packages: list[str] | None = Field(
        None, description="RUN: package manager commands whose package list is not in alphabetical order"
    )


class LabelEntry(ModelBase):
    """One key a LABEL instruction of the stage sets."""

    name: str
    value: str | None = None
    unknown: bool = Field(False, description="A build argument without a default decides the value")
    line: int
    duplicate: bool = Field(False, description="A later LABEL of the same stage sets the key again")
    adjacent: bool = Field(
        False, description="The first key of a LABEL instruction that directly follows another LABEL instruction"
    )
    out_of_order: bool = Field(False, description="The key sorts before the key set just before it in the stage")


class StructureStageFacts(ModelBase):
    """Structure facts about one stage."""

    registry: str | None = Field(
        None, description="The registry of the base image, docker.io for Docker Hub; null for scratch, a stage or an unknown image"
    )
    base_image: str | None = Field(
        None, description="The external image the FROM chain starts from, 'scratch' for an empty one"
    )
    empty: bool | None = Field(
        None, description="The FROM chain starts at scratch and no COPY, ADD or RUN of it adds a file"
    )
    labels: list[LabelEntry] | None = Field(None, description="The keys the stage's own LABEL instructions set, in order")


class CommentLine(ModelBase):
    """A comment line of the file, outside heredoc bodies."""

    line: int
    text: str = Field(description="The comment without its #, stripped")
    directive: bool = Field(False, description="A parser directive at the top of the file")


class DirectiveProblem(ModelBase):
    """A comment that looks like a parser directive that Docker does not apply."""

    line: int
    text: str = Field(description="The comment without its #")
    problem: Literal["misspelled", "misplaced", "misspelled-value"] = Field(
        description="misspelled: a name close to syntax, escape or check; misplaced: a directive after the top of "
        "the file, which Docker reads as a comment; misspelled-value: a syntax value close to docker/dockerfile"
    )
    expected: str = Field(description="What the comment was probably meant to be")


class Dockerignore(ModelBase):
    """The ignore file of the build context, read beside the Dockerfile."""

    file: str = Field(description="Its path")
    patterns: list[str] = Field(description="The patterns, cleaned as BuildKit reads them")
    exclusions: bool = Field(description="Some patterns start with !, so sources are not checked against it, as in BuildKit")


class SourceLine(ModelBase):
    """A line of the file that a style fact points at."""

    line: int


class BlankLines(ModelBase):
    """A run of consecutive empty lines."""

    line: int = Field(description="The first empty line")
    count: int


class StructureDocumentFacts(ModelBase):
    """Structure facts about the whole Dockerfile."""

    comments: list[CommentLine] | None = None
    directive_problems: list[DirectiveProblem] | None = None
    dockerignore: Dockerignore | None = None
    line_count: int | None = Field(None, description="Physical lines of the file")
    final_newline: bool | None = Field(None, description="The file ends with a newline")
    keyword_case: Literal["uppercase", "lowercase"] | None = Field(
        None, description="The case most instruction keywords are written in"
    )
    trailing_whitespace: list[SourceLine] | None = Field(None, description="Lines outside heredoc bodies ending in spaces or tabs")
    blank_line_runs: list[BlankLines] | None = Field(None, description="Runs of two or more empty lines")
    multiple_spaces: list[SourceLine] | None = Field(
        None, description="Lines with two or more spaces in a row inside an instruction, outside quotes and indentation"
    )

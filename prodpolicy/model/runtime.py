"""The runtime view: what would run, the same shape for every input kind.

A Dockerfile's final stage, a compose service and an image config each fill one
:class:`Runtime`, so a rule such as "runs as root" is written once.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Command, ImageRef, ModelBase, Variable


class Subject(ModelBase):
    """What the runtime view describes."""

    kind: Literal["stage", "service", "image"]
    name: str


class User(ModelBase):
    """The user a container runs as."""

    raw: str | None = Field(None, description="The user as written; null when nothing sets it")
    user: str | None = Field(None, description="User name or uid after substitution")
    group: str | None = None
    uid: int | None = None
    gid: int | None = None
    is_root: bool | None = Field(description="True for root, 0, 0:0, root:root and an unset user; null when unknown")
    source: Literal["instruction", "default", "inherited", "compose", "config", "unset"] = Field(
        description="instruction: a USER line; default: nothing sets it, so root; inherited: from an earlier "
        "stage; compose: a service's user key; config: an image config; unset: left to the image"
    )
    unknown: bool = False


class Healthcheck(ModelBase):
    """The health check in effect."""

    state: Literal["configured", "disabled", "absent"] = Field(
        description="configured: a test runs; disabled: HEALTHCHECK NONE, test NONE or disable: true; absent: none declared"
    )
    source: Literal["instruction", "inherited", "compose", "build", "config", "default"] | None = Field(
        None,
        description="Where the state comes from; build: a compose service without a health check of its own, "
        "built from a Dockerfile whose HEALTHCHECK decides",
    )
    test: list[str] | None = Field(None, description="The test in Docker's form: CMD or CMD-SHELL first")
    form: Literal["exec", "shell"] | None = None
    commands: list[Command] | None = None
    interval: float | None = Field(None, description="Seconds")
    timeout: float | None = Field(None, description="Seconds")
    start_period: float | None = Field(None, description="Seconds")
    start_interval: float | None = Field(None, description="Seconds")
    retries: int | None = None


class Process(ModelBase):
    """A command as set by CMD, ENTRYPOINT, a compose command or an image config."""

    form: Literal["exec", "shell"]
    argv: list[str] = Field(description="The argv Docker runs; shell form is wrapped in the shell")
    script: str | None = Field(None, description="For shell form: the script text")


class Execution(ModelBase):
    """What the container starts: entrypoint and command combined, and the commands inside."""

    argv: list[str]
    commands: list[Command] = Field(
        description="The simple commands this starts: the argv itself, sh -c scripts and wrapped programs "
        "(tini --, dumb-init, gosu, exec, an entrypoint script's arguments)"
    )


class Port(ModelBase):
    """A container port, or a range of them."""

    port: int | None = Field(None, description="Container port; null when a variable decides it")
    end_port: int | None = None
    protocol: Literal["tcp", "udp", "sctp"] = "tcp"
    raw: str


class Runtime(ModelBase):
    """One container as it would run."""

    subject: Subject
    base: ImageRef | None = Field(None, description="The external image the container starts from")
    user: User
    healthcheck: Healthcheck
    entrypoint: Process | None = None
    cmd: Process | None = None
    execution: Execution | None = None
    env: dict[str, Variable] = Field(default_factory=dict)
    labels: dict[str, Variable] = Field(default_factory=dict)
    ports: list[Port] = Field(default_factory=list)
    workdir: str | None = None
    stop_signal: str | None = None
    volumes: list[str] = Field(default_factory=list)
    shell: list[str] | None = None

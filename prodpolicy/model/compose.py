"""The compose part of the document model: the merged project and each service, normalized."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import ImageRef, ModelBase, SecretInfo, Variable
from .runtime import Healthcheck, Process, Runtime, User


class ComposeVariable(Variable):
    """A variable from a service's ``environment`` or one of its env files."""

    source: Literal["environment", "env_file"] = "environment"
    file: str | None = Field(None, description="The env file that sets it")
    secret_in_file: bool | None = Field(
        None,
        description="The credential is written in the file (a literal or a ${VAR:-default} default); "
        "false when only the interpolation environment supplies it",
    )


class EnvFile(ModelBase):
    """An ``env_file`` entry and the variables read from it."""

    path: str
    required: bool = True
    format: str | None = None
    found: bool | None = Field(None, description="The file exists; null when the input was not read from disk")
    location: str | None = Field(None, description="The file's name in reports, where its variables' findings point")
    variables: dict[str, ComposeVariable] = Field(default_factory=dict)
    credentials: list[str] = Field(
        default_factory=list, description="Names of the variables whose value is a credential written in the file"
    )
    ignored: bool | None = Field(
        None,
        description="The .gitignore files from the repository root down to the file's folder exclude it; "
        "null when the file was not read",
    )


ScalarStyle = Literal["plain", "single", "double", "literal", "folded"]


class PublishedPort(ModelBase):
    """A ``ports`` entry, short or long syntax."""

    raw: str | None = Field(None, description="The short syntax as written; null for long syntax")
    host_ip: str | None = Field(None, description="Host address; null publishes on every interface")
    published: str | None = Field(None, description="Host port or range such as 8000-8010; null for a random port")
    target: int | None = Field(None, description="Container port; null when a variable decides it")
    target_end: int | None = Field(None, description="Last container port of a range")
    protocol: Literal["tcp", "udp", "sctp"] | str = "tcp"
    mode: str = "ingress"
    name: str | None = None
    app_protocol: str | None = None
    unknown: bool = False
    all_interfaces: bool | None = Field(
        None, description="Published on every host interface (no host IP, 0.0.0.0 or ::); null when a variable decides it"
    )
    published_port: int | None = Field(None, description="First host port as a number; null for a random port or a variable")
    published_end: int | None = Field(None, description="Last host port of a range")
    also_published_by: list[str] = Field(
        default_factory=list,
        description="Earlier entries of the project that publish an overlapping host port with the same protocol "
        "on an overlapping address, as SERVICE (PORT); Docker can bind only the first",
    )
    style: ScalarStyle | None = Field(None, description="How the short-syntax entry is written in YAML; null for long syntax")


class Mount(ModelBase):
    """A ``volumes`` or ``tmpfs`` entry, short or long syntax."""

    raw: str | None = Field(None, description="The short syntax as written; null for long syntax")
    type: Literal["bind", "volume", "tmpfs", "npipe", "cluster", "image"] | str
    source: str | None = Field(None, description="Host path or volume name as written; null for an anonymous volume")
    target: str
    host_path: str | None = Field(None, description="For a bind mount: the host path, resolved and normalized")
    read_only: bool = False
    unknown: bool = False
    create_host_path: bool | None = None
    propagation: str | None = None
    selinux: str | None = None
    nocopy: bool | None = None
    subpath: str | None = None
    consistency: str | None = None
    tmpfs_size: str | None = None
    tmpfs_mode: Any = None
    options: str | None = Field(None, description="tmpfs options such as size=64m,mode=1777")
    shared_with: list[str] = Field(
        default_factory=list, description="For a named volume: the other running services that mount the same volume"
    )
    shared_writable_with: list[str] = Field(
        default_factory=list, description="Of shared_with, the services that mount the volume writable"
    )
    style: ScalarStyle | None = Field(None, description="How the short-syntax entry is written in YAML; null for long syntax")


class Device(ModelBase):
    """A ``devices`` entry."""

    raw: str | None = None
    source: str
    target: str
    permissions: str = "rwm"


class Capability(ModelBase):
    """A ``cap_add`` or ``cap_drop`` entry."""

    name: str = Field(description="Upper case without the CAP_ prefix, such as SYS_ADMIN")
    raw: str


class HostNamespace(ModelBase):
    """A namespace the service shares with the host."""

    namespace: Literal["network", "pid", "ipc", "uts", "user", "cgroup"]
    key: str = Field(description="The service key that shares it, such as network_mode")
    value: str


class RestartPolicy(ModelBase):
    """The restart policy in effect."""

    policy: Literal["no", "always", "on-failure", "unless-stopped"] | None = Field(
        description="In docker run terms; no when nothing sets it (Docker's default); null when a variable decides it"
    )
    source: Literal["restart", "deploy", "unset"] = Field(
        description="restart: the restart key; deploy: deploy.restart_policy, which wins when both are set; unset: neither"
    )
    raw: str | None = None
    max_retries: int | None = None
    unknown: bool = False


class Build(ModelBase):
    """The ``build`` section."""

    model_config = {"extra": "allow"}

    context: str | None
    dockerfile: str | None = None
    args: dict[str, str | None] = Field(default_factory=dict)
    target: str | None = None
    secrets: list[str] = Field(default_factory=list)


class Logging(ModelBase):
    """The ``logging`` section."""

    driver: str | None = None
    options: dict[str, str | None] = Field(default_factory=dict)


class FileReference(ModelBase):
    """A service's ``secrets`` or ``configs`` entry."""

    source: str
    target: str
    uid: str | None = None
    gid: str | None = None
    mode: str | None = None


class ResourceLimits(ModelBase):
    """The resource limits in effect, from deploy.resources.limits (which wins) or the service keys."""

    memory: int | None = Field(None, description="Memory limit in bytes (deploy limits, mem_limit); null when none is set")
    cpus: float | None = Field(
        None, description="CPU limit in CPUs (deploy limits, cpus, or cpu_quota / cpu_period); null when none is set"
    )
    pids: int | None = Field(
        None, description="Process limit (deploy limits, pids_limit); null when none is set or it is 0 or -1 (unlimited)"
    )
    unknown: bool = Field(False, description="A variable without a value decides one of the limits")


class InlineCredential(ModelBase):
    """A credential written into a service's command, entrypoint or health check test."""

    key: Literal["command", "entrypoint", "healthcheck"]
    name: str = Field(description="The option or variable that carries it, such as --password or PGPASSWORD")
    reason: str = Field(description="Why the value is taken for a credential: key-name, token:<kind> or entropy")
    secret_in_file: bool = Field(
        True, description="Always true: the value is written in the compose file (the same field as for variables)"
    )


class OrderProblem(ModelBase):
    """The first item that breaks an order: ``item`` is written after ``after`` but belongs before it."""

    item: str
    after: str


class ServiceLayout(ModelBase):
    """The written order of a service's keys and lists, for style rules; a null field is in order."""

    keys: OrderProblem | None = Field(
        None,
        description="A key out of the conventional group order: image and build, dependencies, storage and "
        "configuration, environment, networking, process, health and metadata, privileges and resources",
    )
    depends_on: OrderProblem | None = Field(None, description="A depends_on entry out of alphabetical order")
    ports: OrderProblem | None = Field(None, description="A ports entry out of numeric order of its host (else container) port")


class ProjectLayout(ModelBase):
    """The written order of the primary file's top level, for style rules; a null field is in order."""

    keys: OrderProblem | None = Field(
        None,
        description="A top-level key out of the conventional order: x- extensions, version, name, include, "
        "services, networks, volumes, secrets, configs, models",
    )
    services: OrderProblem | None = Field(None, description="A service out of alphabetical order")


class Dependency(ModelBase):
    """A ``depends_on`` entry."""

    condition: str = "service_started"
    required: bool = True
    restart: bool | None = None


class Service(ModelBase):
    """One service, normalized."""

    name: str
    active: bool = Field(description="False for a service whose profiles are all inactive: it does not run")
    profiles: list[str] = Field(default_factory=list)
    image: ImageRef | None = None
    build: Build | None = None
    user: User
    command: Process | None = None
    entrypoint: Process | None = None
    healthcheck: Healthcheck
    environment: dict[str, ComposeVariable] = Field(default_factory=dict)
    env_files: list[EnvFile] = Field(default_factory=list)
    labels: dict[str, str | None] = Field(default_factory=dict)
    ports: list[PublishedPort] = Field(default_factory=list)
    expose: list[str] = Field(default_factory=list)
    volumes: list[Mount] = Field(default_factory=list)
    tmpfs: list[Mount] = Field(default_factory=list)
    devices: list[Device] = Field(default_factory=list)
    restart: RestartPolicy
    privileged: bool | None = Field(False, description="null when a variable decides it")
    read_only: bool | None = False
    init: bool | None = False
    cap_add: list[Capability] = Field(default_factory=list)
    cap_drop: list[Capability] = Field(default_factory=list)
    security_opt: list[str] = Field(default_factory=list)
    no_new_privileges: bool = Field(False, description="security_opt sets no-new-privileges")
    host_namespaces: list[HostNamespace] = Field(default_factory=list)
    network_mode: str | None = None
    pid: str | None = None
    ipc: str | None = None
    uts: str | None = None
    userns_mode: str | None = None
    cgroup: str | None = None
    working_dir: str | None = None
    stop_signal: str | None = None
    container_name: str | None = Field(None, description="null when unset or when a variable without a value decides it")
    container_name_shared_with: list[str] = Field(
        default_factory=list, description="Earlier running services with the same container_name"
    )
    resources: ResourceLimits = Field(default_factory=ResourceLimits)
    inline_credentials: list[InlineCredential] = Field(
        default_factory=list, description="Credentials written as options or assignments in command, entrypoint or healthcheck"
    )
    layout: ServiceLayout = Field(default_factory=ServiceLayout)
    networks: dict[str, Any] = Field(default_factory=dict)
    depends_on: dict[str, Dependency] = Field(default_factory=dict)
    secrets: list[FileReference] = Field(default_factory=list)
    configs: list[FileReference] = Field(default_factory=list)
    logging: Logging | None = None
    extensions: dict[str, Any] = Field(default_factory=dict, description="x- keys of the service")
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Other compose keys (deploy, mem_limit, ulimits...) as compose read them"
    )


class InterpolationVariable(ModelBase):
    """A variable the compose files refer to."""

    name: str
    set: bool = Field(description="The interpolation environment sets it")


class ComposeDocument(ModelBase):
    """A compose project: its files merged, interpolated and normalized."""

    kind: Literal["compose"] = "compose"
    file: str
    files: list[str] = Field(description="The compose files merged, in order")
    name: str | None = Field(None, description="Project name")
    name_source: Literal["name", "environment", "folder", "unset"] = Field(
        "unset",
        description="What sets the project name: the top-level name key, COMPOSE_PROJECT_NAME, the folder of the "
        "primary file, or nothing (the input was not read from disk)",
    )
    version: str | None = Field(None, description="The obsolete top-level version key as written; compose ignores it")
    layout: ProjectLayout = Field(default_factory=ProjectLayout)
    profiles: list[str] = Field(default_factory=list, description="Active profiles")
    services: dict[str, Service] = Field(default_factory=dict, description="The services that run under the active profiles")
    inactive_services: dict[str, Service] = Field(
        default_factory=dict, description="Services whose profiles are all inactive: normalized, but not evaluated by the bundled rules"
    )
    networks: dict[str, Any] = Field(default_factory=dict)
    volumes: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, Any] = Field(default_factory=dict)
    configs: dict[str, Any] = Field(default_factory=dict)
    extensions: dict[str, Any] = Field(default_factory=dict, description="Top-level x- keys")
    variables: list[InterpolationVariable] = Field(default_factory=list)
    runtimes: list[Runtime] = Field(default_factory=list, description="One entry per active service")


__all__ = ["ComposeDocument", "ComposeVariable", "SecretInfo", "Service"]

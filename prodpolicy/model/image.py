"""The image part of the document model: one built image, read from its config.

The config comes from ``docker inspect`` output, an OCI image config file, a
``docker save`` archive or an OCI image layout (a folder or a tar). Each image
of an archive, and each platform of a multi-platform index, is one document.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import ImageRef, ModelBase, SecretInfo, Variable
from .dockerfile import Instruction
from .runtime import Runtime


class Platform(ModelBase):
    """The platform an image is built for."""

    os: str | None = None
    architecture: str | None = None
    variant: str | None = Field(None, description="CPU variant, such as v8 for arm64")
    os_version: str | None = Field(None, description="Windows images: the required OS build")


class Layer(ModelBase):
    """One filesystem layer, in order from the base."""

    index: int
    digest: str | None = Field(None, description="Digest of the layer blob as stored; null in docker inspect output")
    diff_id: str | None = Field(None, description="Digest of the uncompressed layer, from the config's rootfs")
    size: int | None = Field(None, description="Bytes of the layer blob as stored (compressed in registry layouts)")
    media_type: str | None = None


class HistoryEntry(ModelBase):
    """One build step from the config's history, with its Dockerfile meaning where it has one."""

    index: int
    created: str | None = None
    created_by: str | None = Field(None, description="The step as the builder recorded it; secrets redacted")
    author: str | None = None
    comment: str | None = None
    empty_layer: bool = Field(description="The step changed only the config and added no layer")
    layer: int | None = Field(None, description="Index in `layers` of the layer this step added")
    rootfs: bool = Field(
        False, description="The step is the image's first layer and an ADD into /: the base image's root file system"
    )
    builder: Literal["buildkit", "classic"] | None = Field(
        None, description="buildkit: BuildKit's history format; classic: the legacy builder's /bin/sh -c #(nop) format"
    )
    instruction: Instruction | None = Field(
        None,
        description="created_by read as a Dockerfile instruction (line: the line of the entry in the config JSON); "
        "null for steps that are not one, such as docker commit or a base image's comment",
    )
    build_args: list[Variable] = Field(
        default_factory=list, description="Build arguments a RUN step recorded in front of its command (|2 A=1 B=2)"
    )
    secret: SecretInfo | None = Field(
        None, description="Set when the step contains a secret: a build argument, an ENV or LABEL value, or a token in the text"
    )


class SetuidFile(ModelBase):
    """A file that runs with its owner's or group's privileges: the setuid or setgid bit."""

    path: str = Field(description="Absolute path inside the image (as written in the chmod for history)")
    mode: str = Field(description="Octal permission bits such as 4755, or the symbolic mode of a chmod such as u+s")
    setuid: bool
    setgid: bool
    source: Literal["layer", "history"] = Field(
        description="layer: found in the final filesystem of the layers; history: set by a chmod in a RUN step"
    )
    layer: int | None = Field(None, description="Index of the layer that last wrote the file")
    history: int | None = Field(None, description="Index of the history entry whose chmod set the bit")


class NotableFile(ModelBase):
    """A file or folder of the final filesystem whose name marks it as a secret or as a build leftover."""

    path: str = Field(description="Absolute path inside the image; for a folder such as .git, the folder itself")
    type: Literal["file", "directory", "symlink"]
    size: int | None = Field(None, description="Bytes, for files")
    layer: int = Field(description="Index of the layer that last wrote it")
    secret: SecretInfo | None = Field(
        None,
        description="Set when the start of the file contains a credential: a private key (private-key), a known "
        "token shape (token:<kind>) or a value under a credential name (key-name)",
    )


class Account(ModelBase):
    """A user of /etc/passwd or a group of /etc/group. Passwords are never stored, only their state."""

    kind: Literal["user", "group"]
    name: str
    id: int = Field(description="The uid of a user, the gid of a group")
    line: int = Field(description="The line in /etc/passwd or /etc/group")
    duplicate: Literal["id", "name", "name and id"] | None = Field(
        None, description="What this entry shares with an earlier entry of the same file; null when nothing"
    )
    duplicate_of: str | None = Field(None, description="That earlier entry, as NAME (id ID, line N)")
    gid: int | None = Field(None, description="A user's primary group")
    home: str | None = None
    shell: str | None = None
    password: Literal["empty", "locked", "set", "unknown"] | None = Field(
        None,
        description="A user's password: empty (anyone may log in without one), locked (! or *), set, or unknown "
        "(passwd points at /etc/shadow, which the image lacks or was not read)",
    )


class Accounts(ModelBase):
    """The account files of the final filesystem."""

    users: list[Account] = Field(default_factory=list)
    groups: list[Account] = Field(default_factory=list)
    shadow: bool = Field(description="/etc/shadow exists and was read")


class Filesystem(ModelBase):
    """Whether the layers of an archive were read for the facts that need file modes."""

    scanned: bool = Field(description="Every layer was read; false when one is missing, damaged or in an unreadable format")
    note: str | None = Field(None, description="Why the scan is incomplete")


class ImageDocument(ModelBase):
    """One image, normalized from its config and, for archives, its manifest and layers."""

    kind: Literal["image"] = "image"
    file: str
    format: Literal["docker-inspect", "oci-config", "docker-archive", "oci-layout", "oci-archive"] = Field(
        description="docker-inspect: docker or podman inspect output; oci-config: an image config file; "
        "docker-archive: docker save output; oci-layout: an OCI image layout folder; oci-archive: one as a tar"
    )
    subject: str = Field(description="The tag, digest or platform that names this image in reports")
    id: str | None = Field(None, description="Image ID: the digest of the config")
    manifest_digest: str | None = None
    repo_tags: list[str] = Field(default_factory=list)
    repo_digests: list[str] = Field(default_factory=list)
    references: list[ImageRef] = Field(default_factory=list, description="The repository tags and reference names, parsed")
    platform: Platform = Field(default_factory=Platform)
    created: str | None = None
    author: str | None = None
    comment: str | None = None
    docker_version: str | None = None
    size: int | None = Field(None, description="Bytes: the size docker inspect reports, or the sum of the layer blobs")
    layer_count: int | None = Field(None, description="Number of layers; null when the input does not list them")
    layers: list[Layer] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)
    annotations: dict[str, str] = Field(default_factory=dict, description="Annotations of the manifest and its descriptor")
    onbuild: list[str] = Field(default_factory=list, description="ONBUILD triggers that run when another image builds FROM this one")
    filesystem: Filesystem | None = Field(None, description="Null when the input has no layers (inspect output, a config file)")
    setuid_files: list[SetuidFile] = Field(
        default_factory=list,
        description="From the layers when they were all read; otherwise from chmod commands in the history",
    )
    files: list[NotableFile] = Field(
        default_factory=list,
        description="Notable files of the final filesystem, from the layers: secrets, version control folders, "
        "caches and build files, chosen by name (see prodpolicy/image/notable.py); empty without layers",
    )
    accounts: Accounts | None = Field(
        None, description="Users and groups from the layers' /etc/passwd and /etc/group; null without layers or /etc/passwd"
    )
    runtimes: list[Runtime] = Field(default_factory=list)

"""One image found in an input, before it becomes a document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..document import Location, Path

ImageFormat = Literal["docker-inspect", "oci-config", "docker-archive", "oci-layout", "oci-archive"]


@dataclass
class ImageInput:
    """An image config with the facts the input gives around it: tags, manifest, platform and layers.

    ``style`` is the spelling of the config's keys: ``inspect`` for docker inspect
    output (``Config``, ``Os``, ``RootFS``), ``oci`` for an image config
    (``config``, ``os``, ``rootfs``). ``locations`` contains the positions of the
    JSON the config was read from, and ``prefix`` is the path of the config
    object inside it; for a blob inside an archive the positions are those of
    the blob, which has no lines in the input file, so ``file_positions`` is False.
    """

    format: ImageFormat
    style: Literal["inspect", "oci"]
    config: dict[str, Any]
    prefix: Path = ()
    locations: dict[Path, Location] = field(default_factory=dict)
    file_positions: bool = True
    id: str | None = None
    manifest_digest: str | None = None
    repo_tags: list[str] = field(default_factory=list)
    repo_digests: list[str] = field(default_factory=list)
    # org.opencontainers.image.ref.name and io.containerd.image.name: a tag or a full reference.
    ref_names: list[str] = field(default_factory=list)
    platform: dict[str, Any] | None = None
    # True for one platform of a multi-platform index: its name then carries the platform.
    one_of_platforms: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    # Layer descriptors from the manifest: digest, size and media type.
    layers: list[dict[str, Any]] = field(default_factory=list)
    filesystem: dict[str, Any] | None = None
    # Setuid and setgid files of the final filesystem, when the layers were read.
    setuid_files: list[dict[str, Any]] = field(default_factory=list)
    # Notable files and the users and groups of the final filesystem, when the layers were read.
    files: list[dict[str, Any]] = field(default_factory=list)
    accounts: dict[str, Any] | None = None
    subject: str | None = None

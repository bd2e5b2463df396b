"""Split image references the way Docker's reference grammar does.

``registry.example.internal:5000/team/app:1.2@sha256:...`` splits into a
registry host (with its port), a repository path, a tag and a digest. The first
path component is a registry only when it contains a dot or a colon, or is
``localhost``; so ``localhost:5000/app`` has no tag, while ``app:5000`` has the
tag ``5000``. Docker Hub is the registry when none is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"

_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$")
_HOST = re.compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$")


@dataclass(frozen=True, slots=True)
class ImageReference:
    """The parts of one image reference; ``error`` is set when Docker would reject it."""

    reference: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None
    error: str | None = None

    @property
    def name(self) -> str:
        """The last path component, such as ``node`` in ``docker.io/library/node``."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def pinning(self) -> str:
        """How well the reference pins one image: ``digest``, ``tag``, ``latest`` or ``none``."""
        if self.digest:
            return "digest"
        if self.tag is None:
            return "none"
        return "latest" if self.tag == "latest" else "tag"

    def fields(self) -> dict[str, str | None]:
        """Return the parts the document model records for a reference, with ``error`` only when set."""
        fields = {
            "registry": self.registry,
            "repository": self.repository,
            "name": self.name,
            "tag": self.tag,
            "digest": self.digest,
        }
        if self.error:
            fields["error"] = self.error
        fields["pinning"] = self.pinning
        return fields

    @property
    def full_repository(self) -> str:
        """The repository with its registry, Docker Hub's ``library/`` included."""
        registry = self.registry or DOCKER_HUB
        repository = self.repository
        if registry == DOCKER_HUB and "/" not in repository:
            repository = f"library/{repository}"
        return f"{registry}/{repository}"


def parse_image_reference(reference: str) -> ImageReference:
    """Split ``reference`` into registry, repository, tag and digest."""
    remainder = reference
    digest = None
    if "@" in remainder:
        remainder, digest = remainder.split("@", 1)

    tag = None
    last_slash = remainder.rfind("/")
    last_colon = remainder.rfind(":")
    if last_colon > last_slash:
        remainder, tag = remainder[:last_colon], remainder[last_colon + 1 :]

    registry = None
    first, separator, rest = remainder.partition("/")
    if separator and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry, remainder = first, rest

    parsed = ImageReference(reference, registry, remainder, tag, digest)
    error = _validate(parsed)
    if error:
        return ImageReference(reference, registry, remainder, tag, digest, error)
    return parsed


def _validate(reference: ImageReference) -> str | None:
    if not reference.repository:
        return "the image reference has no repository name"
    if reference.registry is not None and not _HOST.match(reference.registry):
        return f"invalid registry host {reference.registry!r}"
    for component in reference.repository.split("/"):
        if not _COMPONENT.match(component):
            if component.lower() != component:
                return "the repository name must be lowercase"
            return f"invalid repository name component {component!r}"
    if reference.tag is not None and not _TAG.match(reference.tag):
        return f"invalid tag {reference.tag!r}"
    if reference.digest is not None and not _DIGEST.match(reference.digest):
        return f"invalid digest {reference.digest!r}"
    return None

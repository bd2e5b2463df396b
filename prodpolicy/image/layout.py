"""Find the images in a docker save archive or an OCI image layout.

docker save writes ``manifest.json``: a list with one entry per image, each
naming its config and layers by path and listing its tags. An OCI image layout
has ``index.json``, whose descriptors point by digest at image manifests or at
further indexes with one manifest per platform. Each manifest points at a
config and its layers. docker save from Docker 25 on writes both files, and
its ``manifest.json`` is read because it lists the tags.

Each image becomes one :class:`ImageInput`. A broken image (a manifest or
config blob that is missing, damaged or not JSON) is an error of its own, and
the other images of the input are still read. Attestation manifests, which
BuildKit stores next to the images, and artifacts whose config is not an image
config (signatures, charts) are not images and are left out.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..errors import InputError, InvalidInput
from .blobs import BlobError, BlobStore, blob_name, check_digest, sha256_digest, verify
from .inputs import ImageFormat, ImageInput
from .jsonload import JSONData, JSONError, load_json

_INDEX_TYPES = frozenset(
    {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"}
)
_MANIFEST_TYPES = frozenset(
    {"application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"}
)
_CONFIG_TYPES = frozenset({"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"})
_REF_NAME = "org.opencontainers.image.ref.name"
_CONTAINERD_NAME = "io.containerd.image.name"
# Nested indexes deeper than this are not written by any tool; the limit also stops loops.
_MAX_INDEX_DEPTH = 4
_HEX_NAME = re.compile(r"(?:^|/)([0-9a-f]{64})(?:\.json)?$")


def read_images(store: BlobStore, file: str, folder: bool) -> tuple[list[ImageInput], list[InputError]]:
    """Return the images of an archive or layout folder, and the errors of images that could not be read.

    A folder is read as an OCI image layout; an archive as docker save output
    when it has ``manifest.json``, else as an OCI layout. Raises
    :class:`InvalidInput` when no image can be read at all.
    """
    if not folder and store.exists("manifest.json"):
        reader: _Reader = _DockerArchive(store, file)
    elif store.exists("index.json"):
        reader = _OCILayout(store, file, "oci-layout" if folder else "oci-archive")
    else:
        raise InvalidInput(
            InputError(
                file,
                "neither manifest.json (docker save) nor index.json (OCI image layout) is in the archive; "
                "pass the output of docker save or an OCI image layout",
            )
        )
    reader.read()
    if not reader.images:
        first = replace(reader.errors[0], fatal=True) if reader.errors else InputError(file, reader.empty_message)
        raise InvalidInput(first)
    name_subjects(reader.images)
    return reader.images, reader.errors


class _Reader:
    empty_message = "the input lists no images"

    def __init__(self, store: BlobStore, file: str) -> None:
        self.store = store
        self.file = file
        self.images: list[ImageInput] = []
        self.errors: list[InputError] = []

    def read(self) -> None:
        raise NotImplementedError

    def load(self, name: str, digest: str | None = None) -> JSONData:
        content = self.store.read(name)
        if digest is not None:
            verify(content, digest, name)
        return _parse(content, name)

    def fail(self, message: str) -> None:
        self.errors.append(InputError(self.file, message, fatal=False))

    def top(self, name: str) -> JSONData:
        """Load a file the whole input depends on; its failure is the input's error."""
        try:
            return self.load(name)
        except BlobError as error:
            raise InvalidInput(InputError(self.file, str(error))) from None


class _DockerArchive(_Reader):
    empty_message = "manifest.json lists no images"

    def read(self) -> None:
        manifest = self.top("manifest.json").data
        if not isinstance(manifest, list) or not all(isinstance(entry, dict) for entry in manifest):
            raise InvalidInput(InputError(self.file, "manifest.json is not a list of image entries; the archive is damaged"))
        for number, entry in enumerate(manifest, start=1):
            tags = _strings(entry.get("RepoTags"))
            try:
                self.images.append(self.image(entry, tags))
            except BlobError as error:
                named = f" ({', '.join(tags)})" if tags else ""
                self.fail(f"image {number} of manifest.json{named} was not evaluated: {error}")

    def image(self, entry: dict[str, Any], tags: list[str]) -> ImageInput:
        config_name = entry.get("Config")
        if not isinstance(config_name, str) or not config_name:
            raise BlobError("its Config entry is missing or not a path")
        if not self.store.exists(config_name):
            raise BlobError(f"manifest.json names the config {config_name}, which is missing from the archive")
        content = self.store.read(config_name)
        named = _HEX_NAME.search(config_name)
        if named is not None:
            verify(content, f"sha256:{named.group(1)}", config_name)
        config = _parse(content, config_name)
        if not isinstance(config.data, dict):
            raise BlobError(f"the config {config_name} is not a JSON object")
        layers = []
        for path in _strings(entry.get("Layers")):
            layer_hex = _HEX_NAME.search(path)
            layers.append(
                {
                    "blob": path,
                    "digest": f"sha256:{layer_hex.group(1)}" if layer_hex and path.startswith("blobs/") else None,
                    "size": self.store.size(path),
                    "media_type": None,
                }
            )
        return ImageInput(
            format="docker-archive",
            style="oci",
            config=config.data,
            locations=config.locations,
            file_positions=False,
            id=sha256_digest(content),
            repo_tags=tags,
            layers=layers,
        )


class _OCILayout(_Reader):
    empty_message = "index.json lists no image manifests"

    def __init__(self, store: BlobStore, file: str, form: ImageFormat) -> None:
        super().__init__(store, file)
        self.form = form

    def read(self) -> None:
        if self.store.exists("oci-layout"):
            marker = self.top("oci-layout").data
            version = marker.get("imageLayoutVersion") if isinstance(marker, dict) else None
            if not isinstance(version, str) or not version.startswith("1."):
                raise InvalidInput(
                    InputError(self.file, f"oci-layout gives imageLayoutVersion {version!r}; only version 1.x layouts are known")
                )
        index = self.top("index.json").data
        if not isinstance(index, dict) or not isinstance(index.get("manifests"), list):
            raise InvalidInput(InputError(self.file, "index.json has no manifests list; the layout is damaged"))
        for descriptor in index["manifests"]:
            names = _ref_names(descriptor)
            try:
                self.descriptor(descriptor, names, 0)
            except BlobError as error:
                self.fail(f"the image {names[0] if names else _digest_text(descriptor)} in index.json was not evaluated: {error}")

    def descriptor(self, descriptor: Any, names: list[str], depth: int) -> None:
        if not isinstance(descriptor, dict):
            raise BlobError("a manifests entry is not an object")
        if _attestation(descriptor):
            return
        annotations = _annotations(descriptor)
        platform = descriptor.get("platform") if isinstance(descriptor.get("platform"), dict) else None
        digest = check_digest(descriptor.get("digest"))
        name = blob_name(digest)
        if not self.store.exists(name):
            raise BlobError(f"the manifest {digest} is missing from the layout")
        loaded = self.load(name, digest)
        if not isinstance(loaded.data, dict):
            raise BlobError(f"{name} is not a JSON object")
        media_type = descriptor.get("mediaType") or loaded.data.get("mediaType")
        if media_type in _INDEX_TYPES or (media_type is None and "manifests" in loaded.data):
            self.index(loaded.data, names, depth + 1)
        elif media_type in _MANIFEST_TYPES or (media_type is None and "config" in loaded.data):
            self.manifest(loaded.data, digest, names, platform, annotations)
        else:
            raise BlobError(f"the descriptor {digest} has the media type {media_type!r}, not an image manifest or index")

    def index(self, index: dict[str, Any], names: list[str], depth: int) -> None:
        if depth > _MAX_INDEX_DEPTH:
            raise BlobError(f"indexes nest deeper than {_MAX_INDEX_DEPTH} levels")
        manifests = index.get("manifests")
        if not isinstance(manifests, list):
            raise BlobError("an image index has no manifests list")
        first = len(self.images)
        platforms = [descriptor for descriptor in manifests if not _attestation(descriptor)]
        for descriptor in manifests:
            try:
                self.descriptor(descriptor, names, depth)
            except BlobError as error:
                label = names[0] if names else _digest_text(descriptor)
                self.fail(f"the platform {_platform_text(descriptor)} of {label} was not evaluated: {error}")
        if len(platforms) > 1:
            for image in self.images[first:]:
                image.one_of_platforms = True

    def manifest(
        self,
        manifest: dict[str, Any],
        digest: str,
        names: list[str],
        platform: dict[str, Any] | None,
        annotations: dict[str, str],
    ) -> None:
        config_descriptor = manifest.get("config")
        if not isinstance(config_descriptor, dict):
            raise BlobError(f"the manifest {digest} has no config descriptor")
        if config_descriptor.get("mediaType") not in _CONFIG_TYPES:
            return
        config_digest = check_digest(config_descriptor.get("digest"))
        config_name = blob_name(config_digest)
        if not self.store.exists(config_name):
            raise BlobError(f"the manifest {digest} names the config {config_digest}, which is missing from the layout")
        config = self.load(config_name, config_digest)
        if not isinstance(config.data, dict):
            raise BlobError(f"the config {config_digest} is not a JSON object")
        layers = []
        for layer in manifest.get("layers") or []:
            if not isinstance(layer, dict):
                raise BlobError(f"the manifest {digest} has a layer entry that is not an object")
            layer_digest = check_digest(layer.get("digest"))
            size = layer.get("size")
            layers.append(
                {
                    "blob": blob_name(layer_digest),
                    "digest": layer_digest,
                    "size": size if isinstance(size, int) and not isinstance(size, bool) else None,
                    "media_type": layer.get("mediaType") if isinstance(layer.get("mediaType"), str) else None,
                }
            )
        self.images.append(
            ImageInput(
                format=self.form,
                style="oci",
                config=config.data,
                locations=config.locations,
                file_positions=False,
                id=config_digest,
                manifest_digest=digest,
                ref_names=names,
                platform=platform,
                annotations={**_annotations(manifest), **annotations},
                layers=layers,
            )
        )


def _parse(content: bytes, name: str) -> JSONData:
    try:
        return load_json(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise BlobError(f"{name} is not UTF-8 text; expected JSON") from None
    except JSONError as error:
        raise BlobError(f"{name} is not valid JSON: {error.message} at line {error.line}, column {error.column}") from None


def _attestation(descriptor: Any) -> bool:
    """Return True for the attestation manifests BuildKit stores next to the images of an index."""
    if not isinstance(descriptor, dict):
        return False
    if _annotations(descriptor).get("vnd.docker.reference.type") == "attestation-manifest":
        return True
    platform = descriptor.get("platform")
    return isinstance(platform, dict) and platform.get("os") == "unknown"


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _annotations(value: dict[str, Any]) -> dict[str, str]:
    annotations = value.get("annotations")
    if not isinstance(annotations, dict):
        return {}
    return {key: item for key, item in annotations.items() if isinstance(item, str)}


def _ref_names(descriptor: Any) -> list[str]:
    if not isinstance(descriptor, dict):
        return []
    annotations = _annotations(descriptor)
    names = [annotations[key] for key in (_CONTAINERD_NAME, _REF_NAME) if annotations.get(key)]
    return list(dict.fromkeys(names))


def _digest_text(descriptor: Any) -> str:
    digest = descriptor.get("digest") if isinstance(descriptor, dict) else None
    return str(digest) if digest else "without a digest"


def platform_text(platform: dict[str, Any] | None) -> str | None:
    """Format a platform as Docker does: ``linux/arm64/v8``; None when the OS or architecture is unknown."""
    if not platform or not isinstance(platform.get("os"), str) or not isinstance(platform.get("architecture"), str):
        return None
    parts = [platform["os"], platform["architecture"]]
    if isinstance(platform.get("variant"), str) and platform["variant"]:
        parts.append(platform["variant"])
    return "/".join(parts)


def _platform_text(descriptor: Any) -> str:
    platform = descriptor.get("platform") if isinstance(descriptor, dict) else None
    return platform_text(platform if isinstance(platform, dict) else None) or _digest_text(descriptor)


def name_subjects(images: list[ImageInput]) -> None:
    """Name each image by its tag, adding the platform where one name covers several platforms.

    An image without a name is named by its platform, or by its short ID when
    several unnamed images share the platform.
    """
    names: dict[str | None, int] = {}
    platforms: dict[str | None, int] = {}
    for image in images:
        names[_first_name(image)] = names.get(_first_name(image), 0) + 1
        platforms[_platform_of(image)] = platforms.get(_platform_of(image), 0) + 1
    for image in images:
        name = _first_name(image)
        platform = _platform_of(image)
        if name is not None and platform is not None and (image.one_of_platforms or names[name] > 1):
            image.subject = f"{name} ({platform})"
        elif name is not None:
            image.subject = name
        elif platform is not None and platforms[platform] == 1:
            image.subject = platform
        else:
            identifier = image.manifest_digest or image.id or ""
            image.subject = identifier[:19] or "image"


def _platform_of(image: ImageInput) -> str | None:
    return platform_text(image.platform) or platform_text(_config_platform(image))


def _first_name(image: ImageInput) -> str | None:
    names = image.repo_tags or image.ref_names or image.repo_digests
    return names[0] if names else None


def _config_platform(image: ImageInput) -> dict[str, Any]:
    keys = ("Os", "Architecture", "Variant") if image.style == "inspect" else ("os", "architecture", "variant")
    return {name: image.config.get(key) for name, key in zip(("os", "architecture", "variant"), keys)}

"""The image normalizer: docker inspect output, OCI image configs, docker save archives and OCI layouts.

One input can contain several images: a docker inspect list, the images of a
docker save archive, the platforms of an OCI index. Each becomes its own
document, and ``subject`` names it. Archives are streamed from disk and never
extracted (see :mod:`.archive`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from typing import Any, BinaryIO

from .. import secrets
from ..document import Document
from ..errors import InputError, InvalidInput
from ..kinds import NormalizeOptions
from ..source import Source, decode_text, is_archive
from .accounts import accounts
from .archive import ArchiveError, TarStore
from .blobs import BlobError, BlobStore
from .build import ImageBuilder
from .detect import NotAnImage, classify
from .filesystem import scan_layers
from .folder import FolderStore
from .inputs import ImageInput
from .jsonload import JSONError, load_json
from .layout import name_subjects, read_images

__all__ = ["normalize_source"]


def normalize_source(source: Source, options: NormalizeOptions) -> list[Document]:
    """Normalize one image input into one document per image; the kind registry calls this."""
    if source.path is not None and os.path.isdir(source.path):
        return _from_store(FolderStore(source.path), source.file, folder=True)
    if is_archive(source.data):
        handle: BinaryIO = open(source.path, "rb") if source.path and not source.complete else io.BytesIO(source.data)
        with handle:
            try:
                store = TarStore(handle)
            except ArchiveError as error:
                raise InvalidInput(InputError(source.file, str(error))) from None
            return _from_store(store, source.file, folder=False)
    return _from_json(source)


def _from_store(store: BlobStore, file: str, folder: bool) -> list[Document]:
    try:
        images, errors = read_images(store, file, folder)
    except BlobError as error:
        # A file the layout's own files point at cannot be read, such as index.json linked out of the folder.
        raise InvalidInput(InputError(file, str(error))) from None
    for image in images:
        scan = scan_layers(store, image.layers)
        image.filesystem = scan.filesystem
        image.setuid_files = scan.setuid_files
        image.files = scan.files
        image.accounts = accounts(scan.account_files)
        errors.extend(InputError(file, f"{image.subject}: {problem}", fatal=False) for problem in scan.errors)
    return _documents(images, file, [], errors)


def _from_json(source: Source) -> list[Document]:
    text = decode_text(source)
    try:
        loaded = load_json(text)
    except JSONError as error:
        raise InvalidInput(
            InputError(source.file, f"invalid JSON: {error.message}", line=error.line, column=error.column)
        ) from None
    try:
        form, objects = classify(loaded.data)
    except NotAnImage as error:
        raise InvalidInput(InputError(source.file, str(error))) from None
    listed = isinstance(loaded.data, list)
    inspect = form == "docker-inspect"
    images = [
        ImageInput(
            format=form,
            style="inspect" if inspect else "oci",
            config=config,
            prefix=(number,) if listed else (),
            locations=loaded.locations,
            # A config file saved as is hashes to the image ID; the digest of an edited copy names only the file.
            id=None if inspect else "sha256:" + hashlib.sha256(source.data).hexdigest(),
            repo_tags=_strings(config.get("RepoTags")) if inspect else [],
            repo_digests=_strings(config.get("RepoDigests")) if inspect else [],
        )
        for number, config in enumerate(objects)
    ]
    name_subjects(images)
    return _documents(images, source.file, text.lstrip("\ufeff").splitlines(), [])


def _documents(images: list[ImageInput], file: str, lines: list[str], errors: list[InputError]) -> list[Document]:
    builders = [ImageBuilder(image, file, errors) for image in images]
    datas = [builder.build() for builder in builders]
    secret_values = set().union(*(builder.secret_values for builder in builders))
    # Token shapes anywhere in the data, such as "--password", "value" in an Entrypoint list, whose
    # items no single string shows. An archive has no source lines to find them in.
    for data in datas:
        secret_values.update(token.value for token in secrets.scan_tokens(json.dumps(data, ensure_ascii=False)))
    if secret_values or any(secrets.find_tokens(line) for line in lines):
        datas = [secrets.redact_tree(data, secret_values) for data in datas]
        # The source lines show values JSON-escaped, so redact that spelling too.
        escaped = {json.dumps(value)[1:-1] for value in secret_values}
        lines = [secrets.redact_text(line, secret_values | escaped) for line in lines]
    documents = []
    for builder, data in zip(builders, datas):
        documents.append(
            Document(
                kind="image",
                file=file,
                data=data,
                locations=builder.locations,
                lines=lines,
                subject=data["subject"],
            )
        )
    # The errors of an input are reported once, with its first document.
    documents[0].errors.extend(errors)
    return documents


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []

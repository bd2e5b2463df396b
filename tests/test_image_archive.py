"""Image archives: docker save output and OCI image layouts, built here from the JSON configs in cases/image."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from prodpolicy.api import evaluate_paths, normalize
from prodpolicy.cli import main
from prodpolicy.errors import InvalidInput
from prodpolicy.evaluation import iter_findings
from prodpolicy.policy.load import load_policy
from prodpolicy.source import HEAD_BYTES, read_source

from .helpers import CASES

IMAGE_CASES = CASES / "image"
POLICY = load_policy()
API_CONFIG = (IMAGE_CASES / "oci-config-api.json").read_bytes()
WORKER_CONFIG = (IMAGE_CASES / "oci-config-worker-classic.json").read_bytes()
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


# Building archives. Every member gets a fixed mtime so the bytes, and so the digests, are stable.


def _info(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE, mode: int = 0o644, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    info.mode = mode
    info.linkname = link
    info.mtime = 1_700_000_000
    return info


def tar_bytes(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    """Write a tar archive in memory from (header, content) pairs."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, content in members:
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return buffer.getvalue()


def files_tar(files: dict[str, bytes]) -> bytes:
    return tar_bytes([(_info(name, len(content)), content) for name, content in files.items()])


def layer(*entries: tuple[str, int] | tuple[str, int, bytes]) -> bytes:
    """Write a layer tar: (path, mode) entries are files, or folders when the path ends with a slash."""
    members = []
    for entry in entries:
        name, mode = entry[0], entry[1]
        if name.endswith("/"):
            members.append((_info(name.rstrip("/"), kind=tarfile.DIRTYPE, mode=mode), None))
        else:
            content = entry[2] if len(entry) == 3 else b"#!/bin/sh\n"
            members.append((_info(name, len(content), mode=mode), content))
    return tar_bytes(members)


def digest(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def blob(content: bytes) -> tuple[str, bytes]:
    return f"blobs/sha256/{hashlib.sha256(content).hexdigest()}", content


BASE_LAYER = layer(
    ("usr/bin/", 0o755),
    ("usr/bin/passwd", 0o4755),
    ("usr/bin/su", 0o4755),
    ("usr/bin/wall", 0o2755),
    ("var/mail/", 0o2775),
    ("usr/local/bin/", 0o755),
    ("usr/local/bin/helper", 0o4750),
)
# Removes su with a whiteout and rewrites passwd without the bit.
UPDATE_LAYER = layer(("usr/bin/.wh.su", 0o644, b""), ("usr/bin/passwd", 0o755))
# Replaces /usr/local with an opaque folder, which hides helper, and adds a setuid and setgid tool.
APP_LAYER = layer(("usr/local/.wh..wh..opq", 0o644, b""), ("usr/local/bin/tool", 0o6755), ("srv/app.js", 0o644))
APP_LAYERS = [BASE_LAYER, UPDATE_LAYER, APP_LAYER]
EXPECTED_SETUID = [
    {"path": "/usr/bin/wall", "mode": "2755", "setuid": False, "setgid": True, "source": "layer", "layer": 0},
    {"path": "/usr/local/bin/tool", "mode": "6755", "setuid": True, "setgid": True, "source": "layer", "layer": 2},
]


def legacy_docker_save(images: list[tuple[bytes, list[str] | None, list[bytes]]], *, link_repeated: bool = True) -> dict[str, bytes | str]:
    """Return the members of a docker save archive in the format before Docker 25.

    Each image is (config, tags, layers). A layer that an earlier image already
    stored becomes a symbolic link to the first copy, as docker save did.
    """
    members: dict[str, bytes | str] = {}
    manifest = []
    stored: dict[bytes, str] = {}
    for config, tags, layers in images:
        config_name = hashlib.sha256(config).hexdigest() + ".json"
        members[config_name] = config
        paths = []
        for content in layers:
            folder = hashlib.sha256(config + content).hexdigest()
            path = f"{folder}/layer.tar"
            if content in stored and link_repeated:
                members[path] = "link:../" + stored[content]
            else:
                members[path] = content
                stored.setdefault(content, path)
            paths.append(path)
        manifest.append({"Config": config_name, "RepoTags": tags, "Layers": paths})
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def docker25_save(config: bytes, tags: list[str], layers: list[bytes]) -> dict[str, bytes | str]:
    """Return the members of a docker save archive as Docker 25 and later write it: an OCI layout plus manifest.json."""
    members: dict[str, bytes | str] = dict([blob(config), *(blob(content) for content in layers)])
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": digest(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER, "digest": digest(content), "size": len(content)} for content in layers],
    }
    manifest_bytes = json.dumps(manifest).encode()
    members.update([blob(manifest_bytes)])
    members["index.json"] = json.dumps(
        {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": digest(manifest_bytes),
                    "size": len(manifest_bytes),
                    "annotations": {"io.containerd.image.name": tags[0], "org.opencontainers.image.ref.name": tags[0].rsplit(":", 1)[1]},
                }
            ],
        }
    ).encode()
    members["oci-layout"] = b'{"imageLayoutVersion": "1.0.0"}'
    members["manifest.json"] = json.dumps(
        [{"Config": blob(config)[0], "RepoTags": tags, "Layers": [blob(content)[0] for content in layers]}]
    ).encode()
    return members


def _manifest(config: bytes, layers: list[tuple[bytes, str]]) -> bytes:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": digest(config), "size": len(config)},
            "layers": [{"mediaType": media, "digest": digest(content), "size": len(content)} for content, media in layers],
        }
    ).encode()


def multi_platform_layout(reference: str = "registry.example.internal/team/api:3.1.0") -> dict[str, bytes | str]:
    """Return the files of an OCI layout as docker buildx writes it: index.json, an image index, two platforms and an attestation."""
    amd64_config = WORKER_CONFIG
    arm64_config = API_CONFIG
    gzip_app_layer = gzip.compress(APP_LAYER, mtime=0)

    amd64 = _manifest(amd64_config, [(BASE_LAYER, OCI_LAYER)])
    arm64 = _manifest(arm64_config, [(BASE_LAYER, OCI_LAYER), (UPDATE_LAYER, OCI_LAYER), (gzip_app_layer, OCI_LAYER_GZIP)])
    attestation_config = b'{"architecture": "unknown", "os": "unknown", "config": {}, "rootfs": {"type": "layers", "diff_ids": []}}'
    attestation = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": digest(attestation_config), "size": len(attestation_config)},
            "layers": [],
        }
    ).encode()

    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": digest(amd64), "size": len(amd64), "platform": {"architecture": "amd64", "os": "linux"}},
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": digest(arm64),
                    "size": len(arm64),
                    "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"},
                },
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": digest(attestation),
                    "size": len(attestation),
                    "platform": {"architecture": "unknown", "os": "unknown"},
                    "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": digest(amd64)},
                },
            ],
        }
    ).encode()

    files: dict[str, bytes | str] = dict(
        blob(content)
        for content in (amd64_config, arm64_config, attestation_config, BASE_LAYER, UPDATE_LAYER, gzip_app_layer, amd64, arm64, attestation, index)
    )
    files["index.json"] = json.dumps(
        {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": OCI_INDEX,
                    "digest": digest(index),
                    "size": len(index),
                    "annotations": {"org.opencontainers.image.ref.name": reference},
                }
            ],
        }
    ).encode()
    files["oci-layout"] = b'{"imageLayoutVersion": "1.0.0"}'
    return files


def archive(members: dict[str, bytes | str]) -> bytes:
    """Write members as a tar; a value "link:TARGET" becomes a symbolic link."""
    entries = []
    for name, content in members.items():
        if isinstance(content, str) and content.startswith("link:"):
            entries.append((_info(name, kind=tarfile.SYMTYPE, link=content[len("link:") :]), None))
        else:
            assert isinstance(content, bytes)
            entries.append((_info(name, len(content)), content))
    return tar_bytes(entries)


def write_layout(folder: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        assert isinstance(content, bytes)
        path.write_bytes(content)
    return folder


# Rules of other areas land in the bundled set while these expectations stay put: the exact lists
# cover the image rules and the cross-kind rules they were written against.
PINNED_RULES = frozenset({"RT101", "RT201", "RT301", "RT302", "SC102"})


def findings_by_subject(documents) -> dict[str, list[tuple[str, int | None]]]:
    found: dict[str, list[tuple[str, int | None]]] = {}
    for document in documents:
        found[document.subject] = sorted(
            (finding.rule_id, finding.line)
            for finding in iter_findings(document, POLICY)
            if finding.rule_id.startswith("IM") or finding.rule_id in PINNED_RULES
        )
    return found


def normalize_bytes(content: bytes, name: str = "image.tar"):
    return normalize(name, text=content)


# docker save


WORKER_FINDINGS = sorted(
    [
        ("IM101", None),
        ("IM101", None),
        ("IM102", None),
        ("IM103", None),
        ("IM104", None),
        ("IM105", None),
        ("IM107", None),
        ("IM109", None),
        ("IM112", None),
        ("RT101", None),
        ("RT201", None),
        ("RT301", None),
        ("RT302", None),
        ("SC102", None),
        ("SC102", None),
    ]
)


def test_legacy_docker_save_gives_one_document_per_image():
    members = legacy_docker_save(
        [
            (API_CONFIG, ["registry.example.internal/team/api:3.1.0"], APP_LAYERS),
            (WORKER_CONFIG, ["registry.example.internal/team/worker:1.4.2"], [BASE_LAYER]),
        ]
    )
    documents = normalize_bytes(archive(members))
    assert [document.subject for document in documents] == [
        "registry.example.internal/team/api:3.1.0",
        "registry.example.internal/team/worker:1.4.2",
    ]
    assert {document.file for document in documents} == {"image.tar"}
    api, worker = (document.data for document in documents)
    assert api["format"] == "docker-archive"
    assert api["id"] == digest(API_CONFIG)
    assert api["layer_count"] == 3
    assert [layer["size"] for layer in api["layers"]] == [len(BASE_LAYER), len(UPDATE_LAYER), len(APP_LAYER)]
    assert api["size"] == len(BASE_LAYER) + len(UPDATE_LAYER) + len(APP_LAYER)
    assert api["filesystem"] == {"scanned": True}
    assert api["setuid_files"] == EXPECTED_SETUID
    assert worker["layers"][0]["size"] == len(BASE_LAYER)


def test_legacy_docker_save_findings_are_exact():
    members = legacy_docker_save(
        [
            (API_CONFIG, ["registry.example.internal/team/api:3.1.0"], APP_LAYERS),
            (WORKER_CONFIG, ["registry.example.internal/team/worker:1.4.2"], [BASE_LAYER]),
        ]
    )
    found = findings_by_subject(normalize_bytes(archive(members)))
    assert found["registry.example.internal/team/api:3.1.0"] == [("IM108", None), ("IM108", None)]
    # The worker's layer was scanned, so the setuid facts come from it, not from the history's chmod.
    assert found["registry.example.internal/team/worker:1.4.2"] == sorted(
        [*WORKER_FINDINGS, ("IM108", None), ("IM108", None), ("IM108", None), ("IM108", None)]
    )


def test_repeated_layer_stored_as_symlink_is_followed():
    members = legacy_docker_save(
        [
            (API_CONFIG, ["registry.example.internal/team/api:3.1.0"], [BASE_LAYER]),
            (WORKER_CONFIG, ["registry.example.internal/team/worker:1.4.2"], [BASE_LAYER]),
        ]
    )
    assert sum(1 for value in members.values() if isinstance(value, str)) == 1
    worker = normalize_bytes(archive(members))[1].data
    assert worker["filesystem"] == {"scanned": True}
    assert [item["path"] for item in worker["setuid_files"]] == [
        "/usr/bin/passwd",
        "/usr/bin/su",
        "/usr/bin/wall",
        "/usr/local/bin/helper",
    ]


def test_dangling_layer_symlink_is_an_error():
    members = legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], [BASE_LAYER])])
    layer_path = next(name for name in members if name.endswith("layer.tar"))
    members[layer_path] = "link:../absent/layer.tar"
    document = normalize_bytes(archive(members))[0]
    assert [error.message for error in document.errors] == [
        f"registry.example.internal/team/api:3.1.0: layer 1 was not scanned: {layer_path} links to "
        "absent/layer.tar, which is missing from the archive"
    ]
    assert document.data["filesystem"]["scanned"] is False


def test_untagged_image_is_named_by_its_platform():
    members = legacy_docker_save([(API_CONFIG, None, [])])
    document = normalize_bytes(archive(members))[0]
    assert document.subject == "linux/arm64/v8"
    assert document.data["repo_tags"] == []
    assert document.data["setuid_files"] == []


def test_docker25_save_reads_manifest_json():
    members = docker25_save(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], APP_LAYERS)
    document = normalize_bytes(archive(members))[0]
    assert document.subject == "registry.example.internal/team/api:3.1.0"
    assert document.data["format"] == "docker-archive"
    assert [layer["digest"] for layer in document.data["layers"]] == [digest(content) for content in APP_LAYERS]
    assert document.data["setuid_files"] == EXPECTED_SETUID


def test_gzip_compressed_docker_save():
    members = legacy_docker_save([(WORKER_CONFIG, ["registry.example.internal/team/worker:1.4.2"], [BASE_LAYER])])
    documents = normalize_bytes(gzip.compress(archive(members), mtime=0), "worker.tar.gz")
    assert [document.subject for document in documents] == ["registry.example.internal/team/worker:1.4.2"]
    assert documents[0].data["filesystem"] == {"scanned": True}


# OCI image layouts


def test_oci_layout_tar_gives_one_document_per_platform():
    documents = normalize_bytes(archive(multi_platform_layout()), "api.oci.tar")
    assert [document.subject for document in documents] == [
        "registry.example.internal/team/api:3.1.0 (linux/amd64)",
        "registry.example.internal/team/api:3.1.0 (linux/arm64/v8)",
    ]
    amd64, arm64 = (document.data for document in documents)
    assert amd64["format"] == "oci-archive"
    assert amd64["platform"] == {"os": "linux", "architecture": "amd64", "variant": None, "os_version": None}
    assert arm64["platform"] == {"os": "linux", "architecture": "arm64", "variant": "v8", "os_version": None}
    assert arm64["id"] == digest(API_CONFIG)
    assert arm64["layers"][2]["media_type"] == OCI_LAYER_GZIP
    assert arm64["setuid_files"] == EXPECTED_SETUID
    assert amd64["references"][0]["tag"] == "3.1.0"


def test_oci_layout_findings_are_exact():
    found = findings_by_subject(normalize_bytes(archive(multi_platform_layout()), "api.oci.tar"))
    assert found["registry.example.internal/team/api:3.1.0 (linux/arm64/v8)"] == [("IM108", None), ("IM108", None)]
    assert found["registry.example.internal/team/api:3.1.0 (linux/amd64)"] == sorted(
        [*WORKER_FINDINGS, ("IM108", None), ("IM108", None), ("IM108", None), ("IM108", None)]
    )


def test_archive_documents_validate_against_the_model():
    archives = [
        archive(multi_platform_layout()),
        archive(legacy_docker_save([(WORKER_CONFIG, ["registry.example.internal/team/worker:1.4.2"], APP_LAYERS)])),
    ]
    for content in archives:
        for document in normalize_bytes(content):
            assert document.to_model().kind == "image"


def test_oci_layout_folder(tmp_path):
    folder = write_layout(tmp_path / "api-layout", multi_platform_layout())
    documents = normalize(folder)
    assert [document.data["format"] for document in documents] == ["oci-layout", "oci-layout"]
    assert documents[1].data["setuid_files"] == EXPECTED_SETUID
    assert {document.file for document in documents} == {str(folder)}


def test_oci_layout_folder_is_found_when_searching(tmp_path):
    write_layout(tmp_path / "build" / "api-layout", multi_platform_layout())
    (tmp_path / "build" / "notes.json").write_text('{"not": "an image"}', encoding="utf-8")
    report = evaluate_paths([str(tmp_path)], POLICY)
    assert report.errors == []
    assert report.files == [str(tmp_path / "build" / "api-layout")]
    assert {finding.subject for finding in report.findings} == {
        "registry.example.internal/team/api:3.1.0 (linux/amd64)",
        "registry.example.internal/team/api:3.1.0 (linux/arm64/v8)",
    }


def test_layout_blob_symlink_outside_the_folder_is_refused(tmp_path):
    files = multi_platform_layout()
    folder = write_layout(tmp_path / "layout", files)
    outside = tmp_path / "outside.json"
    outside.write_bytes(WORKER_CONFIG)
    config_blob = folder / f"blobs/sha256/{hashlib.sha256(WORKER_CONFIG).hexdigest()}"
    config_blob.unlink()
    config_blob.symlink_to(outside)
    documents = normalize(folder)
    assert [document.subject for document in documents] == ["registry.example.internal/team/api:3.1.0 (linux/arm64/v8)"]
    assert len(documents[0].errors) == 1
    assert "outside the layout folder" in documents[0].errors[0].message


def test_layout_index_link_outside_rejected(tmp_path):
    folder = write_layout(tmp_path / "layout", multi_platform_layout())
    outside = tmp_path / "outside-index.json"
    outside.write_bytes((folder / "index.json").read_bytes())
    (folder / "index.json").unlink()
    (folder / "index.json").symlink_to(outside)

    with pytest.raises(InvalidInput) as caught:
        normalize(folder)

    assert caught.value.error.message == f"index.json resolves to {outside}, outside the layout folder, so it was not read"


def test_layout_damaged_platform_config():
    files = multi_platform_layout()
    files[f"blobs/sha256/{hashlib.sha256(WORKER_CONFIG).hexdigest()}"] = WORKER_CONFIG.replace(b"amd64", b"arm64")
    documents = normalize_bytes(archive(files))
    assert [document.subject for document in documents] == ["registry.example.internal/team/api:3.1.0 (linux/arm64/v8)"]
    assert len(documents[0].errors) == 1
    message = documents[0].errors[0].message
    assert message.startswith("the platform linux/amd64 of registry.example.internal/team/api:3.1.0 was not evaluated:")
    assert "does not match its digest" in message


def test_foreign_layer_left_out_is_noted():
    foreign_media = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    manifest = _manifest(API_CONFIG, [(BASE_LAYER, foreign_media), (APP_LAYER, OCI_LAYER)])
    files: dict[str, bytes | str] = dict(blob(content) for content in (API_CONFIG, APP_LAYER, manifest))
    files["index.json"] = json.dumps(
        {"schemaVersion": 2, "manifests": [{"mediaType": OCI_MANIFEST, "digest": digest(manifest), "size": len(manifest)}]}
    ).encode()
    document = normalize_bytes(archive(files))[0]
    assert document.errors == []
    assert document.data["filesystem"] == {
        "scanned": False,
        "note": "layer 1 is a foreign layer that the input does not contain",
    }
    assert [item["path"] for item in document.data["setuid_files"]] == ["/usr/local/bin/tool"]


def test_layout_with_an_unsupported_version_is_an_error():
    files = multi_platform_layout()
    files["oci-layout"] = b'{"imageLayoutVersion": "2.0.0"}'
    with pytest.raises(InvalidInput, match="only version 1.x layouts are known"):
        normalize_bytes(archive(files))


# Damaged and hostile archives


def _error(content: bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        normalize_bytes(content)
    return caught.value.error.message


def truncated_inside_last_member(content: bytes) -> bytes:
    """Cut an archive in the middle of its last member's data."""
    with tarfile.open(fileobj=io.BytesIO(content)) as tar:
        last = tar.getmembers()[-1]
    return content[: last.offset_data + last.size // 2]


def test_truncated_inside_a_member_is_an_error():
    complete = archive(legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], APP_LAYERS)]))
    assert _error(truncated_inside_last_member(complete)) == (
        "the archive is truncated or damaged (unexpected end of data); copy or save the image again"
    )


def test_truncated_at_a_member_boundary_is_an_error():
    complete = archive(legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], APP_LAYERS)]))
    # Drop the end-of-archive blocks, leaving whole members only.
    with tarfile.open(fileobj=io.BytesIO(complete)) as tar:
        last = tar.getmembers()[-1]
        end = last.offset_data + ((last.size + 511) // 512) * 512
    assert _error(complete[:end]) == (
        "the archive is truncated: it ends without the end-of-archive marker; copy or save the image again"
    )


def test_damaged_header_names_tar_reason():
    damaged = bytearray(archive(legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], APP_LAYERS)])))
    # The checksum field of the first header, made unreadable.
    damaged[148:156] = b"zzzzzzzz"

    assert _error(bytes(damaged)) == "not a readable tar archive (invalid header); pass a docker save or OCI layout archive"


def test_truncated_gzip_stream_is_an_error():
    complete = gzip.compress(archive(legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], APP_LAYERS)])))
    assert "truncated" in _error(complete[: len(complete) - 40])


@pytest.mark.parametrize(
    ("name", "kind", "link"),
    [
        ("../evil", tarfile.REGTYPE, ""),
        ("blobs/../../evil", tarfile.REGTYPE, ""),
        ("/etc/cron.d/evil", tarfile.REGTYPE, ""),
        ("layer.tar", tarfile.SYMTYPE, "../../etc/shadow"),
        ("layer.tar", tarfile.SYMTYPE, "/etc/shadow"),
        ("layer.tar", tarfile.LNKTYPE, "../etc/shadow"),
    ],
    ids=["parent", "nested-parent", "absolute", "symlink-up", "symlink-absolute", "hardlink-up"],
)
def test_path_leaving_the_archive_is_an_error(name, kind, link):
    members = legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], [])])
    entries = [(_info(key, len(value)), value) for key, value in members.items() if isinstance(value, bytes)]
    entries.append((_info(name, kind=kind, link=link, size=0 if link else 4), None if link else b"evil"))
    message = _error(tar_bytes(entries))
    assert message.startswith(f"the archive member {name!r} ")
    assert "outside the archive" in message


def test_manifest_missing_config_blob():
    members = legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], [])])
    del members[hashlib.sha256(API_CONFIG).hexdigest() + ".json"]
    assert _error(archive(members)) == (
        "image 1 of manifest.json (registry.example.internal/team/api:3.1.0) was not evaluated: manifest.json names "
        f"the config {hashlib.sha256(API_CONFIG).hexdigest()}.json, which is missing from the archive"
    )


def test_missing_config_of_one_image_leaves_the_others():
    members = legacy_docker_save(
        [
            (API_CONFIG, ["registry.example.internal/team/api:3.1.0"], []),
            (WORKER_CONFIG, ["registry.example.internal/team/worker:1.4.2"], []),
        ]
    )
    del members[hashlib.sha256(WORKER_CONFIG).hexdigest() + ".json"]
    documents = normalize_bytes(archive(members))
    assert [document.subject for document in documents] == ["registry.example.internal/team/api:3.1.0"]
    assert [(error.fatal, error.message.split(":")[0]) for error in documents[0].errors] == [
        (False, "image 2 of manifest.json (registry.example.internal/team/worker")
    ]


def test_missing_layer_blob():
    members = legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], APP_LAYERS)])
    missing = next(name for name in members if name.endswith("layer.tar") and members[name] == UPDATE_LAYER)
    del members[missing]
    document = normalize_bytes(archive(members))[0]
    assert document.data["filesystem"] == {
        "scanned": False,
        "note": f"layer 2 was not scanned: {missing} is missing from the archive",
    }
    assert [error.message for error in document.errors] == [
        f"registry.example.internal/team/api:3.1.0: layer 2 was not scanned: {missing} is missing from the archive"
    ]
    # Without a complete scan, the setuid facts are those of the layers that were read.
    assert [item["path"] for item in document.data["setuid_files"]] == [
        "/usr/bin/passwd",
        "/usr/bin/su",
        "/usr/bin/wall",
        "/usr/local/bin/tool",
    ]


def test_manifest_json_not_a_list():
    assert _error(files_tar({"manifest.json": b'{"Config": "x.json"}'})) == (
        "manifest.json is not a list of image entries; the archive is damaged"
    )


def test_config_digest_mismatch():
    members = legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], [])])
    config_name = hashlib.sha256(API_CONFIG).hexdigest() + ".json"
    members[config_name] = API_CONFIG.replace(b"10001:10001", b"0:0")
    message = _error(archive(members))
    assert message == (
        "image 1 of manifest.json (registry.example.internal/team/api:3.1.0) was not evaluated: "
        f"{config_name} does not match its digest sha256:{config_name[:-5]} (content hashes to "
        f"sha256:{hashlib.sha256(members[config_name]).hexdigest()[:12]}…); the blob is damaged or was altered"
    )


def test_invalid_json_config_names_the_line():
    members = {
        "config.json": b'{\n  "config": {\n    "User": "10001",,\n  }\n}',
        "manifest.json": json.dumps([{"Config": "config.json", "RepoTags": ["team/api:3.1.0"], "Layers": []}]).encode(),
    }
    assert _error(archive(members)) == (
        "image 1 of manifest.json (team/api:3.1.0) was not evaluated: config.json is not valid JSON: "
        "expected a key in double quotes at line 3, column 21"
    )


def test_plain_tar_without_image_files_is_an_error():
    assert _error(files_tar({"app/server.js": b"console.log(1)\n"})) == (
        "neither manifest.json (docker save) nor index.json (OCI image layout) is in the archive; "
        "pass the output of docker save or an OCI image layout"
    )


def test_zstd_archive_is_an_error():
    message = _error(b"\x28\xb5\x2f\xfd" + b"\0" * 600)
    assert message == (
        "the archive is compressed with zstd, which this Python version cannot read; "
        "decompress it first (zstd -d) and pass the .tar"
    )


# Streaming and batches


def test_archive_streamed_without_size_limit(tmp_path):
    large_layer = layer(("usr/bin/passwd", 0o4755), ("data/blob.bin", 0o644, bytes(11 * 1024 * 1024)))
    path = tmp_path / "large.tar"
    path.write_bytes(archive(legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], [large_layer])])))
    source = read_source(path)
    assert source.complete is False
    assert len(source.data) == HEAD_BYTES
    document = normalize(path)[0]
    assert document.data["setuid_files"][0]["path"] == "/usr/bin/passwd"


def _write_batch(folder: Path) -> list[str]:
    good = archive(legacy_docker_save([(WORKER_CONFIG, ["registry.example.internal/team/worker:1.4.2"], [])]))
    missing = legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], [])])
    del missing[hashlib.sha256(API_CONFIG).hexdigest() + ".json"]
    evil_members = legacy_docker_save([(API_CONFIG, ["registry.example.internal/team/api:3.1.0"], [])])
    evil_members["../evil"] = b"evil"
    inputs = {
        "a-truncated.tar": truncated_inside_last_member(good),
        "b-evil.tar": archive(evil_members),
        "c-missing.tar": archive(missing),
        "d-good.tar": good,
    }
    for name, content in inputs.items():
        (folder / name).write_bytes(content)
    paths = [str(folder / name) for name in inputs]
    paths.append(str(IMAGE_CASES / "46-image-empty-user-is-root.json"))
    return paths


def test_bad_archives_do_not_stop_the_batch(tmp_path):
    paths = _write_batch(tmp_path)
    report = evaluate_paths(paths, POLICY)
    assert [(error.file.rsplit("/", 1)[-1], error.message.split(" (")[0].split(":")[0]) for error in report.errors] == [
        ("a-truncated.tar", "the archive is truncated or damaged"),
        ("b-evil.tar", "the archive member '../evil' has a path outside the archive; docker and OCI tools never write one, so the archive was not read further"),
        ("c-missing.tar", "image 1 of manifest.json"),
    ]
    assert sorted({finding.file.rsplit("/", 1)[-1] for finding in report.findings}) == [
        "46-image-empty-user-is-root.json",
        "d-good.tar",
    ]
    assert ("RT101", 8) in [(finding.rule_id, finding.line) for finding in report.findings if finding.file.endswith(".json")]


def test_cli_reports_archive_errors_with_exit_code_2(tmp_path, capsys):
    paths = _write_batch(tmp_path)
    code = main(["eval", "--format", "json", *paths])
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    assert len(report["errors"]) == 3
    assert report["summary"]["files"] == 2
    assert {finding["subject"] for finding in report["findings"]} == {
        "registry.example.internal/team/worker:1.4.2",
        "registry.example.internal/team/batch:1.0.4",
    }

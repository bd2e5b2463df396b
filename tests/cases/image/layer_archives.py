"""Build the docker save archives that the image rules on layer contents use as test fixtures.

The archives are written as Docker 25 and later write them (an OCI image layout
with a manifest.json beside it), from small layers described below. Every tar
header gets a fixed mtime, owner and format, so the bytes are the same on every
run. tests/test_image_filesystem.py checks that the committed files match.

Run ``python tests/cases/image/layer_archives.py`` from the repository root after
changing a layer, to rewrite the fixtures in policies/rules/image/layers/.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[3] / "policies" / "rules" / "image" / "layers"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
MTIME = 1_700_000_000

# A layer is a list of (path, mode, content); a path ending in / is a folder, content None is empty.
Layer = list[tuple[str, int, bytes | None]]

BASE_PASSWD = b"""root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
BASE_GROUP = b"root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n"
BASE_SHADOW = b"root:*:19800:0:99999:7:::\ndaemon:*:19800:0:99999:7:::\nnobody:*:19800:0:99999:7:::\n"

BASE_LAYER: Layer = [
    ("etc/", 0o755, None),
    ("etc/passwd", 0o644, BASE_PASSWD),
    ("etc/group", 0o644, BASE_GROUP),
    ("etc/shadow", 0o640, BASE_SHADOW),
    ("etc/ssl/certs/", 0o755, None),
    ("etc/ssl/certs/ca-certificates.pem", 0o644, b"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"),
    ("usr/lib/node_modules/left-pad/.npmignore", 0o644, b"test/\n"),
]

# The application layer of an image built from a whole checkout: secrets, Git history and build files.
LEAKY_APP_LAYER: Layer = [
    ("etc/passwd", 0o644, BASE_PASSWD + b"app::10001:10001::/srv/app:/bin/sh\nbackup:x:10001:10001::/srv:/bin/sh\n"),
    ("etc/group", 0o644, BASE_GROUP + b"app:x:10001:\napp:x:10002:\n"),
    ("etc/shadow", 0o640, BASE_SHADOW + b"backup::19800:0:99999:7:::\n"),
    ("srv/app/", 0o755, None),
    ("srv/app/server.js", 0o644, b"require('./app').listen(8080)\n"),
    ("srv/app/.env", 0o644, b"DB_PASSWORD=hunter2hunter2\nLOG_LEVEL=info\n"),
    ("srv/app/.env.example", 0o644, b"DB_PASSWORD=\nLOG_LEVEL=info\n"),
    ("srv/app/.git/", 0o755, None),
    ("srv/app/.git/HEAD", 0o644, b"ref: refs/heads/main\n"),
    ("srv/app/.git/config", 0o644, b"[core]\n\tbare = false\n"),
    ("srv/app/Dockerfile", 0o644, b"FROM node:20-alpine\nCOPY . /srv/app\n"),
    ("srv/app/docker-compose.yml", 0o644, b"services:\n  app:\n    build: .\n"),
    ("srv/app/.npmrc", 0o644, b"//registry.npmjs.org/:_authToken=npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78\n"),
    ("srv/app/certs/", 0o755, None),
    ("srv/app/certs/tls.key", 0o600, b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"),
    ("srv/app/certs/tls.pem", 0o644, b"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"),
    ("root/.ssh/", 0o700, None),
    ("root/.ssh/id_ed25519", 0o600, b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
    ("root/.ssh/id_ed25519.pub", 0o644, b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI ci@build\n"),
    ("root/.cache/pip/http/", 0o755, None),
    ("root/.cache/pip/http/0/entry", 0o644, b"cached wheel\n"),
]

# The same application built from a clean context, with a locked application user.
CLEAN_APP_LAYER: Layer = [
    ("etc/passwd", 0o644, BASE_PASSWD + b"app:x:10001:10001::/srv/app:/usr/sbin/nologin\n"),
    ("etc/group", 0o644, BASE_GROUP + b"app:x:10001:\n"),
    ("etc/shadow", 0o640, BASE_SHADOW + b"app:!:19800:0:99999:7:::\n"),
    ("srv/app/", 0o755, None),
    ("srv/app/server.js", 0o644, b"require('./app').listen(8080)\n"),
    ("srv/app/.env.example", 0o644, b"DB_PASSWORD=\nLOG_LEVEL=info\n"),
    ("srv/app/certs/", 0o755, None),
    ("srv/app/certs/tls.pem", 0o644, b"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"),
]

# Files the leaky layer left behind that a later layer removes: whiteouts hide them from the final filesystem.
CLEANUP_LAYER: Layer = [
    ("srv/app/.wh..env", 0o644, b""),
    ("srv/app/.wh..git", 0o644, b""),
    ("root/.wh..ssh", 0o644, b""),
]

# The build steps the config records, one per layer.
HISTORY = [
    "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit",
    "COPY . /srv/app # buildkit",
    "RUN /bin/sh -c rm -rf /srv/app/.env /srv/app/.git /root/.ssh # buildkit",
]

ARCHIVES: dict[str, tuple[str, list[Layer]]] = {
    "leaky-app.tar": ("registry.example.internal/team/app:1.0.0", [BASE_LAYER, LEAKY_APP_LAYER]),
    "clean-app.tar": ("registry.example.internal/team/app:1.0.1", [BASE_LAYER, CLEAN_APP_LAYER]),
}


def _info(name: str, size: int, kind: bytes, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    info.mode = mode
    info.mtime = MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def tar_bytes(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    """Write a tar archive in memory from (header, content) pairs."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for info, content in members:
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return buffer.getvalue()


def layer_bytes(layer: Layer) -> bytes:
    """Write one layer tar."""
    members = []
    for path, mode, content in layer:
        if path.endswith("/"):
            members.append((_info(path.rstrip("/"), 0, tarfile.DIRTYPE, mode), None))
        else:
            data = content or b""
            members.append((_info(path, len(data), tarfile.REGTYPE, mode), data))
    return tar_bytes(members)


def _blob(content: bytes) -> tuple[str, bytes]:
    return f"blobs/sha256/{hashlib.sha256(content).hexdigest()}", content


def _digest(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def docker_save(reference: str, layers: list[Layer]) -> bytes:
    """Return a docker save archive (Docker 25 format) of one image with these layers."""
    contents = [layer_bytes(layer) for layer in layers]
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"User": "10001", "Cmd": ["node", "/srv/app/server.js"]},
            "rootfs": {"type": "layers", "diff_ids": [_digest(content) for content in contents]},
            "history": [{"created_by": step, "comment": "buildkit.dockerfile.v0"} for step in HISTORY[: len(contents)]],
        },
        sort_keys=True,
    ).encode()

    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": _digest(config), "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER, "digest": _digest(content), "size": len(content)} for content in contents],
        },
        sort_keys=True,
    ).encode()

    index = json.dumps(
        {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": _digest(manifest),
                    "size": len(manifest),
                    "annotations": {"io.containerd.image.name": reference},
                }
            ],
        },
        sort_keys=True,
    ).encode()

    files = dict([_blob(config), _blob(manifest), *(_blob(content) for content in contents)])
    files["index.json"] = index
    files["oci-layout"] = b'{"imageLayoutVersion": "1.0.0"}'
    files["manifest.json"] = json.dumps(
        [{"Config": _blob(config)[0], "RepoTags": [reference], "Layers": [_blob(content)[0] for content in contents]}]
    ).encode()

    members = [(_info("blobs", 0, tarfile.DIRTYPE, 0o755), None), (_info("blobs/sha256", 0, tarfile.DIRTYPE, 0o755), None)]
    members.extend((_info(name, len(data), tarfile.REGTYPE, 0o644), data) for name, data in sorted(files.items()))
    return tar_bytes(members)


def write_fixtures(folder: Path = FIXTURES) -> list[Path]:
    """Write every archive of :data:`ARCHIVES` into ``folder``; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (reference, layers) in ARCHIVES.items():
        path = folder / name
        path.write_bytes(docker_save(reference, layers))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_fixtures():
        print(f"wrote {path}")

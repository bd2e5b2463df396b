"""Facts from the layers of an image: notable files, secrets in them, and the users and groups."""

from __future__ import annotations

import importlib.util
import json

import pytest

from prodpolicy.api import normalize
from prodpolicy.cli import main
from prodpolicy.image import filesystem
from prodpolicy.image.accounts import accounts

from .helpers import CASES

# The fixture generator is a script beside the cases, not a package module.
_SPEC = importlib.util.spec_from_file_location("layer_archives", CASES / "image" / "layer_archives.py")
assert _SPEC is not None
assert _SPEC.loader is not None
layer_archives = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(layer_archives)
BASE_LAYER, CLEANUP_LAYER, LEAKY_APP_LAYER = layer_archives.BASE_LAYER, layer_archives.CLEANUP_LAYER, layer_archives.LEAKY_APP_LAYER
docker_save = layer_archives.docker_save


def image(layers, name: str = "app.tar"):
    return normalize(name, text=docker_save("registry.example.internal/team/app:1.0.0", layers))[0]


def test_committed_fixtures_match_their_generator(tmp_path):
    for path in layer_archives.write_fixtures(tmp_path):
        committed = layer_archives.FIXTURES / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale: run python {layer_archives.__file__}"


def test_notable_files_of_a_checkout_copied_whole():
    data = image([BASE_LAYER, LEAKY_APP_LAYER]).data
    assert data["filesystem"] == {"scanned": True}
    assert [(item["path"], item["type"], (item.get("secret") or {}).get("reason") is not None) for item in data["files"]] == [
        ("/root/.cache", "directory", False),
        ("/root/.ssh", "directory", False),
        ("/root/.ssh/id_ed25519", "file", True),
        ("/srv/app/.env", "file", True),
        ("/srv/app/.env.example", "file", False),
        ("/srv/app/.git", "directory", False),
        ("/srv/app/.npmrc", "file", True),
        ("/srv/app/Dockerfile", "file", False),
        ("/srv/app/certs/tls.key", "file", True),
        ("/srv/app/docker-compose.yml", "file", False),
    ]
    key = next(item for item in data["files"] if item["path"] == "/srv/app/certs/tls.key")
    assert key == {"path": "/srv/app/certs/tls.key", "type": "file", "layer": 1, "size": 87, "secret": {"reason": "private-key"}}


def test_public_certificates_and_package_dotfiles_are_not_listed():
    paths = {item["path"] for item in image([BASE_LAYER, LEAKY_APP_LAYER]).data["files"]}
    assert "/etc/ssl/certs/ca-certificates.pem" not in paths
    assert "/srv/app/certs/tls.pem" not in paths
    assert "/root/.ssh/id_ed25519.pub" not in paths
    assert not any("node_modules" in path for path in paths)


def test_whiteouts_remove_files_from_the_final_filesystem():
    paths = [item["path"] for item in image([BASE_LAYER, LEAKY_APP_LAYER, CLEANUP_LAYER]).data["files"]]
    assert paths == ["/root/.cache", "/srv/app/.env.example", "/srv/app/.npmrc", "/srv/app/Dockerfile",
                     "/srv/app/certs/tls.key", "/srv/app/docker-compose.yml"]  # fmt: skip


def test_opaque_folder_hides_earlier_files():
    opaque = [("srv/app/.wh..wh..opq", 0o644, b""), ("srv/app/server.js", 0o644, b"listen()\n")]
    data = image([BASE_LAYER, LEAKY_APP_LAYER, opaque]).data
    assert [item["path"] for item in data["files"]] == ["/root/.cache", "/root/.ssh", "/root/.ssh/id_ed25519"]


def test_accounts_from_the_last_layer():
    users = image([BASE_LAYER, LEAKY_APP_LAYER]).data["accounts"]["users"]
    assert [(user["name"], user["id"], user["line"], user["password"], user.get("duplicate")) for user in users] == [
        ("root", 0, 1, "locked", None),
        ("daemon", 1, 2, "locked", None),
        ("nobody", 65534, 3, "locked", None),
        ("app", 10001, 4, "empty", None),
        ("backup", 10001, 5, "empty", "id"),
    ]
    assert users[4]["duplicate_of"] == "app (id 10001, line 4)"


def test_accounts_without_shadow_and_odd_lines():
    parsed = accounts({
        "/etc/passwd": "# comment\nroot:x:0:0:root:/root:/bin/sh\nlegacy::1000:1000::/home/legacy:/bin/sh\nbroken-line\n"
                       "old:ab01FAX.bQRSU:1001:1001::/home/old:/bin/sh\nroot:x:1002:1002::/root2:/bin/sh\n",
        "/etc/group": "root:x:0:\nwheel:x:0:root\n",
    })  # fmt: skip
    assert parsed is not None
    assert [(user["name"], user["password"], user.get("duplicate")) for user in parsed["users"]] == [
        ("root", "unknown", None),
        ("legacy", "empty", None),
        ("old", "set", None),
        ("root", "unknown", "name"),
    ]
    assert [(group["name"], group.get("duplicate_of")) for group in parsed["groups"]] == [("root", None), ("wheel", "root (id 0, line 1)")]
    assert parsed["shadow"] is False
    assert accounts({"/etc/group": "root:x:0:\n"}) is None


def test_image_without_etc_passwd_has_no_accounts():
    data = image([[("srv/app/server.js", 0o644, b"listen()\n")]]).data
    assert data["accounts"] is None
    assert data["files"] == []


def test_notable_list_is_bounded(monkeypatch):
    monkeypatch.setattr(filesystem, "MAX_NOTABLE_FILES", 3)
    data = image([BASE_LAYER, LEAKY_APP_LAYER]).data
    assert len(data["files"]) == 3
    # Every layer was read; only the list is cut.
    assert data["filesystem"]["scanned"] is True
    assert data["filesystem"]["note"] == "more than 3 notable files: only the first 3 are listed"


def test_configs_without_layers_have_no_filesystem_facts():
    data = normalize("config.json", kind="image", text=json.dumps({"architecture": "amd64", "os": "linux", "config": {}}))[0].data
    assert (data["files"], data["accounts"], data["filesystem"]) == ([], None, None)


def test_root_filesystem_step_is_marked():
    history = image([BASE_LAYER, LEAKY_APP_LAYER]).data["history"]
    assert [(entry["index"], entry["rootfs"]) for entry in history] == [(0, True), (1, False)]


def test_documents_validate_against_the_model():
    assert image([BASE_LAYER, LEAKY_APP_LAYER, CLEANUP_LAYER]).to_model().accounts.users[3].password == "empty"


@pytest.mark.parametrize("output_format", ["json", "text", "sarif"])
def test_layer_findings_never_print_file_contents(output_format, capsys):
    path = str(layer_archives.FIXTURES / "leaky-app.tar")
    code = main(["eval", path, "--isolated", "--select", "IM114,IM115,IM116,IM117", "--format", output_format])
    out = capsys.readouterr().out
    assert code == 1
    for secret in ("hunter2hunter2", "npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "b3BlbnNzaC1rZXktdjEAAAAA"):
        assert secret not in out


def test_layer_findings_name_the_archive_without_a_line(capsys):
    path = str(layer_archives.FIXTURES / "leaky-app.tar")
    main(["eval", path, "--isolated", "--select", "IM117", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(item["file"], item["line"], item["path"]) for item in findings] == [
        (path, None, f"$['files'][{index}]") for index in (2, 3, 6, 8)
    ]

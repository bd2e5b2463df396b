"""docker inspect output and OCI image configs: the document model, positions, secrets and input errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodpolicy.api import normalize
from prodpolicy.cli import main
from prodpolicy.errors import InvalidInput
from prodpolicy.evaluation import iter_findings
from prodpolicy.policy.load import load_policy

from .helpers import CASES

IMAGE_CASES = CASES / "image"
POLICY = load_policy()
SECRETS = (
    "s3cr3t-Passw0rd-2024",
    "AKIAIOSFODNN7EXAMPLE",
    "npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78",
    "glpat-aBcDeFgHiJkLmNoPqRsT",
    "sk_live_0000fake0000fake0000fake00",
)


def case(name: str):
    return normalize(IMAGE_CASES / name)


def image(text: str, name: str = "config.json"):
    return normalize(name, text=text, kind="image")


# Rules of other areas land in the bundled set while these expectations stay put: the exact lists below
# cover the image rules and the cross-kind rules they were written against.
PINNED_RULES = frozenset({"RT101", "RT201", "RT301", "RT302", "SC102"})


def pinned(rule_id: str) -> bool:
    return rule_id.startswith("IM") or rule_id in PINNED_RULES


def findings(document) -> list[tuple[str, int | None]]:
    return sorted((finding.rule_id, finding.line) for finding in iter_findings(document, POLICY) if pinned(finding.rule_id))


# docker inspect output


def test_inspect_list_gives_one_document_per_image():
    documents = case("inspect-two-images.json")
    assert [document.subject for document in documents] == [
        "registry.example.internal/team/api:3.1.0",
        "registry.example.internal/team/admin:latest",
    ]
    assert [document.data["format"] for document in documents] == ["docker-inspect", "docker-inspect"]


def test_inspect_image_fields():
    api = case("inspect-two-images.json")[0].data
    assert api["id"] == "sha256:8e2d4f6a8c0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a"
    assert api["repo_digests"] == [
        "registry.example.internal/team/api@sha256:9f3e5a7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c"
    ]
    assert api["size"] == 187654321
    assert api["layer_count"] == 2
    assert [layer["diff_id"][:15] for layer in api["layers"]] == ["sha256:1a5fc118", "sha256:2b6ad229"]
    assert api["history"] == []
    assert api["filesystem"] is None
    assert api["created"] == "2024-11-05T09:12:44.301Z"
    assert api["platform"] == {"os": "linux", "architecture": "amd64", "variant": None, "os_version": None}


def test_inspect_runtime_view():
    runtime = case("inspect-two-images.json")[0].data["runtimes"][0]
    assert runtime["subject"] == {"kind": "image", "name": "registry.example.internal/team/api:3.1.0"}
    assert runtime["user"] == {"raw": "10001", "user": "10001", "group": None, "uid": 10001, "is_root": False, "source": "config"}
    healthcheck = runtime["healthcheck"]
    assert healthcheck["state"] == "configured"
    assert healthcheck["form"] == "shell"
    assert healthcheck["interval"] == 15.0
    assert [command["text"] for command in healthcheck["commands"]] == ["wget -qO- http://127.0.0.1:8000/healthz", "exit 1"]
    assert runtime["cmd"] == {"form": "exec", "argv": ["gunicorn", "--bind", "0.0.0.0:8000", "api.wsgi:app"]}
    assert runtime["entrypoint"] is None


def test_inspect_root_uid_and_wrapped_command():
    runtime = case("inspect-two-images.json")[1].data["runtimes"][0]
    assert runtime["user"] == {"raw": "0:0", "user": "0", "group": "0", "uid": 0, "gid": 0, "is_root": True, "source": "config"}
    assert runtime["ports"] == [{"port": 5000, "protocol": "tcp", "raw": "5000/tcp"}]
    assert [command["text"] for command in runtime["execution"]["commands"]] == [
        "docker-entrypoint.sh flask run --host 0.0.0.0",
        "flask run --host 0.0.0.0",
    ]
    assert runtime["healthcheck"] == {"state": "absent", "source": "config"}


def test_inspect_findings_are_exact():
    api, admin = case("inspect-two-images.json")
    assert findings(api) == []
    assert findings(admin) == [("IM106", 44), ("RT101", 49), ("RT201", 48), ("RT301", 57), ("SC102", 52)]


# OCI image config


def test_oci_config_runtime_view():
    document = case("oci-config-api.json")[0]
    assert document.subject == "linux/arm64/v8"
    runtime = document.data["runtimes"][0]
    assert runtime["user"]["is_root"] is False
    assert runtime["healthcheck"] == {
        "state": "configured",
        "source": "config",
        "test": ["CMD", "node", "dist/healthcheck.js"],
        "form": "exec",
        "interval": 30.0,
        "timeout": 3.0,
        "start_period": 20.0,
        "start_interval": 2.0,
        "retries": 3,
    }
    assert runtime["execution"]["argv"] == ["/sbin/tini", "--", "node", "dist/server.js"]
    assert [command["program"] for command in runtime["execution"]["commands"]] == ["tini", "node"]
    assert runtime["env"]["NODE_ENV"] == {"name": "NODE_ENV", "value": "production", "line": 13}
    assert runtime["labels"]["org.opencontainers.image.source"]["line"] == 38
    assert runtime["base"]["reference"] == "docker.io/library/node:20.11-bookworm-slim"
    assert runtime["base"]["pinning"] == "tag"
    assert (runtime["workdir"], runtime["stop_signal"], runtime["volumes"]) == ("/srv", "SIGTERM", ["/srv/uploads"])


def test_oci_config_history_and_layers():
    data = case("oci-config-api.json")[0].data
    assert data["layer_count"] == 3
    assert [(entry["empty_layer"], entry["layer"], entry["builder"]) for entry in data["history"]] == [
        (False, 0, "classic"),
        (True, None, "classic"),
        (False, 1, "buildkit"),
        (False, 2, "buildkit"),
        (True, None, "buildkit"),
        (True, None, "buildkit"),
        (True, None, "buildkit"),
        (True, None, "buildkit"),
    ]
    run = data["history"][3]["instruction"]
    assert run["keyword"] == "RUN"
    assert [command["text"] for command in run["commands"]] == [
        "apt-get update",
        "apt-get install -y --no-install-recommends tini",
        "rm -rf /var/lib/apt/lists/*",
    ]
    assert data["history"][3]["build_args"] == [{"name": "NODE_VERSION", "value": "20.11.1"}]
    assert data["history"][6]["instruction"]["healthcheck"]["interval"] == 30.0


def test_clean_oci_config_has_no_findings():
    assert findings(case("oci-config-api.json")[0]) == []


def test_legacy_builder_config_findings_are_exact():
    assert findings(case("oci-config-worker-classic.json")[0]) == [
        ("IM101", 41),
        ("IM101", 44),
        ("IM102", 19),
        ("IM103", 38),
        ("IM104", 41),
        ("IM105", 48),
        ("IM107", 18),
        ("IM108", 48),
        ("IM109", 22),
        ("IM112", 41),
        ("RT101", 6),
        ("RT201", 5),
        ("RT301", 12),
        ("RT302", 12),
        ("SC102", 9),
        ("SC102", 10),
    ]


def test_setuid_from_history_chmod_behind_sudo():
    data = case("oci-config-worker-classic.json")[0].data
    assert data["setuid_files"] == [
        {"path": "/usr/local/bin/worker-helper", "mode": "u+s", "setuid": True, "setgid": False, "source": "history", "history": 4}
    ]


# Secrets


@pytest.mark.parametrize("name", ["oci-config-worker-classic.json", "inspect-two-images.json"])
def test_secrets_never_reach_the_document(name):
    for document in case(name):
        text = json.dumps(document.data) + "\n".join(document.lines)
        for secret in SECRETS:
            assert secret not in text


def test_secret_variables_are_marked():
    env = case("oci-config-worker-classic.json")[0].data["runtimes"][0]["env"]
    assert env["DB_PASSWORD"]["secret"] == {"reason": "key-name"}
    assert env["DB_PASSWORD"]["value"] == "s3cr****"
    assert env["AWS_ACCESS_KEY_ID"]["secret"] == {"reason": "token:aws-access-key"}


def test_secrets_are_not_printed_by_any_report(capsys):
    path = str(IMAGE_CASES / "oci-config-worker-classic.json")
    for report_format in ("text", "json"):
        main(["eval", "--format", report_format, path])
        output = capsys.readouterr().out
        for secret in SECRETS:
            assert secret not in output


def test_json_escaped_secret_is_redacted_in_source_lines():
    document = image('{"config": {"User": "1", "Env": ["DB_PASSWORD=pa\\"ss\\\\word123"]}, "os": "linux", "architecture": "amd64"}')[0]
    assert 'pa\\"ss' not in document.lines[0]
    assert document.data["runtimes"][0]["env"]["DB_PASSWORD"]["secret"] == {"reason": "key-name"}


# Config values


def test_shell_form_uses_the_image_shell():
    runtime = image(
        '{"os": "linux", "architecture": "amd64", "config": {"User": "1", "Shell": ["/bin/bash", "-o", "pipefail", "-c"],'
        ' "Cmd": ["/bin/bash", "-o", "pipefail", "-c", "exec node server.js"],'
        ' "Entrypoint": ["/bin/sh", "-c", "echo"]}}'
    )[0].data["runtimes"][0]
    assert runtime["cmd"] == {"form": "shell", "argv": ["/bin/bash", "-o", "pipefail", "-c", "exec node server.js"], "script": "exec node server.js"}
    assert runtime["entrypoint"]["form"] == "exec"


def test_windows_default_shell():
    runtime = image('{"os": "windows", "architecture": "amd64", "config": {"Cmd": ["cmd", "/S", "/C", "app.exe"]}}')[0].data["runtimes"][0]
    assert runtime["cmd"]["form"] == "shell"


@pytest.mark.parametrize(
    ("user", "is_root"),
    [("", True), ("root", True), ("0", True), ("0:0", True), ("root:app", True), ("000", True), ("10001", False), ("app:0", False), ("node", False)],
)
def test_user_root_readings(user, is_root):
    runtime = image(json.dumps({"os": "linux", "architecture": "amd64", "config": {"User": user}}))[0].data["runtimes"][0]
    assert runtime["user"]["is_root"] is is_root


def test_missing_user_and_config_is_root():
    document = image('[{"Id": "sha256:1111111111111111111111111111111111111111111111111111111111111111", "RepoTags": ["app:1"], "Config": null}]')[0]
    assert document.data["runtimes"][0]["user"]["is_root"] is True
    assert findings(document) == [("RT101", 1), ("RT201", 1)]


@pytest.mark.parametrize(
    ("healthcheck", "state"),
    [({"Test": []}, "absent"), ({"Test": ["NONE"]}, "disabled"), ({"Test": ["CMD", "probe"]}, "configured"), ({}, "absent")],
)
def test_healthcheck_states(healthcheck, state):
    text = json.dumps({"os": "linux", "architecture": "amd64", "config": {"User": "1", "Healthcheck": healthcheck}})
    assert image(text)[0].data["runtimes"][0]["healthcheck"]["state"] == state


def test_mistyped_fields_are_input_errors_with_lines():
    text = """{
  "os": "linux",
  "architecture": "amd64",
  "config": {
    "User": 10001,
    "Env": ["A=1", 5],
    "ExposedPorts": {"http": {}},
    "Healthcheck": {"Test": ["CMD"]}
  }
}
"""
    document = image(text)[0]
    assert [(error.line, error.fatal, error.message) for error in document.errors] == [
        (5, False, "config.User must be text, not a whole number; the field was ignored"),
        (8, False, "Healthcheck.Test ['CMD'] is not NONE, CMD with a command or CMD-SHELL with a script; Docker cannot run it, so the image has no working health check"),
        (6, False, "config.Env[1] must be text, not a whole number; the field was ignored"),
        (7, False, "ExposedPorts key 'http' is not a port such as 8080/tcp; it was ignored"),
    ]
    runtime = document.data["runtimes"][0]
    assert runtime["user"]["is_root"] is True
    assert runtime["env"] == {"A": {"name": "A", "value": "1", "line": 6}}


def test_podman_inspect_history_is_read():
    text = json.dumps(
        [
            {
                "Id": "2f1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f",
                "RepoTags": ["localhost/app:1.0"],
                "Architecture": "amd64",
                "Os": "linux",
                "Config": {"User": "1001", "Cmd": ["app"]},
                "History": [{"created_by": "/bin/sh -c sudo make install", "empty_layer": False}],
            }
        ]
    )
    document = image(text)[0]
    assert document.data["history"][0]["instruction"]["commands"][0]["program"] == "sudo"
    assert ("IM105", 1) in findings(document)


def test_documents_validate_against_the_model():
    for name in ("44-image-healthcheck-cmd-shell.json", "inspect-two-images.json", "oci-config-api.json", "oci-config-worker-classic.json"):
        for document in case(name):
            assert document.to_model().kind == "image"


# JSON that is not an image config


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"Id": "x", "State": {}, "HostConfig": {}, "Config": {}}]', "this is docker inspect output of a container"),
        ('{"schemaVersion": 2, "manifests": []}', "this is an OCI image index"),
        ('{"schemaVersion": 2, "config": {}, "layers": []}', "this is an image manifest"),
        ('[{"Config": "abc.json", "RepoTags": [], "Layers": []}]', "this is the manifest.json of a docker save archive"),
        ("[]", "the JSON list is empty: docker inspect found no image"),
        ('"text"', "the JSON is a single value"),
        ('[{"Id": "x", "Config": {}}, 1]', "the JSON list contains values that are not objects"),
        ('{"name": "app", "version": "1.0.0"}', "the JSON object has none of the keys of an image config"),
    ],
)
def test_json_that_is_not_an_image_is_explained(text, message):
    with pytest.raises(InvalidInput) as caught:
        image(text)
    assert caught.value.error.message.startswith(message)


def test_unknown_json_file_is_named_as_such(tmp_path):
    path = tmp_path / "package.json"
    path.write_text('{"name": "app", "version": "1.0.0", "scripts": {"start": "node server.js"}}', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        normalize(path)
    assert caught.value.error.message.startswith("a JSON file that is none of the known kinds:")


def test_truncated_json_names_the_position(tmp_path):
    path = tmp_path / "t2.json"
    path.write_text('{"config": {"a": 1},\n "x": [1,', encoding="utf-8")

    with pytest.raises(InvalidInput) as caught:
        normalize(path)

    error = caught.value.error
    assert (error.line, error.column, error.message) == (2, 10, "invalid JSON: expecting value here; fix the syntax")


def test_huge_number_is_input_error():
    text = '{"architecture": "amd64", "os": "linux", "config": {"StopTimeout": ' + "9" * 5000 + '}, "rootfs": {"type": "layers", "diff_ids": []}}'

    with pytest.raises(InvalidInput) as caught:
        image(text)

    error = caught.value.error
    assert (error.line, error.message) == (1, "invalid JSON: a number of 5,000 digits is too long for any image config field")


def test_ini_file_is_not_called_json(tmp_path):
    path = tmp_path / "setup.cfg"
    path.write_text("[metadata]\nname = app\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        normalize(path)
    assert caught.value.error.message.startswith("cannot tell what kind of input this is")


def test_image_json_detected_by_content(tmp_path):
    path = tmp_path / "build-output.txt"
    path.write_bytes((IMAGE_CASES / "48-image-healthcheck-none.json").read_bytes())
    assert normalize(path)[0].kind == "image"


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "inspect.json"
    path.write_text('[\n  {\n    "Id": "sha256:1", "RepoTags": ["a:1"]\n    "Config": {}\n  }\n]\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        normalize(path)
    error = caught.value.error
    assert (error.line, error.column, error.message) == (4, 5, "invalid JSON: expected ',' or '}' after an object member")


def test_json_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "inspect.json"
    path.write_bytes(b'[{"Id": "x", "RepoTags": ["caf\xe9:1"], "Config": {}}]')
    with pytest.raises(InvalidInput) as caught:
        normalize(path)
    assert caught.value.error.message.startswith("not valid UTF-8 (byte 0xe9)")


def test_normalize_command_prints_every_image(capsys):
    code = main(["normalize", str(IMAGE_CASES / "inspect-two-images.json")])
    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [item["subject"] for item in printed] == [
        "registry.example.internal/team/api:3.1.0",
        "registry.example.internal/team/admin:latest",
    ]


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
_CONFIG_FIELDS = st.dictionaries(
    st.sampled_from(
        ["User", "Env", "Cmd", "Entrypoint", "Healthcheck", "ExposedPorts", "Labels", "Volumes", "WorkingDir", "StopSignal", "Shell", "OnBuild"]
    ),
    _ANY_JSON,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(_CONFIG_FIELDS, _ANY_JSON, _ANY_JSON)
def test_odd_field_values_never_crash(config, history, rootfs):
    text = json.dumps({"os": "linux", "architecture": "amd64", "config": config, "history": history, "rootfs": rootfs})
    for document in image(text):
        assert document.to_model().kind == "image"
        list(iter_findings(document, POLICY))


def test_surrogate_in_shell_script_read():
    # JSON may escape half of a surrogate pair: the script is still parsed, and its commands keep the character.
    [document] = image('{"Os": "linux", "Config": {"Cmd": ["sh", "-c", "echo \\udfff; npm run dev"]}}')

    commands = document.data["runtimes"][0]["execution"]["commands"]
    assert [command["text"] for command in commands] == ["sh -c echo \udfff; npm run dev", "echo \udfff", "npm run dev"]
    assert document.errors == []


def test_huge_number_json_not_guessed(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"Os": "linux", "Config": {"Retries": 1' + "0" * 5000 + "}}", encoding="utf-8")

    with pytest.raises(InvalidInput) as caught:
        normalize(path)

    assert caught.value.error.message.startswith("a JSON file that is none of the known kinds:")

"""Short and long syntax normalized to one shape, the runtime view, secrets and suppressions."""

from __future__ import annotations

import pytest

from prodpolicy.compose import normalize_compose
from prodpolicy.compose.process import CommandError, split_command
from prodpolicy.evaluation import iter_findings
from prodpolicy.source import Source
from prodpolicy.yamlload import Timestamp, load_yaml


def _compose(text: str, **options):
    return normalize_compose(Source("compose.yaml", text.encode("utf-8")), **options)


def _service(text: str, name: str = "app"):
    return _compose(text).data["services"][name]


def test_go_yaml_scalars():
    data = load_yaml(
        "a: no\nb: 22:22\nc: 0755\nd: 0x1F\ne: 1.10\nf: 1_000\ng: 0o17\nh: 0b101\ni: 2024-01-01\nj: 08\nk: 'yes'\nl: ~\n",
        scalars="compose",
    ).data
    assert data == {"a": "no", "b": "22:22", "c": 493, "d": 31, "e": 1.1, "f": 1000, "g": 15, "h": 5,
                    "i": "2024-01-01", "j": 8.0, "k": "yes", "l": None}  # fmt: skip
    assert isinstance(data["i"], Timestamp)


def test_core_scalars_unchanged_for_policies():
    assert load_yaml("c: 0755\ni: 2024-01-01\n").data == {"c": 755, "i": "2024-01-01"}


PORTS = """\
services:
  app:
    image: example/app:1
    ports:
      - 80
      - "8080:80"
      - "127.0.0.1:9000:9000/udp"
      - "[::1]:8443:443"
      - "3000-3002:3000-3002"
      - "8000-8010:80"
      - target: 443
        published: 8443
        host_ip: 0.0.0.0
        mode: host
      - "${HOST_IP}:5000:5000"
      - "${PORT}:5001"
"""


def test_ports_short_and_long_syntax():
    ports = _service(PORTS)["ports"]
    assert [(port["host_ip"], port["published"], port["target"], port["target_end"], port["protocol"], port["all_interfaces"])
            for port in ports] == [
        (None, None, 80, None, "tcp", True),
        (None, "8080", 80, None, "tcp", True),
        ("127.0.0.1", "9000", 9000, None, "udp", False),
        ("::1", "8443", 443, None, "tcp", False),
        (None, "3000-3002", 3000, 3002, "tcp", True),
        (None, "8000-8010", 80, None, "tcp", True),
        ("0.0.0.0", "8443", 443, None, "tcp", True),
        (None, "5000", None, None, "tcp", None),
        (None, None, None, None, "tcp", True),
    ]  # fmt: skip
    assert ports[6]["mode"] == "host"


def test_port_items_have_their_own_lines():
    document = _compose(PORTS)
    assert [document.locations[("services", "app", "ports", index)].line for index in range(9)] == [5, 6, 7, 8, 9, 10, 11, 15, 16]


def test_invalid_port_is_a_located_error():
    document = _compose("services:\n  app:\n    image: a:1\n    ports:\n      - '80:http'\n      - '81:81'\n")
    assert [(error.line, error.fatal) for error in document.errors] == [(5, False)]
    assert "is not a number or range" in document.errors[0].message
    assert [port["target"] for port in document.data["services"]["app"]["ports"]] == [81]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("'99999999999999999999:80'", "invalid port '99999999999999999999:80': the published port 999999999999... is outside 0-65535"),
        ("'1-99999999:1-99999999'", "invalid port '1-99999999:1-99999999': the container port 99999999 is outside 0-65535"),
        ("'8080:70000'", "invalid port '8080:70000': the container port 70000 is outside 0-65535"),
        ("{target: 70000}", "invalid port target 70000: the container port is outside 0-65535"),
        ("{target: 80, published: '70000'}", "invalid port '70000': the published port 70000 is outside 0-65535"),
    ],
)
def test_port_above_65535_is_an_error(entry, message):
    document = _compose(f"services:\n  app:\n    image: a:1\n    ports:\n      - {entry}\n      - '81:81'\n")

    assert [(error.line, error.message) for error in document.errors] == [(5, f"services.app.ports: {message}")]
    assert [port["target"] for port in document.data["services"]["app"]["ports"]] == [81]


def test_expose_above_65535_is_an_error():
    document = _compose("services:\n  app:\n    image: a:1\n    expose:\n      - '99999'\n      - '8080'\n")

    assert [(error.line, error.message) for error in document.errors] == [
        (5, "services.app.expose: invalid port '99999': the container port 99999 is outside 0-65535")
    ]
    assert document.data["services"]["app"]["expose"] == ["8080"]


VOLUMES = """\
services:
  app:
    image: example/app:1
    volumes:
      - ./data:/data:ro
      - named:/var/lib/app:nocopy
      - /var/run/docker.sock
      - //var/run/docker.sock:/sock:rw,rshared
      - ~/cache:/cache
      - type: bind
        source: ../shared/
        target: /shared
        read_only: true
        bind: {propagation: rslave}
      - type: tmpfs
        target: /scratch
        tmpfs: {size: 1000000, mode: 0o1777}
    tmpfs: /run
    devices:
      - /dev/fuse
      - "/dev/sda:/dev/xvda:r"
"""


def test_volumes_tmpfs_and_devices():
    service = _service(VOLUMES)
    summary = [(mount["type"], mount["source"], mount["target"], mount["read_only"]) for mount in service["volumes"]]
    assert summary == [
        ("bind", "./data", "/data", True),
        ("volume", "named", "/var/lib/app", False),
        ("volume", None, "/var/run/docker.sock", False),
        ("bind", "//var/run/docker.sock", "/sock", False),
        ("bind", "~/cache", "/cache", False),
        ("bind", "../shared/", "/shared", True),
        ("tmpfs", None, "/scratch", False),
    ]
    assert service["volumes"][3]["host_path"] == "/var/run/docker.sock"
    assert service["volumes"][3]["propagation"] == "rshared"
    assert service["volumes"][1]["nocopy"] is True
    assert service["volumes"][4]["host_path"] == "~/cache"
    assert service["volumes"][5]["propagation"] == "rslave"
    assert service["volumes"][6]["tmpfs_size"] == "1000000"
    assert [mount["target"] for mount in service["tmpfs"]] == ["/run"]
    assert [(device["source"], device["target"], device["permissions"]) for device in service["devices"]] == [
        ("/dev/fuse", "/dev/fuse", "rwm"),
        ("/dev/sda", "/dev/xvda", "r"),
    ]


@pytest.mark.parametrize(
    ("text", "argv"),
    [
        ("npm run dev", ["npm", "run", "dev"]),
        ("sh -c 'exec node server.js --port 80'", ["sh", "-c", "exec node server.js --port 80"]),
        ('echo "a b" c\\ d', ["echo", "a b", "c d"]),
        ("echo one && echo two", ["echo", "one"]),
        ("", []),
    ],
)
def test_string_commands_split_like_compose(text, argv):
    assert split_command(text) == argv


def test_unclosed_quote_is_an_error():
    with pytest.raises(CommandError):
        split_command("echo 'open")


def test_command_entrypoint_and_dev_server(bundled):
    document = _compose("services:\n  web:\n    image: node:20-alpine\n    user: node\n    command: npm run dev\n"
                        "    entrypoint: [tini, --]\n")  # fmt: skip
    runtime = document.data["runtimes"][0]
    assert runtime["cmd"] == {"form": "exec", "argv": ["npm", "run", "dev"], "script": None}
    assert runtime["execution"]["argv"] == ["tini", "--", "npm", "run", "dev"]
    findings = [(finding.rule_id, finding.line) for finding in iter_findings(document, bundled) if finding.rule_id == "RT301"]
    assert findings == [("RT301", 5)]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("root", (True, "root", None, 0)),
        ("0", (True, "0", None, 0)),
        ("'0:0'", (True, "0", "0", 0)),
        ("root:root", (True, "root", "root", 0)),
        ("'10001:10001'", (False, "10001", "10001", 10001)),
        ("node", (False, "node", None, None)),
    ],
)
def test_user_forms(user, expected):
    parsed = _service(f"services:\n  app:\n    image: a:1\n    user: {user}\n")["user"]
    assert (parsed["is_root"], parsed["user"], parsed["group"], parsed["uid"]) == expected
    assert parsed["source"] == "compose"


def test_no_user_leaves_the_image_user_unknown(bundled):
    document = _compose("services:\n  app:\n    image: a:1\n  admin:\n    image: a:1\n    user: '0:0'\n")
    assert document.data["runtimes"][0]["user"]["is_root"] is None
    assert document.data["runtimes"][0]["user"]["source"] == "unset"
    findings = [(finding.rule_id, finding.line) for finding in iter_findings(document, bundled) if finding.rule_id == "RT101"]
    assert findings == [("RT101", 6)]


@pytest.mark.parametrize(
    ("healthcheck", "state", "test"),
    [
        ("{test: [CMD, /probe], interval: 1m30s, timeout: 5s, retries: 3}", "configured", ["CMD", "/probe"]),
        ("{test: 'curl -f http://127.0.0.1/ || exit 1'}", "configured", ["CMD-SHELL", "curl -f http://127.0.0.1/ || exit 1"]),
        ("{test: [CMD-SHELL, 'pg_isready -U app']}", "configured", ["CMD-SHELL", "pg_isready -U app"]),
        ("{test: [NONE]}", "disabled", ["NONE"]),
        ("{disable: true}", "disabled", None),
        ("{interval: 10s}", "absent", None),
    ],
)
def test_healthcheck_forms(healthcheck, state, test):
    parsed = _service(f"services:\n  app:\n    image: a:1\n    healthcheck: {healthcheck}\n")["healthcheck"]
    assert parsed["state"] == state
    assert parsed.get("test") == test


def test_healthcheck_values_in_seconds():
    parsed = _service("services:\n  app:\n    image: a:1\n    healthcheck: {test: [CMD, /p], interval: 1m30s, timeout: 500ms, start_period: 20s, retries: 3}\n")["healthcheck"]
    assert (parsed["interval"], parsed["timeout"], parsed["start_period"], parsed["retries"]) == (90.0, 0.5, 20.0, 3)
    assert parsed["commands"][0]["argv"] == ["/p"]


def test_invalid_healthcheck_value_on_its_line():
    document = _compose(
        "services:\n  app:\n    image: a:1\n    healthcheck:\n      test: [CMD, /probe]\n"
        "      interval: 5x\n      retries: many\n      timeout: 3s\n"
    )
    assert [(error.line, error.message) for error in document.errors] == [
        (6, "services.app.healthcheck.interval: invalid duration '5x' (use 30s, 1m30s, 500ms)"),
        (7, "services.app.healthcheck.retries: 'many' is not a whole number"),
    ]
    healthcheck = document.data["services"]["app"]["healthcheck"]
    assert (healthcheck["state"], healthcheck.get("interval"), healthcheck["timeout"]) == ("configured", None, 3.0)


def test_built_service_healthcheck_from_dockerfile(bundled):
    document = _compose("services:\n  app:\n    build: ./app\n")
    assert document.data["runtimes"][0]["healthcheck"] == {"state": "absent", "source": "build"}
    assert [finding.rule_id for finding in iter_findings(document, bundled) if finding.rule_id == "RT201"] == []


def test_absent_healthcheck_is_reported_at_the_service(bundled):
    document = _compose("services:\n  app:\n    image: a:1\n")
    assert document.data["runtimes"][0]["healthcheck"] == {"state": "absent", "source": None}
    findings = [(finding.rule_id, finding.line) for finding in iter_findings(document, bundled) if finding.rule_id == "RT201"]
    assert findings == [("RT201", 2)]


def test_environment_list_and_mapping_with_secrets():
    text = (
        "services:\n  app:\n    image: a:1\n    environment:\n"
        "      - DB_PASSWORD=${DB_PASSWORD:-hunter2hunter2}\n"
        "      - API_KEY=${API_KEY}\n"
        "      - LEVEL=info\n"
        "      - PASSED\n"
    )
    document = _compose(text, environment={"API_KEY": "AKIAABCDEFGHIJKLMNOP"})
    environment = document.data["services"]["app"]["environment"]
    assert environment["DB_PASSWORD"]["value"] == "hun****"
    assert environment["DB_PASSWORD"]["secret"] == {"reason": "key-name"}
    assert environment["DB_PASSWORD"]["secret_in_file"] is True
    assert environment["DB_PASSWORD"]["raw"] == "${DB_PASSWORD:-hun****}"
    assert environment["API_KEY"]["value"] == "AKIA****"
    assert environment["API_KEY"]["secret_in_file"] is False
    assert environment["LEVEL"] == {"name": "LEVEL", "value": "info", "source": "environment", "line": 7}
    assert environment["PASSED"]["value"] is None
    assert environment["PASSED"]["unknown"] is True
    assert "hunter2hunter2" not in "\n".join(document.lines)
    assert document.data["runtimes"][0]["env"]["DB_PASSWORD"]["value"] == "hun****"


def test_env_file_forms_are_read(tmp_path):
    (tmp_path / "app.env").write_text("FROM_FILE=1\nSECRET_TOKEN=tok_live_4f9a8b7c6d5e4f3a\n", encoding="utf-8")
    text = (
        "services:\n  app:\n    image: a:1\n    env_file:\n      - app.env\n"
        "      - path: optional.env\n        required: false\n      - missing.env\n    environment:\n      FROM_FILE: '2'\n"
    )
    (tmp_path / "compose.yaml").write_text(text, encoding="utf-8")
    from prodpolicy.source import read_source

    document = normalize_compose(read_source(str(tmp_path / "compose.yaml")))
    files = document.data["services"]["app"]["env_files"]
    assert [(entry["path"], entry["required"], entry["found"]) for entry in files] == [
        ("app.env", True, True),
        ("optional.env", False, False),
        ("missing.env", True, False),
    ]
    assert files[0]["variables"]["SECRET_TOKEN"]["value"] == "tok_****"
    assert document.data["runtimes"][0]["env"]["FROM_FILE"]["value"] == "2"
    assert [(error.line, error.message) for error in document.errors] == [
        (8, "env_file missing.env not found (set required: false if it is optional)")
    ]


def test_restart_and_deploy_policy():
    service = _service("services:\n  app:\n    image: a:1\n    restart: on-failure:3\n")
    assert service["restart"] == {"policy": "on-failure", "source": "restart", "raw": "on-failure:3", "max_retries": 3}
    service = _service("services:\n  app:\n    image: a:1\n    restart: always\n    deploy:\n      restart_policy: {condition: on-failure, max_attempts: 5}\n")
    assert service["restart"] == {"policy": "on-failure", "source": "deploy", "raw": "on-failure", "max_retries": 5}


def test_security_settings():
    text = (
        "services:\n  app:\n    image: a:1\n    privileged: 'true'\n    read_only: true\n    cap_add: [cap_net_admin]\n"
        "    security_opt: ['no-new-privileges:true']\n    network_mode: host\n    pid: host\n    ipc: private\n"
    )
    service = _service(text)
    assert service["privileged"] is True
    assert service["read_only"] is True
    assert service["cap_add"] == [{"name": "NET_ADMIN", "raw": "cap_net_admin"}]
    assert service["no_new_privileges"] is True
    assert service["host_namespaces"] == [
        {"namespace": "network", "key": "network_mode", "value": "host"},
        {"namespace": "pid", "key": "pid", "value": "host"},
    ]


def test_wrong_types_and_unknown_keys_are_located_errors():
    document = _compose("services:\n  app:\n    image: a:1\n    privileged: yes\n    restart: sometimes\n    imagee: b\n")
    assert [(error.line, error.fatal) for error in document.errors] == [(6, False), (5, False), (4, False)]
    assert document.errors[0].message == "services.app.imagee: unknown key 'imagee'; did you mean 'image'?"
    assert document.data["services"]["app"]["privileged"] is None


def test_unknown_key_without_close_name():
    document = _compose("services:\n  app:\n    image: a:1\n    frobnicate: 1\n")
    assert [(error.line, error.message) for error in document.errors] == [
        (4, "services.app.frobnicate: unknown key 'frobnicate'; check the spelling against the compose specification")
    ]


def test_build_and_image_reference():
    service = _service("services:\n  app:\n    build:\n      context: ./app\n      target: runtime\n      args: [VERSION=3.12]\n"
                       "    image: registry.example.internal:5000/team/app@sha256:" + "a" * 64 + "\n")  # fmt: skip
    assert service["build"] == {"context": "./app", "dockerfile": None, "args": {"VERSION": "3.12"}, "target": "runtime", "secrets": []}
    assert (service["image"]["registry"], service["image"]["repository"], service["image"]["pinning"]) == (
        "registry.example.internal:5000",
        "team/app",
        "digest",
    )


def test_unquoted_date_is_rejected():
    from prodpolicy.errors import InvalidInput

    with pytest.raises(InvalidInput) as raised:
        _compose("services:\n  app:\n    image: a:1\n    labels:\n      built: 2024-01-01\n")
    assert raised.value.error.line == 5


def test_empty_and_non_mapping_files_are_input_errors():
    from prodpolicy.errors import InvalidInput

    for text, message in (("# nothing\n", "empty"), ("- a\n- b\n", "mapping at the top level")):
        with pytest.raises(InvalidInput) as raised:
            _compose(text)
        assert message in raised.value.error.message


def test_suppression_comments(bundled):
    text = (
        "services:\n"
        "  # prodpolicy ignore=CP301 -- the agent needs raw device access\n"
        "  agent:\n"
        "    image: registry.example.internal/ops/agent:5.1.0\n"
        "    privileged: true\n"
        "  other:\n"
        "    image: registry.example.internal/ops/other:1.0.0\n"
        "    privileged: true  # prodpolicy ignore=privileged -- vendor requirement\n"
        "  third:\n"
        "    image: registry.example.internal/ops/third:1.0.0\n"
        "    privileged: true\n"
    )
    document = _compose(text)
    findings = [finding for finding in iter_findings(document, bundled) if finding.rule_id == "CP301"]
    assert [(finding.line, finding.suppressed.justification if finding.suppressed else None) for finding in findings] == [
        (5, "the agent needs raw device access"),
        (8, "vendor requirement"),
        (11, None),
    ]


def test_document_validates_against_the_model():
    document = _compose(PORTS.replace("      - \"${HOST_IP}:5000:5000\"\n", "") + "    healthcheck: {test: [CMD, /p]}\n")
    model = document.to_model()
    assert model.kind == "compose"
    assert model.services["app"].ports[0].all_interfaces is True


def test_secrets_redacted_outside_environment():
    text = (
        "services:\n  app:\n    image: a:1\n"
        "    command: [migrate, --url, 'postgres://app:s3cr3tpass@db/app']\n"
        "    healthcheck: {test: [CMD, probe, --token, ghp_abcdefghijklmnopqrstuvwxyz0123456789]}\n"
        "    labels: {deploy.token: ghp_abcdefghijklmnopqrstuvwxyz0123456789}\n"
        "    build:\n      context: .\n      args: {NPM_TOKEN: npm_abcdefghijklmnopqrstuvwxyz0123456789}\n"
    )
    document = _compose(text)
    service = document.data["services"]["app"]
    assert service["command"]["argv"][2] == "post****@db/app"
    assert service["healthcheck"]["test"][3] == "ghp_****"
    assert service["labels"]["deploy.token"] == "ghp_****"
    assert service["build"]["args"]["NPM_TOKEN"] == "npm_****"
    rendered = "\n".join(document.lines)
    assert "s3cr3tpass" not in rendered
    assert "abcdefghijklmnopqrstuvwxyz0123456789" not in rendered


def test_env_file_values_see_the_interpolation_environment(tmp_path):
    (tmp_path / "app.env").write_text("GREETING=hello ${NAME}\n", encoding="utf-8")
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: a:1\n    env_file: app.env\n", encoding="utf-8")
    from prodpolicy.source import read_source

    document = normalize_compose(read_source(str(tmp_path / "compose.yaml")), environment={"NAME": "world"})
    assert document.data["services"]["app"]["env_files"][0]["variables"]["GREETING"]["value"] == "hello world"


def test_item_end_lines_stop_at_their_last_line():
    locations = load_yaml(VOLUMES, scalars="compose").locations
    assert (locations[("services", "app", "volumes", 5)].line, locations[("services", "app", "volumes", 5)].end_line) == (10, 14)
    assert locations[("services", "app", "volumes")].end_line == 17
    assert locations[("services", "app", "devices", 1)].end_line == 21


def _load_error(text: str):
    from prodpolicy.errors import InvalidInput

    with pytest.raises(InvalidInput) as raised:
        _compose(text)
    error = raised.value.error
    return error.message, error.line, error.column


def test_unquoted_date_rejected_at_its_key():
    text = "services:\n  app:\n    image: example/app:1\n    labels:\n      built: 2024-01-01\n"

    assert _load_error(text) == (
        "services.app.labels.built: the unquoted value 2024-01-01 is read as a YAML timestamp, which compose rejects; quote it",
        5,
        7,
    )


def test_unquoted_date_rejected_in_a_list():
    text = "services:\n  app:\n    image: example/app:1\n    command:\n      - run\n      - 2024-01-01 10:00:00\n"

    assert _load_error(text) == (
        "services.app.command.1: the unquoted value 2024-01-01 10:00:00 is read as a YAML timestamp, which compose "
        "rejects; quote it",
        6,
        9,
    )


def test_first_unquoted_date_reported():
    text = "x-a: &a\n  when: 2024-02-02\nservices:\n  app:\n    <<: *a\n    image: example/app:1\n    since: 2023-01-01\n"

    # The explicit keys of a mapping come before the keys a merge brings in, as in the data.
    assert _load_error(text)[0].startswith("x-a.when: the unquoted value 2024-02-02")
    assert _load_error(text.replace("x-a: &a\n  when: 2024-02-02\n", "x-a: &a\n  when: now\n"))[0].startswith(
        "services.app.since: the unquoted value 2023-01-01"
    )


def test_yaml_error_reported_before_a_date():
    text = "services:\n  app:\n    image: example/app:1\n    since: 2023-01-01\n    image: example/app:2\n"

    assert _load_error(text) == ("duplicate key 'image' (first defined at line 3)", 5, 5)


def test_origins_of_keys_items_tags_and_merges():
    from prodpolicy.compose.load import load_compose_source
    from prodpolicy.compose.tree import Mapping, Sequence

    text = (
        "x-base: &base\n  restart: unless-stopped\n"
        "services:\n  app:\n    <<: *base\n    image: example/app:1\n    ports: !override\n      - '8080:80'\n      - 9000\n"
    )
    loaded = load_compose_source(Source("compose.yaml", text.encode("utf-8"), "compose.yaml"))
    app = loaded.data["services"]["app"]
    ports = app["ports"]

    assert isinstance(app, Mapping)
    assert isinstance(ports, Sequence)
    assert [(key, origin.location.line, origin.location.column, origin.merged) for key, origin in app.origins.items()] == [
        ("image", 6, 5, False),
        ("ports", 7, 5, False),
        ("restart", 5, 5, True),
    ]
    assert app.tags == {"ports": "!override"}
    assert [(origin.location.line, origin.style) for origin in ports.origins] == [(8, "single"), (9, "plain")]
    assert {origin.file for origin in [*app.origins.values(), *ports.origins]} == {"compose.yaml"}

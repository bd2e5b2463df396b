"""The Dockerfile document: stages, instruction meanings and the runtime view."""

from __future__ import annotations

import pytest

from prodpolicy.errors import InvalidInput

from .helpers import CASES, dockerfile, syntax_case


def case(name: str):
    from prodpolicy.dockerfile import normalize_dockerfile

    return normalize_dockerfile((CASES / "dockerfile" / name).read_bytes().decode("utf-8"), name)


def runtime(document):
    return document.data["runtimes"][0]


def instruction(document, stage: int, position: int):
    return document.data["stages"][stage]["instructions"][position]


def test_heredoc_body_lines_are_not_instructions():
    document = case("01-heredoc-body-not-instructions.Dockerfile")
    keywords = [item["keyword"] for item in document.data["stages"][0]["instructions"]]
    assert keywords == ["FROM", "RUN", "USER", "COPY", "HEALTHCHECK", "CMD"]
    assert runtime(document)["user"]["user"] == "10001"
    assert runtime(document)["user"]["is_root"] is False
    assert runtime(document)["healthcheck"]["state"] == "configured"
    assert document.location_of(("runtimes", 0, "user")).line == 4


def test_phantom_user_in_heredoc():
    document = syntax_case("33-heredoc-phantom-user.Dockerfile")
    assert runtime(document)["user"]["raw"] == "app"
    assert instruction(document, 0, 2)["heredocs"][0]["content"] == "USER root\n"


def test_stage_graph_and_reachability():
    document = syntax_case("13-stage-refs.Dockerfile")
    stages = document.data["stages"]
    assert [(stage["name"], stage["parent_stage"], stage["depends_on"]) for stage in stages] == [
        ("builder", None, []),
        ("test", 0, [0]),
        (None, None, [0]),
    ]
    assert [stage["reachable"] for stage in stages] == [True, False, True]
    assert stages[1]["base"] == {"raw": "builder", "reference": "builder", "stage": "builder", "stage_index": 0, "pinning": "stage"}
    copies = [item["copy"] for item in stages[2]["instructions"][1:]]
    assert [(copy.get("from"), copy.get("from_stage")) for copy in copies] == [
        ("builder", 0),
        ("0", 0),
        ("docker.io/library/alpine:3", None),
    ]


def test_target_stage_defines_the_runtime():
    document = dockerfile("FROM alpine:3.20 AS build\nUSER 10001\nFROM alpine:3.20\n", target="build")
    assert document.data["final_stage"] == 0
    assert runtime(document)["user"]["uid"] == 10001
    with pytest.raises(InvalidInput) as raised:
        dockerfile("FROM alpine:3.20 AS build\n", target="missing")
    assert "target stage 'missing' not found" in raised.value.error.message


def test_user_inherited_from_an_earlier_stage():
    document = case("13-user-inherited-from-stage.Dockerfile")
    user = runtime(document)["user"]
    assert (user["user"], user["is_root"], user["source"]) == ("10001", False, "inherited")
    assert document.location_of(("runtimes", 0, "user")).line == 3
    assert runtime(document)["healthcheck"]["source"] == "inherited"
    assert runtime(document)["base"]["reference"] == "python:3.12-slim"


@pytest.mark.parametrize(
    ("user_line", "is_root"),
    [("USER 0", True), ("USER 0:0", True), ("USER root", True), ("USER root:root", True), ("USER 1000:0", False), ("USER app", False)],
)
def test_root_spellings(user_line, is_root):
    assert runtime(dockerfile(f"FROM alpine:3.20\n{user_line}\n"))["user"]["is_root"] is is_root


def test_user_from_build_arguments():
    document = case("10-user-from-arg.Dockerfile")
    user = runtime(document)["user"]
    assert (user["raw"], user["user"], user["group"], user["uid"], user["gid"]) == ("${APP_UID}:${APP_GID}", "10001", "10001", 10001, 10001)
    unknown = runtime(dockerfile("FROM alpine:3.20\nARG APP_UID\nUSER $APP_UID\n"))["user"]
    assert (unknown["is_root"], unknown["unknown"]) == (None, True)


def test_global_args_apply_to_from_only():
    document = syntax_case("11-arg-before-from.Dockerfile")
    assert document.data["stages"][0]["base"]["reference"] == "python:3.12-slim"
    assert [(arg["name"], arg["value"]) for arg in document.data["global_args"]] == [("BASE", "python:3.12-slim"), ("VERSION", None)]
    inside = dockerfile("ARG TAG=1\nFROM alpine:3.20\nENV A=${TAG}\n")
    assert runtime(inside)["env"]["A"]["value"] == ""
    redeclared = dockerfile("ARG TAG=1\nFROM alpine:3.20\nARG TAG\nENV A=${TAG}\n")
    assert runtime(redeclared)["env"]["A"]["value"] == "1"


def test_from_with_modifier_default():
    document = case("09-from-arg-modifier-default.Dockerfile")
    bases = [stage["base"] for stage in document.data["stages"]]
    assert [(base["tag"], base["pinning"]) for base in bases] == [("20.11-bookworm-slim", "tag"), ("20.11-bookworm-slim", "tag")]


def test_registry_port_without_tag():
    document = case("20-registry-port-untagged.Dockerfile")
    base = document.data["stages"][0]["base"]
    assert (base["registry"], base["repository"], base["tag"], base["pinning"]) == ("localhost:5000", "platform/jre", None, "none")
    assert document.data["stages"][2]["base"]["pinning"] == "stage"


def test_env_forms():
    document = syntax_case("21-env-forms.Dockerfile")
    env = runtime(document)["env"]
    assert {name: variable["value"] for name, variable in env.items()} == {
        "a": "b",
        "c": "d",
        "LEGACY": "value with spaces",
        "QUOTED": "hello world",
        "ESCAPED": "hello world",
        "EMPTY": "",
    }
    labels = runtime(document)["labels"]
    assert labels["org.opencontainers.image.source"]["value"] == "https://example.invalid/repo"


def test_substitution_in_env_workdir_expose_and_user():
    document = syntax_case("22-var-subst.Dockerfile")
    view = runtime(document)
    assert view["env"]["APP_HOME"]["value"] == "/app"
    assert view["env"]["DEBUG"]["value"] == ""
    assert view["workdir"] == "/app"
    assert view["ports"] == [{"port": 8080, "protocol": "tcp", "raw": "${PORT}"}]
    assert view["user"]["user"] == "nobody"


def test_healthcheck_flags_in_seconds():
    document = syntax_case("18-healthcheck-cmd.Dockerfile")
    first = instruction(document, 0, 1)["healthcheck"]
    assert (first["interval"], first["timeout"], first["start_period"], first["retries"]) == (30.0, 3.0, 5.0, 3)
    assert first["test"] == ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"]
    assert (instruction(document, 0, 1)["line"], instruction(document, 0, 1)["end_line"]) == (2, 3)
    assert runtime(document)["healthcheck"]["test"] == ["CMD", "curl", "-f", "http://localhost/"]


def test_healthcheck_none_and_empty_cmd():
    assert runtime(syntax_case("17-healthcheck-none.Dockerfile"))["healthcheck"]["state"] == "disabled"
    document = case("50-healthcheck-cmd-empty.Dockerfile")
    assert [(error.line, error.message) for error in document.errors] == [(3, "HEALTHCHECK CMD is missing its command")]


def test_run_mounts_and_network():
    document = syntax_case("19-run-mount.Dockerfile")
    run = instruction(document, 0, 1)
    assert run["mounts"] == [
        {
            "type": "secret",
            "id": "pip_token",
            "env": "PIP_TOKEN",
            "options": {"type": "secret", "id": "pip_token", "env": "PIP_TOKEN"},
            "readonly": True,
        },
        {
            "type": "cache",
            "target": "/root/.cache/pip",
            "options": {"type": "cache", "target": "/root/.cache/pip"},
            "readonly": False,
        },
    ]
    assert [command["argv"] for command in run["commands"]] == [["pip", "install", "-r", "requirements.txt"]]
    assert instruction(document, 0, 2)["network"] == "none"


def test_copy_flags_and_sources():
    document = syntax_case("20-copy-flags.Dockerfile")
    copy = instruction(document, 0, 1)["copy"]
    assert (copy["chmod"], copy["chown"], copy["link"], copy["destination"]) == ("0755", "app:app", True, "/usr/local/bin/")
    add = instruction(document, 0, 2)
    assert add["copy"]["sources"] == [{"path": "https://example.invalid/x.tar.gz", "kind": "url"}]
    assert add["flags"] == [{"name": "checksum", "value": "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"}]


def test_run_commands_from_shell_and_heredoc():
    document = syntax_case("06-heredoc-run.Dockerfile")
    run = instruction(document, 0, 1)
    assert [(command["argv"], command["operator"]) for command in run["commands"]] == [
        (["set", "-eux"], None),
        (["apt-get", "update"], ";"),
        (["apt-get", "install", "-y", "curl"], ";"),
    ]
    document = syntax_case("03-comment-in-continuation.Dockerfile")
    commands = instruction(document, 0, 1)["commands"]
    assert [(command["program"], command["operator"]) for command in commands] == [("apt-get", None), ("apt-get", "&&"), ("rm", "&&")]


def test_exec_shell_and_malformed_json_forms():
    document = syntax_case("10-json-vs-shell.Dockerfile")
    forms = [(item["keyword"], item.get("form")) for item in document.data["stages"][0]["instructions"]]
    assert forms == [("FROM", None), ("CMD", "exec"), ("ENTRYPOINT", "shell"), ("RUN", "exec"), ("CMD", "shell"), ("CMD", "shell"), ("SHELL", "exec")]
    view = runtime(document)
    assert view["shell"] == ["/bin/bash", "-o", "pipefail", "-c"]
    assert view["entrypoint"] == {"form": "shell", "argv": ["/bin/sh", "-c", "/docker-entrypoint.sh"], "script": "/docker-entrypoint.sh"}


def test_entrypoint_resets_inherited_cmd():
    document = dockerfile('FROM alpine:3.20 AS base\nCMD ["old"]\nFROM base\nENTRYPOINT ["new"]\n')
    assert runtime(document)["cmd"] is None
    same_stage = dockerfile('FROM alpine:3.20\nCMD ["arg"]\nENTRYPOINT ["app"]\n')
    assert runtime(same_stage)["execution"]["argv"] == ["app", "arg"]


def test_execution_looks_through_wrappers():
    document = dockerfile('FROM node:20\nENTRYPOINT ["/sbin/tini", "--", "docker-entrypoint.sh"]\nCMD ["sh", "-c", "exec npm run dev"]\n')
    texts = [command["text"] for command in runtime(document)["execution"]["commands"]]
    assert "npm run dev" in texts
    assert texts[0] == "/sbin/tini -- docker-entrypoint.sh sh -c exec npm run dev"


def test_unknown_instruction_is_reported_not_dropped():
    document = syntax_case("28-unknown-instruction.Dockerfile")
    assert [item["keyword"] for item in document.data["stages"][0]["instructions"]] == ["FROM", "FOO", "RUN"]
    assert [(error.line, error.message) for error in document.errors] == [(2, "unknown instruction FOO")]


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("29-empty.Dockerfile", None, "no instructions"),
        ("31-only-comments.Dockerfile", None, "no instructions"),
        ("30-unterminated-heredoc.Dockerfile", 2, "unterminated heredoc"),
        ("32-no-from.Dockerfile", 1, "no FROM instruction"),
    ],
)
def test_unreadable_dockerfiles(name, line, message):
    with pytest.raises(InvalidInput) as raised:
        syntax_case(name)
    assert raised.value.error.line == line
    assert message in raised.value.error.message


def test_onbuild_inner_meaning():
    document = syntax_case("14-onbuild.Dockerfile")
    inner = instruction(document, 0, 2)["inner"]
    assert (inner["keyword"], inner["commands"][0]["argv"]) == ("RUN", ["pip", "install", "-r", "/app/requirements.txt"])


def test_secrets_are_redacted_in_the_model_and_lines():
    document = dockerfile("FROM alpine:3.20\nENV DB_PASSWORD=hunter2hunter2\nRUN echo ghp_" + "a" * 36 + "\n")
    env = runtime(document)["env"]["DB_PASSWORD"]
    assert env["value"] == "hun****"
    assert env["secret"] == {"reason": "key-name"}
    assert "hunter2hunter2" not in repr(document.data)
    assert "a" * 36 not in repr(document.data)
    assert all("hunter2hunter2" not in line for line in document.lines)


def test_crlf_and_bom_line_numbers():
    assert case("23-crlf-user-root.Dockerfile").location_of(("runtimes", 0, "user")).line == 3
    bom = case("24-utf8-bom.Dockerfile")
    assert bom.data["stages"][0]["base"]["reference"] == "nginxinc/nginx-unprivileged:1.27-alpine"
    assert bom.location_of(("runtimes", 0, "user")).line == 3


def test_windows_escape_directive_case():
    document = case("05-escape-directive-windows.Dockerfile")
    view = runtime(document)
    assert view["workdir"] == "C:\\svc"
    assert view["env"]["SVC_PORT"]["value"] == "8080"
    assert view["user"]["user"] == "ContainerUser"
    assert document.errors == []


def test_model_validates_against_the_schema_classes():
    for path in sorted((CASES / "syntax").glob("*.Dockerfile")) + sorted((CASES / "dockerfile").glob("*.Dockerfile")):
        try:
            document = case(path.name) if path.parent.name == "dockerfile" else syntax_case(path.name)
        except (InvalidInput, UnicodeDecodeError):
            continue
        document.to_model()

"""The model facts behind each row of tests/cases/dockerfile/expected.tsv.

test_expected_cases.py checks the verdicts through the bundled rules. These
tests check the facts those verdicts rest on: the effective user, the base
image, the health check state and the line a finding would point at. A wrong
verdict can so be traced to the normalizer or to the rule.
"""

from __future__ import annotations

import pytest

from prodpolicy.dockerfile import normalize_dockerfile

from .expected_cases import read_rows
from .helpers import CASES

DIRECTORY = CASES / "dockerfile"


def case(name: str):
    return normalize_dockerfile((DIRECTORY / name).read_bytes().decode("utf-8"), name)


def runtime(document):
    return document.data["runtimes"][0]


def line_of(document, *path):
    return document.location_of(path).line


def bases(document):
    return [(stage["line"], stage["base"]["pinning"], stage["base"].get("tag")) for stage in document.data["stages"]]


def test_every_case_file_has_a_test():
    files = {row["file"] for row in read_rows(DIRECTORY)}
    tested = {name for name in files if any(name[:2] in test for test in globals() if test.startswith("test_case_"))}
    assert tested == files


@pytest.mark.parametrize("path", sorted(DIRECTORY.glob("*.Dockerfile")), ids=lambda path: path.name)
def test_case_files_validate(path):
    document = case(path.name)
    document.to_model()


def test_case_01_heredoc_body_is_content():
    document = case("01-heredoc-body-not-instructions.Dockerfile")
    assert document.errors == []
    keywords = [(item["keyword"], item["line"]) for item in document.data["stages"][0]["instructions"]]
    assert keywords == [("FROM", 2), ("RUN", 3), ("USER", 4), ("COPY", 5), ("HEALTHCHECK", 11), ("CMD", 12)]
    view = runtime(document)
    assert (view["user"]["user"], view["user"]["is_root"]) == ("10001", False)
    assert line_of(document, "runtimes", 0, "user") == 4
    assert bases(document) == [(2, "tag", "3.12-slim")]
    assert (view["healthcheck"]["state"], line_of(document, "runtimes", 0, "healthcheck")) == ("configured", 11)


def test_case_03_heredoc_after_continuation():
    document = case("03-heredoc-after-continuation.Dockerfile")
    assert document.errors == []
    run = document.data["stages"][0]["instructions"][1]
    assert (run["line"], run["end_line"]) == (3, 6)
    assert [(command["argv"], command["line"]) for command in run["commands"]] == [
        (["apk", "add", "--no-cache", "tini"], 3),
        (["cat"], 4),
    ]
    view = runtime(document)
    assert (view["user"]["uid"], view["user"]["is_root"], line_of(document, "runtimes", 0, "user")) == (10001, False, 8)


def test_case_05_backtick_escape():
    document = case("05-escape-directive-windows.Dockerfile")
    assert document.errors == []
    assert document.data["escape"] == "`"
    assert bases(document) == [(2, "tag", "ltsc2022")]
    view = runtime(document)
    assert (view["user"]["user"], view["user"]["is_root"], line_of(document, "runtimes", 0, "user")) == (
        "ContainerUser",
        False,
        7,
    )
    assert (view["healthcheck"]["state"], line_of(document, "runtimes", 0, "healthcheck")) == ("configured", 8)
    assert {name: variable["value"] for name, variable in view["env"].items()} == {
        "SVC_MODE": "production",
        "SVC_PORT": "8080",
    }


def test_case_06_comment_in_continuation():
    document = case("06-continuation-comment-lines.Dockerfile")
    assert document.errors == []
    cmd = document.data["stages"][0]["instructions"][-1]
    assert (cmd["line"], cmd["end_line"], cmd["form"]) == (9, 11, "exec")
    view = runtime(document)
    assert view["execution"]["argv"] == ["gunicorn", "--bind", "0.0.0.0:8000", "api.wsgi:app"]
    assert [command["program"] for command in view["execution"]["commands"]] == ["gunicorn"]
    install = document.data["stages"][0]["instructions"][1]["commands"][0]["package"]
    assert [(package["name"], package["version"]) for package in install["packages"]] == [
        ("gunicorn", "22.0.0"),
        ("flask", "3.0.3"),
    ]


def test_case_07_base_from_arg_default():
    document = case("07-from-arg-default-tagged.Dockerfile")
    base = document.data["stages"][0]["base"]
    assert (base["raw"], base["reference"], base["tag"], base["pinning"]) == (
        "${BASE_IMAGE}",
        "eclipse-temurin:21-jre-alpine",
        "21-jre-alpine",
        "tag",
    )
    assert line_of(document, "stages", 0, "base") == 2


def test_case_09_modifier_default_tag():
    document = case("09-from-arg-modifier-default.Dockerfile")
    assert bases(document) == [(2, "tag", "20.11-bookworm-slim"), (6, "tag", "20.11-bookworm-slim")]
    assert document.data["global_args"][0]["value"] is None


def test_case_10_user_from_args():
    document = case("10-user-from-arg.Dockerfile")
    user = runtime(document)["user"]
    assert (user["uid"], user["gid"], user["is_root"]) == (10001, 10001, False)
    assert line_of(document, "runtimes", 0, "user") == 5


def test_case_11_builder_root_stays_there():
    document = case("11-builder-stage-root.Dockerfile")
    assert document.data["stages"][0]["user"]["is_root"] is True
    assert document.data["stages"][0]["reachable"] is True
    user = runtime(document)["user"]
    assert (user["raw"], user["is_root"], line_of(document, "runtimes", 0, "user")) == ("65532:65532", False, 8)


def test_case_13_inherited_user_and_healthcheck():
    document = case("13-user-inherited-from-stage.Dockerfile")
    view = runtime(document)
    assert (view["user"]["uid"], view["user"]["source"], line_of(document, "runtimes", 0, "user")) == (10001, "inherited", 3)
    assert (view["healthcheck"]["state"], line_of(document, "runtimes", 0, "healthcheck")) == ("configured", 4)
    assert document.data["stages"][2]["base"]["pinning"] == "stage"
    assert (view["base"]["reference"], line_of(document, "runtimes", 0, "base")) == ("python:3.12-slim", 1)
    assert [stage["reachable"] for stage in document.data["stages"]] == [True, True, True]


def test_case_15_no_user_is_root():
    document = case("15-no-user-instruction.Dockerfile")
    user = runtime(document)["user"]
    assert (user["user"], user["is_root"], user["source"]) == ("root", True, "default")
    assert line_of(document, "runtimes", 0, "user") == 1


def test_case_16_uid_zero_is_root():
    document = case("16-numeric-root-uid.Dockerfile")
    user = runtime(document)["user"]
    assert (user["raw"], user["uid"], user["gid"], user["is_root"]) == ("0:0", 0, 0, True)
    assert line_of(document, "runtimes", 0, "user") == 5


def test_case_17_none_disables_inherited():
    document = case("17-healthcheck-none.Dockerfile")
    assert document.data["stages"][0]["instructions"][1]["healthcheck"]["state"] == "configured"
    healthcheck = runtime(document)["healthcheck"]
    assert (healthcheck["state"], line_of(document, "runtimes", 0, "healthcheck")) == ("disabled", 6)


def test_case_18_no_secret_in_mount_or_names():
    document = case("18-secret-mount-not-a-leak.Dockerfile")
    args = document.data["stages"][0]["args"]
    assert [(arg["name"], arg["value"], arg.get("secret"), arg.get("credential_name")) for arg in args] == [
        ("AUTH_MODE", "none", None, None)
    ]
    env = runtime(document)["env"]
    assert {name: (variable["value"], "secret" in variable) for name, variable in env.items()} == {
        "KMS_KEY_ALIAS": ("alias/app-data", False),
        "PASSWORD_MIN_LENGTH": ("12", False),
    }
    run = document.data["stages"][0]["instructions"][5]
    assert run["mounts"][0]["type"] == "secret"
    assert (run["mounts"][0]["env"], run["line"]) == ("NPM_TOKEN", 8)
    assert run["commands"][0]["package"]["options"] == ["--omit=dev"]


def test_case_20_registry_port_not_a_tag():
    document = case("20-registry-port-untagged.Dockerfile")
    assert document.errors == []
    first, second, third = (stage["base"] for stage in document.data["stages"])
    assert (first["registry"], first["repository"], first["tag"], first["pinning"]) == (
        "localhost:5000",
        "platform/jre",
        None,
        "none",
    )
    assert (second["registry"], second["tag"], second["pinning"]) == ("registry.example.internal:5000", "2.4.1", "tag")
    assert (third["stage"], third["pinning"]) == ("runtime-base", "stage")
    assert bases(document) == [(1, "none", None), (2, "tag", "2.4.1"), (3, "stage", None)]


def test_case_21_digests_pin_the_base():
    document = case("21-digest-pinned.Dockerfile")
    first, second = (stage["base"] for stage in document.data["stages"])
    assert (first["digest"][:15], first["tag"], first["pinning"]) == ("sha256:3f1e6b0c", None, "digest")
    assert (second["tag"], second["pinning"]) == ("3.12-slim", "digest")


def test_case_23_crlf_keeps_line_numbers():
    document = case("23-crlf-user-root.Dockerfile")
    assert document.errors == []
    user = runtime(document)["user"]
    assert (user["raw"], user["is_root"], line_of(document, "runtimes", 0, "user")) == ("root", True, 3)


def test_case_24_bom_keeps_first_instruction():
    document = case("24-utf8-bom.Dockerfile")
    assert document.errors == []
    assert bases(document) == [(1, "tag", "1.27-alpine")]
    assert (runtime(document)["user"]["uid"], line_of(document, "runtimes", 0, "user")) == (101, 3)


def test_case_25_directives_keep_lines():
    document = case("25-line-number-after-directives.Dockerfile")
    assert [(directive["name"], directive["line"]) for directive in document.data["directives"]] == [
        ("syntax", 1),
        ("check", 2),
    ]
    assert bases(document) == [(4, "latest", "latest")]
    assert line_of(document, "stages", 0, "base") == 4


def test_case_27_suppression_scope():
    document = case("27-suppression-scope.Dockerfile")
    assert bases(document) == [(2, "latest", "latest"), (3, "latest", "latest")]
    assert [(item.rules, item.start_line, item.end_line) for item in document.suppressions] == [
        (("base-image-unpinned",), 2, 2)
    ]


def test_case_49_comment_after_heredoc():
    document = case("49-heredoc-then-comment.Dockerfile")
    assert document.errors == []
    run = document.data["stages"][0]["instructions"][1]
    assert run["heredocs"][0]["content"] == "set -eu\nmkdir -p /srv/app\n"
    assert [(command["argv"], command["line"]) for command in run["commands"]] == [
        (["set", "-eu"], 4),
        (["mkdir", "-p", "/srv/app"], 5),
    ]
    assert (runtime(document)["user"]["uid"], line_of(document, "runtimes", 0, "user")) == (10001, 9)


def test_case_50_empty_healthcheck_cmd():
    document = case("50-healthcheck-cmd-empty.Dockerfile")
    assert [(error.line, error.message) for error in document.errors] == [(3, "HEALTHCHECK CMD is missing its command")]
    assert document.data["errors"] == [{"line": 3, "message": "HEALTHCHECK CMD is missing its command"}]
    assert runtime(document)["healthcheck"]["state"] == "absent"

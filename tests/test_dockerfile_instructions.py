"""The meaning of FROM, ENV, ARG, LABEL, EXPOSE, USER, WORKDIR, VOLUME, STOPSIGNAL, SHELL, MAINTAINER and ONBUILD."""

from __future__ import annotations

import pytest

from .helpers import dockerfile, syntax_case


def last(text: str):
    document = dockerfile(text)
    return document.data["stages"][-1]["instructions"][-1], document


def errors(document):
    return [(error.line, error.message) for error in document.errors]


def test_from_platform_name_and_lines():
    document = syntax_case("12-from-platform.Dockerfile")
    first, second = document.data["stages"]
    assert (first["name"], first["platform"], first["base"]["reference"], first["line"]) == ("build", "$BUILDPLATFORM", "golang:1.22", 1)
    assert (second["name"], second["platform"], second["base"]["pinning"], second["line"]) == (None, "linux/amd64", "tag", 3)
    instruction = first["instructions"][0]
    assert instruction["flags"] == [{"name": "platform", "value": "$BUILDPLATFORM"}]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("FROM", "FROM requires an image: write FROM image[:tag] [AS name]"),
        ("FROM alpine AS", "FROM takes an image and, optionally, AS and a stage name"),
        ("FROM alpine AS 1st", "invalid stage name '1st': it must start with a letter"),
        ("FROM alpine AS build!", "invalid stage name 'build!'"),
        ("FROM alpine WITH name", "FROM takes an image and, optionally, AS and a stage name"),
        ("FROM --platform linux/amd64 alpine", "the flag --platform needs a value: write --platform=VALUE"),
        ("FROM --arch=arm64 alpine", "unknown flag --arch for FROM; FROM takes --platform"),
        ("FROM ${EMPTY}", "the base image '${EMPTY}' expands to an empty name"),
        ("FROM ${", "invalid variable substitution"),
        ("FROM --platform=${ alpine", "invalid variable substitution: bad substitution"),
    ],
)
def test_from_errors(line, message):
    document = dockerfile(f"ARG EMPTY=\n{line}\n")
    assert len(document.errors) == 1
    assert document.errors[0].line == 2
    assert message in document.errors[0].message


def test_stage_names_are_lower_case():
    document = syntax_case("41-mixed-case-keywords.Dockerfile")
    first, second = document.data["stages"]
    assert (first["name"], second["base"]["stage"], second["parent_stage"]) == ("builder", "builder", 0)
    assert second["instructions"][1]["copy"]["from_stage"] == 0
    assert document.data["runtimes"][0]["healthcheck"]["state"] == "disabled"
    assert errors(document) == []


def test_flag_names_are_case_sensitive():
    document = dockerfile("FROM alpine:3.20 AS build\nFROM alpine:3.20\nCOPY --FROM=build /a /b\n")
    assert errors(document) == [(3, "unknown flag --FROM for COPY; COPY takes --from, --chown, --chmod, --link, --parents, --exclude")]


def test_env_and_label_forms():
    document = syntax_case("42-env-arg-label-forms.Dockerfile")
    instructions = document.data["stages"][0]["instructions"]
    legacy = instructions[2]
    assert (legacy["legacy_form"], legacy["variables"][0]["name"], legacy["variables"][0]["value"]) == (
        True,
        "LEGACY_FORM",
        "value with quotes and spaces",
    )
    assert [(variable["name"], variable["raw"], variable["value"]) for variable in instructions[3]["variables"]] == [
        ("A", '"x y"', "x y"),
        ("B", "'$ONE literal'", "$ONE literal"),
        ("C", "escaped\\ space", "escaped space"),
        ("D", "", ""),
    ]
    assert [variable["name"] for variable in instructions[4]["variables"]] == ["quoted key", "maintainer"]
    assert [(variable["name"], variable["value"]) for variable in instructions[5]["variables"]] == [
        ("EMPTY_QUOTES", ""),
        ("NEXT", "after-continuation"),
    ]
    assert (instructions[5]["line"], instructions[5]["end_line"]) == (6, 7)


def test_env_uses_earlier_state():
    document = dockerfile("FROM alpine:3.20\nENV A=1\nENV A=2 B=$A\n")
    env = document.data["runtimes"][0]["env"]
    assert (env["A"]["value"], env["B"]["value"], env["B"]["references"]) == ("2", "1", ["A"])


def test_arg_uses_earlier_args():
    document = syntax_case("42-env-arg-label-forms.Dockerfile")
    args = document.data["stages"][0]["args"]
    assert [(arg["name"], arg["value"]) for arg in args] == [("ONE", "1"), ("TWO", "12"), ("THREE", None)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ENV", "ENV requires at least one argument"),
        ("ENV ONLYNAME", "ENV needs a value: write ENV ONLYNAME=value"),
        ("ENV A=1 B", "ENV: missing '=' in 'B'; write name=value"),
        ("ENV =1", "ENV names can not be blank, in '=1'"),
        ("LABEL =x", "LABEL names can not be blank, in '=x'"),
        ("ARG =1", "ARG names can not be blank, in '=1'"),
        ("ENV A=${B", "invalid variable substitution"),
        ("ENV --flag A=1", "ENV takes no flags, but --flag is given"),
    ],
)
def test_name_value_errors(line, message):
    document = dockerfile(f"FROM alpine:3.20\n{line}\n")
    assert len(document.errors) == 1
    assert document.errors[0].line == 2
    assert message in document.errors[0].message


def test_arg_and_stopsignal_ignore_flags():
    document = dockerfile("FROM alpine:3.20\nARG --any A=1\nSTOPSIGNAL --x SIGINT\n")
    assert errors(document) == []


@pytest.mark.parametrize(
    ("words", "ports"),
    [
        ("80", [{"port": 80, "protocol": "tcp", "raw": "80"}]),
        ("53/udp 53/UDP", [{"port": 53, "protocol": "udp", "raw": "53/udp"}, {"port": 53, "protocol": "udp", "raw": "53/UDP"}]),
        ("8000-8010/tcp", [{"port": 8000, "end_port": 8010, "protocol": "tcp", "raw": "8000-8010/tcp"}]),
        ("9000-9000", [{"port": 9000, "protocol": "tcp", "raw": "9000-9000"}]),
        ("5000/sctp 0", [{"port": 5000, "protocol": "sctp", "raw": "5000/sctp"}, {"port": 0, "protocol": "tcp", "raw": "0"}]),
        ("${PORTS}", [{"port": 80, "protocol": "tcp", "raw": "${PORTS}"}, {"port": 443, "protocol": "tcp", "raw": "${PORTS}"}]),
        ("${UNSET_PORT}", [{"port": None, "protocol": "tcp", "raw": "${UNSET_PORT}"}]),
    ],
)
def test_expose_ports(words, ports):
    instruction, document = last(f"FROM alpine:3.20\nARG PORTS='80 443'\nARG UNSET_PORT\nEXPOSE {words}\n")
    assert (instruction["ports"], errors(document)) == (ports, [])


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("9000-8000", "invalid port range '9000-8000': the range ends below its start"),
        ("70000", "invalid port '70000': 70000 is outside 0-65535"),
        ("80/http", "invalid port '80/http': unknown protocol 'http'; use tcp, udp or sctp"),
        ("http", "invalid port 'http': 'http' is not a number"),
        ("/tcp", "invalid port '/tcp': no port number"),
    ],
)
def test_expose_errors(words, message):
    _, document = last(f"FROM alpine:3.20\nEXPOSE {words}\n")
    assert errors(document) == [(2, message)]


def test_expose_with_host_part_warns():
    instruction, document = last("FROM alpine:3.20\nEXPOSE 127.0.0.1:8080:80/tcp\n")
    assert instruction["ports"] == [{"port": 80, "protocol": "tcp", "raw": "127.0.0.1:8080:80/tcp"}]
    assert document.data["warnings"] == [
        {"line": 2, "message": "EXPOSE 127.0.0.1:8080:80/tcp: an image cannot publish ports to the host; expose 80/tcp instead"}
    ]


def test_ports_reach_the_runtime_with_their_lines():
    document = dockerfile("FROM alpine:3.20 AS base\nEXPOSE 80\nFROM base\nEXPOSE 443/tcp\n")
    assert [port["port"] for port in document.data["runtimes"][0]["ports"]] == [80, 443]
    assert [document.location_of(("runtimes", 0, "ports", number)).line for number in (0, 1)] == [2, 4]


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("USER app:staff", {"raw": "app:staff", "user": "app", "group": "staff", "is_root": False}),
        ("USER 0", {"raw": "0", "user": "0", "group": None, "uid": 0, "is_root": True}),
        ("USER root:0", {"raw": "root:0", "user": "root", "group": "0", "gid": 0, "is_root": True}),
        ("USER 1000:0", {"raw": "1000:0", "user": "1000", "group": "0", "uid": 1000, "gid": 0, "is_root": False}),
        ("USER ${NAME:-svc}", {"raw": "${NAME:-svc}", "user": "svc", "group": None, "is_root": False}),
    ],
)
def test_user_forms(line, fields):
    instruction, _ = last(f"FROM alpine:3.20\n{line}\n")
    assert instruction["user"] == {**fields, "source": "instruction"}


def test_user_that_expands_to_nothing_is_an_error():
    _, document = last("FROM alpine:3.20\nARG NAME=\nUSER ${NAME}\n")
    assert errors(document) == [(3, "USER ${NAME} expands to an empty user")]
    assert document.data["runtimes"][0]["user"]["source"] == "default"


def test_workdir_joins_relative_paths():
    document = dockerfile("FROM alpine:3.20\nWORKDIR /srv\nWORKDIR app\nARG SUB=lib\nWORKDIR $SUB/\n")
    assert document.data["runtimes"][0]["workdir"] == "/srv/app/lib/"
    assert document.location_of(("runtimes", 0, "workdir")).line == 5


def test_volume_stopsignal_and_maintainer():
    document = syntax_case("42-env-arg-label-forms.Dockerfile")
    view = document.data["runtimes"][0]
    assert (view["volumes"], view["stop_signal"]) == (["/data"], "SIGQUIT")
    assert document.location_of(("runtimes", 0, "stop_signal")).line == 8
    maintainer = document.data["stages"][0]["instructions"][7]
    assert (maintainer["keyword"], maintainer["maintainer"]) == ("MAINTAINER", "Someone <someone@example.invalid>")
    assert document.data["warnings"] == [
        {"line": 9, "message": "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors=... instead"}
    ]


def test_volume_forms():
    document = syntax_case("40-json-edge-cases.Dockerfile")
    assert document.data["runtimes"][0]["volumes"] == ["/data", "/logs", "/cache", "/tmp/x"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('VOLUME [""]', "VOLUME paths cannot be empty"),
        ("VOLUME", "VOLUME requires at least one path"),
        ("STOPSIGNAL", "STOPSIGNAL requires a signal, such as SIGTERM"),
        ("WORKDIR", "WORKDIR requires a path"),
        ("USER", "USER requires a user name or uid"),
        ("MAINTAINER", "MAINTAINER requires a name"),
        ("SHELL /bin/bash -c", 'SHELL requires the JSON form, such as SHELL ["/bin/bash", "-c"]'),
        ("SHELL []", 'SHELL requires the JSON form, such as SHELL ["/bin/bash", "-c"]'),
        ("CMD", "CMD requires at least one argument"),
        ("WORKDIR --x /a", "WORKDIR takes no flags, but --x is given"),
    ],
)
def test_single_argument_errors(line, message):
    _, document = last(f"FROM alpine:3.20\n{line}\n")
    assert errors(document) == [(2, message)]


def test_empty_exec_form_clears_inherited():
    document = dockerfile('FROM alpine:3.20 AS base\nENTRYPOINT ["/init"]\nCMD ["serve"]\nFROM base\nENTRYPOINT []\nCMD []\n')
    view = document.data["runtimes"][0]
    assert (view["entrypoint"], view["cmd"], view["execution"]) == (
        {"form": "exec", "argv": []},
        {"form": "exec", "argv": []},
        None,
    )
    assert document.errors == []


def test_shell_form_cmd_uses_stage_shell():
    document = dockerfile('FROM alpine:3.20\nSHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nCMD exec node server.js\n')
    view = document.data["runtimes"][0]
    assert view["cmd"]["argv"] == ["/bin/ash", "-eo", "pipefail", "-c", "exec node server.js"]
    assert [command["text"] for command in view["execution"]["commands"]] == [
        "/bin/ash -eo pipefail -c exec node server.js",
        "exec node server.js",
        "node server.js",
    ]
    assert document.location_of(("runtimes", 0, "shell")).line == 2


def test_onbuild_inner_instruction_has_meaning():
    document = syntax_case("37-onbuild-forms.Dockerfile")
    inners = [item["inner"] for item in document.data["stages"][0]["instructions"][1:5]]
    assert [(inner["keyword"], inner["line"]) for inner in inners] == [("ARG", 2), ("COPY", 3), ("RUN", 4), ("USER", 5)]
    assert inners[1]["copy"]["chown"] == "app:app"
    assert inners[2]["commands"][0]["package"]["options"] == ["--no-cache-dir", "-r", "${APP_HOME}/requirements.txt"]
    assert document.data["stages"][0]["user"]["source"] == "default"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ONBUILD", "ONBUILD requires an instruction to defer"),
        ("ONBUILD ONBUILD RUN true", "ONBUILD cannot defer another ONBUILD"),
        ("ONBUILD FROM alpine", "FROM is not allowed as an ONBUILD trigger"),
        ("ONBUILD MAINTAINER me", "MAINTAINER is not allowed as an ONBUILD trigger"),
        ("ONBUILD COPY --bogus a b", "ONBUILD COPY: unknown flag --bogus for COPY"),
    ],
)
def test_onbuild_errors(line, message):
    _, document = last(f"FROM alpine:3.20\n{line}\n")
    assert len(document.errors) == 1
    assert document.errors[0].line == 2
    assert message in document.errors[0].message


def test_unknown_instruction_kept_with_error():
    document = syntax_case("28-unknown-instruction.Dockerfile")
    unknown = document.data["stages"][0]["instructions"][1]
    assert (unknown["keyword"], unknown["arguments"], unknown["error"]) == ("FOO", ["bar"], "unknown instruction FOO")
    assert document.data["errors"] == [{"line": 2, "message": "unknown instruction FOO"}]


def test_continuation_with_nothing_after_is_named():
    document = dockerfile("FROM alpine:3.20\n\\\nRUN true\n  \\  \n")

    assert [(error.line, error.message) for error in document.errors] == [
        (4, "a line continuation with no instruction after it; remove the escape character or write the instruction")
    ]

"""RUN: the script with its shell, heredoc bodies, commands with their lines, mounts and flags."""

from __future__ import annotations

import pytest

from .helpers import dockerfile, syntax_case


def run(text: str, position: int = 1):
    document = dockerfile(text)
    return document.data["stages"][-1]["instructions"][position], document


def argv_lines(instruction):
    return [(command["argv"], command.get("line"), command.get("depth")) for command in instruction["commands"]]


def test_shell_form_uses_default_shell():
    instruction, _ = run("FROM alpine:3.20\nRUN apk add --no-cache curl\n")
    assert instruction["process"] == {
        "form": "shell",
        "argv": ["/bin/sh", "-c", "apk add --no-cache curl"],
        "script": "apk add --no-cache curl",
    }
    assert instruction["script_language"] == "posix"


def test_shell_form_uses_effective_shell():
    instruction, _ = run('FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL x | tar -xz\n', 2)
    assert instruction["process"]["argv"] == ["/bin/bash", "-o", "pipefail", "-c", "curl -fsSL x | tar -xz"]
    assert [(command["program"], command["operator"]) for command in instruction["commands"]] == [
        ("curl", None),
        ("tar", "|"),
    ]


def test_commands_take_their_physical_lines():
    text = "FROM debian:12\nRUN apt-get update \\\n    # refresh first\n    && apt-get install -y \\\n        curl \\\n    && rm -rf /var/lib/apt/lists/*\n"
    instruction, document = run(text)
    assert argv_lines(instruction) == [
        (["apt-get", "update"], 2, None),
        (["apt-get", "install", "-y", "curl"], 4, None),
        (["rm", "-rf", "/var/lib/apt/lists/*"], 6, None),
    ]
    assert document.location_of(("stages", 0, "instructions", 1, "commands", 2)).line == 6


def test_heredoc_body_is_the_script():
    instruction, _ = run("FROM debian:12\nRUN <<EOF\nset -eux\napt-get update\nEOF\n")
    assert instruction["process"] == {
        "form": "shell",
        "argv": ["/bin/sh", "-c", "set -eux\napt-get update\n"],
        "script": "set -eux\napt-get update\n",
    }
    assert argv_lines(instruction) == [(["set", "-eux"], 3, None), (["apt-get", "update"], 4, None)]


def test_chomped_heredoc_script_loses_its_tabs():
    instruction, _ = run("FROM debian:12\nRUN <<-EOF\n\tapt-get update\n\t\tapt-get install -y curl\n\tEOF\n")
    assert instruction["process"]["script"] == "apt-get update\napt-get install -y curl\n"
    assert argv_lines(instruction) == [(["apt-get", "update"], 3, None), (["apt-get", "install", "-y", "curl"], 4, None)]


def test_heredoc_with_shebang_runs_its_interpreter():
    instruction, _ = run("FROM python:3.12\nRUN <<EOF\n#!/usr/bin/env python3\nprint('hi')\nEOF\n")
    assert instruction["script_language"] == "python3"
    assert instruction["process"]["argv"] == ["/bin/sh", "-c", "/dev/pipes/EOF"]
    assert "commands" not in instruction


def test_heredoc_with_shell_shebang_is_parsed():
    instruction, _ = run("FROM debian:12\nRUN <<EOF\n#!/bin/bash\nset -euo pipefail\nEOF\n")
    assert instruction["script_language"] == "posix"
    assert argv_lines(instruction) == [(["set", "-euo", "pipefail"], 4, None)]


def test_heredoc_read_by_shell():
    instruction, _ = run("FROM debian:12\nRUN bash -e <<EOF\napt-get install -y curl\nEOF\n")
    assert argv_lines(instruction) == [(["bash", "-e"], 2, None), (["apt-get", "install", "-y", "curl"], 3, 1)]


def test_heredoc_before_the_shell_name():
    instruction, _ = run("FROM debian:12\nRUN <<EOF sh\necho from stdin\nEOF\n")
    assert argv_lines(instruction) == [(["sh"], 2, None), (["echo", "from", "stdin"], 3, 1)]


def test_heredoc_for_other_program():
    instruction, _ = run("FROM python:3.12\nRUN python3 <<EOF\nimport os\nos.system('apt-get install x')\nEOF\n")
    assert argv_lines(instruction) == [(["python3"], 2, None)]
    assert instruction["process"]["script"] == "python3 <<EOF\nimport os\nos.system('apt-get install x')\nEOF"


def test_several_heredocs_feed_their_commands():
    document = syntax_case("08-heredoc-multiple.Dockerfile")
    instruction = document.data["stages"][0]["instructions"][2]
    assert argv_lines(instruction) == [(["cat"], 7, None), (["cat"], 7, None)]
    assert [command["redirects"] for command in instruction["commands"]] == [
        [{"operator": ">", "target": "/x"}],
        [{"operator": ">", "target": "/y"}],
    ]


def test_crlf_heredoc_script():
    document = syntax_case("39-crlf-heredoc.Dockerfile")
    instruction = document.data["stages"][0]["instructions"][1]
    assert instruction["heredocs"][0]["content"] == "apk add --no-cache curl\r\n"
    assert argv_lines(instruction) == [(["apk", "add", "--no-cache", "curl"], 3, None)]


def test_exec_form_sh_c_is_unwrapped():
    instruction, _ = run('FROM alpine:3.20\nRUN ["/bin/sh", "-c", "apk add curl && rm -rf /var/cache/apk/*"]\n')
    assert instruction["process"] == {"form": "exec", "argv": ["/bin/sh", "-c", "apk add curl && rm -rf /var/cache/apk/*"]}
    assert argv_lines(instruction) == [
        (["/bin/sh", "-c", "apk add curl && rm -rf /var/cache/apk/*"], 2, None),
        (["apk", "add", "curl"], 2, 1),
        (["rm", "-rf", "/var/cache/apk/*"], 2, 1),
    ]


def test_shell_form_sh_c_is_unwrapped_one_level():
    instruction, _ = run("FROM alpine:3.20\nRUN sh -c 'apk add curl && sh -c \"echo deeper\"'\n")
    assert argv_lines(instruction) == [
        (["sh", "-c", 'apk add curl && sh -c "echo deeper"'], 2, None),
        (["apk", "add", "curl"], 2, 1),
        (["sh", "-c", "echo deeper"], 2, 1),
    ]


def test_powershell_script_is_not_read_as_shell():
    document = syntax_case("38-escape-backtick-powershell.Dockerfile")
    run_instruction = document.data["stages"][0]["instructions"][2]
    assert run_instruction["script_language"] == "powershell"
    assert "commands" not in run_instruction
    assert run_instruction["process"]["argv"][:3] == ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
    assert run_instruction["process"]["script"].startswith("Invoke-WebRequest https://example.invalid/app.zip")
    cmd = document.data["runtimes"][0]["cmd"]
    assert cmd["argv"][-1] == ".\\app.exe --port 8080"
    assert [command["program"] for command in document.data["runtimes"][0]["execution"]["commands"]] == ["powershell"]


def test_cmd_exe_script_is_not_read_as_shell():
    instruction, _ = run('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["cmd", "/S", "/C"]\nRUN dir c:\\ && echo done\n', 2)
    assert instruction["script_language"] == "cmd"
    assert "commands" not in instruction


def test_unparsable_script_is_kept_and_flagged():
    instruction, document = run("FROM alpine:3.20\nRUN echo ok && (echo broken\n")
    assert instruction["shell_error"] is True
    assert instruction["commands"] == [
        {"argv": [], "program": None, "operator": None, "text": "echo ok && (echo broken", "unparsed": True, "line": 2}
    ]
    assert document.errors == []


def test_empty_exec_form_is_an_error():
    instruction, document = run("FROM alpine:3.20\nRUN []\n")
    assert instruction["error"] == "RUN requires a command; the JSON array is empty"
    assert [error.line for error in document.errors] == [2]


def test_mounts_of_every_type():
    document = syntax_case("36-flags.Dockerfile")
    instruction = document.data["stages"][0]["instructions"][1]
    mounts = [{key: value for key, value in mount.items() if key != "options"} for mount in instruction["mounts"]]
    assert mounts == [
        {"type": "cache", "id": "gomod", "target": "/go/pkg/mod", "sharing": "locked", "readonly": False},
        {"type": "secret", "id": "netrc", "target": "/root/.netrc", "required": True, "readonly": True},
        {"type": "ssh", "readonly": True},
        {"type": "tmpfs", "target": "/tmp", "size": "64m", "readonly": False},
    ]
    assert (instruction["network"], instruction["security"]) == ("host", "sandbox")
    assert argv_lines(instruction) == [(["go", "build", "-o", "/out/app", "./cmd/app"], 8, None)]


def test_mount_values_expanded():
    instruction, _ = run('FROM alpine:3.20\nARG CACHE=/var/cache/apk\nRUN --mount=type=cache,"target=${CACHE}",rw=false apk add curl\n', 2)
    mount = instruction["mounts"][0]
    assert (mount["target"], mount["readonly"], mount["options"]["target"]) == ("/var/cache/apk", True, "/var/cache/apk")


def test_mount_from_stage_and_image():
    text = "FROM golang:1.22 AS build\nFROM alpine:3.20\nRUN --mount=from=build,source=/out,target=/in --mount=type=bind,from=busybox:1.36,target=/bb true\n"
    instruction, document = run(text)
    first, second = instruction["mounts"]
    assert (first["from"], first["from_stage"], first["source"]) == ("build", 0, "/out")
    assert (second["from_image"]["reference"], second["from_image"]["pinning"]) == ("busybox:1.36", "tag")
    assert document.data["stages"][1]["depends_on"] == [0]
    assert document.data["stages"][0]["reachable"] is True


@pytest.mark.parametrize(
    ("mount", "message"),
    [
        ("type=volume,target=/x", "unsupported mount type 'volume'"),
        ("type=cache,target=/x,size=10m", "unexpected key 'size' for mount type 'cache'"),
        ("type=bind,target=/x,required", "unexpected key 'required' for mount type 'bind'"),
        ("type=secret", "a secret mount needs id, source or target"),
        ("type=secret,id=a,source=b", "a secret mount cannot set both source and id"),
        ("type=secret,id=a,from=b", "a secret mount cannot have from"),
        ("type=bind,target=/x,sharing=locked", "sharing is only valid for cache mounts"),
        ("type=cache,target=/x,sharing=sometimes", "unsupported sharing value 'sometimes'"),
        ("type=bind,target=/x,uid=1", "uid is not allowed for bind mounts"),
        ("type=cache,target=/x,mode=999", "invalid value '999' for mode"),
        ("type=cache,target=/x,ro=maybe", "invalid value for readonly: 'maybe'"),
        ("type=cache,target=/x,color=blue", "unexpected key 'color'"),
        ("type=cache,target", "invalid mount field 'target'"),
        ('type=cache,\\"target=/x', "a quoted field is not closed"),
        ("type=cache,target=/x,", "invalid mount field ''"),
        ("type=bind,from=later,target=/x", "cannot mount from stage 'later'"),
    ],
)
def test_invalid_mounts(mount, message):
    document = dockerfile(f"FROM alpine:3.20\nRUN --mount={mount} true\nFROM alpine:3.20 AS later\n")
    assert [error.line for error in document.errors] == [2]
    assert message in document.errors[0].message


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ("--network=bridge", "invalid --network=bridge; use one of default, host, none"),
        ("--security=privileged", "invalid --security=privileged; use one of insecure, sandbox"),
        ("--network", "the flag --network needs a value: write --network=VALUE"),
        ("--network=none --network=host", "the flag --network is given more than once; keep one"),
        ("--mount", "the flag --mount needs a value: write --mount=VALUE"),
        ("--privileged", "unknown flag --privileged for RUN; RUN takes --mount, --network, --security, --device"),
    ],
)
def test_invalid_run_flags(flags, message):
    document = dockerfile(f"FROM alpine:3.20\nRUN {flags} true\n")
    assert [(error.line, error.message) for error in document.errors] == [(2, message)]


def test_device_flag_is_recorded():
    instruction, document = run("FROM alpine:3.20\nRUN --device=name=nvidia.com/gpu=all nvidia-smi\n")
    assert (instruction["devices"], document.errors) == (["name=nvidia.com/gpu=all"], [])

"""The stage graph: parents, inheritance, ARG scope, ONBUILD triggers, reachability and the target."""

from __future__ import annotations

import pytest

from prodpolicy.errors import InvalidInput

from .helpers import dockerfile, syntax_case


def env_values(document, stage: int | None = None):
    env = document.data["runtimes"][0]["env"] if stage is None else document.data["stages"][stage]["env"]
    return {name: (variable["value"], variable.get("unknown", False)) for name, variable in env.items()}


def test_global_args_reach_from_lines_only():
    document = dockerfile("ARG TAG=3.20\nARG REGISTRY\nFROM alpine:${TAG}\nENV T=${TAG} R=$REGISTRY\n")
    assert document.data["stages"][0]["base"]["reference"] == "alpine:3.20"
    assert env_values(document) == {"T": ("", False), "R": ("", False)}


def test_global_arg_without_default_makes_from_unknown():
    document = dockerfile("ARG REGISTRY\nFROM ${REGISTRY}/app:1.0\n")
    base = document.data["stages"][0]["base"]
    assert (base["reference"], base["unknown"], base["pinning"]) == ("/app:1.0", True, "unknown")


def test_redeclared_arg_takes_the_global_value():
    document = dockerfile("ARG TAG=3.20\nARG UNSET\nFROM alpine\nARG TAG\nARG UNSET\nENV T=$TAG U=$UNSET\n")
    assert env_values(document) == {"T": ("3.20", False), "U": ("", True)}
    args = document.data["stages"][0]["args"]
    assert [(arg["name"], arg["value"], arg.get("inherited_global")) for arg in args] == [
        ("TAG", "3.20", True),
        ("UNSET", None, None),
    ]


def test_platform_args_unknown_until_declared():
    document = dockerfile("FROM --platform=$BUILDPLATFORM golang:1.22\nARG TARGETARCH\nENV ARCH=$TARGETARCH BP=$BUILDPLATFORM\n")
    assert env_values(document) == {"ARCH": ("", True), "BP": ("", False)}
    assert document.data["stages"][0]["platform"] == "$BUILDPLATFORM"


def test_child_stage_inherits_args_env_and_state():
    text = (
        "FROM alpine:3.20 AS base\nARG VERSION=1.2\nENV APP_HOME=/srv\nWORKDIR /srv\nUSER 10001\n"
        'SHELL ["/bin/ash", "-c"]\nEXPOSE 8080\nLABEL team=core\nVOLUME /data\nSTOPSIGNAL SIGINT\n'
        'HEALTHCHECK CMD ["true"]\nENTRYPOINT ["/init"]\nCMD ["serve"]\n'
        "FROM base\nENV V=$VERSION\nRUN echo $VERSION\n"
    )
    document = dockerfile(text)
    view = document.data["runtimes"][0]
    assert env_values(document) == {"APP_HOME": ("/srv", False), "V": ("1.2", False)}
    assert (view["workdir"], view["user"]["uid"], view["user"]["source"], view["shell"]) == ("/srv", 10001, "inherited", ["/bin/ash", "-c"])
    assert ([port["port"] for port in view["ports"]], view["labels"]["team"]["value"], view["volumes"], view["stop_signal"]) == (
        [8080],
        "core",
        ["/data"],
        "SIGINT",
    )
    assert (view["healthcheck"]["source"], view["execution"]["argv"]) == ("inherited", ["/init", "serve"])
    assert document.data["stages"][1]["instructions"][2]["process"]["argv"] == ["/bin/ash", "-c", "echo $VERSION"]
    assert [document.location_of(("runtimes", 0, key)).line for key in ("user", "workdir", "healthcheck", "cmd", "env")] == [
        5,
        4,
        11,
        13,
        14,
    ]


def test_child_stage_does_not_change_its_parent():
    document = dockerfile("FROM alpine:3.20 AS base\nENV A=1\nFROM base AS child\nENV A=2 B=3\nFROM base\n")
    assert env_values(document, 0) == {"A": ("1", False)}
    assert env_values(document, 1) == {"A": ("2", False), "B": ("3", False)}
    assert env_values(document) == {"A": ("1", False)}


def test_stage_from_an_image_starts_fresh():
    document = dockerfile("FROM alpine:3.20 AS base\nUSER 10001\nARG A=1\nFROM alpine:3.20\nENV X=$A\n")
    view = document.data["runtimes"][0]
    assert (view["user"]["user"], view["user"]["source"], env_values(document)) == ("root", "default", {"X": ("", False)})
    assert document.location_of(("runtimes", 0, "user")).line == 4


def test_onbuild_triggers_run_in_the_child_stage():
    document = syntax_case("37-onbuild-forms.Dockerfile")
    child = document.data["stages"][1]
    assert [(trigger["keyword"], trigger["line"]) for trigger in child["triggers"]] == [
        ("ARG", 2),
        ("COPY", 3),
        ("RUN", 4),
        ("USER", 5),
    ]
    assert child["triggers"][1]["copy"]["destination"] == "/srv/"
    user = document.data["runtimes"][0]["user"]
    assert (user["user"], user["is_root"], document.location_of(("runtimes", 0, "user")).line) == ("app", False, 5)


def test_onbuild_triggers_do_not_reach_grandchildren():
    document = dockerfile("FROM alpine:3.20 AS base\nONBUILD USER app\nFROM base AS child\nFROM child\n")
    assert [stage.get("triggers") is not None for stage in document.data["stages"]] == [False, True, False]
    assert document.data["runtimes"][0]["user"]["user"] == "app"


def test_reachability_through_from_copy_and_mounts():
    text = (
        "FROM alpine:3.20 AS tools\nFROM alpine:3.20 AS assets\nFROM alpine:3.20 AS unused\n"
        "FROM tools AS build\nRUN --mount=from=assets,target=/a true\nFROM scratch\nCOPY --from=3 /out /\n"
    )
    document = dockerfile(text)
    stages = document.data["stages"]
    assert [(stage["name"], stage["depends_on"], stage["reachable"], stage["final"]) for stage in stages] == [
        ("tools", [], True, False),
        ("assets", [], True, False),
        ("unused", [], False, False),
        ("build", [0, 1], True, False),
        (None, [3], True, True),
    ]
    assert stages[4]["base"] == {"raw": "scratch", "reference": "scratch", "scratch": True, "pinning": "scratch"}


def test_target_selects_the_runtime_stage():
    document = dockerfile("FROM alpine:3.20 AS Build\nUSER 10001\nFROM alpine:3.20 AS release\n", target="BUILD")
    assert (document.data["final_stage"], document.data["target"]) == (0, "BUILD")
    assert document.data["runtimes"][0]["subject"] == {"kind": "stage", "name": "build"}
    assert [stage["reachable"] for stage in document.data["stages"]] == [True, False]


def test_unknown_target_lists_the_stage_names():
    with pytest.raises(InvalidInput) as raised:
        dockerfile("FROM alpine:3.20 AS build\nFROM alpine:3.20 AS release\n", target="test")
    assert raised.value.error.message == "target stage 'test' not found; stages with names: build, release"


def test_from_names_a_stage_only_in_lower_case():
    document = dockerfile("FROM alpine:3.20 AS builder\nFROM Builder\n")
    base = document.data["stages"][1]["base"]
    assert (base.get("stage"), base["error"]) == (None, "the repository name must be lowercase")


def test_from_a_later_stage_is_an_image():
    document = dockerfile("FROM later\nFROM alpine:3.20 AS later\n")
    assert document.data["stages"][0]["base"]["pinning"] == "none"


def test_duplicate_stage_name_points_at_the_earlier_stage():
    # BuildKit warns (DuplicateStageName) and builds the file, so it is no input error.
    document = dockerfile("FROM alpine:3.22 AS app\nFROM alpine:3.22 AS APP\nFROM alpine:3.22 AS app\n")
    stages = document.data["stages"]

    assert document.errors == []
    assert [stage.get("name_duplicate_of") for stage in stages] == [None, 0, 1]


def test_duplicate_stage_name_resolves_as_buildkit_does():
    # FROM takes the stage defined last before it; COPY --from and --target take the last one in the file.
    text = "FROM alpine:3.22 AS base\nRUN echo one\nFROM alpine:3.22 AS base\nRUN echo two\nFROM base AS app\n"
    stages = dockerfile(text).data["stages"]
    later_copy = dockerfile("FROM alpine:3.22 AS a\nFROM alpine:3.22 AS b\nCOPY --from=a /x /y\nFROM alpine:3.22 AS a\n")

    assert stages[2]["parent_stage"] == 1
    assert dockerfile(text, target="base").data["final_stage"] == 1
    assert [(error.line, error.message) for error in later_copy.errors] == [
        (3, "cannot copy from stage 'a': it must be defined before the current stage")
    ]


def test_runtime_base_is_root_image():
    document = dockerfile("FROM python:3.12-slim AS base\nFROM base AS deps\nFROM deps\n")
    assert document.data["runtimes"][0]["base"]["reference"] == "python:3.12-slim"
    assert document.location_of(("runtimes", 0, "base")).line == 1


def test_instructions_before_from():
    document = dockerfile("ARG A=1\nRUN echo no\nFROM alpine:3.20\n")
    before = document.data["instructions_before_from"]
    assert [(item["keyword"], item.get("error")) for item in before] == [
        ("ARG", None),
        ("RUN", "RUN before the first FROM; only ARG may come before FROM"),
    ]
    assert [(error.line, error.message) for error in document.errors] == [(2, "RUN before the first FROM; only ARG may come before FROM")]


def test_entrypoint_in_a_child_clears_the_inherited_cmd():
    document = dockerfile('FROM alpine:3.20 AS base\nCMD ["serve"]\nFROM base\nENTRYPOINT ["/app"]\n')
    view = document.data["runtimes"][0]
    assert (view["cmd"], view["execution"]["argv"]) == (None, ["/app"])

"""Variable facts: undefined references, ENV self-references and the FROM reference without build arguments."""

from __future__ import annotations

from prodpolicy.dockerfile import normalize_dockerfile


def normalize(text: str):
    return normalize_dockerfile(text, "<variable facts test>")


def facts_of(document, stage: int, position: int) -> dict:
    return document.data["stages"][stage]["instructions"][position].get("facts") or {}


def test_from_sees_global_and_platform_args():
    document = normalize(
        "ARG NODE_VERSION=20\n"
        "FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-alpine AS a\n"
        "ARG VARIANT=slim\n"
        "FROM node:${VARIANT:-22} AS b\n"
        "FROM --platform=$TARGETPLATFROM alpine:${ALPINE}\n"
    )

    assert "undefined_variables" not in facts_of(document, 0, 0)
    assert facts_of(document, 1, 0)["undefined_variables"] == ["VARIANT"]
    assert facts_of(document, 2, 0)["undefined_variables"] == ["ALPINE", "TARGETPLATFROM"]


def test_default_reference_without_build_arguments():
    document = normalize(
        "ARG TAG\n"
        "ARG VARIANT\n"
        "ARG BASE\n"
        "FROM busybox:${TAG} AS a\n"
        "FROM busybox:1.36${VARIANT} AS b\n"
        "FROM ${BASE:-alpine:3.22} AS c\n"
        "FROM $BASE\n"
    )

    assert facts_of(document, 0, 0)["default_reference"] == "busybox:"
    assert facts_of(document, 0, 0)["default_reference_invalid"] is True
    assert facts_of(document, 1, 0)["default_reference"] == "busybox:1.36"
    assert "default_reference_invalid" not in facts_of(document, 1, 0)
    # A fallback decides the reference, so it is known and needs no default.
    assert "default_reference" not in facts_of(document, 2, 0)
    assert facts_of(document, 3, 0)["default_reference"] == ""
    assert facts_of(document, 3, 0)["default_reference_invalid"] is True


def test_known_references_have_no_default_reference():
    document = normalize("ARG TAG=3.22\nFROM alpine:${TAG}\n")

    assert "default_reference" not in facts_of(document, 0, 0)


def test_stage_scope_needs_declarations():
    document = normalize(
        "ARG VERSION=1\n"
        "FROM alpine:3.20 AS base\n"
        "LABEL version=$VERSION arch=$TARGETARCH\n"
        "ARG VERSION\n"
        "ARG TARGETARCH\n"
        "ENV APP_HOME=/srv\n"
        "LABEL version=$VERSION arch=$TARGETARCH\n"
        "FROM base\n"
        "WORKDIR $APP_HOME/$VERSION\n"
        "COPY --chown=$APP_USER:$APP_GROUP a $APP_HOME/\n"
        "RUN echo $NOT_CHECKED\n"
        "CMD echo $NOT_CHECKED_EITHER\n"
    )

    assert facts_of(document, 0, 1)["undefined_variables"] == ["VERSION", "TARGETARCH"]
    assert "undefined_variables" not in facts_of(document, 0, 5)
    assert "undefined_variables" not in facts_of(document, 1, 1)
    assert facts_of(document, 1, 2)["undefined_variables"] == ["APP_USER", "APP_GROUP"]
    assert "undefined_variables" not in facts_of(document, 1, 3)
    assert "undefined_variables" not in facts_of(document, 1, 4)


def test_arg_defaults_see_same_line_args():
    document = normalize("FROM alpine:3.20\nARG A=1 B=$A C=$D\n")

    assert facts_of(document, 0, 1)["undefined_variables"] == ["D"]


def test_global_arg_defaults_are_checked():
    document = normalize("ARG BASE=alpine\nARG IMAGE=${BASE}:${TAG}\nFROM ${IMAGE}3.20\n")

    assert document.data["instructions_before_from"][1]["facts"]["undefined_variables"] == ["TAG"]


def test_env_self_references():
    document = normalize(
        "FROM alpine:3.20\n"
        "ENV A=1 B=$A C=${B}/x PATH=/opt/bin:$PATH\n"
        "ENV D=$A\n"
        "ENV E=1 F=$UNSET\n"
    )

    assert facts_of(document, 0, 1)["env_self_references"] == ["A", "B"]
    # PATH comes from the base image, which the Dockerfile does not show.
    assert facts_of(document, 0, 1)["undefined_variables"] == ["PATH"]
    assert "env_self_references" not in facts_of(document, 0, 2)
    assert facts_of(document, 0, 3)["undefined_variables"] == ["UNSET"]


def test_quoted_text_and_escapes_are_not_references():
    document = normalize("FROM alpine:3.20\nLABEL a='$NOT_A_VARIABLE' b=\\$ESCAPED c=\"$QUOTED\"\n")

    assert facts_of(document, 0, 1)["undefined_variables"] == ["QUOTED"]


def test_text_docker_rejects_gives_no_reference():
    document = normalize("FROM alpine:3.20\nWORKDIR ${MISSING:?set it}\n")

    assert document.errors
    assert "undefined_variables" not in facts_of(document, 0, 1)

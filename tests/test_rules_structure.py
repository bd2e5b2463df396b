"""The structure rules together: base images and stages, COPY and ADD, other instructions, syntax and style."""

from __future__ import annotations

import pytest

from prodpolicy.api import normalize
from prodpolicy.evaluation import iter_findings
from prodpolicy.policy.load import load_policy

STRUCTURE_SERIES = ("DF1", "DF5", "DF6", "DF7")
# Rules that run only when a policy enables them, with the reason in their docs.
DISABLED = {
    "DF103", "DF507", "DF511", "DF607", "DF610", "DF622", "DF623", "DF624", "DF626", "DF628",
    "DF706", "DF707", "DF708", "DF709", "DF710", "DF711", "DF712", "DF713", "DF714", "DF715", "DF716",
}
# DF101 and DF102 predate the other structure rules and keep their own defaults.
PREVIOUS = {"DF101", "DF102"}


@pytest.fixture(scope="module")
def every_structure_rule():
    # The bundled ruleset as shipped: the rules that are off by default stay off.
    return load_policy()


def findings(policy, text: str) -> list[tuple[str, int | None]]:
    documents = normalize("<structure rules test>", kind="dockerfile", text=text)
    assert [error.message for document in documents for error in document.errors] == []
    return sorted(
        (finding.rule_id, finding.line)
        for document in documents
        for finding in iter_findings(document, policy)
        if finding.rule_id.startswith(STRUCTURE_SERIES)
    )


def test_disabled_structure_rules(bundled):
    structure = {rule.id for rule in bundled.rules if rule.id.startswith(STRUCTURE_SERIES)} - PREVIOUS
    disabled = {rule.id for rule in bundled.rules if rule.id in structure and not rule.enabled}

    assert disabled == DISABLED


def test_style_rules_severity_and_default(bundled):
    style = [rule for rule in bundled.rules if "style" in rule.tags and rule.id.startswith(STRUCTURE_SERIES)]

    assert all(rule.severity in ("info", "low") for rule in style)
    assert sum(not rule.enabled for rule in style) > len(style) / 2


def test_careless_file_findings(every_structure_rule):
    text = (
        "# sytnax=docker/dockerfile:1\n"  # 1: misspelled directive
        "from golang:1.23 AS Build\n"  # 2: FROM/AS casing, stage name casing, keyword casing
        "WORKDIR src\n"  # 3: relative WORKDIR
        "COPY go.mod go.sum .\n"  # 4: relative, but after the relative WORKDIR, which is reported instead
        "RUN go build -o /out/api ./cmd/api\n"
        "\n"
        "FROM --platform=linux/amd64 alpine:3.22\n"  # 7: constant platform, and golang 1.23 on line 2 has ended
        "MAINTAINER ops@example.com\n"  # 8: deprecated
        "ENV APP_HOME=/srv APP_DATA=$APP_HOME/data\n"  # 9: self-reference
        "COPY --from=buidler /out/api /usr/local/bin/api\n"  # 10: no such stage
        "RUN chmod 0755 /usr/local/bin/api\n"  # the COPY on line 10 could set the mode
        "ADD config.yaml /etc/api/\n"  # 12: ADD of a local file
        "EXPOSE 22 8080:80/TCP\n"  # 13: SSH port, host mapping, protocol case
        "USER api:api\n"
        "CMD ['api']\n"  # 15: invalid JSON, replaced
        "CMD [\"/usr/local/bin/api\"]\n"
    )

    assert findings(every_structure_rule, text) == sorted(
        [
            ("DF104", 2),
            ("DF105", 7),
            ("DF108", 2),
            ("DF501", 10),
            ("DF508", 10),
            ("DF510", 12),
            ("DF601", 15),
            ("DF602", 8),
            ("DF603", 3),
            ("DF605", 14),
            ("DF613", 13),
            ("DF614", 13),
            ("DF615", 13),
            ("DF616", 9),
            ("DF701", 15),
            ("DF702", 2),
            ("DF703", 2),
            ("DF705", 1),
        ]
    )


def test_copy_from_an_image_is_reported_once(every_structure_rule):
    text = "FROM alpine:3.22\nCOPY --from=nginx /etc/nginx/nginx.conf /etc/nginx/\nCOPY --from=bitnami/kubectl:latest /opt/kubectl /usr/local/bin/\n"

    assert findings(every_structure_rule, text) == [("DF501", 2), ("DF501", 3)]


def test_careful_file_passes(every_structure_rule):
    text = (
        "# syntax=docker/dockerfile:1\n"
        "ARG GO_VERSION=1.27\n"
        "\n"
        "# build compiles the API\n"
        "FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build\n"
        "ARG TARGETOS TARGETARCH\n"
        "WORKDIR /src\n"
        "COPY go.mod go.sum ./\n"
        "RUN go mod download\n"
        "COPY . .\n"
        "RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/api ./cmd/api\n"
        "\n"
        "FROM gcr.io/distroless/static-debian12:nonroot@sha256:3f1e6b0c9a7d2e4f58b1c0d9e8a7f6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9\n"
        "LABEL org.opencontainers.image.source=\"https://github.com/example/api\" \\\n"
        "      org.opencontainers.image.title=api\n"
        "COPY --from=build --chmod=0555 /out/api /api\n"
        "USER 65532:65532\n"
        "EXPOSE 8080/tcp\n"
        "STOPSIGNAL SIGTERM\n"
        "ENTRYPOINT [\"/api\"]\n"
    )

    assert findings(every_structure_rule, text) == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("FROM alpine:3.22 AS a\nCOPY --from=a /x /y\n", 2),
        ("FROM alpine:3.22\nONBUILD FROM alpine:3.22\n", 2),
        ("FROM alpine:3.22\nFROBNICATE x\n", 2),
        ("RUN true\nFROM alpine:3.22\n", 1),
        ("FROM alpine:3.22\nEXPOSE 70000\n", 2),
    ],
)
def test_rejected_input_is_an_error(every_structure_rule, text, line):
    documents = normalize("<structure rules test>", kind="dockerfile", text=text)
    document = documents[0]
    reported = [
        finding.line for finding in iter_findings(document, every_structure_rule) if finding.rule_id.startswith(STRUCTURE_SERIES)
    ]

    assert [error.line for error in document.errors] == [line]
    assert line not in reported


def test_repeated_stage_name_is_a_finding(every_structure_rule):
    # BuildKit builds the file with its DuplicateStageName warning.
    text = "FROM alpine:3.22 AS a\nFROM alpine:3.22 AS a\n"

    assert findings(every_structure_rule, text) == [("DF113", 2)]

"""Build facts of a Dockerfile: what ships, the variables of a RUN, what package calls leave behind."""

from __future__ import annotations

import pytest

from prodpolicy.dockerfile.normalize import normalize_dockerfile
from prodpolicy.model.dockerfile import DockerfileDocument

from .helpers import dockerfile


def instruction(document, stage: int, position: int):
    return document.data["stages"][stage]["instructions"][position]


def packages(document, stage: int, position: int):
    return [command["package"] for command in instruction(document, stage, position)["commands"] if "package" in command]


MULTI_STAGE = """\
FROM golang:1.22 AS build
RUN apt-get update && apt-get install -y protobuf-compiler
FROM debian:12-slim AS base
ENV LANG=C.UTF-8
FROM base
ARG APP_VERSION=1.4.2
RUN apt-get update && apt-get install -y curl
COPY --from=build /out/app /app
"""


def test_shipped_stages_are_the_target_chain():
    document = dockerfile(MULTI_STAGE)
    stages = document.data["stages"]

    assert "shipped" not in (stages[0].get("facts") or {})
    assert stages[1]["facts"]["shipped"] is True
    assert stages[2]["facts"]["shipped"] is True


def test_target_option_changes_what_ships():
    document = dockerfile(MULTI_STAGE, target="build")
    stages = document.data["stages"]

    assert stages[0]["facts"]["shipped"] is True
    assert "shipped" not in (stages[2].get("facts") or {})


def test_instructions_of_builder_stages_have_no_shipped_fact():
    document = dockerfile(MULTI_STAGE)

    assert "shipped" not in instruction(document, 0, 1)["facts"]
    assert instruction(document, 2, 2)["facts"]["shipped"] is True


def test_package_calls_carry_shipped():
    document = dockerfile(MULTI_STAGE)

    assert [call["shipped"] for call in packages(document, 0, 1)] == [False, False]
    assert [call["shipped"] for call in packages(document, 2, 2)] == [True, True]


def test_run_env_of_its_chain():
    document = dockerfile(MULTI_STAGE)

    assert instruction(document, 2, 2)["facts"]["env"] == {"LANG": "C.UTF-8", "APP_VERSION": "1.4.2"}
    assert "env" not in instruction(document, 0, 1)["facts"]


def test_run_env_marks_undecided_arguments():
    document = dockerfile("FROM alpine:3.20\nARG VERSION\nRUN echo $VERSION\n")

    assert instruction(document, 0, 2)["facts"]["env"] == {"VERSION": None}


def test_previous_instruction_fact():
    document = dockerfile(
        "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN a && b\nRUN c\nRUN --mount=type=cache,target=/c d\n"
        "COPY x /srv/\nCOPY y /srv/\n"
    )

    assert instruction(document, 0, 1)["facts"]["previous"] == {"keyword": "FROM", "line": 2, "same_flags": False}
    assert instruction(document, 0, 2)["facts"]["previous"] == {
        "keyword": "RUN", "line": 3, "same_flags": True, "command_count": 2,
    }
    assert instruction(document, 0, 3)["facts"]["previous"]["same_flags"] is False
    assert instruction(document, 0, 5)["facts"]["previous"] == {
        "keyword": "COPY", "line": 6, "same_flags": True, "destination": "/srv/",
    }


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("apt-get update && apt-get install -y curl", "left"),
        ("apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*", "cleaned"),
        ("rm -rf /var/lib/apt/lists/* && apt-get update", "left"),
        ("apt-get update && apt-get clean", "left"),
    ],
)
def test_apt_cache_fact(script, expected):
    document = dockerfile(f"FROM debian:12-slim\nRUN {script}\n")

    assert packages(document, 0, 1)[0]["cache"] == expected
    assert packages(document, 0, 1)[0]["cache_path"] == "/var/lib/apt/lists"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("RUN apk add curl", "left"),
        ("RUN apk add curl --no-cache", "disabled"),
        ("RUN apk add curl && rm -rf /var/cache/apk/*", "cleaned"),
        ("RUN --mount=type=cache,target=/var/cache/apk apk add curl", "mounted"),
        ("RUN pip install -r r.txt", "left"),
        ("ENV PIP_NO_CACHE_DIR=1\nRUN pip install -r r.txt", "disabled"),
        ("RUN PIP_NO_CACHE_DIR=off pip install -r r.txt", "disabled"),
        ("RUN export PIP_NO_CACHE_DIR=1 && pip install -r r.txt", "disabled"),
        ("RUN pip install -r r.txt && rm -rf ~/.cache/pip", "cleaned"),
        ("RUN pip install -r r.txt && rm -rf $HOME/.cache", "cleaned"),
        ("RUN --mount=type=cache,target=~/.cache/pip pip install -r r.txt", "mounted"),
        ("RUN dnf install -y git && yum clean all", "cleaned"),
        ("RUN zypper -n in git && zypper cc -a", "cleaned"),
        ("RUN npm ci && npm cache clean --force", "cleaned"),
        ("RUN yarn && yarn cache clean", "cleaned"),
        ("RUN uv pip install --system -r r.txt", "left"),
        ("RUN composer install --no-dev --no-cache", "disabled"),
    ],
)
def test_cache_fact_per_manager(lines, expected):
    document = dockerfile(f"# syntax=docker/dockerfile:1\nFROM alpine:3.20\n{lines}\n")
    run = document.data["stages"][0]["instructions"][-1]
    calls = [command["package"] for command in run["commands"] if "package" in command]

    assert calls[0]["cache"] == expected


def test_cache_fact_absent_for_calls_without_a_cache():
    document = dockerfile("FROM debian:12-slim\nRUN apt-get install -y curl && go build ./...\n")

    assert [call.get("cache") for call in packages(document, 0, 1)] == [None, None]


def test_cleanup_in_a_heredoc_script():
    document = dockerfile(
        "# syntax=docker/dockerfile:1\nFROM debian:12-slim\nRUN <<EOF\napt-get update\napt-get install -y curl\n"
        "rm -rf /var/lib/apt/lists/*\nEOF\n"
    )

    assert packages(document, 0, 1)[0]["cache"] == "cleaned"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("RUN npm ci", True),
        ("RUN npm ci --omit=dev", False),
        ("RUN npm ci --omit dev", False),
        ("ENV NODE_ENV=production\nRUN npm ci", False),
        ("RUN NODE_ENV=production npm ci", False),
        ("RUN npm install express", None),
        ("RUN npm install -g pnpm@9", None),
        ("RUN yarn install --frozen-lockfile", True),
        ("RUN yarn install --frozen-lockfile --production=true", False),
        ("RUN pnpm install --prod", False),
        ("RUN composer install", True),
        ("ENV COMPOSER_NO_DEV=1\nRUN composer install", False),
        ("RUN bundle install", True),
        ("ENV BUNDLE_WITHOUT=development:test\nRUN bundle install", False),
        ("RUN bundle config set --local without 'development test' && bundle install", False),
        ("RUN bundle install --without development test", False),
        ("RUN poetry install", True),
        ("RUN poetry install --only main", False),
        ("RUN poetry install --without dev", False),
        ("RUN uv sync --frozen", True),
        ("RUN uv sync --no-dev", False),
        ("RUN pip install -r requirements.txt", False),
        ("RUN pip install -r requirements/dev.txt", True),
        ("RUN pip install -e .[test]", True),
        ("RUN pecl install xdebug-3.3.2", True),
        ("RUN apt-get install -y php8.2-xdebug", True),
    ],
)
def test_development_dependency_fact(lines, expected):
    document = dockerfile(f"FROM alpine:3.20\n{lines}\n")
    run = document.data["stages"][0]["instructions"][-1]
    calls = [command["package"] for command in run["commands"] if "package" in command]

    assert calls[-1].get("dev_dependencies") is expected


def test_development_dependencies_pruned_later_in_the_chain():
    document = dockerfile(
        "FROM node:20-alpine AS deps\nRUN npm ci\nFROM deps\nRUN npm run build\nRUN npm prune --omit=dev\n"
    )

    assert packages(document, 0, 1)[0]["dev_dependencies"] is False


def test_development_dependencies_replaced_by_a_production_install():
    document = dockerfile("FROM php:8.3-fpm\nRUN composer install\nRUN composer install --no-dev\n")

    assert packages(document, 0, 1)[0]["dev_dependencies"] is False
    assert packages(document, 0, 2)[0]["dev_dependencies"] is False


def test_development_dependencies_of_builder_stages_are_not_judged():
    document = dockerfile("FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\nCMD [\"node\"]\n")

    assert "dev_dependencies" not in packages(document, 0, 1)[0]


def test_install_after_the_whole_context_is_copied():
    document = dockerfile(
        "FROM node:20-alpine AS base\nWORKDIR /srv\nCOPY package.json ./\nRUN npm ci\nCOPY . .\nRUN npm ci\n"
        "FROM base\nRUN npm install --omit=dev\nRUN npm install left-pad@1.3.0\n"
    )

    assert "after_source_copy" not in packages(document, 0, 3)[0]
    assert packages(document, 0, 5)[0]["after_source_copy"] == 5
    assert packages(document, 1, 1)[0]["after_source_copy"] == 5
    assert "after_source_copy" not in packages(document, 1, 2)[0]


def test_copy_from_a_stage_is_not_the_context():
    document = dockerfile("FROM node:20 AS build\nFROM node:20-slim\nCOPY --from=build /src .\nRUN npm ci\n")

    assert "after_source_copy" not in packages(document, 1, 2)[0]


def test_archive_extracted_by_a_later_run():
    document = dockerfile(
        "FROM debian:12-slim\nCOPY vendor/jre.tar.gz /tmp/\nCOPY notes.tar.gz /srv/\nWORKDIR /tmp\n"
        "RUN tar xzf jre.tar.gz -C /opt\n"
    )

    assert instruction(document, 0, 1)["facts"]["extracted_at"] == 5
    assert "extracted_at" not in instruction(document, 0, 2)["facts"]


def test_destination_variables_name_the_copied_file():
    document = dockerfile(
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY sa.json config/\nCOPY other.json /etc/other.json\n"
        "ENV GOOGLE_APPLICATION_CREDENTIALS=/app/config/sa.json CONFIG_PATH=/etc/other.json\n"
    )

    assert instruction(document, 0, 2)["facts"]["destination_variables"] == ["GOOGLE_APPLICATION_CREDENTIALS"]
    assert instruction(document, 0, 3)["facts"]["destination_variables"] == ["CONFIG_PATH"]


def test_runtime_volumes_point_at_their_volume_instruction():
    document = dockerfile("FROM alpine:3.20 AS base\nVOLUME /data\nFROM base\nRUN true\nVOLUME [\"/logs\", \"/cache\"]\n")

    assert document.data["runtimes"][0]["volumes"] == ["/data", "/logs", "/cache"]
    assert document.location_of(("runtimes", 0, "volumes", 0)).line == 2
    assert document.location_of(("runtimes", 0, "volumes", 2)).line == 5


def test_secret_tokens_by_line_kind_and_instruction():
    document = dockerfile(
        "ARG GH=ghp_0123456789abcdefghijABCDEFGHIJ012345\nFROM alpine:3.20 AS build\n"
        "# token: xoxb-0123456789-abcdefghij\nFROM alpine:3.20\nRUN mysql --password=Sup3rS3cretPw! -e 'select 1'\n"
    )
    tokens = document.data["facts"]["secret_tokens"]

    assert tokens == [
        {"line": 1, "kind": "github-token", "keyword": "ARG"},
        {"line": 3, "kind": "slack-token"},
        {"line": 5, "kind": "password-option", "keyword": "RUN", "stage": 1, "shipped": True},
    ]
    assert document.location_of(("facts", "secret_tokens", 2)).line == 5


def test_secret_tokens_never_hold_the_value():
    document = dockerfile("FROM alpine:3.20\nRUN curl -H 'Authorization: Bearer 4f9c2a7e1b8d4e3fa2b6c9d0e1f2a3b4' x\n")

    assert "4f9c2a7e1b8d4e3fa2b6c9d0e1f2a3b4" not in repr(document.data)
    assert "4f9c2a7e1b8d4e3fa2b6c9d0e1f2a3b4" not in "\n".join(document.lines)


def test_build_facts_validate_against_the_model():
    text = MULTI_STAGE + "RUN npm ci && pip install --password=Sup3rS3cretPw! x\nCOPY a.tar /t/\nRUN tar xf /t/a.tar\n"
    document = normalize_dockerfile(text, "Dockerfile")

    DockerfileDocument.model_validate(document.data)

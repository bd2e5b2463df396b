"""Structure facts: the state each instruction runs in, labels, replaced instructions and user accounts."""

from __future__ import annotations

import pytest

from prodpolicy.dockerfile import normalize_dockerfile
from prodpolicy.dockerfile.facts._accounts import AccountChange, account_change


def normalize(text: str):
    # A name that is no file on disk, so no .dockerignore is read.
    return normalize_dockerfile(text, "<structure facts test>")


def facts_of(document, stage: int, position: int) -> dict:
    return document.data["stages"][stage]["instructions"][position].get("facts") or {}


def stage_facts(document, stage: int) -> dict:
    return document.data["stages"][stage].get("facts") or {}


def test_workdir_in_effect_follows_the_from_chain():
    document = normalize(
        "FROM alpine:3.20 AS base\n"
        "WORKDIR /srv\n"
        "WORKDIR app\n"
        "COPY . .\n"
        "FROM base\n"
        "RUN ls\n"
        "FROM alpine:3.20\n"
        "RUN ls\n"
    )

    assert facts_of(document, 0, 1)["resolved_path"] == "/srv"
    assert "workdir" not in facts_of(document, 0, 1)
    assert facts_of(document, 0, 2)["workdir"] == "/srv"
    assert facts_of(document, 0, 2)["resolved_path"] == "/srv/app"
    assert facts_of(document, 0, 3)["workdir"] == "/srv/app"
    assert facts_of(document, 1, 1)["workdir"] == "/srv/app"
    assert "workdir" not in facts_of(document, 2, 1)


def test_user_in_effect_for_copy_and_run():
    document = normalize(
        "FROM node:20-alpine AS base\n"
        "COPY a /a\n"
        "USER node\n"
        "RUN id\n"
        "FROM base\n"
        "ARG UID\n"
        "USER ${UID}\n"
        "COPY b /b\n"
    )

    assert facts_of(document, 0, 1)["user_is_root"] is True
    assert "user" not in facts_of(document, 0, 1)
    assert facts_of(document, 0, 3)["user"] == "node"
    assert facts_of(document, 0, 3)["user_is_root"] is False
    assert facts_of(document, 1, 3)["user"] == "${UID}"
    assert facts_of(document, 1, 3)["user_is_root"] is None


def test_scratch_chain_tracks_passwd_and_shell():
    document = normalize(
        "FROM busybox:1.36 AS tools\n"
        "FROM scratch AS base\n"
        "RUN true\n"
        "COPY --from=tools /etc/passwd /etc/passwd\n"
        "USER app\n"
        "FROM base\n"
        "COPY --from=tools /bin/busybox /bin/sh\n"
        "RUN true\n"
    )

    assert stage_facts(document, 1)["base_image"] == "scratch"
    run = facts_of(document, 1, 1)
    assert run["base_image"] == "scratch"
    assert run["passwd_copied"] is False
    assert run["user_is_root"] is True
    assert run["shell_copied"] is False
    assert facts_of(document, 1, 3)["passwd_copied"] is True
    assert facts_of(document, 2, 2)["base_image"] == "scratch"
    assert facts_of(document, 2, 2)["shell_copied"] is True


@pytest.mark.parametrize(
    ("copy", "shell_copied"),
    [
        ("COPY --from=tools /bin/busybox /bin/", True),
        ("COPY --from=tools /bin/ /bin/", True),
        ("COPY --from=tools / /", True),
        ("COPY --from=tools /bin/busybox /usr/local/bin/busybox", True),
        ("COPY --from=tools /bin/busybox /opt/busybox", False),
        ("COPY --from=tools /app /app", False),
    ],
)
def test_shell_copied_by_destination(copy, shell_copied):
    document = normalize(f"FROM busybox:1.36 AS tools\nFROM scratch\n{copy}\nRUN true\n")

    assert facts_of(document, 1, 2)["shell_copied"] is shell_copied


def test_registry_of_the_base_image():
    document = normalize(
        "ARG BASE\n"
        "FROM node:20 AS a\n"
        "FROM index.docker.io/library/alpine:3.20 AS b\n"
        "FROM localhost:5000/team/app AS c\n"
        "FROM a AS d\n"
        "FROM scratch AS e\n"
        "FROM ${BASE}\n"
    )

    registries = [stage_facts(document, index).get("registry") for index in range(6)]
    assert registries == ["docker.io", "docker.io", "localhost:5000", None, None, None]
    assert stage_facts(document, 3)["base_image"] == "node:20"


def test_destination_relative_and_unknown():
    document = normalize(
        "FROM alpine:3.20\n"
        "ARG DEST\n"
        "COPY a .\n"
        "COPY b /srv/\n"
        "COPY c ${DEST}\n"
        "COPY d C:/app\n"
    )

    assert facts_of(document, 0, 2)["destination_relative"] is True
    assert facts_of(document, 0, 3)["destination_relative"] is False
    assert "destination_relative" not in facts_of(document, 0, 4)
    assert facts_of(document, 0, 5)["destination_relative"] is False


def test_labels_of_a_stage():
    document = normalize(
        "FROM alpine:3.20\n"
        "ARG VERSION\n"
        "LABEL b=1 a=2\n"
        "LABEL version=$VERSION b=3\n"
        "RUN true\n"
        "LABEL c=4\n"
    )

    labels = stage_facts(document, 0)["labels"]
    assert labels == [
        {"name": "b", "value": "1", "line": 3, "duplicate": True},
        {"name": "a", "value": "2", "line": 3, "out_of_order": True},
        {"name": "version", "value": "", "line": 4, "unknown": True, "adjacent": True},
        {"name": "b", "value": "3", "line": 4, "out_of_order": True},
        {"name": "c", "value": "4", "line": 6},
    ]
    assert document.location_of(("stages", 0, "facts", "labels", 3)).line == 4


def test_overridden_instructions_point_at_the_one_that_wins():
    document = normalize(
        "FROM alpine:3.20\n"
        "CMD [\"a\"]\n"
        "HEALTHCHECK CMD true\n"
        "CMD [\"b\"]\n"
        "HEALTHCHECK NONE\n"
        "CMD [\"c\"]\n"
    )

    assert facts_of(document, 0, 1)["overridden_by"] == 6
    assert facts_of(document, 0, 2)["overridden_by"] == 5
    assert facts_of(document, 0, 3)["overridden_by"] == 6
    assert "overridden_by" not in facts_of(document, 0, 4)
    assert "overridden_by" not in facts_of(document, 0, 5)


def test_runtime_instructions_out_of_place():
    document = normalize(
        "FROM alpine:3.20\n"
        "EXPOSE 80\n"
        "CMD [\"a\"]\n"
        "COPY a /a\n"
        "ENTRYPOINT [\"tini\"]\n"
        "USER 1000\n"
        "HEALTHCHECK CMD true\n"
    )

    misplaced = [bool(facts_of(document, 0, position).get("runtime_misplaced")) for position in range(1, 7)]
    assert misplaced == [True, True, False, True, False, False]


def test_chmod_after_copy():
    document = normalize(
        "FROM alpine:3.20\n"
        "WORKDIR /srv\n"
        "COPY run.sh check.sh bin/\n"
        "RUN chmod -R 0755 /srv/bin\n"
        "COPY tool /usr/local/bin/tool\n"
        "RUN chmod +x /usr/local/bin/tool && /usr/local/bin/tool --version\n"
        "COPY other /opt/other\n"
        "RUN [\"chmod\", \"0700\", \"/opt/other\"]\n"
    )

    assert facts_of(document, 0, 2)["chmod_after"] == {"line": 4, "mode": "0755"}
    assert "chmod_after" not in facts_of(document, 0, 4)
    assert facts_of(document, 0, 6)["chmod_after"] == {"line": 8, "mode": "0700"}


def test_empty_scratch_stage_and_copies_from_it():
    document = normalize(
        "FROM scratch AS empty\n"
        "LABEL purpose=artifacts\n"
        "FROM scratch AS filled\n"
        "COPY a /a\n"
        "FROM alpine:3.20\n"
        "COPY --from=empty /a /a\n"
        "COPY --from=filled /a /b\n"
    )

    assert stage_facts(document, 0)["empty"] is True
    assert "empty" not in stage_facts(document, 1)
    assert facts_of(document, 2, 1)["source_stage_empty"] is True
    assert "source_stage_empty" not in facts_of(document, 2, 2)


def test_created_users_and_runtime_user():
    document = normalize(
        "FROM debian:12-slim AS base\n"
        "RUN useradd -u 10001 -G video app && useradd worker\n"
        "FROM base\n"
        "RUN usermod -aG render app\n"
        "USER 10001:10001\n"
    )

    assert facts_of(document, 0, 1)["created_users"] == ["app", "worker"]
    assert facts_of(document, 0, 1)["unused_created_users"] == ["worker"]
    assert facts_of(document, 1, 2)["dropped_groups"] == ["video", "render"]


def test_unknown_final_user_marks_no_unused_user():
    document = normalize("FROM debian:12-slim\nARG APP_USER\nRUN useradd app\nUSER ${APP_USER}\n")

    assert "unused_created_users" not in facts_of(document, 0, 2)


@pytest.mark.parametrize(
    ("argv", "change"),
    [
        (["useradd", "-r", "-u", "10001", "-G", "video,render", "-m", "app"], AccountChange("app", "10001", True, ["video", "render"])),
        (["/usr/sbin/useradd", "--uid=10001", "--groups", "docker", "svc"], AccountChange("svc", "10001", True, ["docker"])),
        (["useradd", "-mG", "wheel", "ops"], AccountChange("ops", None, True, ["wheel"])),
        (["adduser", "-D", "-u", "1000", "-G", "app", "-h", "/srv", "app"], AccountChange("app", "1000", True, [])),
        (["adduser", "--disabled-password", "--gecos", "", "--uid", "1001", "web"], AccountChange("web", "1001", True, [])),
        (["adduser", "web", "www-data"], AccountChange("web", None, False, ["www-data"])),
        (["usermod", "-aG", "audio", "app"], AccountChange("app", None, False, ["audio"])),
        (["addgroup", "app", "wheel"], AccountChange("app", None, False, ["wheel"])),
        (["gpasswd", "-a", "app", "docker"], AccountChange("app", None, False, ["docker"])),
    ],
)
def test_account_commands(argv, change):
    assert account_change(argv) == change


@pytest.mark.parametrize("argv", [[], ["addgroup", "-S", "app"], ["useradd"], ["echo", "useradd", "x"], ["gpasswd", "-d", "app", "docker"]])
def test_commands_that_change_no_user(argv):
    assert account_change(argv) is None


def test_document_with_facts_matches_the_model():
    document = normalize(
        "FROM scratch AS empty\n"
        "FROM debian:12-slim AS base\n"
        "WORKDIR /srv\n"
        "LABEL a=1 a=2\n"
        "RUN useradd -G video app\n"
        "COPY x y /srv/\n"
        "RUN chmod 0755 /srv/x\n"
        "USER app:app\n"
        "CMD [\"a\"]\n"
        "CMD [\"b\"]\n"
        "FROM base\n"
        "COPY --from=empty /a /a\n"
    )

    model = document.to_model()
    assert model.stages[1].facts.labels[0].duplicate is True
    assert model.stages[1].instructions[4].facts.chmod_after.line == 7

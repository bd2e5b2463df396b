"""Image references split into registry, repository, tag and digest as Docker does."""

from __future__ import annotations

import pytest

from prodpolicy.imageref import parse_image_reference


@pytest.mark.parametrize(
    ("reference", "registry", "repository", "tag", "digest"),
    [
        ("node", None, "node", None, None),
        ("node:20-alpine", None, "node", "20-alpine", None),
        ("library/node:20", None, "library/node", "20", None),
        ("localhost:5000/app", "localhost:5000", "app", None, None),
        ("localhost/app:1", "localhost", "app", "1", None),
        ("registry.example.internal:5000/platform/tools:2.4.1", "registry.example.internal:5000", "platform/tools", "2.4.1", None),
        ("gcr.io/distroless/static-debian12:nonroot", "gcr.io", "distroless/static-debian12", "nonroot", None),
        ("python@sha256:" + "a" * 64, None, "python", None, "sha256:" + "a" * 64),
        ("python:3.12-slim@sha256:" + "b" * 64, None, "python", "3.12-slim", "sha256:" + "b" * 64),
        ("app:5000", None, "app", "5000", None),
        ("[::1]:5000/app:v1", "[::1]:5000", "app", "v1", None),
    ],
)
def test_split(reference, registry, repository, tag, digest):
    parsed = parse_image_reference(reference)
    assert (parsed.registry, parsed.repository, parsed.tag, parsed.digest) == (registry, repository, tag, digest)
    assert parsed.error is None


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("Node:20", "lowercase"),
        ("node:bad tag", "invalid tag"),
        ("node@sha256:short", "invalid digest"),
        ("", "no repository"),
    ],
)
def test_invalid_references(reference, message):
    assert message in (parse_image_reference(reference).error or "")


def test_full_repository_adds_docker_hub_library():
    assert parse_image_reference("node:20").full_repository == "docker.io/library/node"
    assert parse_image_reference("bitnami/redis").full_repository == "docker.io/bitnami/redis"

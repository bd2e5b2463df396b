"""Generators of Dockerfiles, compose files and image configs, valid and mutated, for property tests and fuzzing.

Each generator takes a :class:`random.Random`, so the same code serves the
hypothesis tests (``st.randoms()``) and ``bench/fuzz.py`` (a seeded generator
per worker). The tests in this file check the generators themselves: a valid
input normalizes without an input error, and a mutation changes the bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodpolicy.api import normalize

IMAGES = ["alpine:3.20", "debian:bookworm-slim", "node:22-alpine", "python:3.12-slim@sha256:" + "ab" * 32, "scratch",
          "registry.example.internal/team/base:1.4", "ubuntu"]  # fmt: skip
PACKAGES = ["curl", "ca-certificates", "git", "python3=3.11.2-1", "build-essential", "openssl"]
NAMES = ["APP_ENV", "PORT", "DB_PASSWORD", "API_TOKEN", "PATH", "NODE_ENV", "SECRET_KEY_FILE", "LOG_LEVEL"]
VALUES = ["production", "8080", "${HOME}/bin", "/run/secrets/db", "true", "x y z", "\u00e9t\u00e9", "", "0755"]
PATHS = ["/app", "/srv/app", "/usr/local/bin/", ".", "src/", "package.json", "/etc/ssl/certs"]
USERS = ["root", "0", "10001", "app", "1000:1000", "nobody"]
KEYWORDS = ["FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "LABEL", "USER", "WORKDIR", "EXPOSE",
            "VOLUME", "HEALTHCHECK", "SHELL", "STOPSIGNAL", "ONBUILD"]  # fmt: skip


def _pick(rnd: random.Random, items: list[str]) -> str:
    return items[rnd.randrange(len(items))]


def _command(rnd: random.Random) -> str:
    templates = [
        lambda: f"apt-get update && apt-get install -y --no-install-recommends {_pick(rnd, PACKAGES)}",
        lambda: f"apk add --no-cache {_pick(rnd, PACKAGES)}",
        lambda: f"pip install {_pick(rnd, PACKAGES)}",
        lambda: f"curl -fsSL https://127.0.0.1/{rnd.randrange(100)}.sh | sh",
        lambda: f"chmod {rnd.choice(['755', '777', '4755'])} {_pick(rnd, PATHS)}",
        lambda: f"useradd -u {rnd.randrange(70000)} app",
        lambda: "npm ci && npm run build",
        lambda: f"echo {_pick(rnd, VALUES)!r} > /tmp/x",
    ]
    return " && ".join(rnd.choice(templates)() for _ in range(rnd.randint(1, 3)))


def _instruction(rnd: random.Random, stages: list[str]) -> str:
    name, value, path = _pick(rnd, NAMES), _pick(rnd, VALUES), _pick(rnd, PATHS)
    choices: list[Callable[[], str]] = [
        lambda: f"RUN {_command(rnd)}",
        lambda: f"RUN --mount=type=cache,target=/root/.cache {_command(rnd)}",
        lambda: f"RUN <<EOF\n{_command(rnd)}\n{_command(rnd)}\nEOF",
        lambda: f"RUN {_command(rnd)} \\\n    && {_command(rnd)}",
        lambda: f'ENV {name}="{value}"',
        lambda: f"ARG {name}={value}" if value and " " not in value else f"ARG {name}",
        lambda: f'LABEL org.opencontainers.image.{rnd.choice(["title", "version", "source"])}="{value}"',
        lambda: f"COPY {path} /app/",
        lambda: f"COPY --from={_pick(rnd, stages)} /out {path}" if stages else f"ADD {path} /app/",
        lambda: f"COPY --chown={_pick(rnd, USERS)} <<EOF /etc/app.conf\nkey={value}\nEOF",
        lambda: f"WORKDIR {path}",
        lambda: f"USER {_pick(rnd, USERS)}",
        lambda: f"EXPOSE {rnd.randrange(1, 65536)}{rnd.choice(['', '/tcp', '/udp'])}",
        lambda: f"HEALTHCHECK --interval={rnd.randrange(1, 60)}s CMD curl -f http://127.0.0.1/ || exit 1",
        lambda: "HEALTHCHECK NONE",
        lambda: f'CMD ["node", "{path}"]',
        lambda: f"ENTRYPOINT {_command(rnd)}",
        lambda: f"VOLUME {path}",
        lambda: 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
        lambda: "STOPSIGNAL SIGTERM",
        lambda: f"ONBUILD RUN {_command(rnd)}",
        lambda: f"# {value}",
    ]
    return rnd.choice(choices)()


def valid_dockerfile(rnd: random.Random) -> str:
    """Return a Dockerfile that Docker accepts: one to three stages of up to a dozen instructions."""
    lines = []
    if rnd.random() < 0.3:
        lines.append("# syntax=docker/dockerfile:1")
    if rnd.random() < 0.2:
        lines.append(f"ARG BASE={_pick(rnd, IMAGES)}")
    stages: list[str] = []
    for number in range(rnd.randint(1, 3)):
        name = f"stage{number}"
        lines.append(f"FROM {_pick(rnd, IMAGES)} AS {name}")
        lines.extend(_instruction(rnd, stages) for _ in range(rnd.randint(0, 12)))
        stages.append(name)
    return "\n".join(lines) + "\n"


def _service(rnd: random.Random) -> dict:
    service: dict = {"image": _pick(rnd, IMAGES)}
    optional: dict[str, Callable[[], object]] = {
        "ports": lambda: [f"{rnd.randrange(1, 65536)}:{rnd.randrange(1, 65536)}", f"127.0.0.1:{rnd.randrange(1, 9999)}:80"],
        "environment": lambda: {_pick(rnd, NAMES): _pick(rnd, VALUES) for _ in range(rnd.randint(1, 4))},
        "volumes": lambda: [f"./data:{_pick(rnd, PATHS)}", "/var/run/docker.sock:/var/run/docker.sock:ro"],
        "command": lambda: ["sh", "-c", _command(rnd)],
        "user": lambda: _pick(rnd, USERS),
        "privileged": lambda: rnd.random() < 0.5,
        "read_only": lambda: True,
        "restart": lambda: rnd.choice(["always", "unless-stopped", "no"]),
        "healthcheck": lambda: {"test": ["CMD", "curl", "-f", "http://127.0.0.1/"], "interval": f"{rnd.randrange(1, 90)}s"},
        "mem_limit": lambda: rnd.choice(["512m", "1g", 268435456]),
        "cap_drop": lambda: ["ALL"],
        "security_opt": lambda: ["no-new-privileges:true"],
        "network_mode": lambda: rnd.choice(["host", "bridge"]),
        "deploy": lambda: {"resources": {"limits": {"cpus": "0.5", "memory": "256M"}}},
    }
    for key in rnd.sample(sorted(optional), rnd.randint(0, len(optional))):
        service[key] = optional[key]()
    return service


def valid_compose(rnd: random.Random) -> str:
    """Return a compose file that docker compose accepts, with one to four services."""
    names = [f"svc{number}" for number in range(rnd.randint(1, 4))]
    model: dict = {"services": {name: _service(rnd) for name in names}}
    if len(names) > 1:
        model["services"][names[0]]["depends_on"] = names[1:]
    if rnd.random() < 0.3:
        model["name"] = "demo"
    return yaml.safe_dump(model, sort_keys=False, allow_unicode=True)


def valid_image_config(rnd: random.Random) -> str:
    """Return docker inspect output or an OCI image config as JSON."""
    config = {
        "Env": [f"{_pick(rnd, NAMES)}={_pick(rnd, VALUES)}" for _ in range(rnd.randint(0, 4))],
        "Cmd": ["node", _pick(rnd, PATHS)],
        "User": rnd.choice(["", *USERS]),
        "ExposedPorts": {f"{rnd.randrange(1, 65536)}/tcp": {}},
        "Labels": {"org.opencontainers.image.version": _pick(rnd, VALUES)},
    }
    if rnd.random() < 0.4:
        config["Healthcheck"] = {"Test": ["CMD-SHELL", "curl -f http://127.0.0.1/"], "Interval": 30_000_000_000}
    history = [{"created_by": f"/bin/sh -c {_command(rnd)}"} for _ in range(rnd.randint(0, 3))]
    if rnd.random() < 0.5:
        document: object = [{"Id": "sha256:" + "c" * 64, "RepoTags": ["app:1"], "Config": config, "Os": "linux",
                             "Architecture": "amd64", "RootFS": {"Type": "layers", "Layers": []}}]  # fmt: skip
    else:
        document = {"architecture": "amd64", "os": "linux", "config": config, "history": history,
                    "rootfs": {"type": "layers", "diff_ids": []}}  # fmt: skip
    return json.dumps(document, indent=rnd.choice([None, 2]))


def _truncate(rnd: random.Random, data: bytes) -> bytes:
    return data[: rnd.randrange(len(data) + 1)]


def _random_bytes(rnd: random.Random, data: bytes) -> bytes:
    position = rnd.randrange(len(data) + 1)
    noise = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 16)))
    return data[:position] + noise + data[position:]


def _delete_line(rnd: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    del lines[rnd.randrange(len(lines))]
    return b"\n".join(lines)


def _duplicate_line(rnd: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    position = rnd.randrange(len(lines))
    lines.insert(position, lines[position])
    return b"\n".join(lines)


def _huge_value(rnd: random.Random, data: bytes) -> bytes:
    position = rnd.randrange(len(data) + 1)
    return data[:position] + rnd.choice([b"A", b"\xc3\xa9", b"${X}", b"\\"]) * rnd.choice([1000, 70_000, 300_000]) + data[position:]


def _deep_nesting(rnd: random.Random, data: bytes) -> bytes:
    depth = rnd.choice([150, 250, 2000])
    if data.lstrip()[:1] in (b"{", b"["):
        return b"[" * depth + data + b"]" * depth
    if rnd.random() < 0.5:
        return data + b"x-deep: " + b"[" * depth + b"]" * depth + b"\n"
    return data + b"".join(b"  " * level + f"k{level}:\n".encode() for level in range(depth))


def _continuations(rnd: random.Random, data: bytes) -> bytes:
    return data + b"RUN true" + b" \\\n  && true" * rnd.choice([10, 1000, 5000]) + b"\n"


def _swap_lines(rnd: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    first, second = rnd.randrange(len(lines)), rnd.randrange(len(lines))
    lines[first], lines[second] = lines[second], lines[first]
    return b"\n".join(lines)


def _keyword_noise(rnd: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    position = rnd.randrange(len(lines) + 1)
    noise = " ".join(rnd.choice([*KEYWORDS, "<<EOF", "[", '"', "${", "&anchor", "*anchor", "<<:", "!!python/object", "\t"])
                     for _ in range(rnd.randint(1, 5)))  # fmt: skip
    lines.insert(position, noise.encode())
    return b"\n".join(lines)


MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "truncate": _truncate,
    "random-bytes": _random_bytes,
    "delete-line": _delete_line,
    "duplicate-line": _duplicate_line,
    "huge-value": _huge_value,
    "deep-nesting": _deep_nesting,
    "continuations": _continuations,
    "swap-lines": _swap_lines,
    "keyword-noise": _keyword_noise,
}

GENERATORS: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "dockerfile": ("Dockerfile", valid_dockerfile),
    "compose": ("compose.yaml", valid_compose),
    "image": ("config.json", valid_image_config),
}


def generate(rnd: random.Random, kind: str, mutations: int) -> bytes:
    """Return one input of ``kind``, valid or with up to ``mutations`` random mutations applied."""
    data = GENERATORS[kind][1](rnd).encode("utf-8")
    for _ in range(rnd.randint(0, mutations)):
        data = MUTATIONS[rnd.choice(sorted(MUTATIONS))](rnd, data)
    return data


@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False), st.sampled_from(sorted(GENERATORS)))
def test_valid_inputs_have_no_input_error(rnd, kind):
    name, generator = GENERATORS[kind]
    documents = normalize(name, text=generator(rnd), kind=kind)
    assert documents
    assert [error.message for document in documents for error in document.errors if error.fatal] == []


@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False), st.sampled_from(sorted(MUTATIONS)))
def test_mutation_changes_input(rnd, mutation):
    data = valid_dockerfile(rnd).encode()
    mutated = MUTATIONS[mutation](rnd, data)
    if mutation in ("truncate", "swap-lines"):
        assert len(mutated) <= len(data)
    else:
        assert mutated != data

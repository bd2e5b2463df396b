"""Several files merged in order, extends, include, profiles, !reset and !override."""

from __future__ import annotations

from pathlib import Path

from prodpolicy.compose import normalize_compose
from prodpolicy.compose.project import default_override
from prodpolicy.source import Source, read_source


def _write(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _project(directory: Path, *extra: str, **options):
    return normalize_compose(read_source(str(directory / "compose.yaml")), tuple(str(directory / name) for name in extra), **options)


BASE = """\
services:
  api:
    image: registry.example.internal/api:1.0.0
    command: ["gunicorn", "app:wsgi"]
    environment:
      - LEVEL=info
      - KEEP=base
    labels: {tier: backend}
    ports:
      - "8000:8000"
      - "127.0.0.1:9000:9000"
    volumes:
      - ./data:/data
      - logs:/var/log/app
    cap_add: [CHOWN]
    healthcheck:
      test: ["CMD", "/probe"]
      interval: 30s
    logging:
      driver: json-file
      options: {max-size: 10m}
    depends_on: [db]
  db:
    image: postgres:16.4-bookworm
"""

OVERRIDE = """\
services:
  api:
    command: flask run --debug
    environment:
      LEVEL: debug
    labels: ["debug=true"]
    ports:
      - "8000:8000"
      - "5678:5678"
    volumes:
      - ./src:/data
    cap_add: [CHOWN, NET_ADMIN]
    healthcheck:
      interval: 10s
    logging:
      driver: syslog
    depends_on:
      cache:
        condition: service_healthy
  cache:
    image: redis:7.4-alpine
"""


def test_override_merges_key_by_key(tmp_path):
    _write(tmp_path, {"compose.yaml": BASE, "override.yaml": OVERRIDE})
    document = _project(tmp_path, "override.yaml")
    api = document.data["services"]["api"]
    assert api["command"]["argv"] == ["flask", "run", "--debug"]
    assert {name: variable["value"] for name, variable in api["environment"].items()} == {"LEVEL": "debug", "KEEP": "base"}
    assert api["labels"] == {"tier": "backend", "debug": "true"}
    assert [port["raw"] for port in api["ports"]] == ["8000:8000", "127.0.0.1:9000:9000", "5678:5678"]
    assert [(mount["source"], mount["target"]) for mount in api["volumes"]] == [("./src", "/data"), ("logs", "/var/log/app")]
    assert [capability["name"] for capability in api["cap_add"]] == ["CHOWN", "NET_ADMIN"]
    assert api["healthcheck"]["test"] == ["CMD", "/probe"]
    assert api["healthcheck"]["interval"] == 10.0
    assert api["logging"] == {"driver": "syslog", "options": {}}
    assert api["depends_on"] == {
        "db": {"condition": "service_started", "required": True},
        "cache": {"condition": "service_healthy", "required": True},
    }
    assert sorted(document.data["services"]) == ["api", "cache", "db"]
    assert document.data["files"] == [str(tmp_path / "compose.yaml"), str(tmp_path / "override.yaml")]


def _where(document, path):
    location = document.location_of(path)
    return (location.file or document.file, location.line)


def test_override_values_point_at_the_override(tmp_path):
    _write(tmp_path, {"compose.yaml": BASE, "override.yaml": OVERRIDE})
    document = _project(tmp_path, "override.yaml")
    base, override = str(tmp_path / "compose.yaml"), str(tmp_path / "override.yaml")
    assert _where(document, ("services", "api", "command")) == (override, 3)
    assert _where(document, ("services", "api", "ports", 1)) == (base, 11)
    # The override's 8000:8000 replaces the base entry in its place; a port only the override adds is its own.
    assert _where(document, ("services", "api", "ports", 0)) == (override, 8)
    assert _where(document, ("services", "api", "ports", 2)) == (override, 9)
    assert _where(document, ("services", "api")) == (base, 2)
    assert _where(document, ("services", "cache", "image")) == (override, 21)
    # Every file read is kept for code frames; the primary file's lines stay in lines.
    assert document.lines[1] == "  api:"
    assert document.sources[override][2] == "    command: flask run --debug"


def test_reset_and_override_tags(tmp_path):
    override = (
        "services:\n  api:\n    ports: !reset []\n    environment: !override\n      ONLY: this\n"
        "    volumes: !override\n      - ./other:/other\n"
    )
    _write(tmp_path, {"compose.yaml": BASE, "override.yaml": override})
    api = _project(tmp_path, "override.yaml").data["services"]["api"]
    assert api["ports"] == []
    assert list(api["environment"]) == ["ONLY"]
    assert [mount["target"] for mount in api["volumes"]] == ["/other"]


def test_default_override_is_found_and_merged(tmp_path):
    _write(tmp_path, {"compose.yaml": BASE, "compose.override.yml": OVERRIDE})
    assert default_override(str(tmp_path / "compose.yaml")) == str(tmp_path / "compose.override.yml")
    document = _project(tmp_path)
    assert document.data["files"][-1] == str(tmp_path / "compose.override.yml")
    assert document.data["services"]["api"]["command"]["argv"][0] == "flask"


def test_extra_files_replace_the_default_override(tmp_path):
    _write(tmp_path, {"compose.yaml": BASE, "compose.override.yml": OVERRIDE, "prod.yaml": "services:\n  api:\n    restart: unless-stopped\n"})
    document = _project(tmp_path, "prod.yaml")
    assert document.data["files"] == [str(tmp_path / "compose.yaml"), str(tmp_path / "prod.yaml")]
    assert document.data["services"]["api"]["restart"]["policy"] == "unless-stopped"
    assert document.data["services"]["api"]["command"]["argv"][0] == "gunicorn"


def test_extends_same_file_and_other_file(tmp_path):
    _write(
        tmp_path,
        {
            "common/base.yaml": "services:\n  base:\n    image: example/base:2.0\n    restart: unless-stopped\n"
            "    volumes:\n      - ./shared:/shared\n    environment:\n      LEVEL: info\n",
            "compose.yaml": "services:\n  web:\n    extends:\n      file: common/base.yaml\n      service: base\n"
            "    environment:\n      LEVEL: debug\n  worker:\n    extends: web\n    user: '1000'\n",
        },
    )
    services = _project(tmp_path).data["services"]
    assert services["web"]["image"]["reference"] == "example/base:2.0"
    assert services["web"]["environment"]["LEVEL"]["value"] == "debug"
    # A relative path in the base resolves against the base file's folder.
    assert services["web"]["volumes"][0]["host_path"] == str(tmp_path / "common" / "shared")
    assert services["worker"]["restart"]["policy"] == "unless-stopped"
    assert services["worker"]["user"]["uid"] == 1000


def test_extends_cycle_and_missing_base_are_reported(tmp_path):
    _write(
        tmp_path,
        {"compose.yaml": "services:\n  a:\n    image: x:1\n    extends: b\n  b:\n    image: x:1\n    extends: a\n"
         "  c:\n    image: x:1\n    extends: missing\n"},  # fmt: skip
    )
    document = _project(tmp_path)
    messages = sorted(error.message for error in document.errors)
    assert len(messages) == 2
    assert "cannot extend service 'missing'" in messages[0]
    assert "forms a cycle" in messages[1]
    assert all(not error.fatal for error in document.errors)


def test_include_adds_services_and_reports_conflicts(tmp_path):
    _write(
        tmp_path,
        {
            "sub/compose.yaml": "services:\n  db:\n    image: postgres:16\n    volumes:\n      - ./pgdata:/var/lib/postgresql/data\n"
            "volumes:\n  cache: {}\n",
            "other.yaml": "services:\n  web:\n    image: nginx:1.27\n",
            "compose.yaml": "include:\n  - sub/compose.yaml\n  - path: other.yaml\nservices:\n  web:\n    image: nginx:1.27\n",
        },
    )
    document = _project(tmp_path)
    assert sorted(document.data["services"]) == ["db", "web"]
    assert document.data["services"]["db"]["volumes"][0]["host_path"] == str(tmp_path / "sub" / "pgdata")
    assert document.data["volumes"] == {"cache": {}}
    # An included service points at the file that defines it.
    assert _where(document, ("services", "db")) == (str(tmp_path / "sub" / "compose.yaml"), 2)
    assert _where(document, ("services", "db", "volumes", 0)) == (str(tmp_path / "sub" / "compose.yaml"), 5)
    assert [(error.line, error.message) for error in document.errors] == [
        (3, "services.web is defined both here and in an included file; rename one of them")
    ]


def test_include_missing_file_is_reported(tmp_path):
    _write(tmp_path, {"compose.yaml": "include:\n  - missing.yaml\nservices:\n  web:\n    image: nginx:1.27\n"})
    document = _project(tmp_path)
    assert [(error.line, error.fatal) for error in document.errors] == [(2, False)]
    assert "file not found" in document.errors[0].message


PROFILES = """\
services:
  web:
    image: nginx:1.27
  debug:
    image: busybox:1.36
    profiles: [debug]
  mail:
    image: example/mail:1
    profiles: [dev, debug]
"""


def test_profiles_select_services():
    source = Source("compose.yaml", PROFILES.encode())
    assert sorted(normalize_compose(source).data["services"]) == ["web"]
    assert sorted(normalize_compose(source, profiles=("dev",)).data["services"]) == ["mail", "web"]
    assert sorted(normalize_compose(source, profiles=("*",)).data["services"]) == ["debug", "mail", "web"]
    assert sorted(normalize_compose(source, environment={"COMPOSE_PROFILES": "debug"}).data["services"]) == ["debug", "mail", "web"]
    document = normalize_compose(source, profiles=("dev",))
    assert document.data["profiles"] == ["dev"]
    assert document.data["inactive_services"]["debug"]["active"] is False

"""Facts the compose normalizer adds for the compose rules: limits, credentials in commands, conflicts
between services, the written order and quoting of the primary file, and Git ignore rules of env files."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodpolicy.api import normalize
from prodpolicy.compose.gitignore import is_ignored
from prodpolicy.yamlload import load_yaml


def compose(text: str):
    return normalize("<compose test>", kind="compose", text=text)[0]


def service(text: str, name: str = "app"):
    return compose(text).data["services"][name]


# Resource limits


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("    mem_limit: 512m\n    cpus: 1.5\n    pids_limit: 100\n", {"memory": 512 * 1024**2, "cpus": 1.5, "pids": 100}),
        ("    mem_limit: 1073741824\n", {"memory": 1024**3, "cpus": None, "pids": None}),
        ("    mem_limit: 2GB\n    cpu_quota: 50000\n", {"memory": 2 * 1024**3, "cpus": 0.5, "pids": None}),
        ("    cpu_quota: 150000\n    cpu_period: 50000\n    pids_limit: -1\n", {"memory": None, "cpus": 3.0, "pids": None}),
        ("    cpus: 0\n    pids_limit: 0\n", {"memory": None, "cpus": None, "pids": None}),
    ],
)
def test_service_key_limits(keys, expected):
    limits = service("services:\n  app:\n    image: a:1\n" + keys)["resources"]
    assert {name: limits[name] for name in ("memory", "cpus", "pids")} == expected
    assert limits["unknown"] is False


def test_deploy_limits_win_over_service_keys():
    limits = service(
        "services:\n  app:\n    image: a:1\n    mem_limit: 2g\n    deploy:\n      resources:\n"
        "        limits: {memory: 256M, cpus: '0.25', pids: 50}\n"
    )["resources"]
    assert limits == {"memory": 256 * 1024**2, "cpus": 0.25, "pids": 50, "unknown": False}


def test_limit_from_a_missing_variable_is_unknown():
    limits = service("services:\n  app:\n    image: a:1\n    mem_limit: ${APP_MEMORY}\n")["resources"]
    assert limits["memory"] is None
    assert limits["unknown"] is True


def test_invalid_limit_is_an_input_error():
    document = compose("services:\n  app:\n    image: a:1\n    mem_limit: lots\n")
    assert [(error.line, error.message) for error in document.errors] == [
        (4, "services.app: mem_limit must be a size such as 512m or 2g, not 'lots'")
    ]
    assert document.data["services"]["app"]["resources"]["unknown"] is True


def test_invalid_deploy_limit_points_at_deploy():
    document = compose("services:\n  app:\n    image: a:1\n    deploy:\n      resources:\n        limits: {pids: many}\n")
    assert [(error.line, error.message) for error in document.errors] == [
        (4, "services.app: deploy.resources.limits.pids must be a whole number, not 'many'")
    ]


# Credentials in command, entrypoint and healthcheck


def test_command_credentials_found_and_redacted():
    app = service(
        "services:\n  app:\n    image: a:1\n"
        "    command: [\"sh\", \"-c\", \"PGPASSWORD=hunter2hunter2 psql -h db --password=s3cr3tvalue\"]\n"
        "    entrypoint: /srv/start --api-token tok_4f9a8b7c6d5e3a2b\n"
        "    healthcheck:\n      test: [\"CMD\", \"probe\", \"--url=https://probe:glpat-aBcDeFgHiJkLmNoPqRsT@status.internal/\"]\n"
    )
    assert [(item["key"], item["name"]) for item in app["inline_credentials"]] == [
        ("command", "PGPASSWORD"),
        ("command", "--password"),
        ("entrypoint", "--api-token"),
        ("healthcheck", "--url"),
    ]
    assert all(item["secret_in_file"] is True for item in app["inline_credentials"])
    assert "hunter2hunter2" not in app["command"]["argv"][2]
    assert "s3cr3tvalue" not in app["command"]["argv"][2]
    assert "tok_4f9a8b7c6d5e3a2b" not in " ".join(app["entrypoint"]["argv"])


def test_command_variable_default_is_a_credential():
    services = compose(
        "services:\n  app:\n    image: a:1\n    command: [\"serve\", \"--db-password=${DB_PASSWORD:-hunter2hunter2}\"]\n"
        "  db:\n    image: postgres:16\n    command: [\"postgres\", \"--password=${DB_PASSWORD}\"]\n"
        "    healthcheck:\n      test: \"PGPASSWORD=$$POSTGRES_PASSWORD pg_isready\"\n"
    ).data["services"]
    assert [item["name"] for item in services["app"]["inline_credentials"]] == ["--db-password"]
    assert services["db"]["inline_credentials"] == []


def test_inline_credential_points_at_its_key():
    document = compose("services:\n  app:\n    image: a:1\n    entrypoint: /srv/start --api-token tok_4f9a8b7c6d5e3a2b\n")
    assert document.location_of(("services", "app", "inline_credentials", 0)).line == 4


# Conflicts between services


CONFLICTS = """\
services:
  api:
    image: a:1
    container_name: shop
    ports:
      - "127.0.0.1:8080:8080"
      - "9000-9005:9000-9005"
    volumes:
      - uploads:/srv/uploads
      - cache:/cache:ro
  admin:
    image: b:1
    container_name: shop
    ports:
      - "8080:80"
      - "10.0.0.5:9100:9100"
      - target: 53
        published: "9003"
        protocol: udp
      - "9004:9004"
    volumes:
      - uploads:/data
      - cache:/cache:ro
  debug:
    image: c:1
    container_name: shop
    profiles: [debug]
    ports: ["8080:8080"]
volumes:
  uploads: {}
  cache: {}
"""


def test_container_name_conflicts_name_earlier_services():
    services = compose(CONFLICTS).data["services"]
    assert services["api"]["container_name_shared_with"] == []
    assert services["admin"]["container_name_shared_with"] == ["api"]
    # A service of an inactive profile does not run, so it is not compared.
    assert "debug" not in services


def test_host_port_conflicts_compare_ranges_protocols_and_addresses():
    admin = compose(CONFLICTS).data["services"]["admin"]
    assert [port["also_published_by"] for port in admin["ports"]] == [
        ["api (127.0.0.1:8080)"],
        [],
        [],
        ["api (9000-9005)"],
    ]
    assert [(port["published_port"], port["published_end"]) for port in admin["ports"]] == [(8080, None), (9100, None), (9003, None), (9004, None)]


def test_named_volumes_shared_between_services():
    api = compose(CONFLICTS).data["services"]["api"]
    assert [(mount["shared_with"], mount["shared_writable_with"]) for mount in api["volumes"]] == [
        (["admin"], ["admin"]),
        (["admin"], []),
    ]


# Written order and quoting


LAYOUT = """\
x-defaults: &defaults
  restart: unless-stopped
volumes:
  data: {}
services:
  worker:
    <<: *defaults
    image: w:1
    depends_on: [db, cache]
    command: ["work"]
    environment:
      QUEUE: jobs
    ports:
      - "9090:9090"
      - 8080:8080
    volumes:
      - 'data:/data'
      - ./config:/etc/worker
  cache:
    image: redis:7.4
"""


def test_layout_names_the_first_item_out_of_order():
    document = compose(LAYOUT)
    assert document.data["layout"] == {"keys": {"item": "services", "after": "volumes"}, "services": {"item": "cache", "after": "worker"}}
    worker = document.data["services"]["worker"]
    # restart comes from the merge key on line 7: not written in this service, so not compared.
    assert worker["layout"] == {
        "keys": {"item": "environment", "after": "command"},
        "depends_on": {"item": "cache", "after": "db"},
        "ports": {"item": "8080:8080", "after": "9090:9090"},
    }
    assert document.location_of(("layout", "keys")).line == 5
    assert document.location_of(("services", "worker", "layout", "keys")).line == 11
    assert document.location_of(("services", "worker", "layout", "ports")).line == 15


def test_quoting_style_of_short_syntax_entries():
    worker = compose(LAYOUT).data["services"]["worker"]
    assert [port["style"] for port in worker["ports"]] == ["double", "plain"]
    assert [mount["style"] for mount in worker["volumes"]] == ["single", "plain"]


def test_long_syntax_entries_have_no_style():
    app = service("services:\n  app:\n    image: a:1\n    ports:\n      - target: 80\n        published: '8080'\n")
    assert app["ports"][0]["style"] is None


def test_name_version_and_their_sources(tmp_path):
    document = compose("version: '3.8'\nname: Billing_App\nservices:\n  app:\n    image: a:1\n")
    assert (document.data["name"], document.data["name_source"], document.data["version"]) == ("billing_app", "name", "3.8")
    assert document.location_of(("version",)).line == 1
    assert compose("services:\n  app:\n    image: a:1\n").data["name_source"] == "unset"
    folder = tmp_path / "Shop Front"
    folder.mkdir()
    (folder / "compose.yaml").write_text("services:\n  app:\n    image: a:1\n", encoding="utf-8")
    from_folder = normalize(str(folder / "compose.yaml"))[0].data
    assert (from_folder["name"], from_folder["name_source"]) == ("shopfront", "folder")
    (folder / ".env").write_text("COMPOSE_PROJECT_NAME=shop\n", encoding="utf-8")
    from_environment = normalize(str(folder / "compose.yaml"))[0].data
    assert (from_environment["name"], from_environment["name_source"]) == ("shop", "environment")


def test_loader_records_styles_and_merged_keys():
    loaded = load_yaml("x: &x\n  a: 1\nm:\n  <<: *x\n  ports: ['1:1', 2]\n  b: \"2\"\n", styles_for=frozenset({"ports"}))
    assert loaded.styles == {("m", "ports", 0): "single", ("m", "ports", 1): "plain"}
    assert loaded.merged == {("m", "a")}


# Env files and Git


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_gitignore_files_from_the_work_tree_root_down(tmp_path):
    _tree(tmp_path, {
        "repo/.git/HEAD": "ref: refs/heads/main\n",
        "repo/.gitignore": "*.env\n!keep.env\nsecrets/\n",
        "repo/deploy/.gitignore": "/prod/.env.*\n!/prod/.env.example\n",
        "repo/deploy/app.env": "", "repo/deploy/keep.env": "", "repo/deploy/prod/.env.production": "",
        "repo/deploy/prod/.env.example": "", "repo/deploy/other/.env.production": "",
        "repo/secrets/db.txt": "",
    })  # fmt: skip
    repo = tmp_path / "repo"
    assert is_ignored(str(repo / "deploy" / "app.env")) is True
    assert is_ignored(str(repo / "deploy" / "keep.env")) is False
    assert is_ignored(str(repo / "deploy" / "prod" / ".env.production")) is True
    assert is_ignored(str(repo / "deploy" / "prod" / ".env.example")) is False
    # The deeper file anchors its pattern to its own folder.
    assert is_ignored(str(repo / "deploy" / "other" / ".env.production")) is False
    assert is_ignored(str(repo / "secrets" / "db.txt")) is True


def test_gitignore_cannot_reinclude_below_an_excluded_folder(tmp_path):
    # git check-ignore agrees: Git never reads secrets/.gitignore, because it skips the whole folder.
    _tree(tmp_path, {
        "repo/.git/HEAD": "", "repo/.gitignore": "secrets/\ndeploy/*\n!deploy/keep/\n",
        "repo/secrets/.gitignore": "!db.env\n", "repo/secrets/db.env": "",
        "repo/deploy/keep/app.env": "", "repo/deploy/other/app.env": "",
    })  # fmt: skip
    repo = tmp_path / "repo"

    assert is_ignored(str(repo / "secrets" / "db.env")) is True
    assert is_ignored(str(repo / "deploy" / "keep" / "app.env")) is False
    assert is_ignored(str(repo / "deploy" / "other" / "app.env")) is True


def test_gitignore_above_the_repository_is_not_read(tmp_path):
    _tree(tmp_path, {".gitignore": "*.env\n", "repo/.git/HEAD": "", "repo/app.env": ""})
    assert is_ignored(str(tmp_path / "repo" / "app.env")) is False


def test_env_file_facts(tmp_path):
    _tree(tmp_path, {
        ".git/HEAD": "",
        ".gitignore": ".env.local\n",
        ".env.local": "DB_PASSWORD=hunter2hunter2\n",
        "prod.env": "DB_PASSWORD=hunter2hunter2\nAPI_TOKEN=tok_4f9a8b7c6d5e3a2b\nLOG_LEVEL=info\n",
        "compose.yaml": "services:\n  app:\n    image: a:1\n    env_file: [.env.local, prod.env]\n",
    })  # fmt: skip
    files = normalize(str(tmp_path / "compose.yaml"))[0].data["services"]["app"]["env_files"]
    assert [(item["path"], item["ignored"], item["credentials"]) for item in files] == [
        (".env.local", True, ["DB_PASSWORD"]),
        ("prod.env", False, ["DB_PASSWORD", "API_TOKEN"]),
    ]
    assert files[1]["location"] == str(tmp_path / "prod.env")

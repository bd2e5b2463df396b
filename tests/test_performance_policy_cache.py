"""Validated policy and configuration files in the cache: the same policy as validation gives, without pydantic."""

from __future__ import annotations

import datetime
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prodpolicy.policy import cache
from prodpolicy.policy.problems import Problems
from prodpolicy.policy.read import Layer, Reader, cli_layer
from prodpolicy.policy.spec import ExceptionSpec, ExceptionTargetSpec, OverrideSpec

CONFIG = """\
extends: [prodpolicy:recommended@1]
settings:
  inline_suppressions: require-reason
ignore: [DF605]
overrides:
  - rules: [healthcheck-missing]
    severity: high
  - rules: [DF101, DF102]
    enabled: false
exceptions:
  - rule: [secret-in-env, SC103]
    target: {file: ["Dockerfile", "*.Dockerfile"], stage: "0"}
    reason: The test image carries a throwaway password.
    expires: 2099-12-31
    owner: platform
rules:
  - id: ACME001
    name: internal-registry-only
    title: Base images come from the internal registry
    severity: high
    applies_to: [dockerfile]
    given: $.stages[*].base
    when:
      - field: pinning
        in: [tag, digest, latest, none]
      - field: registry
        not_in: {param: registries}
    message: "base image {reference} does not come from an internal registry"
    parameters:
      registries:
        type: list
        items: string
        description: Registries that base images may come from.
        default: [registry.acme.internal]
    docs:
      summary: Base images come from the internal registry.
      why: The internal registry holds scanned copies.
      bad: FROM node:20
      good: FROM registry.acme.internal/node:20
      fix: Pull the base image through the internal registry.
"""

DOCKERFILE = """\
FROM node:20-slim
ENV DB_PASSWORD=change-me-now
USER node
CMD ["node", "dist/server.js"]
"""


def _project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / ".prodpolicy.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    return root


def _config_layer(config: Path) -> Layer:
    problems = Problems()
    reader = Reader(problems)
    reader.read_file(config, configuration=True)
    assert not problems, problems.sorted()
    return reader.layers[-1]


def test_cached_config_equals_validated(cache_folder: Path, tmp_path: Path) -> None:
    config = _project(tmp_path / "service") / ".prodpolicy.yaml"

    validated = _config_layer(config)
    cached = _config_layer(config)

    assert len(list(cache_folder.glob("policy-file-*"))) == 1
    assert validated.file == cached.file == str(config)
    assert cached.policy == validated.policy
    assert [definition.rule for definition in cached.rules] == [definition.rule for definition in validated.rules]
    assert [definition.prefix for definition in cached.rules] == [("rules", 0)]
    policy = cached.policy
    assert policy is not None
    assert policy.extends == ("prodpolicy:recommended@1",)
    assert policy.ignore == ("DF605",)
    assert policy.select is None
    assert policy.inline_suppressions == "require-reason"
    assert policy.overrides == (
        OverrideSpec(("healthcheck-missing",), "high", None, {}),
        OverrideSpec(("DF101", "DF102"), None, False, {}),
    )
    assert policy.exceptions == (
        ExceptionSpec(
            rule=("secret-in-env", "SC103"),
            target=ExceptionTargetSpec(file=("Dockerfile", "*.Dockerfile"), stage="0", service=None, path=None),
            reason="The test image carries a throwaway password.",
            expires=datetime.date(2099, 12, 31),
            owner="platform",
        ),
    )


def test_cached_run_skips_pydantic(tmp_path: Path) -> None:
    project = _project(tmp_path / "service")
    code = (
        "import contextlib, io, sys\n"
        "from prodpolicy.cli import main\n"
        "output = io.StringIO()\n"
        "with contextlib.redirect_stdout(output):\n"
        "    main(['eval', '--format', 'json', *sys.argv[1:]])\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'pydantic', 'yaml'}))\n"
        "print(output.getvalue())\n"
    )
    environment = {**os.environ, "PRODPOLICY_CACHE_DIR": str(tmp_path / "cache")}
    environment.pop("PRODPOLICY_NO_CACHE", None)
    command = [sys.executable, "-c", code, str(project / "Dockerfile")]

    filled = subprocess.run(command, env=environment, capture_output=True, text=True, check=False, cwd=project)
    cached = subprocess.run(command, env=environment, capture_output=True, text=True, check=False, cwd=project)
    uncached = subprocess.run([*command, "--no-cache"], env=environment, capture_output=True, text=True, check=False, cwd=project)

    filled_modules, _, filled_report = filled.stdout.partition("\n")
    cached_modules, _, cached_report = cached.stdout.partition("\n")
    assert filled_modules == "['pydantic', 'yaml']", filled.stderr
    # PyYAML still reads the configuration file: only its validation is cached.
    assert cached_modules == "['yaml']", cached.stderr
    assert cached_report == filled_report == uncached.stdout.partition("\n")[2]
    findings = [
        (finding["rule_id"], finding["line"], finding["severity"], (finding.get("suppressed") or {}).get("justification"))
        for finding in json.loads(cached_report)["findings"]
    ]
    assert findings == [
        ("ACME001", 1, "high", None),
        ("DF104", 1, "medium", None),
        ("RT201", 1, "high", None),
        ("RT401", 1, "medium", None),
        ("SC102", 2, "critical", "The test image carries a throwaway password."),
    ]


def test_invalid_policy_file_is_not_cached(cache_folder: Path, tmp_path: Path) -> None:
    config = tmp_path / ".prodpolicy.yaml"
    config.write_text("overrides:\n  - rules: [DF101]\n    severity: urgent\n", encoding="utf-8")

    for _ in range(2):
        problems = Problems()
        Reader(problems).read_file(config, configuration=True)
        [problem] = problems.sorted()
        assert problem.line == 3
        assert "overrides.0.severity" in problem.message

    assert not list(cache_folder.glob("policy-file-*"))


def test_two_folders_share_entry(cache_folder: Path, tmp_path: Path) -> None:
    first = _config_layer(_project(tmp_path / "build-1") / ".prodpolicy.yaml")
    second = _config_layer(_project(tmp_path / "build-2") / ".prodpolicy.yaml")

    assert len(list(cache_folder.glob("policy-file-*"))) == 1
    assert first.policy == second.policy
    assert first.file != second.file


def test_changed_file_new_entry(cache_folder: Path, tmp_path: Path) -> None:
    config = _project(tmp_path / "service") / ".prodpolicy.yaml"
    _config_layer(config)
    config.write_text(CONFIG.replace("severity: high\n  - rules: [DF101", "severity: critical\n  - rules: [DF101"), encoding="utf-8")

    changed = _config_layer(config)

    assert len(list(cache_folder.glob("policy-file-*"))) == 2
    assert changed.policy is not None
    assert changed.policy.overrides[0].severity == "critical"


def test_least_recent_entries_removed(cache_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "POLICY_FILE_ENTRIES", 2)
    configs = []
    for name in ("api", "worker", "batch"):
        config = tmp_path / name / ".prodpolicy.yaml"
        config.parent.mkdir()
        config.write_text(f"ignore: [DF605]\nexceptions:\n  - rule: DF101\n    target: {{service: {name}}}\n    reason: r\n", encoding="utf-8")
        configs.append(config)
    _config_layer(configs[0])
    [api_entry] = cache_folder.glob("policy-file-*")
    _config_layer(configs[1])
    [worker_entry] = set(cache_folder.glob("policy-file-*")) - {api_entry}
    # Both entries dated back, the api's further; then the api's is used again, which makes it the newer.
    for entry, age in ((api_entry, 200), (worker_entry, 100)):
        os.utime(entry, (entry.stat().st_atime - age, entry.stat().st_mtime - age))
    _config_layer(configs[0])

    _config_layer(configs[2])

    remaining = set(cache_folder.glob("policy-file-*"))
    assert len(remaining) == 2
    assert api_entry in remaining
    assert worker_entry not in remaining


@pytest.mark.parametrize("entry", [[], ({"extends": ()}, ()), ({}, [{"id": "X"}]), "text", (None, None)])
def test_misshapen_entry_computed_again(cache_folder: Path, tmp_path: Path, entry: object) -> None:
    config = _project(tmp_path / "service") / ".prodpolicy.yaml"
    validated = _config_layer(config)
    [written] = cache_folder.glob("policy-file-*")
    # Sealed with a correct digest, so only the check of the entry's shape can reject it.
    written.write_bytes(cache._sealed(marshal.dumps(entry)))

    assert _config_layer(config).policy == validated.policy
    assert written.read_bytes() != cache._sealed(marshal.dumps(entry))


def test_number_and_text_distinct(cache_folder: Path, tmp_path: Path) -> None:
    # owner: '7' is valid and owner: 7 is not. The entry name comes from the data as read, whose repr distinguishes
    # the number from the text, so the entry of the valid file never answers for the invalid one.
    config = _project(tmp_path / "service") / ".prodpolicy.yaml"
    config.write_text(CONFIG.replace("owner: platform", "owner: '7'"), encoding="utf-8")
    assert _config_layer(config).policy.exceptions[0].owner == "7"  # type: ignore[union-attr]

    config.write_text(CONFIG.replace("owner: platform", "owner: 7"), encoding="utf-8")
    problems = Problems()
    Reader(problems).read_file(config, configuration=True)

    [problem] = problems.sorted()
    assert problem.line == 15
    assert "exceptions.0.owner" in problem.message


def test_command_line_layer_selectors() -> None:
    layer = cli_layer(["DF1"], ["DF101"])

    assert layer.policy is not None
    assert (layer.policy.select, layer.policy.ignore) == (("DF1",), ("DF101",))
    with pytest.raises(TypeError, match="rule selectors as text"):
        cli_layer(None, ["DF101", 7])  # type: ignore[list-item]

"""Every case in cases/compose-oracle gives the values docker compose v2.40.3 printed for it.

The oracle files are the output of ``docker compose config --format json`` (or its
error text in ``.err``). That output escapes a literal ``$`` as ``$$`` and prints
absolute paths under ``<CASES>``; both are undone before comparing. Only the
keys this model normalizes are compared, each with its exact value.
"""

from __future__ import annotations

import json
import time
from typing import Any

import jsonschema
import pytest

from prodpolicy.compose import normalize_compose
from prodpolicy.durations import parse_duration
from prodpolicy.errors import InvalidInput
from prodpolicy.source import read_source

from .helpers import CASES, ROOT

ORACLE = CASES / "compose-oracle"


def _load(path: str, **options: Any):
    return normalize_compose(read_source(str(ORACLE / path)), **options)


def _oracle(name: str) -> dict[str, Any]:
    return json.loads((ORACLE / "oracle" / name).read_text(encoding="utf-8"))


def _unescape(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [_unescape(item) for item in value]
    if isinstance(value, dict):
        return {key: _unescape(item) for key, item in value.items()}
    return value


def _ports(service: dict[str, Any]) -> list[dict[str, Any]]:
    """Our ports in compose's config shape: ranges expanded, one entry per port."""
    result = []
    for port in service["ports"]:
        last = port["target_end"] or port["target"]
        published = port["published"]
        for offset in range(last - port["target"] + 1):
            entry: dict[str, Any] = {"mode": port["mode"]}
            if port["host_ip"]:
                entry["host_ip"] = port["host_ip"]
            entry["target"] = port["target"] + offset
            if published:
                start = int(published.split("-")[0])
                entry["published"] = str(start + offset) if port["target_end"] else published
            entry["protocol"] = port["protocol"]
            result.append(entry)
    return result


def _volumes(service: dict[str, Any], cases_directory: str) -> list[dict[str, Any]]:
    result = []
    for mount in service["volumes"]:
        entry: dict[str, Any] = {"type": mount["type"]}
        if mount["type"] == "bind":
            entry["source"] = mount["host_path"].replace(cases_directory, "<CASES>")
        elif mount["source"]:
            entry["source"] = mount["source"]
        entry["target"] = mount["target"]
        if mount["read_only"]:
            entry["read_only"] = True
        result.append(entry)
    return result


def _oracle_volumes(service: dict[str, Any]) -> list[dict[str, Any]]:
    keys = ("type", "source", "target", "read_only")
    return [{key: volume[key] for key in keys if key in volume} for volume in service.get("volumes", [])]


def _as_config(service: dict[str, Any], cases_directory: str) -> dict[str, Any]:
    """Our service in compose's config shape, for the keys both have."""
    config: dict[str, Any] = {
        "command": service["command"]["argv"] if service["command"] else None,
        "entrypoint": service["entrypoint"]["argv"] if service["entrypoint"] else None,
        "image": service["image"]["reference"] if service["image"] else None,
    }

    if service["environment"]:
        config["environment"] = {name: variable["value"] for name, variable in service["environment"].items()}
    if service["labels"]:
        config["labels"] = service["labels"]
    if service["ports"]:
        config["ports"] = _ports(service)
    if service["volumes"]:
        config["volumes"] = _volumes(service, cases_directory)

    if service["restart"]["source"] == "restart":
        config["restart"] = service["restart"]["raw"]
    if service["user"]["raw"] is not None:
        config["user"] = service["user"]["raw"]
    if service["profiles"]:
        config["profiles"] = service["profiles"]
    if service["depends_on"]:
        config["depends_on"] = service["depends_on"]

    if service["configs"]:
        config["configs"] = service["configs"]
    if service["logging"]:
        config["logging"] = service["logging"]
    if service["tmpfs"]:
        config["tmpfs"] = [mount["target"] for mount in service["tmpfs"]]
    if service["expose"]:
        config["expose"] = service["expose"]
    if service["read_only"]:
        config["read_only"] = True
    return config


_COMPARED = ("command", "entrypoint", "image", "environment", "labels", "ports", "restart", "user", "profiles",
             "depends_on", "configs", "logging", "tmpfs", "expose", "read_only")  # fmt: skip


def _expected(service: dict[str, Any]) -> dict[str, Any]:
    expected = {key: _unescape(service[key]) for key in _COMPARED if key in service}
    if "volumes" in service:
        expected["volumes"] = _oracle_volumes(service)
    return expected


def _assert_services_match(document_data: dict[str, Any], oracle: dict[str, Any], cases_directory: str) -> None:
    assert sorted(document_data["services"]) == sorted(oracle["services"])
    for name, expected in oracle["services"].items():
        actual = _as_config(document_data["services"][name], cases_directory)
        assert actual == _expected(expected), name


@pytest.mark.parametrize(
    ("case", "oracle", "options"),
    [
        ("01-yaml11-scalars.yml", "01-yaml11-scalars.json", {}),
        ("03-merge-keys.yml", "03-merge-keys.json", {}),
        ("04-interpolation.yml", "04-interpolation.TAG-set.json", {"environment": {"TAG": "1.2.3", "EMPTYVAR": "", "INNER": "inner"}}),
        ("05-extends/compose.yml", "05-extends.json", {}),
        ("06-include/compose.yml", "06-include.json", {}),
        ("07-override/compose.yml", "07-override.json", {}),
        ("08-profiles.yml", "08-profiles.json", {}),
        ("08-profiles.yml", "08-profiles.profile-debug.json", {"profiles": ("debug",)}),
        ("09-ports-volumes.yml", "09-ports-volumes.json", {}),
        ("11-anchors-marks.yml", "11-anchors-marks.json", {}),
        ("13-reset-override/compose.yml", "13-reset-override.json", {}),
        ("compose-300.yml", "compose-300.json", {}),
    ],
)
def test_services_match_docker_compose(case, oracle, options):
    document = _load(case, **options)
    assert document.errors == []
    cases_directory = str((ORACLE / case).parent)
    expected = _oracle(oracle)
    if case == "compose-300.yml":
        cases_directory = str(ORACLE)
        expected = json.loads(json.dumps(expected).replace("<CASES>/bench", "<CASES>"))
    else:
        expected = json.loads(json.dumps(expected).replace("<CASES>/compose", "<CASES>"))
    _assert_services_match(document.data, expected, cases_directory)


def test_inactive_profile_services_are_kept_apart():
    document = _load("08-profiles.yml")
    assert sorted(document.data["inactive_services"]) == ["debug-shell", "mailcatcher"]
    assert [runtime["subject"]["name"] for runtime in document.data["runtimes"]] == ["web"]


def test_extension_fields_are_kept():
    document = _load("03-merge-keys.yml")
    expected = _oracle("03-merge-keys.json")
    assert document.data["extensions"] == {key: value for key, value in expected.items() if key.startswith("x-")}


def test_project_name_and_top_level_resources():
    document = _load("compose-300.yml")
    assert document.data["name"] == "shop"
    assert sorted(document.data["volumes"]) == sorted(_oracle("compose-300.json")["volumes"])
    assert document.data["secrets"] == {"db_password": {"file": "./secrets/db_password.txt"}}


def test_healthcheck_durations_are_seconds():
    document = _load("01-yaml11-scalars.yml")
    healthcheck = document.data["services"]["web"]["healthcheck"]
    oracle = _oracle("01-yaml11-scalars.json")["services"]["web"]["healthcheck"]
    assert healthcheck["test"] == oracle["test"]
    assert healthcheck["interval"] == parse_duration(oracle["interval"]) == 90.0


def test_missing_required_variable_is_reported_not_fatal():
    document = _load("04-interpolation.yml")
    expected = (ORACLE / "oracle" / "04-interpolation.TAG-unset.err").read_text(encoding="utf-8")
    assert [(error.line, error.fatal) for error in document.errors] == [(3, False)]
    message, hint = document.errors[0].message.split("; ", 1)
    assert message == "required variable TAG is missing a value: TAG must be set"
    assert message in expected
    assert hint == "give it a value with --env NAME=VALUE, --env-file or the .env file beside the compose file"
    assert document.data["services"]["app"]["image"]["pinning"] == "unknown"


@pytest.mark.parametrize(
    ("case", "line", "text"),
    [
        ("01b-date-scalar.yml", 5, "services.web.environment.STARTED"),
        ("02a-duplicate-key.yml", 5, "first defined at line 3"),
        ("02b-duplicate-service.yml", 5, "first defined at line 2"),
        ("10-python-tag.yml", 3, "unsupported tag"),
        ("12-alias-bomb-9x9.yml", 2, "alias"),
    ],
)
def test_compose_failures_are_input_errors(case, line, text):
    oracle = ORACLE / "oracle" / case.replace(".yml", ".err")
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as raised:
        _load(case)
    assert time.perf_counter() - started < 2
    assert raised.value.error.line == line
    assert text in raised.value.error.message
    if oracle.exists():
        assert f"line {line}" in oracle.read_text(encoding="utf-8") or "validating" in oracle.read_text(encoding="utf-8")


def test_documents_validate_against_the_schema():
    schema = json.loads((ROOT / "schemas" / "document.schema.json").read_text(encoding="utf-8"))
    cases = ["01-yaml11-scalars.yml", "03-merge-keys.yml", "05-extends/compose.yml", "06-include/compose.yml",
             "07-override/compose.yml", "08-profiles.yml", "09-ports-volumes.yml", "11-anchors-marks.yml",
             "13-reset-override/compose.yml", "compose-300.yml"]  # fmt: skip
    for case in cases:
        document = _load(case)
        jsonschema.validate(json.loads(json.dumps(document.data)), schema)
        assert document.to_model().kind == "compose"

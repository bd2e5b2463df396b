"""Configuration discovery (.prodpolicy.yaml, [tool.prodpolicy]), --config, --isolated and config --show."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from prodpolicy.cli import main
from prodpolicy.config import find_config, toml_locations
from prodpolicy.errors import PolicyError
from prodpolicy.policy.load import load_policy

ROOT_DOCKERFILE = 'FROM alpine:3.20\nCMD ["agent"]\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A repository with a root configuration, a service that overrides it, and one without its own."""
    write(
        tmp_path / ".prodpolicy.yaml",
        """\
        overrides:
          - rules: [RT201]
            severity: critical
        """,
    )
    write(tmp_path / "services" / "api" / "Dockerfile", ROOT_DOCKERFILE)
    write(tmp_path / "services" / "worker" / "Dockerfile", ROOT_DOCKERFILE)
    write(
        tmp_path / "services" / "worker" / "pyproject.toml",
        """\
        [project]
        name = "worker"

        [tool.prodpolicy]
        ignore = ["RT101"]

        [[tool.prodpolicy.overrides]]
        rules = ["healthcheck-missing"]
        severity = "low"
        """,
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


# The rules the configurations of these tests change. Findings of other rules are left out, so rules added
# to the bundled set later do not change what the tests expect.
RULES_UNDER_TEST = ("RT101", "RT201")


def findings(capsys, *arguments: str) -> tuple[int, list[tuple[str, str, str]]]:
    code = main(["eval", "--format", "json", "--fail-on", "none", *arguments])
    report = json.loads(capsys.readouterr().out)
    found = [(item["file"], item["rule_id"], item["severity"]) for item in report["findings"]]
    return code, [finding for finding in found if finding[1] in RULES_UNDER_TEST]


def test_find_config_takes_the_nearest_file(repository):
    assert find_config(repository / "services" / "api" / "Dockerfile") == repository / ".prodpolicy.yaml"
    assert find_config(repository / "services" / "worker") == repository / "services" / "worker" / "pyproject.toml"


def test_pyproject_without_the_table_is_skipped(repository):
    write(repository / "services" / "api" / "pyproject.toml", '[project]\nname = "api"\n')

    assert find_config(repository / "services" / "api" / "Dockerfile") == repository / ".prodpolicy.yaml"


def test_yaml_wins_over_pyproject_in_one_folder(repository):
    write(repository / "services" / "worker" / ".prodpolicy.yml", "ignore: [RT201]\n")

    assert find_config(repository / "services" / "worker") == repository / "services" / "worker" / ".prodpolicy.yml"


def test_each_input_uses_its_nearest_configuration(repository, capsys):
    code, found = findings(capsys, "services")

    assert code == 0
    assert found == [
        ("services/api/Dockerfile", "RT101", "high"),
        ("services/api/Dockerfile", "RT201", "critical"),
        ("services/worker/Dockerfile", "RT201", "low"),
    ]


def test_config_option_applies_one_file_to_every_input(repository, capsys):
    _, found = findings(capsys, "--config", ".prodpolicy.yaml", "services")

    assert found == [
        ("services/api/Dockerfile", "RT101", "high"),
        ("services/api/Dockerfile", "RT201", "critical"),
        ("services/worker/Dockerfile", "RT101", "high"),
        ("services/worker/Dockerfile", "RT201", "critical"),
    ]


def test_isolated_ignores_configuration_files(repository, capsys):
    _, found = findings(capsys, "--isolated", "services/worker")

    assert found == [("services/worker/Dockerfile", "RT101", "high"), ("services/worker/Dockerfile", "RT201", "medium")]


def test_cli_select_and_ignore_apply_last(repository, capsys):
    _, found = findings(capsys, "--select", "RT1,RT2", "--ignore", "RT101", "services")

    assert found == [("services/api/Dockerfile", "RT201", "critical"), ("services/worker/Dockerfile", "RT201", "low")]


def test_invalid_configuration_stops_before_evaluation(repository, capsys):
    write(
        repository / "services" / "worker" / "pyproject.toml",
        """\
        [tool.prodpolicy]
        ignore = ["RT101"]

        [[tool.prodpolicy.overrides]]
        rules = ["RT201"]
        severity = "urgent"
        """,
    )

    code = main(["eval", "services"])
    captured = capsys.readouterr()

    assert code == 2
    assert captured.out == ""
    assert "services/worker/pyproject.toml:6:1: overrides.0.severity: Input should be" in captured.err


def test_invalid_toml_names_the_line(repository):
    path = write(repository / "broken.toml", 'ignore = ["RT101"\nselect = []\n')

    with pytest.raises(PolicyError) as raised:
        load_policy(config=path)

    [problem] = raised.value.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert problem.message.startswith("invalid TOML:")


def test_toml_locations_follow_tables_and_arrays_of_tables():
    text = textwrap.dedent(
        """\
        [tool.black]
        line-length = 100

        [tool.prodpolicy]
        ignore = ["DF"]

        [[tool.prodpolicy.exceptions]]
        rule = "RT101"
        reason = "vendor image"

        [tool.prodpolicy.exceptions.target]
        file = "legacy/Dockerfile"

        [[tool.prodpolicy.exceptions]]
        rule = "SC101"
        """
    )

    locations = toml_locations(text)

    assert {path: location.line for path, location in locations.items()} == {
        (): 4,
        ("ignore",): 5,
        ("exceptions",): 7,
        ("exceptions", 0): 7,
        ("exceptions", 0, "rule"): 8,
        ("exceptions", 0, "reason"): 9,
        ("exceptions", 0, "target"): 11,
        ("exceptions", 0, "target", "file"): 12,
        ("exceptions", 1): 14,
        ("exceptions", 1, "rule"): 15,
    }


def test_configuration_extends_files_relative_to_itself(repository, capsys):
    write(
        repository / "policies" / "org.yaml",
        """\
        apiVersion: prodpolicy/v1
        kind: Policy
        overrides:
          - rules: [RT101]
            severity: low
        """,
    )
    write(repository / ".prodpolicy.yaml", "extends: [policies/org.yaml]\n")

    _, found = findings(capsys, "services/api")

    assert found == [("services/api/Dockerfile", "RT101", "low"), ("services/api/Dockerfile", "RT201", "medium")]


def test_config_prints_the_file_that_applies(repository, capsys):
    assert main(["config", "services/worker/Dockerfile"]) == 0
    assert capsys.readouterr().out == "services/worker/pyproject.toml\n"

    assert main(["config", "--isolated"]) == 0
    assert capsys.readouterr().out == "no configuration file applies; the bundled ruleset is used as it is\n"


def test_config_show_prints_every_value_with_its_origin(repository, capsys):
    write(
        repository / ".prodpolicy.yaml",
        """\
        select: [RT1, RT2]
        settings:
          inline_suppressions: require-reason
        overrides:
          - rules: [RT201]
            severity: critical
        exceptions:
          - rule: RT101
            target: {file: legacy/Dockerfile}
            reason: Vendor image.
            expires: 2031-01-31
            owner: platform
        """,
    )
    os.makedirs("legacy")

    assert main(["config", "--show", "--ignore", "RT101"]) == 0
    out = capsys.readouterr().out.splitlines()

    assert out[:4] == [
        "# policy for .",
        "# configuration file: .prodpolicy.yaml",
        "# layers, first to last (later layers win):",
        f"#   1. prodpolicy:recommended@1 ({len(load_policy().rules)} rules)",
    ]
    assert out[4:6] == ["#   2. .prodpolicy.yaml", "#   3. command line"]
    text = "\n".join(out)
    assert "  inline_suppressions: require-reason" in text
    assert ".prodpolicy.yaml:3 (settings)" in text
    rt101 = out.index(next(line for line in out if line.startswith("  RT101:")))
    assert out[rt101 + 1].split("#")[0].strip() == "enabled: false"
    assert out[rt101 + 1].split("#")[1].strip() == "command line (ignore RT101)"
    rt201 = out.index(next(line for line in out if line.startswith("  RT201:")))
    assert out[rt201 + 2].split("#")[0].strip() == "severity: critical"
    assert out[rt201 + 2].split("#")[1].strip() == ".prodpolicy.yaml:6 (override)"
    df101 = out.index(next(line for line in out if line.startswith("  DF101:")))
    assert out[df101 + 1].split("#")[1].strip() == ".prodpolicy.yaml:1 (not in select)"
    assert out[-5].startswith("  - rule: RT101 ")
    assert out[-5].endswith("  # .prodpolicy.yaml:8")
    assert out[-4:] == [
        '    target: {"file": "legacy/Dockerfile"}',
        "    reason: \"Vendor image.\"",
        "    owner: platform",
        "    expires: 2031-01-31",
    ]


def test_config_show_as_json(repository, capsys):
    assert main(["config", "--show", "--format", "json", "services/worker/Dockerfile"]) == 0
    data = json.loads(capsys.readouterr().out)

    assert data["configuration"] == "services/worker/pyproject.toml"
    assert data["rules"]["RT101"]["enabled"] == {
        "value": False,
        "origin": "services/worker/pyproject.toml:5",
        "how": "ignore RT101",
    }
    assert data["rules"]["RT201"]["severity"] == {
        "value": "low",
        "origin": "services/worker/pyproject.toml:9",
        "how": "override",
    }
    assert data["settings"]["inline_suppressions"] == {"value": "allow", "origin": "built-in default", "how": "default"}


def test_file_two_configurations_extend_reported_once(tmp_path, monkeypatch, capsys):
    (tmp_path / "acme").mkdir()
    (tmp_path / "services" / "worker").mkdir(parents=True)
    (tmp_path / "acme" / "acme-policy.yaml").write_text(
        "apiVersion: prodpolicy/v1\nkind: Policy\nextends: [prodpolicy:recommended@1]\n"
        "overrides:\n  - rules: [DF102]\n    parameters:\n      no_such: 1\n",
        encoding="utf-8",
    )
    (tmp_path / ".prodpolicy.yaml").write_text("extends: [acme/acme-policy.yaml]\n", encoding="utf-8")
    (tmp_path / "services" / "worker" / "pyproject.toml").write_text(
        '[tool.prodpolicy]\nextends = ["../../acme/acme-policy.yaml"]\n', encoding="utf-8"
    )
    for folder in (tmp_path, tmp_path / "services" / "worker"):
        (folder / "Dockerfile").write_text("FROM alpine:3.20\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert main(["eval", "."]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "prodpolicy: the policy is invalid (1 problem):",
        "  acme/acme-policy.yaml:7:7: rule DF102: no parameter 'no_such'; DF102 has: images, minimal_images, small_variants",
    ]


def test_show_json_names_bundled_files_by_ruleset(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert main(["config", "--show", "--format", "json", "--isolated", "Dockerfile"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["rules"]["CP101"]["severity"] == {
        "value": "medium",
        "origin": "prodpolicy:recommended@1/compose/CP101-restart-policy.yaml:7",
        "how": "rule",
    }


@pytest.mark.parametrize(
    "content",
    [
        b'tool.prodpolicy.ignore = ["RT101"]\n\n[project]\nname = "x"\n',
        b'[tool]\nprodpolicy = { ignore = ["RT101"] }\n',
        b'[ tool . prodpolicy ]\nignore = ["RT101"]\n',
        b'\xef\xbb\xbf[tool.prodpolicy]\nignore = ["RT101"]\n',
    ],
    ids=["dotted-keys", "inline-table", "spaced-header", "byte-order-mark"],
)
def test_pyproject_table_in_any_toml_form(tmp_path, content):
    (tmp_path / "pyproject.toml").write_bytes(content)

    assert find_config(tmp_path / "Dockerfile") == tmp_path / "pyproject.toml"
    assert "RT101" not in {rule.id for rule in load_policy(config=str(tmp_path / "pyproject.toml")).rules if rule.enabled}


def test_pyproject_not_utf8_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "caf\xe9"\n[tool.prodpolicy]\nignore = ["RT101"]\n')

    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    with pytest.raises(PolicyError) as raised:
        load_policy(config=str(tmp_path / "pyproject.toml"))
    [problem] = raised.value.problems
    assert problem.message.startswith("cannot read the configuration file: 'utf-8' codec can't decode byte 0xe9")


def test_configuration_that_is_no_policy_is_not_quoted(tmp_path):
    (tmp_path / ".prodpolicy.yaml").write_text(
        "root:*:20228:0:99999:7:::\nalice:$6$saltsalt$hashhashhashhash:20228:0:99999:7:::\n", encoding="utf-8"
    )

    with pytest.raises(PolicyError) as raised:
        load_policy(config=str(tmp_path / ".prodpolicy.yaml"))

    message = (
        "the file: an unknown key that is not a name; is this a policy file? "
        "It must be a mapping of the keys that `prodpolicy schema policy` lists"
    )
    assert [(problem.line, problem.message) for problem in raised.value.problems] == [(1, message), (2, message)]

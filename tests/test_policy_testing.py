"""``prodpolicy test``: rule test cases inline and in folders, failure diffs and exit codes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from prodpolicy.cli import main
from prodpolicy.errors import PolicyError
from prodpolicy.policy.load import load_policy
from prodpolicy.policy.testing import folder_cases, run_policy_tests

RULE = """\
apiVersion: prodpolicy/v1
kind: Policy
rules:
  - id: ACME101
    name: latest-tag
    title: A base image uses the tag latest
    severity: medium
    applies_to: [dockerfile]
    given: $.stages[*].base
    when:
      - field: tag
        equals: latest
    message: "{reference} uses latest"
    docs: {summary: s, why: w, bad: b, good: g, fix: f}
    test_folder: cases
    tests:
      - name: latest
        input: "FROM node:latest\\n"
        expect: [{line: 1, message: "node:latest"}]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def policy_file(tmp_path) -> Path:
    write(
        tmp_path,
        "cases/two-stages.Dockerfile",
        """\
        # expect: ACME101
        FROM golang:latest AS build

        # The comment lines between a mark and its line are skipped.
        # expect: latest-tag -- alpine:latest
        # syntax of the next line is what counts
        FROM alpine:latest
        """,
    )
    write(tmp_path, "cases/pinned.Dockerfile", "FROM alpine:3.20\n")
    write(tmp_path, "cases/README.md", "Fixtures for ACME101.\n")
    return write(tmp_path, "policy.yaml", RULE)


def test_folder_marks_name_the_next_line(policy_file):
    rule = load_policy([policy_file]).find_rule("ACME101")

    cases = list(folder_cases(rule))

    assert [case.name for case in cases] == ["pinned.Dockerfile", "two-stages.Dockerfile"]
    assert [[(item.line, item.message) for item in case.expect] for case in cases] == [[], [(2, None), (7, "alpine:latest")]]


def test_passing_policy_exits_0(policy_file, capsys):
    code = main(["test", str(policy_file)])

    assert code == 0
    assert capsys.readouterr().out == "1 rule, 3 cases: 3 passed.\n"


def test_failing_case_prints_a_diff_and_exits_1(policy_file, capsys):
    write(policy_file.parent, "cases/pinned.Dockerfile", "# expect: ACME101\nFROM alpine:3.20\nFROM node:latest\n")

    code = main(["test", str(policy_file)])
    out = capsys.readouterr().out

    assert code == 1
    assert out.splitlines() == [
        f"FAIL  ACME101 latest-tag: pinned.Dockerfile ({policy_file.parent / 'cases' / 'pinned.Dockerfile'})",
        "  - line 2: expected 1 finding, 1 missing",
        "  + line 3: unexpected finding: node:latest uses latest",
        "1 rule, 3 cases: 2 passed, 1 failed.",
    ]


def test_wrong_message_is_reported(policy_file, capsys):
    policy_file.write_text(RULE.replace('message: "node:latest"', 'message: "alpine"'), encoding="utf-8")

    code = main(["test", str(policy_file)])
    out = capsys.readouterr().out

    assert code == 1
    assert "  ~ line 1: the message does not contain 'alpine': node:latest uses latest" in out.splitlines()


def test_input_error_fails_the_case(policy_file, capsys):
    write(policy_file.parent, "cases/broken.Dockerfile", "FROM alpine:3.20\nRUN <<EOF\necho unterminated\n")

    assert main(["test", str(policy_file)]) == 1
    assert "  ! the input could not be read: " in capsys.readouterr().out


def test_rules_without_cases_are_listed(tmp_path, capsys):
    bare = RULE.split("    test_folder:")[0]
    path = write(tmp_path, "bare.yaml", bare)

    assert main(["test", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["rules without test cases: ACME101", "1 rule, 0 cases: 0 passed."]


def test_missing_test_folder_is_a_policy_error(tmp_path, capsys):
    path = write(tmp_path, "policy.yaml", RULE)

    assert main(["test", str(path)]) == 2
    assert f"{path}:15:5: rule ACME101: test folder not found: {tmp_path / 'cases'}" in capsys.readouterr().err


def test_select_narrows_the_rules(capsys):
    assert main(["test", "--select", "RT101,tag:secrets-nothing"]) == 2
    assert "rule selector 'tag:secrets-nothing' matches no rule" in capsys.readouterr().err

    assert main(["test", "--select", "RT101", "-v"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert all(line.startswith("ok    RT101 runs-as-root: ") for line in out[:-1])
    assert out[-1] == f"1 rule, {len(out) - 1} cases: {len(out) - 1} passed."


def test_bundled_ruleset_cases_run_through_the_same_mechanism():
    results = run_policy_tests(load_policy())
    failures = [result.describe() for result in results if not result.passed]

    assert len(results) >= len(load_policy().rules) * 2
    assert failures == []


def test_cases_ignore_parameter_overrides(tmp_path, capsys):
    path = write(
        tmp_path,
        "policy.yaml",
        """\
        apiVersion: prodpolicy/v1
        kind: Policy
        extends: [prodpolicy:recommended@1]
        overrides:
          - rules: [DF102]
            parameters:
              images: [alpine]
        """,
    )

    assert main(["test", str(path), "--select", "DF102"]) == 0
    assert capsys.readouterr().out.endswith("passed.\n")


def test_failing_case_names_its_line(tmp_path, capsys):
    policy = write(tmp_path, "policy.yaml", RULE.replace("    test_folder: cases\n", "") + (
        "      - name: pinned\n"
        "        input: \"FROM node:22.12-alpine\\n\"\n"
        "        expect: [{line: 1}]\n"
    ))
    code = main(["test", str(policy), "--select", "ACME"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"FAIL  ACME101 latest-tag: pinned ({policy}:19)" in out


def test_mark_naming_no_rule_is_a_warning(tmp_path, capsys):
    (tmp_path / "cases").mkdir()
    (tmp_path / "rule.yaml").write_text(
        textwrap.dedent(
            """\
            apiVersion: prodpolicy/v1
            kind: Rule
            id: TST004
            name: no-latest
            title: Base images are not latest
            severity: low
            applies_to: [dockerfile]
            given: $.stages[*].base
            when:
              - field: tag
                equals: latest
            message: the base image is latest
            docs: {summary: s, why: w, bad: b, good: g, fix: f}
            test_folder: cases
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "cases" / "typo.Dockerfile").write_text("# expect: TST999\nFROM alpine:latest\n", encoding="utf-8")
    (tmp_path / "cases" / "right.Dockerfile").write_text("# expect: no-latest\nFROM alpine:latest\n", encoding="utf-8")

    assert main(["test", str(tmp_path / "rule.yaml")]) == 1
    output = capsys.readouterr().out
    typo = tmp_path / "cases" / "typo.Dockerfile"
    assert f"warning: {typo}:1: '# expect: TST999' names no rule of this policy; check the id" in output
    assert output.count("warning:") == 1


@pytest.mark.parametrize(
    ("replacement", "line", "message"),
    [
        ("    test_folder: /etc\n", 15, "test folder '/etc' is outside the folder of the policy file; keep fixtures beside it"),
        (
            "    test_folder: ../outside\n",
            15,
            "test folder '../outside' is outside the folder of the policy file; keep fixtures beside it",
        ),
    ],
)
def test_fixtures_outside_the_policy_folder_are_refused(tmp_path, replacement, line, message):
    (tmp_path / "outside").mkdir()
    path = write(tmp_path / "policy", "policy.yaml", RULE.replace("    test_folder: cases\n", replacement))

    with pytest.raises(PolicyError) as raised:
        load_policy([str(path)])

    assert [(problem.line, problem.message) for problem in raised.value.problems] == [(line, message)]


def test_fixture_file_outside_the_policy_folder_is_refused(tmp_path):
    text = RULE.replace("    test_folder: cases\n", "").replace(
        '        input: "FROM node:latest\\n"\n', "        file: ../../etc/passwd\n"
    )
    path = write(tmp_path, "policy.yaml", text)

    with pytest.raises(PolicyError) as raised:
        load_policy([str(path)])

    assert [(problem.line, problem.message) for problem in raised.value.problems] == [
        (17, "test fixture '../../etc/passwd' is outside the folder of the policy file; keep fixtures beside it")
    ]

"""The library API: public names, immutable policies, no shared state, deterministic output, docs/api.md."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import json
import re
import subprocess
import sys

import pytest

import prodpolicy
from prodpolicy.policy.load import load_policy, load_policy_text

from .helpers import ROOT

DOCKERFILE = 'FROM node:20\nCOPY .env /app/.env\nCMD npm start\n'


def test_every_public_name_resolves():
    for name in prodpolicy.__all__:
        assert getattr(prodpolicy, name) is not None, name
    assert (ROOT / "prodpolicy" / "py.typed").is_file()


def test_evaluate_stays_the_function_after_imports():
    module = importlib.import_module("prodpolicy.evaluation")

    policy = prodpolicy.load_policy()
    documents = prodpolicy.normalize("Dockerfile", text=DOCKERFILE)

    assert prodpolicy.evaluate is module.evaluate
    assert prodpolicy.evaluate(documents, policy).findings == module.evaluate(documents, policy).findings


def test_compiled_policy_is_immutable():
    policy = load_policy()
    rule = policy.find_rule("DF102")

    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.severity = "critical"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.rules = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        rule.parameters["images"] = []  # type: ignore[index]
    with pytest.raises(AttributeError):
        rule.parameters["images"].append("alpine")


def test_policies_are_independent():
    text = "apiVersion: prodpolicy/v1\nkind: Policy\nextends: [prodpolicy:recommended@1]\n"
    strict = load_policy_text(text + "overrides:\n  - rules: [SC101]\n    severity: critical\n")
    lenient = load_policy_text(text + "ignore: [SC101]\n")
    bundled = load_policy()
    documents = prodpolicy.normalize("Dockerfile", text=DOCKERFILE)

    def severities(policy):
        return [(finding.rule_id, finding.severity) for finding in prodpolicy.evaluate(documents, policy).findings if finding.rule_id == "SC101"]

    assert severities(strict) == [("SC101", "critical")]
    assert severities(lenient) == []
    assert severities(bundled) == [("SC101", "high")]
    assert severities(strict) == [("SC101", "critical")]


def test_evaluation_is_deterministic():
    policy = load_policy()

    first = prodpolicy.evaluate(prodpolicy.normalize("Dockerfile", text=DOCKERFILE), policy).to_json()
    second = prodpolicy.evaluate(prodpolicy.normalize("Dockerfile", text=DOCKERFILE), load_policy()).to_json()

    assert json.dumps(first) == json.dumps(second)
    assert [rule.id for rule in policy.rules] == sorted(rule.id for rule in policy.rules)


def test_fingerprints_ignore_the_line():
    policy = load_policy()
    before = prodpolicy.evaluate(prodpolicy.normalize("Dockerfile", text=DOCKERFILE), policy).findings
    after = prodpolicy.evaluate(prodpolicy.normalize("Dockerfile", text="# build the web service\n\n" + DOCKERFILE), policy).findings

    assert [finding.line + 2 for finding in before if finding.line] == [finding.line for finding in after if finding.line]
    assert [finding.fingerprint for finding in before] == [finding.fingerprint for finding in after]
    assert len({finding.fingerprint for finding in before}) == len(before)


def test_iter_findings_is_lazy():
    [document] = prodpolicy.normalize("Dockerfile", text=DOCKERFILE)

    findings = prodpolicy.iter_findings(document, load_policy())

    assert iter(findings) is findings
    assert next(findings).rule_id == "DF102"


def test_importing_the_package_loads_no_policy_machinery():
    code = "import sys, prodpolicy; print(sorted(name for name in sys.modules if name.startswith('prodpolicy')))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert completed.stdout.strip() == "['prodpolicy']"


def examples(name: str) -> list[tuple[str, str]]:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```\n\nprints\n\n```text\n(.*?)```", text, re.DOTALL)


def test_api_doc_has_runnable_examples():
    assert len(examples("api.md")) >= 2


@pytest.mark.parametrize("number", range(len(examples("api.md"))))
def test_api_doc_example_prints_what_it_says(number):
    code, expected = examples("api.md")[number]
    output = io.StringIO()

    with contextlib.redirect_stdout(output):
        exec(compile(code, f"docs/api.md example {number + 1}", "exec"), {})  # noqa: S102 - our own documentation

    assert output.getvalue() == expected

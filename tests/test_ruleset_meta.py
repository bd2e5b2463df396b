"""Meta-tests of the bundled ruleset: what every rule must carry, checked on whatever rules exist.

Each rule needs a stable id in the series of its folder, and complete docs whose
examples behave as documented. Its tags come from the documented categories, and
its references name peer rules of the catalog, or policies/own-practices.yaml
gives the reason it has none. Its test cases both fire and stay quiet, each
naming the lines it expects. Every category has at least one rule, so users can
select rules by tag.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from prodpolicy.api import normalize
from prodpolicy.errors import InvalidInput
from prodpolicy.evaluation import iter_findings
from prodpolicy.peers import read_catalog, read_own_practices
from prodpolicy.policy.compiled import CompiledRule, Policy
from prodpolicy.policy.load import data_directory, load_policy
from prodpolicy.policy.testing import rule_cases, run_case
from prodpolicy.ruledocs import CATEGORIES

POLICY = load_policy()
RULES = sorted(POLICY.rules, key=lambda rule: rule.id)
RULES_DIRECTORY = data_directory("policies") / "rules"
CATALOG = read_catalog()
OWN_PRACTICES = {entry.rule: entry for entry in read_own_practices()}

# The id series of each folder of policies/rules/, and the input kinds its rules may apply to.
FOLDERS = {
    "dockerfile": ("DF", {"dockerfile"}),
    "secrets": ("SC", {"dockerfile", "compose", "image"}),
    "runtime": ("RT", {"dockerfile", "compose", "image"}),
    "compose": ("CP", {"compose"}),
    "image": ("IM", {"image"}),
}
TOOLS = ("hadolint", "buildkit", "trivy", "checkov", "dockle", "compose-lint", "dclint", "tally", "kics")
REFERENCE = re.compile(r"^(?P<tool>[a-z-]+):(?P<id>\S+)$")
MARK = re.compile(r"^\s*#\s*expect\s*:\s*(?P<rules>[^-]+?)\s*(?:--.*)?$")


def ids(rules: list[CompiledRule]) -> list[str]:
    return [rule.id for rule in rules]


def folder_of(rule: CompiledRule) -> str:
    return Path(rule.source).resolve().relative_to(RULES_DIRECTORY.resolve()).parts[0]


def example_kind(text: str) -> str | None:
    """Tell the input kind of a docs example: a Dockerfile, an image config (JSON) or a compose file."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("{", "[")):
            return "image"
        if stripped.split(None, 1)[0].upper() in ("FROM", "ARG"):
            return "dockerfile"
        return "compose" if re.search(r"^(services|include|name):", text, re.MULTILINE) else None
    return None


def example_findings(rule: CompiledRule, text: str) -> list[str]:
    kind = example_kind(text)
    documents = normalize(f"<{rule.id} docs example>", kind=kind, text=text)
    single = Policy((dataclasses.replace(rule.as_declared, enabled=True),))
    return [finding.message for document in documents for finding in iter_findings(document, single)]


# Examples that read other files beside the input, which the docs cannot carry.
EXAMPLES_WITH_FILES = {
    "CP202": "the env file and the .gitignore beside the compose file decide",
}
# Image rules show the Dockerfile lines that produced the image, which are no input of theirs.
RUNNABLE_EXAMPLES = [
    rule
    for rule in RULES
    if example_kind(rule.docs.bad) in rule.applies_to
    and example_kind(rule.docs.good) in rule.applies_to
    and rule.id not in EXAMPLES_WITH_FILES
]


def test_rule_ids_are_unique():
    seen: dict[str, str] = {}
    for rule in RULES:
        assert rule.id not in seen, f"{rule.id} is declared in {seen[rule.id]} and {rule.source}"
        seen[rule.id] = rule.source


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_rule_id_matches_folder_series(rule):
    folder = folder_of(rule)

    assert folder in FOLDERS, f"{rule.source}: unknown folder {folder!r}; use one of {', '.join(FOLDERS)}"
    prefix, kinds = FOLDERS[folder]
    assert re.fullmatch(rf"{prefix}[1-9][0-9]{{2}}", rule.id), f"{rule.source}: {rule.id} is not {prefix} and three digits"
    assert Path(rule.source).name == f"{rule.id}-{rule.name}.yaml"
    assert set(rule.applies_to) <= kinds, f"{rule.id} applies to {sorted(rule.applies_to)}, outside {folder}/"


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_rule_docs_are_complete(rule):
    for field in ("summary", "why", "bad", "good", "fix", "limitations"):
        value = getattr(rule.docs, field)
        assert value and value.strip(), f"{rule.source}: docs.{field} is missing"


@pytest.mark.parametrize("rule", RUNNABLE_EXAMPLES, ids=ids(RUNNABLE_EXAMPLES))
def test_bad_example_is_reported(rule):
    try:
        findings = example_findings(rule, rule.docs.bad)
    except InvalidInput as error:
        pytest.fail(f"{rule.id}: docs.bad is not a valid input: {error}")

    assert findings, f"{rule.id}: docs.bad gives no finding"


@pytest.mark.parametrize("rule", RUNNABLE_EXAMPLES, ids=ids(RUNNABLE_EXAMPLES))
def test_good_example_passes(rule):
    try:
        findings = example_findings(rule, rule.docs.good)
    except InvalidInput as error:
        pytest.fail(f"{rule.id}: docs.good is not a valid input: {error}")

    assert findings == [], f"{rule.id}: docs.good is reported"


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_rule_tags_are_categories(rule):
    assert rule.tags, f"{rule.source}: no tags; choose from {', '.join(CATEGORIES)}"
    unknown = sorted(set(rule.tags) - set(CATEGORIES))
    assert unknown == [], f"{rule.source}: tags {unknown} are not categories; choose from {', '.join(CATEGORIES)}"


@pytest.mark.parametrize("tag", list(CATEGORIES))
def test_every_category_selects_rules(tag):
    tagged = {rule.id for rule in RULES if tag in rule.tags}
    assert tagged, f"no rule has the tag {tag}, so --select tag:{tag} selects nothing"

    selected = load_policy(select=[f"tag:{tag}"])

    assert {rule.id for rule in selected.enabled_rules} == tagged


@pytest.mark.parametrize("rule", [rule for rule in RULES if "style" in rule.tags], ids=lambda rule: rule.id)
def test_style_rules_have_a_low_severity(rule):
    assert rule.severity in ("info", "low"), f"{rule.id} is a style rule with severity {rule.severity}"


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_rule_has_references_or_a_reason(rule):
    if rule.references:
        return
    entry = OWN_PRACTICES.get(rule.id)

    assert entry is not None, (
        f"{rule.source} references no peer rule; reference the peer rules it covers (tool:ID from "
        "policies/rules-catalog.tsv), or add it to policies/own-practices.yaml with the reason none does"
    )


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.references], ids=lambda rule: rule.id)
def test_rule_references_exist_in_the_catalog(rule):
    known = CATALOG.by_reference()
    assert len(set(rule.references)) == len(rule.references), f"{rule.id} repeats a reference"
    for reference in rule.references:
        match = REFERENCE.match(reference)
        assert match, f"{rule.id}: reference {reference!r} is not written tool:ID"
        assert match["tool"] in TOOLS, f"{rule.id}: unknown tool in {reference!r}; use one of {', '.join(TOOLS)}"
        assert reference in known, f"{rule.id}: {reference} is not a rule of policies/rules-catalog.tsv"


def test_own_practices_name_existing_rules_and_practices():
    rules = {rule.id for rule in RULES}
    concerns = CATALOG.concerns()
    peer_concerns = CATALOG.peer_concerns()
    for entry in OWN_PRACTICES.values():
        assert entry.rule in rules, f"policies/own-practices.yaml:{entry.line}: no rule {entry.rule}"
        if entry.concern is None:
            continue
        assert entry.concern in concerns, f"policies/own-practices.yaml:{entry.line}: unknown concern {entry.concern}"
        assert entry.concern not in peer_concerns, (
            f"policies/own-practices.yaml:{entry.line}: peer tools check {entry.concern}: reference their rules instead"
        )


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_rule_has_cases_that_fire_and_stay_quiet(rule):
    cases = rule_cases(rule)

    assert any(case.expect for case in cases), f"{rule.id} has no case that must fire"
    assert any(not case.expect for case in cases), f"{rule.id} has no case that must stay quiet"


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_expected_findings_name_their_lines(rule):
    # A finding about a file inside an image's layers has no line in the input, so its message must identify it.
    layer_findings = set(rule.applies_to) == {"image"}
    for case in rule_cases(rule):
        for expected in case.expect:
            if expected.line is not None or rule.on_no_match == "fail":
                continue
            assert layer_findings, f"{rule.id} case {case.name!r} expects a finding without a line"
            assert expected.message, f"{rule.id} case {case.name!r} expects a finding with neither line nor message"


FOLDER_CASES = [(rule, case) for rule in RULES if rule.test_folder for case in rule_cases(rule)[len(rule.tests) :]]


@pytest.mark.parametrize(("rule", "case"), FOLDER_CASES, ids=[f"{rule.id}-{case.name}" for rule, case in FOLDER_CASES])
def test_folder_case(rule, case):
    result = run_case(rule, case)
    assert result.passed, result.describe()


def test_expect_marks_name_existing_rules():
    keys = {rule.id for rule in RULES} | {rule.name for rule in RULES}
    for rule in RULES:
        if not rule.test_folder:
            continue
        for path in sorted(Path(rule.test_folder).rglob("*")):
            if not path.is_file():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                match = MARK.match(line)
                if not match:
                    continue
                for name in match["rules"].split(","):
                    assert name.strip() in keys, f"{path}:{number}: '# expect:' names no rule: {name.strip()}"

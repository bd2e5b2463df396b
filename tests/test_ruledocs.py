"""The generated rule reference: pages in sync with the rules, the same text as ``prodpolicy explain``, the index."""

from __future__ import annotations

import re
import shutil
import textwrap

import pytest

from prodpolicy.cli import main as cli_main
from prodpolicy.policy.load import load_policy, load_policy_text
from prodpolicy.report.rule_docs import markdown_text, rule_markdown, rule_text
from prodpolicy.ruledocs import GENERATOR, main, replace_generated_block, stale_files, write_files

from .helpers import ROOT

POLICY = load_policy()
RULES = sorted(POLICY.rules, key=lambda rule: rule.id)
PAGES = ROOT / "docs" / "rules"


def plain(markdown: str) -> str:
    """Read a page as a person reads it rendered: no markup, whitespace collapsed."""
    lines = []
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            lines.append(line)
            continue
        line = re.sub(r"^## (.*)$", r"\1:", line)
        line = re.sub(r"^# ", "", line)
        line = re.sub(r"\\$", "", line)
        # Backslash escapes count outside code spans only; the spans lose their backticks.
        parts = re.split(r"(`[^`]*`)", line)
        lines.append("".join(part[1:-1] if part.startswith("`") else re.sub(r"\\(.)", r"\1", part) for part in parts))
    return " ".join("\n".join(lines).split())


def read_page(rule_id: str) -> str:
    path = PAGES / f"{rule_id}.md"
    assert path.exists(), f"{path} is missing; run {GENERATOR}"
    return path.read_text(encoding="utf-8")


def test_generated_docs_are_in_sync():
    stale = stale_files()

    assert stale == [], f"stale generated docs: {', '.join(stale)}; run {GENERATOR}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_explain_prints_the_page(capsys, rule):
    page = read_page(rule.id)

    code = cli_main(["explain", rule.id])
    out = capsys.readouterr().out
    text, _, reference = out.rstrip("\n").rpartition("\n\n")

    assert code == 0
    assert " ".join(text.split()) == plain(page)
    assert reference == f"Reference: https://github.com/prodpolicy/prodpolicy/blob/main/docs/rules/{rule.id}.md"


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_page_has_every_section(rule):
    page = read_page(rule.id)
    headings = re.findall(r"^## (.*)$", page, re.MULTILINE)

    assert page.startswith(f"# {rule.id} {rule.name}: ")
    assert f"severity: {rule.severity}; applies to: " in page
    assert ("enabled by default" if rule.enabled else "disabled by default") in page
    assert headings[:4] == ["Why it matters", "Reported", "Accepted", "How to fix it"]
    assert ("Parameters" in headings) == bool(rule.parameters)
    assert ("Covers the same ground as" in headings) == bool(rule.references)
    for name in rule.parameters:
        assert f"- `{name}`" in page


def test_page_of_a_rule_with_parameters():
    page = read_page("DF102")

    assert "- `images` (list): Image names that have a smaller variant for running applications. Default:\n  - `node`\n" in page
    assert "\n## Accepted\n\n```dockerfile\nFROM node:22 AS build\n" in page


def test_page_lists_what_peer_rules_check():
    page = read_page("RT101")

    assert "- `hadolint:DL3002`: The last USER set in a stage is root (name or uid 0)\n" in page


OWN_POLICY = """\
apiVersion: prodpolicy/v1
kind: Policy
extends: [prodpolicy:recommended@1]
overrides:
  - rules: [ACME001]
    parameters: {registries: [registry.acme.internal, mirror.acme.internal]}
rules:
  - id: ACME001
    name: internal-registry
    title: Base images come from the internal registry
    severity: medium
    applies_to: [dockerfile]
    enabled: false
    given: $.stages[*].base
    when: [{field: registry, not_in: {param: registries}}]
    message: "{reference} is not mirrored"
    parameters:
      registries:
        type: list
        items: string
        default: [registry.acme.internal]
        description: Registries whose images are scanned.
    docs:
      summary: Every FROM image comes from a mirror; see `docs/<team>/mirrors.md` and *all* of it.
      why: Only mirrored images are scanned.
      bad: FROM node:20-alpine
      good: FROM registry.acme.internal/library/node:20-alpine
      fix: Use the mirrored image.
    references: [hadolint:DL3026]
"""


@pytest.fixture
def own_rule(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(OWN_POLICY, encoding="utf-8")
    return load_policy([path]).find_rule("ACME001")


def test_text_of_an_own_rule(own_rule):
    text = rule_text(own_rule, width=100)

    assert text.startswith(
        "ACME001 internal-registry: Base images come from the internal registry\n"
        "severity: medium; applies to: dockerfile\n"
        "disabled by default: a policy turns it on with select: [ACME001] or an override with enabled: true\n\n"
        "Every FROM image comes from a mirror; see docs/<team>/mirrors.md and *all* of it.\n"
    )
    assert (
        "Parameters:\n"
        "  - registries (list of string): Registries whose images are scanned. The policy sets it to\n"
        '    ["registry.acme.internal", "mirror.acme.internal"]. Default:\n'
        "    - registry.acme.internal\n"
    ) in text
    assert "  - hadolint:DL3026: FROM image comes from a registry outside a configured allowlist\n" in text


def test_markdown_of_an_own_rule_escapes_prose(own_rule):
    page = rule_markdown(own_rule)

    assert "Every FROM image comes from a mirror; see `docs/<team>/mirrors.md` and \\*all\\* of it.\n" in page
    assert "  - `registry.acme.internal`\n" in page


def test_rule_without_readable_source_has_parameter_values():
    policy = load_policy_text(
        textwrap.dedent(
            """\
            apiVersion: prodpolicy/v1
            kind: Policy
            rules:
              - id: ACME002
                name: max-layers
                title: Too many RUN lines
                severity: low
                applies_to: [dockerfile]
                given: $.stages[*]
                when: [{field: instructions, length: {gt: {param: limit}}}]
                message: too many
                parameters:
                  limit: {type: integer, default: 30, description: Most instructions in a stage.}
                docs: {summary: s, why: w, bad: FROM a, good: FROM b, fix: f}
            """
        )
    )

    text = rule_text(policy.find_rule("ACME002"))

    assert "Parameters:\n  - limit, default: 30.\n" in text


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("rm -rf /var/lib/apt/lists/* and *.log", "rm -rf /var/lib/apt/lists/\\* and \\*.log"),
        ("sha256:<digest>", "sha256:\\<digest\\>"),
        ("the non_root_base_images parameter", "the non_root_base_images parameter"),
        ("_private and trailing_", "\\_private and trailing\\_"),
        ("keep `a*b <c>` as code", "keep `a*b <c>` as code"),
        ("a [link](x) and C:\\path", "a \\[link\\](x) and C:\\\\path"),
    ],
)
def test_markdown_text_escapes(text, markdown):
    assert markdown_text(text) == markdown


@pytest.fixture
def checkout(tmp_path):
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "coverage.md", tmp_path / "docs" / "coverage.md")
    return tmp_path


def test_write_files_creates_pages_and_removes_orphans(checkout):
    orphan = checkout / "docs" / "rules" / "ZZ999.md"
    orphan.write_text("# ZZ999\n", encoding="utf-8")

    written = write_files(checkout)

    assert "docs/rules/DF101.md" in written
    assert "docs/rules/README.md" in written
    assert "docs/rules/ZZ999.md (deleted)" in written
    assert not orphan.exists()
    assert stale_files(checkout) == []
    assert write_files(checkout) == []


def test_check_lists_a_stale_page(checkout, capsys):
    write_files(checkout)
    page = checkout / "docs" / "rules" / "DF101.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")

    code = main(["--check", "--root", str(checkout)])
    captured = capsys.readouterr()

    assert code == 1
    assert captured.out == "stale: docs/rules/DF101.md\n"
    assert captured.err == f"run {GENERATOR} to regenerate\n"


def test_coverage_page_without_markers(checkout, capsys):
    (checkout / "docs" / "coverage.md").write_text("# Coverage\n", encoding="utf-8")

    code = main(["--root", str(checkout)])

    assert code == 2
    assert "no generated block 'coverage'" in capsys.readouterr().err


def test_replace_generated_block_keeps_the_prose():
    text = "intro\n<!-- BEGIN GENERATED: table (tool) -->\nold\n<!-- END GENERATED: table -->\noutro\n"

    replaced = replace_generated_block(text, "table", "new\n")

    assert replaced == "intro\n<!-- BEGIN GENERATED: table (tool) -->\n\nnew\n\n<!-- END GENERATED: table -->\noutro\n"


def test_index_links_every_rule_once():
    index = (PAGES / "README.md").read_text(encoding="utf-8")

    for rule in RULES:
        assert index.count(f"[{rule.id}]({rule.id}.md)") == 1, rule.id
    assert f"The bundled ruleset has {len(RULES)} rules." in index


def test_explain_shows_enablement_set_on_command_line(capsys):
    code = cli_main(["explain", "RT101", "--select", "DF101"])
    lines = capsys.readouterr().out.splitlines()

    assert code == 0
    assert lines[2] == "disabled by command line (not in select)"

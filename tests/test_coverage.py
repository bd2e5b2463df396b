"""The coverage of the peer catalog: the catalog copy, the decision files, and every concern covered or declined.

A concern marked as an input error in policies/declined.yaml is proved here: a Dockerfile
with the problem gives an input error at the expected line.
"""

from __future__ import annotations

import textwrap

import pytest

from prodpolicy.coverage import COVERED, DECLINED, INPUT_ERROR, MISSING, NICHE, UNREFERENCED, compute_coverage
from prodpolicy.coverage_markdown import coverage_markdown
from prodpolicy.errors import InvalidInput
from prodpolicy.peers import CatalogError, read_catalog, read_declined, read_own_practices
from prodpolicy.policy.load import load_policy, load_policy_text

from .helpers import dockerfile

CATALOG = read_catalog()
DECLINED_ENTRIES = read_declined()
RULES = load_policy().rules
COVERAGE = compute_coverage(RULES, CATALOG, DECLINED_ENTRIES, read_own_practices())

CATALOG_HEADER = (
    "tool\trule_id\tinput_kind\tseverity_in_tool\tsummary_in_our_words\tdata_needed\texpressible_as_pure_data\tconcern_id\n"
)


def catalog_file(tmp_path, rows: list[str]):
    path = tmp_path / "catalog.tsv"
    path.write_text(CATALOG_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_catalog_copy_has_every_peer_rule():
    tools = CATALOG.tools()

    assert len(CATALOG.peer_rules) == 309
    assert len(CATALOG.peer_concerns()) == 145
    assert len(CATALOG.seed_rules) == 12
    assert tools == ["hadolint", "buildkit", "trivy", "checkov", "dockle", "compose-lint", "dclint", "kics", "tally"]


def test_catalog_niche_concerns():
    niche = [concern for concern in CATALOG.peer_concerns() if COVERAGE.by_concern()[concern].niche]

    assert len(niche) == 18
    assert "gpu-visible-devices" in niche
    assert "ps-progress" in niche
    assert "runs-as-root" not in niche


def test_catalog_reference_names():
    known = CATALOG.by_reference()

    assert known["hadolint:DL3002"].concerns == ("runs-as-root",)
    assert known["buildkit:JSONArgsRecommended"].tool == "buildkit-checks"
    assert "seed (prodpolicy guide):SEED-01" not in known


@pytest.mark.parametrize(
    "concern",
    sorted(concern for concern in CATALOG.peer_concerns() if not COVERAGE.by_concern()[concern].niche),
)
def test_concern_is_covered_or_declined(concern):
    item = COVERAGE.by_concern()[concern]
    peers = ", ".join(peer.reference for peer in item.peer_rules)

    assert item.status in (COVERED, INPUT_ERROR, DECLINED), (
        f"concern {concern} ({peers}) is neither covered nor declined: reference its peer rules from a rule, "
        "or decline it in policies/declined.yaml with the reason"
    )


@pytest.mark.parametrize("seed", CATALOG.seed_rules, ids=lambda seed: seed.rule_id)
def test_production_practice_is_covered_or_declined(seed):
    statuses = {concern: COVERAGE.by_concern()[concern].status for concern in seed.concerns}

    assert set(statuses.values()) <= {COVERED, INPUT_ERROR, DECLINED}, f"{seed.rule_id} ({seed.summary}): {statuses}"


# For each concern declined.yaml marks as an input error: Dockerfiles with the problem, and the line
# and message of the input error each must give.
INPUT_ERROR_CASES = {
    "copy-from-own-stage": [
        ("FROM alpine:3.22 AS build\nCOPY --from=build /a /b\n", 2, "cannot copy from stage 'build'"),
        ("FROM alpine:3.22 AS build\nCOPY --from=0 /a /b\n", 2, "cannot copy from stage '0'"),
        (
            "FROM alpine:3.22 AS app\nRUN --mount=type=bind,from=assets,target=/x true\nFROM alpine:3.22 AS assets\n",
            2,
            "cannot mount from stage 'assets'",
        ),
    ],
    "circular-stage-deps": [
        (
            "FROM alpine:3.22 AS a\nCOPY --from=b /x /y\nFROM alpine:3.22 AS b\nCOPY --from=a /x /y\n",
            2,
            "cannot copy from stage 'b': it must be defined before the current stage",
        ),
    ],
    "onbuild-invalid": [
        ("FROM alpine:3.22\nONBUILD ONBUILD RUN true\n", 2, "ONBUILD cannot defer another ONBUILD"),
        ("FROM alpine:3.22\nONBUILD FROM alpine:3.22\n", 2, "FROM is not allowed as an ONBUILD trigger"),
        ("FROM alpine:3.22\nONBUILD MAINTAINER ops\n", 2, "MAINTAINER is not allowed as an ONBUILD trigger"),
        ("FROM alpine:3.22\nONBUILD FOO bar\n", 2, "ONBUILD FOO: unknown instruction FOO"),
    ],
    "unknown-instruction": [
        ("FROM alpine:3.22\nCOPYY . /app\n", 2, "unknown instruction COPYY"),
    ],
    "file-structure-valid": [
        ("RUN true\nFROM alpine:3.22\n", 1, "RUN before the first FROM; only ARG may come before FROM"),
        ("ARG VERSION=1\n", 1, "no FROM instruction: ARG on line 1 is outside any build stage"),
    ],
    "expose-port-range": [
        ("FROM alpine:3.22\nEXPOSE 70000\n", 2, "invalid port '70000': 70000 is outside 0-65535"),
        ("FROM alpine:3.22\nEXPOSE 8080-70000/tcp\n", 2, "70000 is outside 0-65535"),
    ],
}


def test_input_error_concerns_have_cases():
    marked = {entry.concern for entry in DECLINED_ENTRIES if entry.status == "input-error"}

    assert marked == set(INPUT_ERROR_CASES)
    assert {item.concern for item in COVERAGE.with_status(INPUT_ERROR)} == marked


@pytest.mark.parametrize(
    ("concern", "text", "line", "message"),
    [(concern, text, line, message) for concern, cases in INPUT_ERROR_CASES.items() for text, line, message in cases],
)
def test_input_error_concern_has_its_line(concern, text, line, message):
    errors = input_errors(text)

    assert [error_line for error_line, _ in errors] == [line], errors
    assert message in errors[0][1]


def input_errors(text: str) -> list[tuple[int | None, str]]:
    """Return the input errors of a Dockerfile: the document's, or the one that stops it from being read."""
    try:
        document = dockerfile(text)
    except InvalidInput as error:
        return [(error.error.line, error.error.message)]
    return [(error.line, error.message) for error in document.errors]


def test_duplicate_stage_name_is_a_rule():
    # BuildKit only warns (its DuplicateStageName check), so the file is normalized without errors.
    document = dockerfile("FROM alpine:3.22 AS build\nFROM alpine:3.22 AS Build\n")

    assert document.errors == []
    assert COVERAGE.by_concern()["stage-name-unique"].status == COVERED
    assert COVERAGE.by_concern()["stage-name-unique"].rules == ("DF113",)


def test_coverage_page_input_error_section():
    text = coverage_markdown(COVERAGE, CATALOG)
    section = text.split("## Input errors", 1)[1].split("\n## ", 1)[0]
    concerns_section = text.split("## Concerns", 1)[1].split("\n## ", 1)[0]

    assert "| input error | 6 |" in text
    for concern in INPUT_ERROR_CASES:
        assert f"| `{concern}` |" in section
        assert f"| `{concern}` |" not in concerns_section


def test_declined_entries_name_uncovered_concerns():
    concerns = CATALOG.concerns()
    seen: set[str] = set()
    for entry in DECLINED_ENTRIES:
        assert entry.concern in concerns, f"policies/declined.yaml:{entry.line}: unknown concern {entry.concern}"
        assert entry.concern not in seen, f"policies/declined.yaml:{entry.line}: {entry.concern} is declined twice"
        seen.add(entry.concern)
        rules = COVERAGE.by_concern()[entry.concern].rules
        assert not rules, f"policies/declined.yaml:{entry.line}: {entry.concern} is covered by {', '.join(rules)}"


def test_statuses_of_concerns_and_peer_rules(tmp_path):
    path = catalog_file(
        tmp_path,
        [
            "hadolint\tDL3002\tdockerfile\twarning\tlast USER is root\t-\tyes\truns-as-root",
            "trivy\tDS-0002\tdockerfile\thigh\tno USER or root\t-\tyes\truns-as-root",
            "dockle\tCIS-DI-0005\timage\tinfo\tcontent trust\t-\tno\tcontent-trust",
            "tally\ttally/gpu/x\tdockerfile\twarning\tGPU thing\t-\tyes\tgpu-visible-devices",
            "hadolint\tDL3027\tdockerfile\twarning\tapt\t-\tyes\tapt-not-apt-get",
            "trivy\tDS-0099\tdockerfile\tcritical\tunknown keyword\t-\tyes\tunknown-instruction",
            "seed (prodpolicy guide)\tSEED-10\tdockerfile\t-\tno dev server\t-\tyes\tdev-server-cmd",
        ],
    )
    declined = tmp_path / "declined.yaml"
    declined.write_text(
        "- concern: content-trust\n  reason: It is a setting of the Docker client.\n"
        "- concern: unknown-instruction\n  status: input-error\n  reason: Docker rejects the file.\n",
        encoding="utf-8",
    )
    own = tmp_path / "own.yaml"
    own.write_text("- rule: ACME002\n  concern: dev-server-cmd\n  reason: No peer checks it.\n", encoding="utf-8")
    policy = load_policy_text(
        textwrap.dedent(
            """\
            apiVersion: prodpolicy/v1
            kind: Policy
            rules:
              - id: ACME001
                name: root
                title: Root
                severity: high
                applies_to: [dockerfile]
                given: $.runtimes[*]
                when: [{field: user.is_root, equals: true}]
                message: root
                docs: {summary: s, why: w, bad: b, good: g, fix: f}
                references: [hadolint:DL3002, hadolint:DL9999]
            """
        )
    )
    catalog = read_catalog(path)

    coverage = compute_coverage(policy.rules, catalog, read_declined(declined), read_own_practices(own))
    statuses = {item.concern: item.status for item in coverage.concerns}
    peers = {peer.reference: coverage.peer_rule_status(peer) for peer in catalog.peer_rules}

    assert statuses == {
        "runs-as-root": COVERED,
        "content-trust": DECLINED,
        "gpu-visible-devices": NICHE,
        "apt-not-apt-get": MISSING,
        "unknown-instruction": INPUT_ERROR,
        "dev-server-cmd": COVERED,
    }
    assert peers["hadolint:DL3002"] == (COVERED, ("ACME001",))
    assert peers["trivy:DS-0002"] == (UNREFERENCED, ("ACME001",))
    assert peers["dockle:CIS-DI-0005"] == (DECLINED, ())
    assert peers["hadolint:DL3027"] == (MISSING, ())
    assert peers["trivy:DS-0099"] == (INPUT_ERROR, ())
    assert coverage.unknown_references == {"ACME001": ("hadolint:DL9999",)}


def test_catalog_row_with_missing_column(tmp_path):
    path = catalog_file(tmp_path, ["hadolint\tDL3002\tdockerfile\twarning\tlast USER is root"])

    with pytest.raises(CatalogError) as error:
        read_catalog(path)

    assert str(error.value) == f"{path}:2: expected 8 tab-separated columns, found 5"


def test_catalog_missing_file(tmp_path):
    with pytest.raises(CatalogError) as error:
        read_catalog(tmp_path / "absent.tsv")

    assert "cannot read the peer catalog" in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("concern: x\nreason: y\n", ":1: expected a list of entries"),
        ("- concern: content-trust\n", ":1: the entry needs reason as text"),
        ("- concern: a\n  reason: b\n- concern: c\n  reason: d\n  owner: e\n", ":3: unknown key owner"),
        ("- concern: [a\n", ":2: invalid YAML"),
        ("- concern: a\n  reason: b\n  status: rejected\n", ":1: unknown status 'rejected'; use declined or input-error"),
    ],
)
def test_declined_file_errors_name_the_line(tmp_path, text, message):
    path = tmp_path / "declined.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CatalogError) as error:
        read_declined(path)

    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_decision_file_with_only_comments(tmp_path):
    path = tmp_path / "declined.yaml"
    path.write_text("# nothing declined yet\n", encoding="utf-8")

    assert read_declined(path) == []
    assert read_declined(tmp_path / "absent.yaml") == []

"""Policy exceptions: targets, expiry, unused warnings, and how suppressed findings are reported."""

from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path

import pytest

from prodpolicy.api import evaluate_paths, normalize
from prodpolicy.cli import main
from prodpolicy.document import Document, Location
from prodpolicy.evaluation import evaluate
from prodpolicy.policy.globs import GlobError, compile_glob
from prodpolicy.policy.load import load_policy_text

TODAY = datetime.date(2030, 1, 15)

MULTI_STAGE = """\
FROM node:20-alpine AS build
COPY .npmrc /root/.npmrc
RUN npm ci
FROM node:20-alpine
COPY --from=build /src/dist /app
COPY .env /app/.env
USER node
HEALTHCHECK CMD ["node", "/app/health.js"]
CMD ["node", "/app/server.js"]
"""


# The rules these tests suppress; selecting them keeps the expected findings fixed when rules are added.
RULES_UNDER_TEST = "[SC101, RT101, RT201, DF101]"


def policy_with(exceptions: str, base: Path | None = None):
    text = (
        "apiVersion: prodpolicy/v1\nkind: Policy\nextends: [prodpolicy:recommended@1]\n"
        f"select: {RULES_UNDER_TEST}\nexceptions:\n"
    )
    return load_policy_text(text + textwrap.indent(textwrap.dedent(exceptions), "  "), "policy.yaml", base)


def rows(report):
    return [(finding.line, finding.rule_id, finding.suppressed.kind if finding.suppressed else None) for finding in report.findings]


def evaluate_text(policy, text: str = MULTI_STAGE, file: str = "Dockerfile", today: datetime.date = TODAY):
    return evaluate(normalize(file, text=text), policy, today=today)


def test_stage_target_covers_that_stage_only():
    policy = policy_with(
        """\
        - rule: SC101
          target: {stage: build}
          reason: The build stage needs the registry token and is not shipped.
        """
    )

    assert rows(evaluate_text(policy)) == [(2, "SC101", "exception"), (6, "SC101", None)]


def test_stage_target_by_index():
    policy = policy_with(
        """\
        - rule: secret-file-copied
          target: {stage: "1"}
          reason: The example env file holds no secrets.
        """
    )

    assert rows(evaluate_text(policy)) == [(2, "SC101", None), (6, "SC101", "exception")]


def test_path_target_covers_nodes_at_or_below_it():
    policy = policy_with(
        """\
        - rule: [SC101]
          target: {path: "$.stages[0]"}
          reason: The build stage is not shipped.
        """
    )

    assert rows(evaluate_text(policy)) == [(2, "SC101", "exception"), (6, "SC101", None)]


def test_every_target_field_must_match():
    policy = policy_with(
        """\
        - rule: SC101
          target: {stage: build, file: other/Dockerfile}
          reason: Only for the other service.
        """
    )

    report = evaluate_text(policy)

    assert rows(report) == [(2, "SC101", None), (6, "SC101", None)]
    # other/Dockerfile is not part of this run, so the exception is not reported as unused either.
    assert report.warnings == []


def test_file_glob_is_relative_to_the_declaring_file(tmp_path):
    legacy = tmp_path / "services" / "legacy"
    legacy.mkdir(parents=True)
    (legacy / "Dockerfile").write_text("FROM alpine:3.20\nCMD [\"agent\"]\n", encoding="utf-8")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nCMD [\"agent\"]\n", encoding="utf-8")
    policy = policy_with(
        """\
        - rule: [RT101, RT201]
          target: {file: "services/**"}
          reason: The legacy agent is replaced next quarter.
          owner: platform-team
        """,
        base=tmp_path,
    )

    report = evaluate_paths([str(tmp_path)], policy, today=TODAY)

    assert [(Path(finding.file).relative_to(tmp_path).as_posix(), finding.rule_id, finding.suppressed is not None) for finding in report.findings] == [
        ("Dockerfile", "RT101", False),
        ("Dockerfile", "RT201", False),
        ("services/legacy/Dockerfile", "RT101", True),
        ("services/legacy/Dockerfile", "RT201", True),
    ]


def test_compose_service_target():
    # A compose document as the compose normalizer shapes its runtime view: one runtime per service.
    def runtime(name: str) -> dict:
        return {
            "subject": {"kind": "service", "name": name},
            "user": {"is_root": True, "source": "compose", "raw": "root", "user": "root"},
            "healthcheck": {"state": "configured"},
        }

    document = Document(
        kind="compose",
        file="compose.yaml",
        data={"kind": "compose", "file": "compose.yaml", "runtimes": [runtime("web"), runtime("worker")]},
        locations={("runtimes", 0): Location(3), ("runtimes", 1): Location(9)},
    )
    policy = policy_with(
        """\
        - rule: runs-as-root
          target: {service: worker}
          reason: The worker drops privileges itself after binding port 80.
        """
    )

    report = evaluate([document], policy, today=TODAY)

    assert [(finding.line, finding.rule_id, finding.suppressed is not None) for finding in report.findings] == [
        (3, "RT101", False),
        (9, "RT101", True),
    ]


def compose_with_override() -> Document:
    """A compose project whose web service gets its user from an override file, as the compose normalizer records it."""
    runtimes = [
        {"subject": {"kind": "service", "name": name}, "user": {"is_root": True, "source": "compose", "raw": "root", "user": "root"},
         "healthcheck": {"state": "configured"}}
        for name in ("web", "worker")
    ]
    return Document(
        kind="compose",
        file="compose.yaml",
        data={"kind": "compose", "file": "compose.yaml", "runtimes": runtimes},
        locations={
            ("runtimes", 0): Location(3, file="compose.override.yaml"),
            ("runtimes", 1): Location(9),
        },
    )


def test_file_glob_matches_the_file_of_the_finding():
    policy = policy_with(
        """\
        - rule: runs-as-root
          target: {file: compose.override.yaml}
          reason: The override is for local debugging only.
        """
    )

    report = evaluate([compose_with_override()], policy, today=TODAY)

    assert [(finding.file, finding.line, finding.suppressed is not None) for finding in report.findings] == [
        ("compose.override.yaml", 3, True),
        ("compose.yaml", 9, False),
    ]
    assert report.warnings == []


def test_main_file_glob_skips_override_findings():
    policy = policy_with(
        """\
        - rule: runs-as-root
          target: {file: compose.yaml}
          reason: The worker drops privileges itself.
        """
    )

    report = evaluate([compose_with_override()], policy, today=TODAY)

    assert [(finding.file, finding.line, finding.suppressed is not None) for finding in report.findings] == [
        ("compose.override.yaml", 3, False),
        ("compose.yaml", 9, True),
    ]


def test_exception_applies_through_its_last_day_only():
    policy = policy_with(
        """\
        - rule: SC101
          target: {stage: build}
          reason: Until the build uses a secret mount.
          expires: 2030-01-15
        """
    )

    on_last_day = evaluate_text(policy, today=datetime.date(2030, 1, 15))
    day_after = evaluate_text(policy, today=datetime.date(2030, 1, 16))

    assert rows(on_last_day) == [(2, "SC101", "exception"), (6, "SC101", None)]
    assert rows(day_after) == [(2, "SC101", None), (6, "SC101", None)]
    assert day_after.findings[0].notes == (
        "the exception at policy.yaml:6 expired on 2030-01-15 (Until the build uses a secret mount.); "
        "renew it or fix the finding",
    )
    assert day_after.findings[1].notes == ()
    assert day_after.warnings == []


def test_active_exception_beats_expired_one():
    policy = policy_with(
        """\
        - rule: SC101
          target: {stage: build}
          reason: Old reason.
          expires: 2020-01-01
        - rule: SC101
          target: {stage: build}
          reason: Renewed until the secret mount lands.
          expires: 2031-01-01
        """
    )

    finding = evaluate_text(policy).findings[0]

    assert finding.suppressed.justification == "Renewed until the secret mount lands."
    assert finding.expired_exception is None


def test_unused_exception_is_a_warning_with_its_line():
    policy = policy_with(
        """\
        - rule: DF101
          target: {file: legacy/Dockerfile}
          reason: The vendor publishes only latest.
          owner: platform-team
        - rule: SC101
          target: {stage: build}
          reason: Expired and no longer needed.
          expires: 2020-06-01
        - rule: RT101
          target: {file: services/other/Dockerfile}
          reason: Its file is not part of this run, so it cannot match and is not reported.
        """
    )

    report = evaluate_text(policy, text="FROM alpine:3.20\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\n", file="legacy/Dockerfile")

    assert report.findings == []
    assert [(warning.kind, warning.file, warning.line, warning.message) for warning in report.warnings] == [
        (
            "unused-exception",
            "policy.yaml",
            6,
            "the exception for DF101 at file legacy/Dockerfile, owner platform-team matched no finding in this run: "
            "remove it or correct its target",
        ),
        (
            "unused-exception",
            "policy.yaml",
            10,
            "the exception for SC101 at stage build, expires 2020-06-01 matched no finding in this run and has "
            "expired: remove it or correct its target",
        ),
    ]
    assert report.errors == []
    assert report.to_json()["warnings"][0]["kind"] == "unused-exception"


def test_suppressed_findings_stay_in_the_json_report():
    policy = policy_with(
        """\
        - rule: SC101
          target: {stage: build}
          reason: Not shipped.
        """
    )

    data = evaluate_text(policy).to_json()

    assert [finding.get("suppressed", {}).get("kind") for finding in data["findings"]] == ["exception", None]
    assert data["summary"]["findings"] == 1
    assert data["summary"]["suppressed"] == 1


@pytest.mark.parametrize(
    ("pattern", "file", "matched"),
    [
        ("Dockerfile", "a/b/Dockerfile", True),
        ("*.Dockerfile", "a/b/api.Dockerfile", True),
        ("legacy", "services/legacy/Dockerfile", True),
        ("services/legacy", "services/legacy/Dockerfile", True),
        ("services/*/Dockerfile", "services/api/Dockerfile", True),
        ("services/*/Dockerfile", "services/api/v2/Dockerfile", False),
        ("services/**/Dockerfile", "services/api/v2/Dockerfile", True),
        ("services/**/Dockerfile", "services/Dockerfile", True),
        ("/Dockerfile", "Dockerfile", True),
        ("/Dockerfile", "services/Dockerfile", False),
        ("legacy/", "legacy/Dockerfile", True),
        ("Dockerfile.[ab]", "Dockerfile.a", True),
        ("Dockerfile.[!ab]", "Dockerfile.a", False),
        ("Docker?ile", "Dockerfile", True),
        ("../outside/Dockerfile", "outside/Dockerfile", False),
    ],
)
def test_file_glob(tmp_path, pattern, file, matched):
    glob = compile_glob(pattern, str(tmp_path))

    assert glob.matches(str(tmp_path / file)) is matched


def test_file_glob_can_climb_out_of_its_folder(tmp_path):
    glob = compile_glob("../services/legacy/Dockerfile", str(tmp_path / "policies"))

    assert glob.matches(str(tmp_path / "services" / "legacy" / "Dockerfile")) is True
    assert glob.matches(str(tmp_path / "policies" / "services" / "legacy" / "Dockerfile")) is False


def test_file_glob_outside_its_folder_does_not_match(tmp_path):
    glob = compile_glob("services/**", str(tmp_path / "repo"))

    assert glob.matches(str(tmp_path / "services" / "Dockerfile")) is False


def test_file_glob_with_unclosed_bracket_is_an_error(tmp_path):
    with pytest.raises(GlobError, match=r"unclosed \["):
        compile_glob("Dockerfile.[ab", str(tmp_path))


def test_unused_exception_names_the_nearer_configuration(tmp_path, monkeypatch, capsys):
    (tmp_path / "svc").mkdir()
    (tmp_path / ".prodpolicy.yaml").write_text(
        "exceptions:\n  - rule: healthcheck-missing\n    target: {file: svc/Dockerfile}\n    reason: probed by the platform\n",
        encoding="utf-8",
    )
    (tmp_path / "svc" / "pyproject.toml").write_text('[tool.prodpolicy]\nignore = ["DF"]\n', encoding="utf-8")
    for folder in (tmp_path, tmp_path / "svc"):
        (folder / "Dockerfile").write_text('FROM alpine:3.22\nUSER 1000\nCMD ["x"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    main(["eval", "--format", "json", "."])
    [warning] = [item for item in json.loads(capsys.readouterr().out)["warnings"] if item["kind"] == "unused-exception"]

    assert warning["message"] == (
        "the exception for healthcheck-missing at file svc/Dockerfile matched no finding in this run: the files it "
        "names were evaluated with another configuration file, where it does not apply; move it there"
    )
    assert (warning["file"], warning["line"]) == (".prodpolicy.yaml", 2)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_stale_exception_under_its_own_configuration(tmp_path, monkeypatch, capsys, jobs):
    (tmp_path / ".prodpolicy.yaml").write_text(
        "exceptions:\n  - rule: runs-as-root\n    target: {file: Dockerfile}\n    reason: not needed any more\n",
        encoding="utf-8",
    )
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.22\nUSER 1000\nCMD ["x"]\n', encoding="utf-8")
    (tmp_path / "worker.Dockerfile").write_text('FROM alpine:3.22\nUSER 1000\nCMD ["x"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    main(["eval", "--format", "json", "--jobs", jobs, "."])
    [warning] = [item for item in json.loads(capsys.readouterr().out)["warnings"] if item["kind"] == "unused-exception"]

    assert warning["message"] == (
        "the exception for runs-as-root at file Dockerfile matched no finding in this run: remove it or correct its target"
    )
    assert (warning["file"], warning["line"]) == (".prodpolicy.yaml", 2)

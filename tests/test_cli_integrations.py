"""The pre-commit hook and the CI snippets in docs/cli.md, tested offline.

Installing the hook as published (language: python) makes pre-commit run pip
against the package index, so these tests check the hook definition against
pre-commit's own schema and run the same entry, arguments and file filter as a
``repo: local`` hook with ``language: system``, which installs nothing. The CI
snippets are parsed, and their prodpolicy commands are run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_config, load_manifest

from prodpolicy.kinds import KINDS, kind_for_name
from prodpolicy.report.links import PROJECT_URL

from .helpers import ROOT
from .test_cli_docs import code_blocks
from .test_report_sarif import sarif_problems

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent


def hook() -> dict:
    hooks = load_manifest(str(HOOKS_FILE))
    assert [item["id"] for item in hooks] == ["prodpolicy"]
    return hooks[0]


def snippet(file_name: str) -> str:
    for block in code_blocks("yaml"):
        if block.startswith(f"# {file_name}\n"):
            return block
    raise AssertionError(f"docs/cli.md has no YAML block for {file_name}")


def prodpolicy_lines(script: str) -> list[str]:
    return [line.strip() for line in script.splitlines() if line.strip().startswith("prodpolicy ")]


def run_prodpolicy(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    arguments = shlex.split(line)
    return subprocess.run(
        [sys.executable, "-m", "prodpolicy", *arguments[1:]], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def project(tmp_path):
    """A repository-like folder: the example service, a README and a package manifest."""
    shutil.copytree(ROOT / "examples" / "node-express", tmp_path / "service", ignore=shutil.ignore_patterns("node_modules"))
    (tmp_path / "README.md").write_text("# service\n", encoding="utf-8")
    return tmp_path


# The hook definition


def test_hook_definition_is_valid_for_pre_commit():
    definition = hook()
    assert definition["language"] == "python"
    assert shlex.split(definition["entry"]) == ["prodpolicy", "eval", "--no-progress", "--force-exclude"]
    assert definition["pass_filenames"] is True


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        "dockerfile",
        "Containerfile",
        "api.Dockerfile",
        "Dockerfile.prod",
        "build/web.containerfile",
        "a/b/Dockerfile",
        "compose.yaml",
        "deploy/docker-compose.yml",
        "compose.override.yml",
    ],
)
def test_hook_selects_input_names(name):
    assert re.search(hook()["files"], name)
    assert kind_for_name(name.rsplit("/", 1)[-1]) is not None


@pytest.mark.parametrize(
    "name",
    ["README.md", "package.json", "Dockerfiles/notes.txt", "src/server.ts", "mydockerfile", "compose.json", "my-compose.yml"],
)
def test_hook_skips_other_files(name):
    assert not re.search(hook()["files"], name)
    assert kind_for_name(name.rsplit("/", 1)[-1]) is None


def test_hook_covers_every_named_input_kind():
    files = hook()["files"]
    for kind in KINDS.values():
        for pattern in kind.patterns:
            example = pattern.replace("*", "app")
            assert re.search(files, f"deploy/{example}"), f"the hook's files pattern misses {kind.name} inputs named {pattern}"


# The hook, run by pre-commit


def git(*arguments: str, cwd: Path) -> None:
    subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True)


def run_pre_commit(project: Path, tmp_path: Path, extra_args: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    definition = hook()
    local = {key: definition[key] for key in ("id", "name", "entry", "files", "types", "pass_filenames")}
    local.update(language="system", args=extra_args or [])
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    load_config(str(project / ".pre-commit-config.yaml"))
    git("init", "--quiet", cwd=project)
    git("add", ".", cwd=project)
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_pre_commit_hook_fails_on_findings(project, tmp_path):
    # Rules that fire on the naive example only, so that the result does not depend on rules added later.
    completed = run_pre_commit(project, tmp_path, ["--select", "RT101,RT201,RT301,SC101"])
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "service/naive.Dockerfile:1:1: high RT101 runs-as-root" in completed.stdout
    assert "4 findings (3 high, 1 medium) in 2 files." in completed.stdout
    assert "README.md" not in completed.stdout


def test_pre_commit_hook_passes_clean_files(project, tmp_path):
    (project / "service" / "naive.Dockerfile").unlink()
    completed = run_pre_commit(project, tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert re.search(r"^prodpolicy\.+Passed$", completed.stdout, re.MULTILINE)


def test_pre_commit_hook_honours_ignore_files(project, tmp_path):
    (project / ".prodpolicyignore").write_text("# the legacy image is replaced next quarter\nnaive.Dockerfile\n", encoding="utf-8")
    # Rules that fire on the naive example only, so that the result does not depend on rules added later.
    completed = run_pre_commit(project, tmp_path, ["--select", "RT101,RT201,RT301,SC101"])
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "naive.Dockerfile" not in completed.stdout


def test_pre_commit_hook_arguments_reach_eval(project, tmp_path):
    completed = run_pre_commit(project, tmp_path, ["--fail-on", "critical"])
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_pre_commit_config_in_docs():
    config_text = snippet(".pre-commit-config.yaml")
    config = yaml.safe_load(config_text)
    repository = config["repos"][0]
    assert repository["repo"] == PROJECT_URL
    assert [item["id"] for item in repository["hooks"]] == [hook()["id"]]


def test_pre_commit_config_in_docs_is_valid(tmp_path):
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(snippet(".pre-commit-config.yaml"), encoding="utf-8")
    load_config(str(path))


# GitHub Actions


def test_github_workflow_uploads_sarif(project):
    workflow = yaml.safe_load(snippet(".github/workflows/prodpolicy.yml"))
    assert workflow["permissions"]["security-events"] == "write"
    # PyYAML reads the key on as the boolean True (YAML 1.1); GitHub reads it as "on".
    assert set(workflow[True]) == {"push", "pull_request"}
    steps = workflow["jobs"]["prodpolicy"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "${{ !cancelled() }}"

    commands = [line for step in steps for line in prodpolicy_lines(step.get("run", ""))]
    assert len(commands) == 1
    assert f"--output {upload['with']['sarif_file']}" in commands[0]
    completed = run_prodpolicy(commands[0], project)
    assert completed.returncode == 1, completed.stderr
    log = json.loads((project / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    assert sarif_problems(log) == []
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in log["runs"][0]["results"]}
    assert uris == {"service/naive.Dockerfile"}


# GitLab CI


def test_gitlab_job_writes_code_quality_report(project):
    job = yaml.safe_load(snippet(".gitlab-ci.yml"))["prodpolicy"]
    commands = [line for line in job["script"] if line.startswith("prodpolicy ")]
    assert len(commands) == 1
    report_file = job["artifacts"]["reports"]["codequality"]
    assert f"--output {report_file}" in commands[0]
    assert job["artifacts"]["when"] == "always"
    completed = run_prodpolicy(commands[0], project)
    assert completed.returncode == 1, completed.stderr
    issues = json.loads((project / report_file).read_text(encoding="utf-8"))
    assert {issue["location"]["path"] for issue in issues} == {"service/naive.Dockerfile"}

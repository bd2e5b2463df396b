"""The build, package, shell, secret and runtime-practice rules on whole, realistic inputs.

Each rule's own test cases cover its spellings. These tests run the bundled
policy on complete Dockerfiles, compose files and image configs, and check the
exact findings these rules give together: what fires, on which line, and that
good practice stays quiet.
"""

from __future__ import annotations

import json

import pytest

from prodpolicy.api import normalize
from prodpolicy.evaluation import iter_findings
from prodpolicy.policy.load import load_policy

from .helpers import CASES

PRACTICES = CASES / "practices"
POLICY = load_policy()
# The rules these tests are about; the other bundled rules are tested elsewhere.
RULES = (
    "DF2", "DF3", "DF4", "SC101", "SC102", "SC103", "SC104", "SC105", "RT202", "RT303", "RT304", "RT305", "RT401", "RT402",
)


def findings(path, kind=None, text=None):
    documents = normalize(str(path), kind=kind, text=text)
    found = []
    for document in documents:
        for finding in iter_findings(document, POLICY):
            if finding.rule_id.startswith(RULES):
                found.append((finding.line, finding.rule_id))
    return sorted(found)


def test_naive_python_service():
    assert findings(PRACTICES / "python-single-stage.Dockerfile") == [
        (2, "RT304"),
        (5, "DF201"),
        (5, "DF202"),
        (5, "DF204"),
        (5, "DF401"),
        (6, "DF201"),
        (6, "DF403"),
        (7, "DF201"),
        (7, "DF203"),
        (7, "DF319"),
        (7, "DF402"),
        (7, "DF403"),
        (8, "DF307"),
        (8, "DF313"),
        (9, "RT305"),
        (10, "RT202"),
        (11, "RT303"),
    ]


def test_rails_service_built_in_place():
    assert findings(PRACTICES / "rails.Dockerfile") == [
        (2, "SC103"),
        (4, "DF201"),
        (4, "DF202"),
        (4, "DF401"),
        (6, "DF201"),
        (6, "DF402"),
        (8, "SC105"),
        (9, "DF304"),
        (9, "DF312"),
        (9, "DF314"),
        # echo "rails:ChangeMe123" | chpasswd writes the account's password into the Dockerfile.
        (9, "SC104"),
    ]


def test_go_multi_stage_build():
    # apt-get install in the builder stage: only the unpinned package is reported, not its cache or recommends.
    assert findings(PRACTICES / "go-multi-stage.Dockerfile") == [(6, "DF202")]


def test_node_build_is_quiet():
    # A heredoc build, cache mounts, npm prune and NODE_ENV=production: nothing to report.
    assert findings(PRACTICES / "node-heredoc.Dockerfile") == []


def test_disabled_rules_are_opt_in():
    disabled = {rule.id for rule in POLICY.rules if not rule.enabled and rule.id.startswith(RULES)}

    assert disabled == {"DF308", "DF316", "DF317", "DF318", "DF404"}


@pytest.mark.parametrize("tag", ["security", "reliability", "image-size", "build-cache", "maintainability", "style"])
def test_tags_select_these_rules(tag):
    selected = {rule.id for rule in load_policy(select=[f"tag:{tag}"]).enabled_rules if rule.id.startswith(RULES)}

    assert selected


COMPOSE = """\
services:
  web:
    image: registry.example.internal/web:3.1.0
    command: ["sh", "-c", "exec node server.js >> /var/log/web/app.log 2>&1"]
    environment:
      NODE_ENV: development
      NODE_TLS_REJECT_UNAUTHORIZED: "0"
      LOG_DIR: /var/log/web
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:3000/health"]
      interval: 30s
"""


def test_runtime_rules_on_a_compose_service():
    assert findings("compose.yaml", kind="compose", text=COMPOSE) == [
        (4, "RT303"),
        (6, "RT401"),
        (7, "RT402"),
        (8, "RT304"),
        (10, "RT202"),
    ]


IMAGE_CONFIG = {
    "architecture": "amd64",
    "os": "linux",
    "config": {
        "User": "1000",
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_VERSION=20.18.0", "NODE_ENV=development"],
        "Cmd": ["node", "server.js"],
        "Volumes": {"/var/log/app": {}},
        "Healthcheck": {"Test": ["CMD", "node", "health.js"], "Interval": 30000000000, "Timeout": 30000000000},
    },
    "rootfs": {"type": "layers", "diff_ids": []},
}


def test_runtime_rules_on_an_image_config():
    found = {rule for _, rule in findings("config.json", kind="image", text=json.dumps(IMAGE_CONFIG, indent=2))}

    assert found == {"RT202", "RT305", "RT401"}


def test_secret_mount_case_gives_no_secret_finding():
    # The secret reaches npm through a secret mount; the look-alike names hold no secrets.
    found = findings(CASES / "dockerfile" / "18-secret-mount-not-a-leak.Dockerfile")

    assert [rule for _, rule in found if rule.startswith("SC")] == []

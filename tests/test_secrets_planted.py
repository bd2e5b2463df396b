"""Planted fake secrets never appear in any output: report formats, normalize, logs, baselines, errors.

Every value below has the shape of a credential that prodpolicy.secrets detects
(a cloud key, Git hosting tokens, a JWT, a private key, a URL password, a
credential under a credential name, a high-entropy literal). None is a real
credential. They are planted in every place the document model reads.
"""

from __future__ import annotations

import json

import pytest

from prodpolicy.cli import main

from .test_image_archive import archive, docker25_save, layer

PLANTED = {
    "aws-key": "AKIAZ3PLANTEDQ7XW2K9",
    "github-env": "ghp_PlantedFakeGitHubToken0123456789abcd",
    "db-password": "Pl4nted-Db-Passw0rd-Value",
    "url-password": "Pl4ntedUrlSecretPw",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.PlantedSignatureValue42xyz",
    "entropy": "q8Zr2Lw9XvT4mN7pK3sB6yHdQ1",
    "heredoc": "Pl4ntedHeredocTokenValue99",
    "key-body": "MIIEpPlantedPrivateKeyBodyLine0123456789ABCDEFabcdef",
    "label": "Pl4ntedLabelSecretValue7",
    "build-arg": "Pl4ntedBuildArgSecret55",
    "healthcheck": "Pl4ntedHealthPassw0rdX",
    "entrypoint": "Pl4ntedEntrypointSecret77",
    "bad-line": "ghp_PlantedBadLineToken0123456789abcdefgh",
    "compose-env": "glpat-PlantedGitLabToken12345",
    "compose-command": "Pl4ntedComposeCmdPassword1",
    "compose-limit": "ghp_PlantedComposeLimitToken0123456789ab",
    "compose-extension": "ghp_PlantedExtensionToken0123456789abcdef",
    "env-file": "Pl4ntedEnvFilePassw0rd9",
    "image-env": "Pl4ntedImageEnvApiKey321",
    "image-history": "ghp_PlantedHistoryToken0123456789abcdefgh",
    "image-label": "ghp_PlantedImageLabelToken0123456789abcd",
    "archive-env": "Pl4ntedArchiveEnvPassw0rd",
    "archive-history": "ghp_PlantedArchiveHistoryToken0123456789a",
    "curl-user": "Pl4ntedCurlPassw0rd",
    "sshpass": "Pl4ntedSshpassPw",
    "registry-login": "Pl4ntedRegistryPw",
    "mysql": "Pl4ntedMysqlPw",
    "htpasswd": "Pl4ntedHtpasswdPw",
    "url-token": "pl4ntedurltoken0123456789abcdefghijklmnopqrstu",
    "continued": "Pl4ntedContinuedPw",
    "exec-form": "Pl4ntedExecFormPw",
    "compose-dollar": "Pl4nted$$DollarPw",
    "short-attached": "Q7shrt",
    "onbuild-exec": "Pl4ntedOnbuildPw",
    "netrc": "Pl4ntedNetrcPw",
    "compose-curl": "Pl4ntedComposeCurlPw",
    "image-mysql": "Pl4ntedImageMysqlPw",
    "compose-label": "Pl4ntedComposeLabelPw",
    "compose-annotation": "Pl4ntedAnnotationPw",
    "compose-logging": "Pl4ntedSplunkTok3n",
    "compose-service-extension": "Pl4ntedServiceExtPw",
    "compose-build-arg": "Pl4ntedComposeBuildArg",
    "compose-driver-opt": "Pl4ntedDriverOptPw",
    "compose-redis": "Pl4ntedRedisPassw0rd",
}
P = PLANTED

DOCKERFILE = f"""FROM alpine:3.19
ARG NPM_TOKEN={P['build-arg']}
ENV AWS_ACCESS_KEY_ID={P['aws-key']} DB_PASSWORD={P['db-password']}
ENV SESSION_SALT={P['entropy']} GITHUB_TOKEN={P['github-env']}
LABEL org.example.deploy_token="{P['label']}"
RUN curl -H "Authorization: Bearer {P['jwt']}" https://127.0.0.1/ && wget https://admin:{P['url-password']}@127.0.0.1/f
RUN <<EOF
export API_TOKEN={P['heredoc']}
echo done
EOF
COPY <<EOF /root/.ssh/id_rsa
-----BEGIN RSA PRIVATE KEY-----
{P['key-body']}
-----END RSA PRIVATE KEY-----
EOF
RUN curl -fsS -u deploy:{P['curl-user']} https://127.0.0.1/a && sshpass -p {P['sshpass']} ssh 127.0.0.1 true
RUN docker login -u bot -p {P['registry-login']} 127.0.0.1:5000 && mysql -uroot -p{P['mysql']} -e "select 1"
RUN htpasswd -bc /etc/htpasswd admin {P['htpasswd']} && git clone https://{P['url-token']}@127.0.0.1/r.git
RUN echo "machine 127.0.0.1 login bot password {P['netrc']}" > /root/.netrc
RUN curl -fsS \\
      -u deploy:{P['continued']} https://127.0.0.1/b
CMD ["sshpass", "-p", "{P['exec-form']}", "ssh", "127.0.0.1"]
RUN mysql \\
  -p{P['short-attached']} -uroot -e "select 1"
ONBUILD CMD ["mysql", "-uroot", "-p{P['onbuild-exec']}"]
HEALTHCHECK CMD curl --password {P['healthcheck']} http://127.0.0.1/
ENTRYPOINT ["app", "--password", "{P['entrypoint']}"]
USER root
"""

# An unknown instruction is an input error whose message quotes the line.
BROKEN_DOCKERFILE = f"""FROM alpine:3.19
FROBNICATE {P['bad-line']}
"""

COMPOSE = f"""x-deploy:
  token: {P['compose-extension']}
services:
  web:
    image: nginx:1.25
    env_file: .env
    environment:
      DB_PASSWORD: {P['db-password']}
      GITLAB_TOKEN: {P['compose-env']}
    command: ["server", "--password={P['compose-command']}"]
    healthcheck:
      test: ["CMD-SHELL", "curl -fsS -u probe:{P['compose-curl']} http://127.0.0.1/"]
    entrypoint: ["curl", "-u", "user:{P['compose-dollar']}", "http://127.0.0.1/"]
    mem_limit: {P['compose-limit']}
    labels:
      com.example.password: {P['compose-label']}
    annotations:
      password: {P['compose-annotation']}
    logging:
      driver: splunk
      options:
        splunk-token: {P['compose-logging']}
    x-password: {P['compose-service-extension']}
    build:
      context: .
      args:
        NPM_TOKEN: {P['compose-build-arg']}
  cache:
    image: redis:7.4
    command: redis-server --requirepass {P['compose-redis']}
networks:
  back:
    driver_opts:
      com.example.password: {P['compose-driver-opt']}
"""

ENV_FILE = f"DB_ADMIN_PASSWORD={P['env-file']}\n"

INSPECT = [
    {
        "Id": "sha256:" + "a" * 64,
        "RepoTags": ["app:1"],
        "Config": {
            "Env": [f"API_KEY={P['image-env']}", f"AWS_ACCESS_KEY_ID={P['aws-key']}", "PATH=/usr/bin"],
            "Labels": {"ci.deploy_token": P["image-label"]},
            "User": "",
            "Cmd": ["sh"],
        },
        "RootFS": {"Type": "layers", "Layers": []},
        "Os": "linux",
        "Architecture": "amd64",
        "history": [
            {"created_by": f"/bin/sh -c export TOKEN={P['image-history']} && make"},
            {"created_by": f"/bin/sh -c mysql -uroot -p{P['image-mysql']} < /init.sql"},
        ],
    }
]


def _archive_bytes() -> bytes:
    app_layer = layer(("app/", 0o755), ("app/server.js", 0o644, b"console.log('up')\n"))
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": [f"DB_PASSWORD={P['archive-env']}"], "Entrypoint": ["node", "app/server.js"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "b" * 64]},
        "history": [{"created_by": f"RUN /bin/sh -c git clone https://x:{P['archive-history']}@127.0.0.1/r.git"}],
    }
    return archive(docker25_save(json.dumps(config).encode(), ["app:2"], [app_layer]))


INPUTS = ("Dockerfile", "broken.Dockerfile", "compose.yaml", "inspect.json", "image.tar")


@pytest.fixture
def planted(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    (tmp_path / "broken.Dockerfile").write_text(BROKEN_DOCKERFILE, encoding="utf-8")
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / ".env").write_text(ENV_FILE, encoding="utf-8")
    (tmp_path / "inspect.json").write_text(json.dumps(INSPECT, indent=2), encoding="utf-8")
    (tmp_path / "image.tar").write_bytes(_archive_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *arguments: str) -> str:
    main(list(arguments))
    captured = capsys.readouterr()
    return captured.out + captured.err


# Values as prodpolicy reads them, where the file writes them otherwise: compose reads $$ as one $.
READ_FORMS = {"compose-dollar-read": P["compose-dollar"].replace("$$", "$")}


def leaked(text: str) -> list[str]:
    return [name for name, value in {**PLANTED, **READ_FORMS}.items() if value in text]


def test_planted_secrets_are_detected(planted, capsys):
    report = json.loads(run(capsys, "eval", *INPUTS, "--format", "json", "--no-progress", "--fail-on", "none"))
    found = {(finding["rule_id"], finding["file"], finding["line"]) for finding in report["findings"]}
    for expected in [
        ("SC103", "Dockerfile", 2),
        ("SC102", "Dockerfile", 3),
        ("SC102", "Dockerfile", 4),
        ("SC104", "Dockerfile", 6),
        ("SC104", "Dockerfile", 12),
        ("SC104", "Dockerfile", 16),
        ("CP201", "compose.yaml", 8),
        ("CP201", "compose.yaml", 9),
        ("CP201", "compose.yaml", 16),
        ("CP201", "compose.yaml", 27),
        ("CP201", "compose.yaml", 30),
        ("SC102", "inspect.json", 9),
    ]:
        assert expected in found
    messages = {error["file"]: error["message"] for error in report["errors"]}
    assert messages["broken.Dockerfile"].startswith("unknown instruction")
    assert messages["compose.yaml"] == "services.web: mem_limit must be a size such as 512m or 2g, not 'ghp_****'"


@pytest.mark.parametrize("report_format", ["text", "json", "sarif", "junit", "github", "gitlab", "checkstyle"])
def test_report_format_shows_no_secret(planted, capsys, report_format):
    output = run(capsys, "eval", *INPUTS, "--format", report_format, "--no-progress", "--color", "never", "--fail-on", "none")
    assert "SC104" in output or report_format == "junit" and "SC104" in output.replace("&quot;", '"')
    assert leaked(output) == []


def test_verbose_log_shows_no_secret(planted, capsys):
    output = run(capsys, "eval", *INPUTS, "--verbose", "--no-progress", "--fail-on", "none")
    assert "broken.Dockerfile" in output
    assert leaked(output) == []


def test_statistics_show_no_secret(planted, capsys):
    output = run(capsys, "eval", *INPUTS, "--statistics", "--no-progress", "--fail-on", "none")
    assert "SC104" in output
    assert leaked(output) == []


def test_baseline_shows_no_secret(planted, capsys):
    written = run(capsys, "eval", *INPUTS, "--write-baseline", "baseline.json", "--no-progress", "--fail-on", "none")
    baseline = (planted / "baseline.json").read_text(encoding="utf-8")
    assert "SC104" in baseline
    assert leaked(baseline) == []
    assert leaked(written) == []
    again = run(capsys, "eval", *INPUTS, "--baseline", "baseline.json", "--no-progress", "--fail-on", "none")
    assert leaked(again) == []


@pytest.mark.parametrize("name", INPUTS)
def test_normalize_shows_no_secret(planted, capsys, name):
    output = run(capsys, "normalize", name)
    assert "****" in output
    assert leaked(output) == []


def test_explain_shows_no_secret(planted, capsys):
    output = run(capsys, "explain", "SC104")
    assert "SC104" in output
    assert leaked(output) == []


def test_single_input_error_shows_no_secret(planted, capsys):
    output = run(capsys, "eval", "broken.Dockerfile", "--no-progress", "--color", "never")
    assert "unknown instruction" in output
    assert leaked(output) == []


def test_short_password_masked_only_with_its_option(tmp_path, monkeypatch, capsys):
    # A short password is masked with the option it is attached to, so the same word elsewhere stays readable.
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.20\nRUN curl -fsSL -u admin:alpine https://127.0.0.1/x -o /x\nUSER 10001\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)

    report = json.loads(run(capsys, "eval", "Dockerfile", "--format", "json", "--fail-on", "none"))
    normalized = run(capsys, "normalize", "Dockerfile")

    assert {(finding["rule_id"], finding["line"]) for finding in report["findings"]} >= {("DF104", 1), ("SC104", 2)}
    assert "admin:alpine" not in normalized
    assert '"name": "alpine"' in normalized

"""The command facts build rules read: shell builtins, package calls, what managers leave behind, token shapes."""

from __future__ import annotations

import pytest

from prodpolicy import package_effects, packages, secrets
from prodpolicy.shell import parse_script


def commands(script: str):
    parsed, failed = parse_script(script)
    assert failed is False
    return parsed


# Shell: builtins and substitutions outside commands.


def test_export_is_a_command_with_its_assignments():
    parsed = commands("export NODE_ENV=production GIT_SSL_NO_VERIFY=1 && npm ci")

    assert [command["argv"] for command in parsed] == [
        ["export", "NODE_ENV=production", "GIT_SSL_NO_VERIFY=1"],
        ["npm", "ci"],
    ]
    assert parsed[1]["operator"] == "&&"


def test_declare_local_readonly_and_unset():
    parsed = commands('declare -x A="x y"; readonly B=2; unset C')

    assert [command["argv"] for command in parsed] == [["declare", "-x", "A=x y"], ["readonly", "B=2"], ["unset", "C"]]


def test_substitution_in_an_assignment_is_nested():
    parsed = commands('DIR="$(cd /opt && pwd)" && echo "$DIR"')

    assert [(command["program"], command.get("depth")) for command in parsed] == [("cd", 1), ("pwd", 1), ("echo", None)]


# Package calls: what is pinned.


@pytest.mark.parametrize(
    ("argv", "unpinned"),
    [
        ("apt-get install -y curl git=1:2.39 $EXTRA", ["curl"]),
        ("apk add --no-cache tini=0.19.0-r3 jq", ["jq"]),
        ("dnf install -y curl-7.76.1 wget", ["wget"]),
        ("pip install flask==3.0.3 gunicorn django<5", ["gunicorn"]),
        ("npm install -g pnpm@9 express", ["express"]),
        ("go install golang.org/x/tools/gopls@latest ./cmd/...", ["golang.org/x/tools/gopls"]),
        ("gem install rails -v 7.1.3", []),
        ("pecl install xdebug-3.3.2 redis", ["redis"]),
        ("yarn global add pm2", ["pm2"]),
        ("apt-get install -y ./agent_1.2.3_amd64.deb", []),
    ],
)
def test_unpinned_packages(argv, unpinned):
    assert packages.describe(argv.split())["unpinned"] == unpinned


def test_calls_without_named_packages_have_no_unpinned_list():
    assert "unpinned" not in packages.describe(["npm", "ci"])
    assert "unpinned" not in packages.describe(["apt-get", "update"])


# What managers leave behind.


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ("npm ci", True),
        ("npm install express", False),
        ("yarn", True),
        ("pip install -r requirements.txt", True),
        ("pip install .", False),
        ("bundle install", True),
        ("go mod download", True),
        ("go build ./...", False),
        ("uv sync --frozen", True),
    ],
)
def test_installs_from_manifest(argv, expected):
    words = argv.split()
    assert package_effects.installs_from_manifest(packages.describe(words), words) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [("~/.cache/pip", "/root/.cache/pip"), ("$HOME/.npm", "/root/.npm"), ("${HOME}", "/root"), ("/srv/~x", "/srv/~x")],
)
def test_home_path(path, expected):
    assert package_effects.home_path(path) == expected


def test_clean_commands_of_a_shared_cache():
    cache = package_effects.CACHES["dnf"]
    clean = {"argv": ["yum", "clean", "all"], "program": "yum", "package": packages.describe(["yum", "clean", "all"])}
    other = {"argv": ["apk", "cache", "clean"], "program": "apk", "package": packages.describe(["apk", "cache", "clean"])}

    assert package_effects.cleans(clean, cache) is True
    assert package_effects.cleans(other, cache) is False


# Token shapes: one scan, the secret part only, placeholders left alone.


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("mysql --password=Sup3rS3cretPw! db", "password-option", "Sup3rS3cretPw!"),
        ("curl -H 'Authorization: Bearer 4f9c2a7e1b8d4e3fa2b6c9d0e1f2a3b4'", "authorization-header", "4f9c2a7e1b8d4e3fa2b6c9d0e1f2a3b4"),
        ("DB_PASSWORD=hunter2hunter2 ./migrate", "credential-assignment", "hunter2hunter2"),
        ("db_password = hunter2hunter2", "credential-assignment", "hunter2hunter2"),
        ("NPM_TOKEN=npm_0123456789abcdefghijABCDEFGHIJ012345", "npm-token", "npm_0123456789abcdefghijABCDEFGHIJ012345"),
        ("dckr_pat_0123456789abcdefghijABCDEFG", "docker-hub-token", "dckr_pat_0123456789abcdefghijABCDEFG"),
        ("postgres://app:s3cret@db/app", "url-password", "s3cret"),
    ],
)
def test_token_shapes(text, kind, value):
    tokens = secrets.scan_tokens(text)

    assert [(token.kind, token.value) for token in tokens] == [(kind, value)]
    assert text[tokens[0].start : tokens[0].end] == value


@pytest.mark.parametrize(
    "text",
    [
        "docker login --password-stdin registry.example.internal",
        "mysql --password $DB_PASSWORD",
        "password = os.environ.get('DB_PASSWORD')",
        "api_key = settings.API_KEY",
        "# TOKEN=your-token-here",
        "ENV PASSWORD_MIN_LENGTH=12 DB_PASSWORD_FILE=/run/secrets/db",
        "token: ${{ secrets.NPM_TOKEN }}",
        "Basic authentication is required for the endpoint",
        "postgres://app:${DB_PASSWORD}@db/app",
        "reason: token:npm-token",
    ],
)
def test_not_tokens(text):
    assert secrets.scan_tokens(text) == ()


def test_find_tokens_returns_match_and_secret_part():
    assert secrets.find_tokens("DB_PASSWORD=hunter2hunter2 ./migrate") == ["DB_PASSWORD=hunter2hunter2", "hunter2hunter2"]
    assert secrets.find_tokens("x AKIAIOSFODNN7EXAMPLE") == ["AKIAIOSFODNN7EXAMPLE"]


def test_run_assignment_value_is_redacted_everywhere():
    from .helpers import dockerfile

    document = dockerfile("FROM alpine:3.20\nRUN DB_PASSWORD=hunter2hunter2 ./migrate\n")

    assert "hunter2hunter2" not in repr(document.data)
    assert "hunter2hunter2" not in "\n".join(document.lines)


def test_token_offsets_count_characters_not_bytes():
    text = "é中 --password=Sup3rS3cretPw! x"
    token = secrets.scan_tokens(text)[0]

    assert text[token.start : token.end] == "Sup3rS3cretPw!"


def test_redact_text_keeps_the_name_around_a_secret():
    assert secrets.redact_text("mysql --password=Sup3rS3cretPw! db") == "mysql --password=Sup**** db"


def test_redact_text_masks_every_token_in_one_pass():
    text = "a ghp_0123456789abcdefghijABCDEFGHIJ012345 b AKIAIOSFODNN7EXAMPLE c"

    assert secrets.redact_text(text) == "a ghp_**** b AKIA**** c"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("SECRET_KEY_BASE", True), ("RAILS_MASTER_KEY", True), ("BUNDLE_GEMS__CONTRIBSYS__COM", True), ("BUNDLE_WITHOUT", False)],
)
def test_more_credential_names(name, expected):
    assert secrets.is_credential_name(name) is expected


def test_masked_assignment_keeps_its_name():
    from .helpers import dockerfile

    document = dockerfile("FROM alpine:3.22\nENV API_TOKEN=ghp_Zx8Qw2Er4Ty6Ui8Op0As2Df4Gh6Jk8Lz0Xc2V\nRUN DB_PASSWORD=hunter2hunter2 ./migrate\n")

    assert document.lines[1] == "ENV API_TOKEN=ghp_****"
    assert document.lines[2] == "RUN DB_PASSWORD=hun**** ./migrate"

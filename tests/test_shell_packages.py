"""Package manager calls in shell commands become manager, action, packages and options."""

from __future__ import annotations

import pytest

from prodpolicy import shell
from prodpolicy.packages import describe


def fact(script: str):
    parsed, _ = shell.parse_script(script)
    facts = [command.get("package") for command in parsed]
    return facts[0]


def packages_of(script: str):
    return [(package["name"], package.get("version"), package.get("operator")) for package in fact(script)["packages"]]


@pytest.mark.parametrize(
    ("script", "manager", "action", "options"),
    [
        ("apt-get install -y --no-install-recommends curl", "apt-get", "install", ["-y", "--no-install-recommends"]),
        ("apt-get -qq update", "apt-get", "update", ["-qq"]),
        ("apt-get -o Dpkg::Options::=--force-confold dist-upgrade -y", "apt-get", "dist-upgrade", ["-o", "Dpkg::Options::=--force-confold", "-y"]),
        ("apt upgrade", "apt", "upgrade", []),
        ("apk add --no-cache --virtual .build-deps gcc", "apk", "add", ["--no-cache", "--virtual", ".build-deps"]),
        ("apk upgrade --available", "apk", "upgrade", ["--available"]),
        ("yum -y install httpd", "yum", "install", ["-y"]),
        ("yum clean all", "yum", "clean", []),
        ("dnf -y --setopt=install_weak_deps=False in nginx", "dnf", "install", ["-y", "--setopt=install_weak_deps=False"]),
        ("microdnf install -y --nodocs shadow-utils", "microdnf", "install", ["-y", "--nodocs"]),
        ("zypper --non-interactive in -t pattern devel_basis", "zypper", "install", ["--non-interactive", "-t", "pattern"]),
        ("pip install --no-cache-dir -r requirements.txt", "pip", "install", ["--no-cache-dir", "-r", "requirements.txt"]),
        ("pip3.12 install --user flask", "pip", "install", ["--user"]),
        ("python3 -m pip install --upgrade pip", "pip", "install", ["--upgrade"]),
        ("/opt/venv/bin/python -u -m pip wheel -w /wheels .", "pip", "wheel", ["-w", "/wheels"]),
        ("uv pip install --system -r requirements.txt", "uv pip", "install", ["--system", "-r", "requirements.txt"]),
        ("uv sync --frozen --no-dev", "uv", "sync", ["--frozen", "--no-dev"]),
        ("uv tool install ruff", "uv", "tool install", []),
        ("poetry install --only main --no-root", "poetry", "install", ["--only", "main", "--no-root"]),
        ("npm ci --omit=dev", "npm", "ci", ["--omit=dev"]),
        ("npm i -g npm@10.8.2", "npm", "install", ["-g"]),
        ("npm clean-install", "npm", "ci", []),
        ("npm run build", "npm", "run", []),
        ("yarn", "yarn", "install", []),
        ("yarn install --frozen-lockfile --production", "yarn", "install", ["--frozen-lockfile", "--production"]),
        ("yarn global add serve@14.2.3", "yarn", "global add", []),
        ("pnpm install --frozen-lockfile --prod", "pnpm", "install", ["--frozen-lockfile", "--prod"]),
        ("bun install --production", "bun", "install", ["--production"]),
        ("gem install --no-document bundler -v 2.5.16", "gem", "install", ["--no-document", "-v", "2.5.16"]),
        ("bundle install --jobs 4 --without development", "bundle", "install", ["--jobs", "4", "--without", "development"]),
        ("bundler config set without development", "bundle", "config", []),
        ("composer install --no-dev --optimize-autoloader", "composer", "install", ["--no-dev", "--optimize-autoloader"]),
        ("composer.phar require monolog/monolog:^3.0", "composer", "require", []),
        ("go install -ldflags=-s golang.org/x/tools/gopls@v0.16.1", "go", "install", ["-ldflags=-s"]),
        ("go build -o /out/app .", "go", "build", ["-o", "/out/app"]),
        ("cargo install --locked ripgrep", "cargo", "install", ["--locked"]),
    ],
)
def test_manager_action_and_options(script, manager, action, options):
    call = fact(script)
    assert (call["manager"], call["action"], call["options"]) == (manager, action, options)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("apt-get install -y curl=7.88.1-10+deb12u5 ca-certificates", [("curl", "7.88.1-10+deb12u5", "="), ("ca-certificates", None, None)]),
        ("apt-get install -y -t bookworm-backports curl/bookworm-backports", [("curl", None, None)]),
        ("apk add curl=8.9.1-r1 'openssl>3.3' tini~0.19", [("curl", "8.9.1-r1", "="), ("openssl", "3.3", ">"), ("tini", "0.19", "~")]),
        ("yum install -y nodejs-18.16.0 java-17-openjdk gcc-c++-11.3.1-4.el9", [("nodejs", "18.16.0", "-"), ("java-17-openjdk", None, None), ("gcc-c++", "11.3.1-4.el9", "-")]),
        ("zypper in 'nginx>=1.21' curl=8.0", [("nginx", "1.21", ">="), ("curl", "8.0", "=")]),
        ("pip install 'fastapi[standard]==0.115.0' 'httpx>=0.27,<1' uvicorn", [("fastapi[standard]", "0.115.0", "=="), ("httpx", "0.27,<1", ">="), ("uvicorn", None, None)]),
        ("npm install --save-exact express@4.19.2 @types/node@^20 lodash", [("express", "4.19.2", "@"), ("@types/node", "^20", "@"), ("lodash", None, None)]),
        ("yarn add react@18.3.1", [("react", "18.3.1", "@")]),
        ("pnpm add -D typescript@5.6.2", [("typescript", "5.6.2", "@")]),
        ("bun add zod@3.23.8", [("zod", "3.23.8", "@")]),
        ("gem install rails:7.2.1 puma", [("rails", "7.2.1", ":"), ("puma", None, None)]),
        ("gem install bundler -v 2.5.16", [("bundler", "2.5.16", "-v")]),
        ("composer require monolog/monolog:^3.0", [("monolog/monolog", "^3.0", ":")]),
        ("go install golang.org/x/tools/gopls@latest", [("golang.org/x/tools/gopls", "latest", "@")]),
        ("cargo install ripgrep@14.1.0", [("ripgrep", "14.1.0", "@")]),
        ("cargo install --version 0.1.2 cargo-chef", [("cargo-chef", "0.1.2", "--version")]),
        ("poetry add requests@^2.32 'httpx==0.27.2'", [("requests", "^2.32", "@"), ("httpx", "0.27.2", "==")]),
    ],
)
def test_packages_and_versions(script, expected):
    assert packages_of(script) == expected


@pytest.mark.parametrize(
    ("script", "name", "source"),
    [
        ("apt-get install -y ./google-chrome-stable_current_amd64.deb", "./google-chrome-stable_current_amd64.deb", "path"),
        ("pip install .", ".", "path"),
        ("pip install -e ./lib", "./lib", "path"),
        ("pip install git+https://example.invalid/org/repo.git@v1.2", "git+https://example.invalid/org/repo.git@v1.2", "url"),
        ("pip install /wheels/app-1.0-py3-none-any.whl", "/wheels/app-1.0-py3-none-any.whl", "path"),
        ("yum install -y @development", "@development", "group"),
        ("npm install file:../shared", "file:../shared", "path"),
        ("npm install github:org/repo", "github:org/repo", "url"),
        ("go install ./cmd/...", "./cmd/...", "path"),
    ],
)
def test_packages_given_by_location(script, name, source):
    [package] = fact(script)["packages"]
    assert (package["name"], package["source"]) == (name, source)


def test_requirements_file_is_an_option():
    call = fact("pip install -r requirements.txt -c constraints.txt")
    assert (call["packages"], call["options"]) == ([], ["-r", "requirements.txt", "-c", "constraints.txt"])


def test_sudo_and_env_prefixes():
    call = fact("sudo -E env DEBIAN_FRONTEND=noninteractive apt-get install -y curl")
    assert (call["manager"], call["action"], call["sudo"]) == ("apt-get", "install", True)
    assert "sudo" not in fact("env A=1 apt-get install -y curl")


def test_package_facts_inside_sh_c():
    parsed, _ = shell.parse_script("sh -c 'apt-get update && apt-get install -y curl'")
    assert [(command["package"]["action"], command["depth"]) for command in parsed if "package" in command] == [
        ("update", 1),
        ("install", 1),
    ]


@pytest.mark.parametrize(
    "argv",
    [["echo", "apt-get", "install"], ["python3", "app.py"], ["python3", "-m", "venv", "/opt/venv"], ["npx", "prisma"], [], ["sudo"]],
)
def test_not_package_manager_calls(argv):
    assert describe(argv) is None


def test_manager_without_subcommand():
    assert describe(["pip"]) == {"manager": "pip", "action": None, "packages": [], "options": []}

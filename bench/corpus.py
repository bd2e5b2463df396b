"""Generate a deterministic corpus of realistic inputs for benchmarks and differential checks.

    python bench/corpus.py --out bench/corpus --dockerfiles 1500 --compose 900 --images 300

The same seed always gives the same files. Dockerfiles cover many shapes:
single and multi-stage builds, heredocs, continuations, several package
managers (apt-get, apk, dnf, yum, zypper, pip, npm, yarn, gem, go), exec and
shell forms, good and bad practice mixed, from 10 to 300 lines. As in real
Dockerfiles, a long file is long mostly because of its build scripts: RUN
instructions of up to 60 lines that install build dependencies, check a
download, build from source and clean up, with ``if``, ``for``, ``case`` and
pipelines (:class:`BuildScript`). ``bench/corpus_shape.py`` compares the shape
of the files with real ones. Compose files
have 1 to 30 services with anchors, merge keys and interpolation. Image files
are ``docker inspect`` output with history.

The values that look like secrets are made up and match no real account.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

LANGUAGES = ("node", "python", "go", "java", "ruby", "php", "rust", "static")

BASES = {
    "node": ["node:20", "node:20-bookworm-slim", "node:20-alpine", "node:22-alpine3.20", "node", "node:latest"],
    "python": ["python:3.12", "python:3.12-slim", "python:3.12-slim-bookworm", "python:3.11-alpine", "python"],
    "go": ["golang:1.22", "golang:1.22-alpine", "golang:1.23-bookworm", "golang"],
    "java": ["eclipse-temurin:21-jdk", "maven:3.9-eclipse-temurin-21", "gradle:8.10-jdk21"],
    "ruby": ["ruby:3.3", "ruby:3.3-slim", "ruby:3.2-alpine"],
    "php": ["php:8.3-fpm", "php:8.3-fpm-alpine", "composer:2"],
    "rust": ["rust:1.81", "rust:1.81-slim", "rust:1.81-alpine"],
    "static": ["debian:12", "debian:12-slim", "ubuntu:24.04", "alpine:3.20", "alpine", "centos:7", "fedora:40",
               "opensuse/leap:15.6", "registry.example.internal:5000/platform/base:2.4.1"],
}
RUNTIME_BASES = {
    "node": ["node:20-alpine", "node:20-bookworm-slim", "gcr.io/distroless/nodejs20-debian12:nonroot", "node:20"],
    "python": ["python:3.12-slim", "python:3.12-alpine", "gcr.io/distroless/python3-debian12", "python:3.12"],
    "go": ["gcr.io/distroless/static-debian12:nonroot", "scratch", "alpine:3.20", "debian:12-slim"],
    "java": ["eclipse-temurin:21-jre-alpine", "eclipse-temurin:21-jre", "gcr.io/distroless/java21-debian12"],
    "ruby": ["ruby:3.3-slim", "ruby:3.3-alpine"],
    "php": ["php:8.3-fpm-alpine", "php:8.3-apache"],
    "rust": ["debian:12-slim", "gcr.io/distroless/cc-debian12", "alpine:3.20"],
    "static": ["nginx:1.27-alpine", "nginxinc/nginx-unprivileged:1.27-alpine", "busybox:1.36"],
}
APT_PACKAGES = ["curl", "ca-certificates", "git", "build-essential", "libpq-dev", "libpq5", "tini", "gnupg",
                "unzip", "locales", "tzdata", "libssl-dev", "pkg-config", "wget", "jq", "openssh-client"]
APK_PACKAGES = ["curl", "ca-certificates", "git", "build-base", "tini", "bash", "postgresql-libs", "libffi-dev",
                "openssl", "tzdata", "jq", "su-exec"]
RPM_PACKAGES = ["curl", "git", "gcc", "make", "openssl-devel", "python3", "tar", "gzip", "shadow-utils"]
PIP_PACKAGES = ["gunicorn", "flask", "django", "requests", "psycopg[binary]", "uvicorn", "fastapi", "celery"]
NPM_PACKAGES = ["pm2", "typescript", "@nestjs/cli", "prisma", "node-gyp"]
GEMS = ["bundler", "rails", "puma", "sidekiq"]
HEALTHCHECK_TESTS = ['["CMD", "/probe"]', '["CMD-SHELL", "wget -q --spider http://127.0.0.1/ || exit 1"]', '["NONE"]']
COMMANDS = ["npm run dev", '["node", "dist/server.js"]', "gunicorn app:wsgi"]


class DockerfileWriter:
    """Builds one Dockerfile from random but plausible choices."""

    def __init__(self, rng: random.Random, target_lines: int) -> None:
        self.rng = rng
        self.target_lines = target_lines
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, options: list[str] | tuple[str, ...]) -> str:
        return self.rng.choice(list(options))

    def version(self, package: str) -> str:
        return f"{package}={self.rng.randint(1, 9)}.{self.rng.randint(0, 20)}.{self.rng.randint(0, 9)}"

    def build(self) -> str:
        language = self.pick(LANGUAGES)
        if self.chance(0.3):
            self.add("# syntax=docker/dockerfile:1.7")
        if self.chance(0.1):
            self.add("# check=skip=JSONArgsRecommended")
        if self.chance(0.3):
            self.add(f"# Image for the {language} service")
        base = self.pick(BASES[language])
        if self.chance(0.25):
            name, _, tag = base.partition(":")
            self.add(f"ARG BASE_TAG={tag or 'latest'}")
            base = f"{name}:${{BASE_TAG}}"
        multi_stage = self.chance(0.65)
        if multi_stage:
            self.stage(language, base, "build" if self.chance(0.8) else "builder", builder=True)
            if self.chance(0.2):
                self.add("", f"FROM {'build'} AS test", "RUN " + self.test_command(language))
            self.add("")
            runtime = self.pick(RUNTIME_BASES[language])
            self.stage(language, runtime, None, builder=False)
        else:
            self.stage(language, base, None, builder=False)
        while len(self.lines) < self.target_lines:
            self.filler(language)
        return "\n".join(self.lines) + "\n"

    def stage(self, language: str, base: str, name: str | None, builder: bool) -> None:
        alias = f" AS {name}" if name else ""
        platform = "--platform=$BUILDPLATFORM " if builder and self.chance(0.15) else ""
        keyword = "from" if self.chance(0.03) else "FROM"
        self.add(f"{keyword} {platform}{base}{alias}")
        if base == "scratch":
            self.add("COPY --from=build /out/app /app", "USER 65532:65532", 'ENTRYPOINT ["/app"]')
            return
        if self.chance(0.7):
            self.add(f"WORKDIR {self.pick(['/app', '/srv', '/usr/src/app', 'app'])}")
        if self.chance(0.4):
            self.env_block(language, builder)
        self.system_packages(base)
        self.language_steps(language, builder)
        if builder:
            return
        if self.chance(0.6):
            self.add(f"EXPOSE {self.pick(['3000', '8000', '8080', '8080/tcp', '22', '80 443', '9000-9010/udp'])}")
        self.user_step()
        self.healthcheck(language)
        self.command(language)

    def env_block(self, language: str, builder: bool) -> None:
        values = {
            "node": ["NODE_ENV=production", "NODE_ENV=development", "NPM_CONFIG_LOGLEVEL=warn"],
            "python": ["PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "PIP_NO_CACHE_DIR=1"],
            "go": ["CGO_ENABLED=0", "GOOS=linux"],
            "java": ["JAVA_OPTS=\"-Xmx512m\""],
            "ruby": ["RAILS_ENV=production", "BUNDLE_WITHOUT=development:test"],
            "php": ["APP_ENV=prod"],
            "rust": ["CARGO_TERM_COLOR=always"],
            "static": ["TZ=UTC"],
        }[language]
        chosen = self.rng.sample(values, k=min(len(values), self.rng.randint(1, 3)))
        if self.chance(0.08):
            chosen.append(self.pick(["DB_PASSWORD=corpus-not-a-real-password", "API_KEY=sk_live_" + "x" * 24,
                                     "DATABASE_URL=postgres://app:corpus-pass@db:5432/app"]))
        if len(chosen) > 1 and self.chance(0.5):
            self.add("ENV " + chosen[0] + " \\")
            for item in chosen[1:-1]:
                self.add(f"    {item} \\")
            self.add(f"    {chosen[-1]}")
        elif self.chance(0.1):
            name, _, value = chosen[0].partition("=")
            self.add(f"ENV {name} {value}")
        else:
            for item in chosen:
                self.add(f"ENV {item}")

    def system_packages(self, base: str) -> None:
        if self.chance(0.3):
            return
        if "alpine" in base or base.startswith("node:2") and "alpine" in base:
            packages = self.rng.sample(APK_PACKAGES, k=self.rng.randint(1, 5))
            if self.chance(0.3):
                packages = [f"{package}={self.rng.randint(1, 9)}.{self.rng.randint(0, 9)}-r{self.rng.randint(0, 5)}" for package in packages]
            cache = "--no-cache " if self.chance(0.7) else ""
            self.add(f"RUN apk add {cache}{' '.join(packages)}")
            if self.chance(0.2):
                self.add("RUN apk upgrade")
            return
        if any(name in base for name in ("centos", "fedora", "rhel", "ubi")):
            manager = "dnf" if "fedora" in base else "yum"
            packages = self.rng.sample(RPM_PACKAGES, k=self.rng.randint(1, 4))
            clean = f" && {manager} clean all" if self.chance(0.6) else ""
            yes = "-y " if self.chance(0.85) else ""
            self.add(f"RUN {manager} install {yes}{' '.join(packages)}{clean}")
            return
        if "opensuse" in base:
            self.add(f"RUN zypper install -y {' '.join(self.rng.sample(RPM_PACKAGES, k=2))} && zypper clean")
            return
        packages = self.rng.sample(APT_PACKAGES, k=self.rng.randint(1, 6))
        if self.chance(0.25):
            packages = [self.version(package) for package in packages]
        tool = "apt" if self.chance(0.08) else "apt-get"
        flags = " ".join(flag for flag, probability in (("-y", 0.9), ("--no-install-recommends", 0.6)) if self.chance(probability))
        cleanup = self.chance(0.65)
        if self.chance(0.2):
            self.add("RUN <<EOF", "set -eux", f"{tool} update", f"{tool} install {flags} {' '.join(packages)}")
            if cleanup:
                self.add("rm -rf /var/lib/apt/lists/*")
            self.add("EOF")
            return
        self.add(f"RUN {tool} update \\", f"    && {tool} install {flags} \\")
        for package in packages[:-1]:
            self.add(f"        {package} \\")
        if cleanup:
            self.add(f"        {packages[-1]} \\", "    && rm -rf /var/lib/apt/lists/*")
        else:
            self.add(f"        {packages[-1]}")
        if self.chance(0.1):
            self.add("RUN apt-get update && apt-get -y dist-upgrade")
        if self.chance(0.05):
            self.add("RUN sudo chmod 777 /tmp")

    def language_steps(self, language: str, builder: bool) -> None:
        lockfirst = self.chance(0.6)
        if language == "node":
            manifests = "package.json package-lock.json ./" if self.chance(0.7) else "package*.json ./"
            install = self.pick(["npm ci", "npm ci --omit=dev", "npm install", "yarn install --frozen-lockfile", "npm install --production"])
            mount = "--mount=type=cache,target=/root/.npm " if self.chance(0.3) else ""
            if lockfirst:
                self.add(f"COPY {manifests}", f"RUN {mount}{install}", "COPY . .")
            else:
                self.add("COPY . .", f"RUN {mount}{install}")
            if builder or self.chance(0.4):
                self.add("RUN npm run build")
            if self.chance(0.15):
                self.add(f"RUN npm install -g {self.pick(NPM_PACKAGES)}")
        elif language == "python":
            pip = self.pick(["pip install", "pip install --no-cache-dir", "python -m pip install --no-cache-dir", "pip3 install"])
            if lockfirst:
                self.add("COPY requirements.txt .", f"RUN {pip} -r requirements.txt", "COPY . .")
            else:
                self.add("COPY . .", f"RUN {pip} -r requirements.txt")
            if self.chance(0.3):
                packages = self.rng.sample(PIP_PACKAGES, k=2)
                if self.chance(0.5):
                    packages = [f"{package}=={self.rng.randint(1, 5)}.{self.rng.randint(0, 9)}" for package in packages]
                self.add(f"RUN {pip} {' '.join(packages)}")
        elif language == "go":
            self.add("COPY go.mod go.sum ./", "RUN go mod download", "COPY . .",
                     "RUN CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app")
            if self.chance(0.2):
                self.add("RUN go install github.com/example/tool@latest")
        elif language == "java":
            if "gradle" in " ".join(self.lines):
                self.add("COPY build.gradle settings.gradle ./", "COPY src ./src", "RUN gradle build --no-daemon")
            else:
                self.add("COPY pom.xml .", "RUN mvn -B dependency:go-offline", "COPY src ./src", "RUN mvn -B package -DskipTests")
        elif language == "ruby":
            self.add("COPY Gemfile Gemfile.lock ./", f"RUN bundle config set without 'development test' && bundle install", "COPY . .")
            if self.chance(0.3):
                self.add(f"RUN gem install {self.pick(GEMS)}")
        elif language == "php":
            self.add("COPY composer.json composer.lock ./", f"RUN composer install {'--no-dev ' if self.chance(0.6) else ''}--prefer-dist", "COPY . .")
        elif language == "rust":
            self.add("COPY Cargo.toml Cargo.lock ./", "COPY src ./src", "RUN cargo build --release")
        else:
            self.add(f"COPY {self.pick(['dist/', 'public/', 'site/'])} /usr/share/nginx/html/")
        if not builder and self.chance(0.05):
            self.add(f"COPY {self.pick(['.env', 'config/.env.production', 'id_rsa', '.npmrc'])} ./")
        if not builder and self.chance(0.2):
            self.add("COPY --from=build /app/dist ./dist" if language == "node" else "COPY --from=build /out/app /usr/local/bin/app")

    def final_family(self) -> str:
        """Return the package family of the last stage's base: apk, rpm or apt."""
        base = next((line.split()[-1] for line in reversed(self.lines) if line[:5].upper() == "FROM "), "")
        if "alpine" in base:
            return "apk"
        if any(name in base for name in ("centos", "fedora", "rhel", "ubi")):
            return "rpm"
        return "apt"

    def user_step(self) -> None:
        roll = self.rng.random()
        if roll < 0.45:
            self.add(f"USER {self.pick(['10001', '10001:10001', 'app', 'node', 'nobody', '65532:65532'])}")
        elif roll < 0.6:
            self.add("RUN groupadd --system app && useradd --system --gid app --uid 10001 app", "USER app")
        elif roll < 0.65:
            self.add("USER root")

    def healthcheck(self, language: str) -> None:
        roll = self.rng.random()
        if roll < 0.35:
            return
        if roll < 0.4:
            self.add("HEALTHCHECK NONE")
            return
        flags = ""
        if self.chance(0.6):
            flags = f"--interval={self.pick(['10s', '30s', '1m'])} --timeout={self.pick(['3s', '5s'])} "
            if self.chance(0.6):
                flags += f"--start-period={self.pick(['5s', '20s', '1m'])} --retries=3 "
        if self.chance(0.5):
            self.add(f"HEALTHCHECK {flags}\\", "  CMD wget -qO- http://127.0.0.1:8080/healthz || exit 1")
        else:
            self.add(f'HEALTHCHECK {flags}CMD ["/usr/local/bin/app", "--probe"]')

    def command(self, language: str) -> None:
        options = {
            "node": ['CMD ["node", "dist/server.js"]', 'CMD ["npm", "run", "dev"]', "CMD npm start",
                     'CMD ["nodemon", "src/index.js"]', 'ENTRYPOINT ["/sbin/tini", "--"]\nCMD ["node", "dist/main.js"]'],
            "python": ['CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app.wsgi:application"]',
                       'CMD ["flask", "run", "--host=0.0.0.0"]', "CMD python manage.py runserver 0.0.0.0:8000",
                       'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--reload"]'],
            "go": ['ENTRYPOINT ["/usr/local/bin/app"]', 'CMD ["go", "run", "./cmd/app"]', 'ENTRYPOINT ["/out/app"]'],
            "java": ['ENTRYPOINT ["java", "-jar", "/app/app.jar"]', "CMD java $JAVA_OPTS -jar app.jar"],
            "ruby": ['CMD ["bundle", "exec", "puma", "-C", "config/puma.rb"]', "CMD rails server -b 0.0.0.0"],
            "php": ['CMD ["php-fpm"]', 'CMD ["php", "artisan", "serve", "--host=0.0.0.0"]'],
            "rust": ['ENTRYPOINT ["/usr/local/bin/app"]', 'CMD ["cargo", "run", "--release"]'],
            "static": ['CMD ["nginx", "-g", "daemon off;"]'],
        }[language]
        for line in self.pick(options).split("\n"):
            self.add(line)

    def test_command(self, language: str) -> str:
        return {"node": "npm test", "python": "pytest -q", "go": "go test ./...", "java": "mvn -B test",
                "ruby": "bundle exec rspec", "php": "vendor/bin/phpunit", "rust": "cargo test",
                "static": "true"}[language]

    def filler(self, language: str) -> None:
        remaining = self.target_lines - len(self.lines)
        # Long real Dockerfiles are long because of their build scripts, not because of many short steps.
        if remaining >= 12 and self.chance(0.6):
            self.add(*BuildScript(self.rng, self.final_family(), remaining).lines())
            return
        roll = self.rng.random()
        if roll < 0.3:
            self.add(f"# step {len(self.lines)}: keep this layer small")
        elif roll < 0.55:
            self.add(f"LABEL org.opencontainers.image.revision=\"{self.rng.getrandbits(40):010x}\" \\",
                     f"      com.example.build=\"{self.rng.randint(1, 9999)}\"")
        elif roll < 0.75:
            self.add(f"RUN mkdir -p /var/lib/app/{self.rng.randint(1, 999)} \\",
                     "    && chown -R 10001:10001 /var/lib/app")
        elif roll < 0.9:
            self.add("RUN <<EOF", "set -e", f"echo 'generated {self.rng.randint(1, 10**6)}' > /etc/app-build", "EOF")
        else:
            self.add(f"ENV FEATURE_{self.rng.randint(1, 999)}=enabled")


class BuildScript:
    """One long RUN that builds a tool from source, in the shapes of official images' Dockerfiles.

    Such scripts make most of the lines of real long Dockerfiles. They install build
    dependencies and purge them later, check a download against a checksum or a
    signature, branch on the architecture, run configure and make, loop over files,
    and find the libraries to keep with pipelines. Seven in ten use ``set -eux;`` with one command
    per line, the others ``&&`` chains. The ENV lines that name the version come first.
    """

    APT_BUILD = ["autoconf", "bison", "dpkg-dev", "file", "g++", "gcc", "libc-dev", "make", "pkg-config", "re2c",
                 "libssl-dev", "libffi-dev", "zlib1g-dev", "libreadline-dev", "libyaml-dev", "libxml2-dev",
                 "libsqlite3-dev", "libbz2-dev", "liblzma-dev", "libncursesw5-dev", "xz-utils", "wget", "gnupg",
                 "dirmngr", "ca-certificates"]
    APK_BUILD = ["autoconf", "bison", "coreutils", "dpkg-dev", "dpkg", "file", "g++", "gcc", "libc-dev", "make",
                 "pkgconf", "re2c", "openssl-dev", "libffi-dev", "zlib-dev", "readline-dev", "yaml-dev",
                 "linux-headers", "ncurses-dev", "xz", "gnupg", "tar"]
    RPM_BUILD = ["gcc", "gcc-c++", "make", "autoconf", "openssl-devel", "zlib-devel", "libffi-devel", "xz", "tar",
                 "gnupg2", "findutils", "diffutils", "bzip2-devel"]
    TOOLS = ["libexample", "fastcache", "queued", "proxyd", "metricsd", "jsonlint", "imgconv", "dbtool"]
    FLAGS = ["--enable-shared", "--enable-static=no", "--with-system-ffi", "--enable-optimizations", "--with-lto",
             "--disable-debug", "--with-openssl", "--enable-threads", "--without-ensurepip", "--with-zlib",
             "--enable-loadable-sqlite-extensions", "--disable-install-doc", "--enable-mbstring", "--with-curl"]

    def __init__(self, rng: random.Random, family: str, budget: int) -> None:
        self.rng = rng
        self.family = family
        # Real scripts run up to about 60 lines; a file with less room left gets a shorter one.
        self.size = min(budget, rng.randint(14, 60))
        self.tool = rng.choice(self.TOOLS)
        self.variable = self.tool.upper()
        self.semicolons = rng.random() < 0.7
        self.indent = "\t" if rng.random() < 0.5 else "    "

    def lines(self) -> list[str]:
        """Return the ENV lines and the RUN instruction, each command on its own lines."""
        version = f"{self.rng.randint(1, 9)}.{self.rng.randint(0, 30)}.{self.rng.randint(0, 12)}"
        header = [f"ENV {self.variable}_VERSION {version}" if self.rng.random() < 0.5 else f"ENV {self.variable}_VERSION={version}",
                  f"ENV {self.variable}_SHA256 {self.rng.getrandbits(256):064x}"]
        commands = self.commands(self.size - len(header) - 1)
        script = ["RUN set -eux; \\" if self.semicolons else "RUN set -ex \\"]
        for number, command in enumerate(commands):
            final = number == len(commands) - 1
            for position, line in enumerate(command):
                text = f"{self.indent}{'&& ' if not self.semicolons and position == 0 else ''}{line}"
                if position < len(command) - 1:
                    script.append(f"{text} \\")
                elif final:
                    script.append(text)
                else:
                    script.append(f"{text}; \\" if self.semicolons else f"{text} \\")
        return header + script

    def packages(self) -> list[str]:
        return {"apk": self.APK_BUILD, "rpm": self.RPM_BUILD}.get(self.family, self.APT_BUILD)

    def listed(self, command: str, names: list[str]) -> list[str]:
        """Return a command whose arguments are one name per line, as official images list packages."""
        return [command, *(f"{self.indent}{name}" for name in names)]

    def commands(self, room: int) -> list[list[str]]:
        rng = self.rng
        inner = self.indent
        # Each block is a list of commands, and each command a list of lines.
        downloads: list[list[str]] = []
        archive = f"{self.tool}.tar.{rng.choice(['gz', 'xz'])}"
        url = f"https://downloads.example.invalid/{self.tool}/{self.tool}-${{{self.variable}_VERSION}}.tar.gz"
        downloads.append([f'curl -fsSL -o {archive} "{url}"' if rng.random() < 0.5 else f'wget -O {archive} "{url}"'])
        downloads.append([f'echo "${{{self.variable}_SHA256}} *{archive}" | sha256sum -c -'])
        signature = [[f'wget -O {archive}.asc "{url}.asc"'], ['export GNUPGHOME="$(mktemp -d)"'],
                     ["for key in $GPG_KEYS; do", f'{inner}gpg --batch --keyserver keyserver.example.invalid --recv-keys "$key";', "done"],
                     [f"gpg --batch --verify {archive}.asc {archive}"], ["gpgconf --kill all"], [f'rm -rf "$GNUPGHOME" {archive}.asc']]
        architecture = [['dpkgArch="$(dpkg --print-architecture)"' if self.family == "apt" else 'arch="$(uname -m)"'],
                        ['case "${dpkgArch:-$arch}" in', f"{inner}amd64|x86_64) target='x86_64-linux-gnu' ;;",
                         f"{inner}arm64|aarch64) target='aarch64-linux-gnu' ;;",
                         f'{inner}*) echo >&2 "unsupported architecture: ${{dpkgArch:-$arch}}"; exit 1 ;;', "esac"]]
        flags = rng.sample(self.FLAGS, k=rng.randint(2, 6))
        build = [[f"mkdir -p /usr/src/{self.tool}"], [f"tar -xf {archive} -C /usr/src/{self.tool} --strip-components=1"],
                 [f"rm {archive}"], [f"cd /usr/src/{self.tool}"],
                 self.listed('./configure --build="$target" --prefix=/usr/local', flags),
                 ['make -j "$(nproc)"'], ["make install"]]
        strip = [["for dir in /usr/local/bin /usr/local/lib; do",
                  f"{inner}find \"$dir\" -type f -perm -u+x -exec strip --strip-all '{{}}' + || :;", "done"]]
        smoke = [[f"if [ -x /usr/local/bin/{self.tool} ]; then", f"{inner}{self.tool} --version;", "else",
                  f"{inner}echo >&2 '{self.tool} was not installed'; exit 1;", "fi"]]
        cleanup = [["cd /"], [f"rm -rf /usr/src/{self.tool}"]]

        packages = self.packages()
        if self.family == "apk":
            install = [["apk add --no-cache --virtual .build-deps"]]
            keep = [['runDeps="$(', f"{inner}scanelf --needed --nobanner --format '%n#p' --recursive /usr/local",
                     f"{inner}| tr ',' '\\n'", f"{inner}| sort -u",
                     f"{inner}| awk 'system(\"[ -e /usr/local/lib/\" $1 \" ]\") == 0 {{ next }} {{ print \"so:\" $1 }}'", ')"'],
                    ["apk add --no-cache --virtual .run-deps $runDeps"], ["apk del --no-network .build-deps"]]
        elif self.family == "rpm":
            install = [[f"{rng.choice(['dnf', 'yum', 'microdnf'])} install -y"]]
            keep = [["dnf clean all"]]
        else:
            install = [['savedAptMark="$(apt-mark showmanual)"'], ["apt-get update"],
                       ["apt-get install -y --no-install-recommends"]]
            keep = [["apt-mark auto '.*' > /dev/null"], ['[ -z "$savedAptMark" ] || apt-mark manual $savedAptMark'],
                    ["find /usr/local -type f -executable -exec ldd '{}' ';'",
                     f"{inner}| awk '/=>/ {{ so = $(NF-1); if (index(so, \"/usr/local/\") == 1) {{ next }}; print so }}'",
                     f"{inner}| sort -u", f"{inner}| xargs -r dpkg-query --search", f"{inner}| cut -d: -f1",
                     f"{inner}| sort -u", f"{inner}| xargs -r apt-mark manual"],
                    ["apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false"],
                    ["rm -rf /var/lib/apt/lists/*"]]

        optional = [block for block, chance in ((signature, 0.4), (architecture, 0.3), (strip, 0.6), (keep, 0.4), (smoke, 0.45))
                    if rng.random() < chance]
        fixed = downloads + build + cleanup
        used = sum(map(len, (line for block in optional for line in block))) + sum(map(len, fixed)) + len(install[-1])
        # The package list takes the lines left, one name per line, without repeating a name.
        count = max(3, min(len(packages), room - used))
        install[-1] = self.listed(install[-1][0], rng.sample(packages, k=count))
        # The blocks in the order a build script runs them, each when it was chosen.
        ordered = [install, architecture, downloads, signature, build, strip, keep, cleanup, smoke]
        commands: list[list[str]] = []
        for block in ordered:
            if block in (install, downloads, build, cleanup) or block in optional:
                commands += block
        return commands


class ComparisonDockerfileWriter(DockerfileWriter):
    """Builds Dockerfiles for the differential check against hadolint: the base shapes plus more practices.

    Each step keeps the base writer's choices and adds, at random, constructs that
    linters judge differently. Examples are cd inside RUN, pipes without pipefail,
    curl and wget together, MAINTAINER, ADD of local files, duplicate CMD or
    HEALTHCHECK, root in builder stages and more package managers (pip, gem, yarn,
    go install). The base writer is left alone, so the benchmark corpus stays the
    same for a given seed.
    """

    def build(self) -> str:
        # Real Dockerfiles end with their command: no filler lines after it.
        self.target_lines = 0
        return super().build()

    def stage(self, language: str, base: str, name: str | None, builder: bool) -> None:
        maintainer = self.chance(0.06)
        # Builder images such as gradle or maven run as a non-root user, so builds switch to root to install.
        builder_root = builder and self.chance(0.15)
        start = len(self.lines)
        super().stage(language, base, name, builder)
        if builder_root:
            self.lines.insert(start + 1, "USER root")
        if not builder and base != "scratch" and self.chance(0.05):
            # A constant platform pins the image to one architecture; $BUILDPLATFORM on builders is the good form.
            self.lines[start] = self.lines[start].replace(" ", " --platform=linux/amd64 ", 1)
        if maintainer:
            # MAINTAINER belongs right after the stage's FROM line.
            contact = self.pick(["ops@example.internal", "Platform Team <platform@example.internal>"])
            self.lines.insert(start + 1, f"MAINTAINER {contact}")

    def command(self, language: str) -> None:
        self.runtime_extras()
        super().command(language)

    def system_packages(self, base: str) -> None:
        super().system_packages(base)
        if "alpine" in base or base in ("scratch",) or "distroless" in base:
            return
        roll = self.rng.random()
        if roll < 0.12:
            self.download_step()
        elif roll < 0.2:
            self.add("RUN set -eux; \\", "    cd /tmp \\", "    && curl -fsSL https://example.invalid/tool.tar.gz | tar -xz \\",
                     "    && make -C tool install")
        elif roll < 0.26:
            pipefail = self.chance(0.5)
            if pipefail:
                self.add('SHELL ["/bin/bash", "-o", "pipefail", "-c"]')
            self.add("RUN curl -fsSL https://deb.example.invalid/key.gpg | gpg --dearmor -o /usr/share/keyrings/example.gpg")
        elif roll < 0.3:
            self.add("RUN ln -sf /bin/bash /bin/sh")

    def download_step(self) -> None:
        tool = self.pick(["curl", "wget", "both"])
        if tool == "curl":
            self.add("RUN curl -fsSLo /usr/local/bin/probe https://example.invalid/probe-1.4.2 && chmod +x /usr/local/bin/probe")
        elif tool == "wget":
            progress = "--progress=dot:giga " if self.chance(0.4) else ""
            self.add(f"RUN wget {progress}-O /tmp/agent.deb https://example.invalid/agent_2.1.0_amd64.deb \\",
                     "    && dpkg -i /tmp/agent.deb && rm /tmp/agent.deb")
        else:
            self.add("RUN curl -fsSL https://example.invalid/install.sh -o /tmp/install.sh \\",
                     "    && wget -qO /tmp/install.sh.sha256 https://example.invalid/install.sh.sha256 \\",
                     "    && sh /tmp/install.sh")

    def language_steps(self, language: str, builder: bool) -> None:
        super().language_steps(language, builder)
        roll = self.rng.random()
        if language == "python" and roll < 0.35:
            cache = "--mount=type=cache,target=/root/.cache/pip " if self.chance(0.3) else ""
            pin = "==23.2.1" if self.chance(0.5) else ""
            no_cache = "--no-cache-dir " if not cache and self.chance(0.5) else ""
            self.add(f"RUN {cache}pip install {no_cache}--upgrade pip{pin} setuptools wheel")
        elif language == "node" and roll < 0.3:
            self.add(f"RUN yarn global add {self.pick(['pm2', 'pm2@5.4.2', 'serve@14.2.3'])}")
            if self.chance(0.5):
                self.add("RUN yarn cache clean")
        elif language == "go" and roll < 0.3:
            self.add(f"RUN go install {self.pick(['github.com/go-delve/delve/cmd/dlv@latest', 'github.com/go-delve/delve/cmd/dlv@v1.23.1'])}")
        elif language == "ruby" and roll < 0.3:
            self.add(f"RUN gem install {self.pick(['bundler', 'bundler:2.5.18', 'foreman -v 0.88.1'])}")
        elif language == "php" and roll < 0.3:
            self.add("RUN docker-php-ext-install pdo_mysql opcache")
        if not builder and self.chance(0.1):
            self.add(f"ADD {self.pick(['config/app.conf /etc/app/app.conf', 'vendor.tar.gz /opt/', 'https://example.invalid/ca.pem /usr/local/share/ca-certificates/'])}")
        if self.chance(0.08):
            self.add("RUN cd /app && make assets")

    def runtime_extras(self) -> None:
        roll = self.rng.random()
        if roll < 0.05:
            self.add('CMD ["sh", "-c", "echo starting"]')
        elif roll < 0.09:
            self.add('HEALTHCHECK CMD ["/bin/true"]')
        elif roll < 0.13:
            self.add(f"EXPOSE {self.pick(['8080', '65536', '80/tcp 443/tcp'])}")
        elif roll < 0.17:
            self.add("COPY --from=0 /etc/ssl/certs /etc/ssl/certs")
        elif roll < 0.21:
            self.add("RUN useradd -u 1000123 -m svc", "USER svc")
        elif roll < 0.25:
            self.add("ENV APP_HOME=/srv/app APP_LOGS=$APP_HOME/logs")
        elif roll < 0.28:
            self.add("COPY entrypoint.sh docker-entrypoint.sh")
        elif roll < 0.31:
            self.add('LABEL maintainer="platform@example.internal" org.opencontainers.image.licenses="Apache-2.0"')


def generate_comparison_dockerfile(rng: random.Random) -> str:
    return ComparisonDockerfileWriter(rng, 0).build()


def generate_dockerfile(rng: random.Random) -> str:
    target = int(rng.choice([10, 15, 20, 30, 40, 60, 80, 120, 200, 300]) * rng.uniform(0.8, 1.0))
    return DockerfileWriter(rng, max(10, target)).build()


def generate_compose(rng: random.Random) -> str:
    count = rng.randint(1, 30)
    lines = []
    if rng.random() < 0.3:
        lines.append('version: "3.9"')
    if rng.random() < 0.5:
        lines.append(f"name: stack-{rng.randint(1, 999)}")
    lines += [
        "x-defaults: &defaults",
        f"  restart: {rng.choice(['unless-stopped', 'always', 'no', 'on-failure'])}",
        "  logging:",
        "    driver: json-file",
        "    options:",
        '      max-size: "10m"',
        "x-healthcheck: &healthcheck",
        "  interval: 30s",
        "  timeout: 5s",
        "  retries: 3",
        "services:",
    ]
    images = ["postgres:16.3-alpine", "redis:7.2-alpine", "nginx:1.27-alpine", "rabbitmq:3.13-management",
              "registry.example.internal/team/api:${API_TAG:-1.4.2}", "registry.example.internal/team/worker",
              "mongo:7", "grafana/grafana:11.2.0", "prom/prometheus:latest", "traefik:v3.1"]
    for number in range(count):
        name = f"service{number}"
        image = rng.choice(images)
        lines.append(f"  {name}:")
        if rng.random() < 0.7:
            lines.append("    <<: *defaults")
        if rng.random() < 0.2:
            lines += ["    build:", "      context: .", f"      dockerfile: docker/{name}.Dockerfile"]
        else:
            lines.append(f"    image: {image}")
        if rng.random() < 0.6:
            lines.append("    ports:")
            for _ in range(rng.randint(1, 3)):
                port = rng.choice([80, 443, 5432, 6379, 8080, 9000, 27017, 15672, 22])
                style = rng.random()
                if style < 0.4:
                    lines.append(f'      - "{port}:{port}"')
                elif style < 0.7:
                    lines.append(f'      - "127.0.0.1:{port}:{port}"')
                elif style < 0.85:
                    lines.append(f"      - {port}:{port}")
                else:
                    lines += [f"      - target: {port}", f'        published: "{port}"', "        host_ip: 0.0.0.0"]
        if rng.random() < 0.6:
            lines.append("    environment:")
            if rng.random() < 0.5:
                lines += ["      LOG_LEVEL: ${LOG_LEVEL:-info}", f"      PORT: \"{rng.randint(3000, 9000)}\""]
                if rng.random() < 0.15:
                    lines.append("      DB_PASSWORD: corpus-not-a-real-password")
            else:
                lines += ["      - LOG_LEVEL=info", "      - DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app"]
        if rng.random() < 0.5:
            lines.append("    volumes:")
            choices = ["./config:/etc/app:ro", "data:/var/lib/data", "/var/run/docker.sock:/var/run/docker.sock",
                       "/etc:/host/etc", "cache:/cache"]
            for volume in rng.sample(choices, k=rng.randint(1, 2)):
                lines.append(f"      - {volume}")
        if rng.random() < 0.6:
            test = rng.choice(HEALTHCHECK_TESTS)
            lines += ["    healthcheck:", "      <<: *healthcheck", f"      test: {test}"]
        if rng.random() < 0.1:
            lines.append("    privileged: true")
        if rng.random() < 0.1:
            lines.append("    network_mode: host")
        if rng.random() < 0.2:
            lines += ["    cap_add:", f"      - {rng.choice(['NET_ADMIN', 'SYS_ADMIN', 'ALL', 'NET_BIND_SERVICE'])}"]
        if rng.random() < 0.2:
            lines += ["    security_opt:", "      - no-new-privileges:true"]
        if rng.random() < 0.2:
            lines.append(f"    user: \"{rng.choice(['10001', 'root', '0:0', 'app'])}\"")
        if rng.random() < 0.15:
            lines.append(f"    command: {rng.choice(COMMANDS)}")
        if rng.random() < 0.15:
            lines += ["    deploy:", "      resources:", "        limits:", "          memory: 512M", "      restart_policy:",
                      f"        condition: {rng.choice(['on-failure', 'any', 'none'])}"]
        if rng.random() < 0.1:
            lines += ["    profiles:", "      - debug"]
    lines += ["volumes:", "  data: {}", "  cache: {}"]
    return "\n".join(lines) + "\n"


def generate_image(rng: random.Random, number: int) -> str:
    user = rng.choice(["", "10001", "root", "0:0", "app", "65532:65532"])
    history = [
        {"created_by": "/bin/sh -c #(nop) ADD file:3c4f0e1 in / ", "empty_layer": False},
        {"created_by": '/bin/sh -c #(nop)  CMD ["bash"]', "empty_layer": True},
        {"created_by": "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* # buildkit"},
    ]
    if rng.random() < 0.2:
        history.append({"created_by": "RUN /bin/sh -c apt-get update && apt-get -y upgrade # buildkit"})
    if rng.random() < 0.1:
        history.append({"created_by": "ENV API_TOKEN=corpus-not-a-real-token-value", "empty_layer": True})
    config = {
        "User": user,
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", f"APP_VERSION=1.{number % 50}.0"],
        "Cmd": rng.choice([["node", "dist/server.js"], ["/bin/sh", "-c", "npm run dev"], ["gunicorn", "app:wsgi"]]),
        "WorkingDir": "/app",
        "ExposedPorts": {"8080/tcp": {}},
        "Labels": {"org.opencontainers.image.source": "https://example.invalid/team/app"},
    }
    if rng.random() < 0.6:
        config["Healthcheck"] = {"Test": rng.choice([["CMD", "/probe"], ["CMD-SHELL", "wget -q --spider http://127.0.0.1:8080/"], ["NONE"]]),
                                 "Interval": 30_000_000_000, "Timeout": 5_000_000_000, "Retries": 3}
    inspect = [{
        "Id": f"sha256:{rng.getrandbits(256):064x}",
        "RepoTags": [f"registry.example.internal/team/app{number}:1.{number % 50}.0"],
        "Architecture": rng.choice(["amd64", "arm64"]),
        "Os": "linux",
        "Config": config,
    }]
    return json.dumps(inspect, indent=2) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bench/corpus", help="output folder (default: bench/corpus)")
    parser.add_argument("--dockerfiles", type=int, default=1500, help="number of Dockerfiles (default: 1500)")
    parser.add_argument("--compose", type=int, default=900, help="number of compose files (default: 900)")
    parser.add_argument("--images", type=int, default=300, help="number of image files (default: 300)")
    parser.add_argument("--seed", type=int, default=20261204, help="random seed (default: 20261204)")
    arguments = parser.parse_args()

    out = Path(arguments.out)
    rng = random.Random(arguments.seed)
    for kind, count, suffix in (("dockerfiles", arguments.dockerfiles, ".Dockerfile"), ("compose", arguments.compose, ".yaml"),
                                ("images", arguments.images, ".json")):
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(count):
            if kind == "dockerfiles":
                text = generate_dockerfile(rng)
            elif kind == "compose":
                text = generate_compose(rng)
            else:
                text = generate_image(rng, number)
            name = f"compose-{number:04d}{suffix}" if kind == "compose" else f"{kind[:-1]}-{number:04d}{suffix}"
            (folder / name).write_text(text, encoding="utf-8")
    print(f"wrote {arguments.dockerfiles} Dockerfiles, {arguments.compose} compose files and {arguments.images} image files to {out}")


if __name__ == "__main__":
    main()

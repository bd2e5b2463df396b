"""Recognise package manager calls in a command's argv and describe them as data.

``apt-get install -y --no-install-recommends curl=7.88.1-10`` becomes::

    {"manager": "apt-get", "action": "install",
     "packages": [{"name": "curl", "version": "7.88.1-10", "operator": "=", "raw": "curl=7.88.1-10"}],
     "options": ["-y", "--no-install-recommends"]}

Rules about pinned versions, ``--no-install-recommends``, cache cleanup,
``--omit=dev`` or upgrades then match fields instead of text. ``sudo``, ``env``
and similar prefixes are looked through, and ``sudo`` is recorded.

The action is the subcommand as written, except that short aliases take the
manager's own name for them (``npm i`` is ``install``, ``dnf rm`` is
``remove``). Options are the option words as written, in order, together with
the values of options that take one, so ``pip install -r requirements.txt``
lists ``-r`` and ``requirements.txt`` as options and no package.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PackageParser = Callable[[str], dict[str, Any]]


def _split_at_operator(raw: str, pattern: re.Pattern[str]) -> dict[str, Any]:
    match = pattern.match(raw)
    if match is None or not match.group(1):
        return {"name": raw, "raw": raw}
    return {"name": match.group(1), "version": match.group(3), "operator": match.group(2), "raw": raw}


_APT = re.compile(r"^([^=]+?)(=)(.*)$")
_APK = re.compile(r"^([^=<>~]+?)(~=|>=|<=|><|=|~|<|>)(.*)$")
_ZYPPER = re.compile(r"^([^=<>]+?)(>=|<=|=|<|>)(.*)$")
_PIP = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)\s*(===|==|~=|!=|<=|>=|<|>|@)\s*(.*)$")
_NPM = re.compile(r"^(@?[^@]+)(@)(.*)$")
_COLON_OR_EQUALS = re.compile(r"^([^:=\s]+)([:=]|\s+)(.*)$")
# An RPM package pinned as name-version: the version starts with a digit and contains a dot.
_RPM_VERSION = re.compile(r"^(.+?)-((?:\d+:)?\d[\w+~^]*\.[\w.+~^:-]*)$")
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git\+|github:)", re.IGNORECASE)
_FILE_SUFFIXES = (".deb", ".rpm", ".apk", ".whl", ".tar.gz", ".tgz", ".zip", ".gem", ".phar")


def _source(raw: str) -> str | None:
    """Return ``url`` or ``path`` for a package given by location instead of by name."""
    if _URL.match(raw):
        return "url"
    if raw.startswith((".", "/", "~", "file:")) or raw.lower().endswith(_FILE_SUFFIXES):
        return "path"
    return None


def _by_location(raw: str, source: str) -> dict[str, Any]:
    return {"name": raw, "raw": raw, "source": source}


def _apt_package(raw: str) -> dict[str, Any]:
    package = _split_at_operator(raw, _APT)
    # apt-get install curl/bookworm-backports selects a release; the package name is before the slash.
    name, _, release = package["name"].partition("/")
    package["name"] = name
    if release:
        package["release"] = release
    return package


def _apk_package(raw: str) -> dict[str, Any]:
    return _split_at_operator(raw, _APK)


def _rpm_package(raw: str) -> dict[str, Any]:
    if raw.startswith("@"):
        return {"name": raw, "raw": raw, "source": "group"}
    package = _split_at_operator(raw, _ZYPPER)
    if "version" in package:
        return package
    # TODO: name-version is split by shape, at the first dash followed by a digit with a dot later on, so a
    # name with such a part (python3-1.2-compat) or a version without a dot is split wrongly.
    match = _RPM_VERSION.match(raw)
    if match is None:
        return {"name": raw, "raw": raw}
    return {"name": match.group(1), "version": match.group(2), "operator": "-", "raw": raw}


def _pip_package(raw: str) -> dict[str, Any]:
    return _split_at_operator(raw, _PIP)


def _npm_package(raw: str) -> dict[str, Any]:
    return _split_at_operator(raw, _NPM)


def _colon_package(raw: str) -> dict[str, Any]:
    return _split_at_operator(raw, _COLON_OR_EQUALS)


def _at_package(raw: str) -> dict[str, Any]:
    """Go modules and cargo crates: ``path@version``."""
    name, at, version = raw.rpartition("@")
    if not at or not name:
        return {"name": raw, "raw": raw}
    return {"name": name, "version": version, "operator": "@", "raw": raw}


def _poetry_package(raw: str) -> dict[str, Any]:
    if "@" in raw and not raw.startswith("@"):
        return _at_package(raw)
    return _pip_package(raw)


@dataclass(frozen=True)
class Manager:
    """The subcommands, options and version syntax of one package manager."""

    name: str
    parse_package: PackageParser
    # Subcommands whose positional arguments are packages (canonical names).
    package_actions: frozenset[str]
    # Options that take the next word as their value when written without "=".
    value_options: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)
    # The action when no subcommand is given (yarn and bundle install by default).
    default_action: str | None = None
    # Subcommands that take a second word (yarn global add, uv tool install).
    two_word_actions: frozenset[str] = frozenset()
    # An option that gives the version of the packages named (gem -v, cargo --version).
    version_options: frozenset[str] = frozenset()


def _options(*names: str) -> frozenset[str]:
    return frozenset(names)


_APT_OPTIONS = _options("-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release", "-a", "--host-architecture", "-P", "--build-profiles")
_RPM_OPTIONS = _options(
    "-c", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo", "--repo",
    "--repoid", "-x", "--exclude", "-d", "--debuglevel", "-e", "--errorlevel", "--forcearch", "--repofrompath",
    "--downloaddir", "--destdir", "--enableplugin", "--disableplugin", "--rpmverbosity", "--color",
)
_PIP_OPTIONS = _options(
    "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
    "-t", "--target", "--prefix", "--root", "--src", "--platform", "--python-version", "--implementation", "--abi",
    "--upgrade-strategy", "--progress-bar", "--no-binary", "--only-binary", "-C", "--config-settings",
    "--global-option", "--report", "--trusted-host", "--cache-dir", "--log", "--log-file", "--retries", "--timeout",
    "--proxy", "--cert", "--client-cert", "--exists-action", "--python", "--keyring-provider", "--root-user-action",
    "--use-feature", "--use-deprecated", "--group", "-d", "--dest", "-w", "--wheel-dir", "-p", "--index",
    "--default-index", "--override", "--extra", "--project", "--directory", "--package", "--with", "--only",
    "--without", "-E", "--extras", "-G", "--source", "-P",
)
_NPM_OPTIONS = _options(
    "--prefix", "-w", "--workspace", "--registry", "--cache", "--loglevel", "--omit", "--include", "--only", "--tag",
    "--userconfig", "--globalconfig", "--install-strategy", "--save-prefix", "--otp", "--cwd", "--modules-folder",
    "--cache-folder", "--network-timeout", "--mutex", "--filter", "-F", "--dir", "--store-dir", "--reporter",
    "--network-concurrency", "--virtual-store-dir", "--backend", "--cache-dir", "--config", "-c",
)
_INSTALL = frozenset({"install"})

MANAGERS: dict[str, Manager] = {
    "apt-get": Manager(
        "apt-get", _apt_package, frozenset({"install", "remove", "purge", "reinstall", "build-dep", "source", "download", "satisfy"}), _APT_OPTIONS
    ),
    "apt": Manager("apt", _apt_package, frozenset({"install", "remove", "purge", "reinstall", "download"}), _APT_OPTIONS),
    "aptitude": Manager("aptitude", _apt_package, frozenset({"install", "remove", "purge", "reinstall"}), _APT_OPTIONS),
    "apk": Manager(
        "apk",
        _apk_package,
        frozenset({"add", "del", "fix", "fetch"}),
        _options("-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file", "-t", "--virtual", "--cache-max-age", "--timeout"),
    ),
    "yum": Manager(
        "yum", _rpm_package, frozenset({"install", "remove", "erase", "reinstall", "downgrade", "groupinstall", "localinstall", "update", "upgrade"}), _RPM_OPTIONS,
    ),
    "dnf": Manager(
        "dnf",
        _rpm_package,
        frozenset({"install", "remove", "reinstall", "downgrade", "upgrade", "update"}),
        _RPM_OPTIONS,
        aliases={"in": "install", "rm": "remove", "up": "upgrade", "rei": "reinstall", "dg": "downgrade", "mc": "makecache", "erase": "remove"},
    ),
    "microdnf": Manager("microdnf", _rpm_package, frozenset({"install", "remove", "reinstall", "upgrade", "update", "download"}), _RPM_OPTIONS),
    "zypper": Manager(
        "zypper",
        _rpm_package,
        frozenset({"install", "remove", "source-install", "update"}),
        _options("--root", "-R", "--releasever", "-t", "--type", "-r", "--repo", "--from", "-p", "--plus-repo", "--download"),
        aliases={"in": "install", "rm": "remove", "up": "update", "ref": "refresh", "dup": "dist-upgrade", "cc": "clean", "si": "source-install", "se": "search", "if": "info", "ar": "addrepo"},
    ),
    "pip": Manager("pip", _pip_package, frozenset({"install", "uninstall", "download", "wheel"}), _PIP_OPTIONS),
    "uv pip": Manager("uv pip", _pip_package, frozenset({"install", "uninstall", "compile", "sync"}), _PIP_OPTIONS),
    "uv": Manager("uv", _pip_package, frozenset({"add", "remove", "tool install"}), _PIP_OPTIONS, two_word_actions=frozenset({"tool"})),
    "poetry": Manager("poetry", _poetry_package, frozenset({"add", "remove"}), _PIP_OPTIONS),
    "npm": Manager(
        "npm",
        _npm_package,
        frozenset({"install", "uninstall", "update"}),
        _NPM_OPTIONS,
        aliases={
            "i": "install", "in": "install", "ins": "install", "inst": "install", "insta": "install", "instal": "install",
            "isnt": "install", "isnta": "install", "isntal": "install", "isntall": "install", "add": "install",
            "clean-install": "ci", "ic": "ci", "install-clean": "ci", "isntall-clean": "ci",
            "un": "uninstall", "r": "uninstall", "rm": "uninstall", "remove": "uninstall", "unlink": "uninstall",
            "up": "update", "upgrade": "update", "udpate": "update", "run-script": "run", "rum": "run", "urn": "run",
            "x": "exec", "t": "test", "tst": "test", "rb": "rebuild", "ln": "link", "c": "config",
        },
    ),
    "yarn": Manager(
        "yarn",
        _npm_package,
        frozenset({"add", "remove", "upgrade", "global add", "global remove"}),
        _NPM_OPTIONS,
        default_action="install",
        two_word_actions=frozenset({"global"}),
    ),
    "pnpm": Manager(
        "pnpm",
        _npm_package,
        frozenset({"add", "remove", "update"}),
        _NPM_OPTIONS,
        aliases={"i": "install", "rm": "remove", "uninstall": "remove", "un": "remove", "up": "update", "upgrade": "update"},
    ),
    "bun": Manager(
        "bun",
        _npm_package,
        frozenset({"add", "remove", "update"}),
        _NPM_OPTIONS,
        aliases={"i": "install", "a": "add", "rm": "remove"},
    ),
    "gem": Manager(
        "gem",
        _colon_package,
        frozenset({"install", "update", "uninstall"}),
        _options("-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s", "--platform", "-g", "--file", "-P", "--trust-policy", "--build-root"),
        aliases={"i": "install"},
        version_options=frozenset({"-v", "--version"}),
    ),
    "bundle": Manager(
        "bundle",
        _colon_package,
        frozenset({"add", "update", "remove"}),
        _options("--without", "--with", "--path", "-j", "--jobs", "--retry", "--gemfile", "--binstubs", "--version", "--group", "--source", "--git", "--branch"),
        default_action="install",
        version_options=frozenset({"--version"}),
    ),
    "composer": Manager(
        "composer",
        _colon_package,
        frozenset({"require", "update", "remove", "create-project"}),
        _options("-d", "--working-dir", "--prefer-install", "--ignore-platform-req"),
        aliases={"i": "install", "r": "require", "u": "update", "upgrade": "update", "rm": "remove", "uninstall": "remove", "dumpautoload": "dump-autoload"},
    ),
    "go": Manager(
        "go",
        _at_package,
        frozenset({"install", "get"}),
        _options("-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-o", "-p", "-pkgdir", "-toolexec", "-overlay", "-pgo", "-buildmode", "-compiler", "-gccgoflags", "-installsuffix", "-C", "-exec"),
    ),
    "pecl": Manager("pecl", _rpm_package, frozenset({"install", "upgrade", "uninstall"}), _options("-D", "--define")),
    "cargo": Manager(
        "cargo",
        _at_package,
        frozenset({"install", "add", "uninstall"}),
        _options("--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path", "--root", "--target", "--features", "-F", "-j", "--jobs", "--registry", "--index", "--profile", "--bin", "--example", "--target-dir", "--config", "-Z", "--manifest-path", "--color"),
        version_options=frozenset({"--version", "--vers"}),
    ),
}

_PROGRAM_ALIASES = {"bundler": "bundle", "composer.phar": "composer"}
_PIP_PROGRAM = re.compile(r"^pip(?:\d+(?:\.\d+)?)?$")
_PYTHON_PROGRAM = re.compile(r"^(?:python|pypy)(?:\d+(?:\.\d+)?)?$")
# Programs that run the rest of their argv: (program, options that take a value).
_PREFIXES: dict[str, frozenset[str]] = {
    "sudo": _options("-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir", "-h", "--host", "-p", "--prompt", "-r", "--role", "-t", "--type", "-T", "--command-timeout", "-U", "--other-user"),
    "env": _options("-u", "--unset", "-C", "--chdir", "-S", "--split-string"),
    "nice": _options("-n", "--adjustment"),
    "nohup": frozenset(),
    "time": _options("-f", "--format", "-o", "--output"),
    "command": frozenset(),
    "exec": _options("-a"),
}
# The programs that strip_prefixes drops.
PREFIX_PROGRAMS = frozenset(_PREFIXES)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")

# Programs worth a closer look; everything else is skipped at once.
PROGRAMS = frozenset(MANAGERS) | frozenset(_PROGRAM_ALIASES) | frozenset(_PREFIXES) | {"uv"}


def _program(word: str) -> str:
    return word.rstrip("/").rsplit("/", 1)[-1]


def could_be_package_call(program: str | None) -> bool:
    """Cheap test: might an argv starting with this program be a package manager call?"""
    if not program:
        return False
    return program in PROGRAMS or program.startswith(("pip", "python", "pypy"))


def describe(argv: list[str]) -> dict[str, Any] | None:
    """Describe a package manager call, or return None when argv is not one."""
    argv, sudo = strip_prefixes(argv)
    found = _manager_of(argv)
    if found is None:
        return None
    manager, rest = found
    fact = _read_arguments(manager, rest)
    if sudo:
        fact["sudo"] = True
    return fact


def strip_prefixes(argv: list[str]) -> tuple[list[str], bool]:
    """Drop ``sudo``, ``env`` and similar prefixes with their options; report whether sudo was one."""
    sudo = False
    for _ in range(4):
        if not argv:
            break
        program = _program(argv[0])
        value_options = _PREFIXES.get(program)
        if value_options is None:
            break
        sudo = sudo or program == "sudo"
        index = 1
        while index < len(argv):
            word = argv[index]
            if word == "--":
                index += 1
                break
            if program == "env" and _ASSIGNMENT.match(word):
                index += 1
            elif word.startswith("-") and len(word) > 1:
                index += 2 if word in value_options else 1
            else:
                break
        argv = argv[index:]
    return argv, sudo


def _manager_of(argv: list[str]) -> tuple[Manager, list[str]] | None:
    if not argv:
        return None
    program = _program(argv[0])
    program = _PROGRAM_ALIASES.get(program, program)
    if _PIP_PROGRAM.match(program):
        return MANAGERS["pip"], argv[1:]
    if _PYTHON_PROGRAM.match(program):
        return _python_module(argv)
    if program == "uv" and len(argv) > 1 and argv[1] == "pip":
        return MANAGERS["uv pip"], argv[2:]
    manager = MANAGERS.get(program)
    return (manager, argv[1:]) if manager is not None else None


def _python_module(argv: list[str]) -> tuple[Manager, list[str]] | None:
    """Find ``-m pip`` after the interpreter's own options, as in ``python3 -u -m pip install``."""
    index = 1
    while index < len(argv) and argv[index].startswith("-") and argv[index] != "-m":
        index += 1
    if argv[index : index + 2] == ["-m", "pip"]:
        return MANAGERS["pip"], argv[index + 2 :]
    return None


def _read_arguments(manager: Manager, words: list[str]) -> dict[str, Any]:
    options: list[str] = []
    positional: list[str] = []
    version: str | None = None
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            positional.extend(words[index:])
            break
        if not word.startswith("-") or len(word) == 1:
            positional.append(word)
            continue
        options.append(word)
        if word in manager.value_options and index < len(words):
            options.append(words[index])
            if word in manager.version_options:
                version = words[index]
            index += 1
        elif word in ("-e", "--editable") and manager.name in ("pip", "uv pip") and index < len(words):
            # An editable install names its package by location: it is a package, not an option value.
            positional.append(words[index])
            index += 1

    action, packages = _action_and_packages(manager, positional)
    parsed: list[dict[str, Any]] = []
    for word in packages:
        source = _source(word)
        parsed.append(_by_location(word, source) if source else manager.parse_package(word))
    if version is not None:
        for package in parsed:
            if "version" not in package:
                package["version"] = version
                package["operator"] = "--version" if manager.name != "gem" else "-v"
    fact: dict[str, Any] = {"manager": manager.name, "action": action, "packages": parsed, "options": options}
    if action in _INSTALL_ACTIONS.get(manager.name, ()) and parsed:
        fact["unpinned"] = [package["name"] for package in parsed if _is_unpinned(package)]
    return fact


# Actions that install the packages they name, per manager: the calls whose versions matter.
_INSTALL_ACTIONS: dict[str, frozenset[str]] = {
    "apt-get": frozenset({"install"}),
    "apt": frozenset({"install"}),
    "aptitude": frozenset({"install"}),
    "apk": frozenset({"add"}),
    "yum": frozenset({"install"}),
    "dnf": frozenset({"install"}),
    "microdnf": frozenset({"install"}),
    "zypper": frozenset({"install"}),
    "pip": frozenset({"install"}),
    "uv pip": frozenset({"install"}),
    "uv": frozenset({"add", "tool install"}),
    "poetry": frozenset({"add"}),
    "npm": frozenset({"install"}),
    "yarn": frozenset({"add", "global add"}),
    "pnpm": frozenset({"add"}),
    "bun": frozenset({"add"}),
    "gem": frozenset({"install"}),
    "bundle": frozenset({"add"}),
    "composer": frozenset({"require"}),
    "go": frozenset({"install", "get"}),
    "cargo": frozenset({"install"}),
    "pecl": frozenset({"install"}),
}
# Versions that name no release: the package moves with every publication.
_MOVING_VERSIONS = frozenset({"", "latest", "*", "x", "next"})


def _is_unpinned(package: dict[str, Any]) -> bool:
    if package.get("source") or package["name"].startswith("$"):
        return False
    version = package.get("version")
    return version is None or version.strip().lower() in _MOVING_VERSIONS


def _action_and_packages(manager: Manager, positional: list[str]) -> tuple[str | None, list[str]]:
    if not positional:
        return manager.default_action, []
    action = manager.aliases.get(positional[0], positional[0])
    rest = positional[1:]
    if action in manager.two_word_actions and rest:
        action = f"{action} {rest[0]}"
        rest = rest[1:]
    if action not in manager.package_actions:
        return action, []
    return action, rest

"""The effects of package manager calls on an image: download caches and development dependencies.

``prodpolicy.packages`` describes a call as written. This module describes what
each manager does with it. It records where the manager caches downloads and what
keeps that cache out of a layer: an option, an environment variable, a clean
command, an ``rm`` of the folder or a cache mount. It also records which calls
install a project's dependencies from its manifest, and which of those include
development dependencies.
The Dockerfile facts pass (``prodpolicy/dockerfile/facts/build.py``) applies it
to the RUN instructions of each stage.
"""

from __future__ import annotations

import re
from re import Pattern
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CacheUse:
    """The folder where a manager keeps downloaded files, and what keeps them out of the layer.

    Managers of one ``group`` share the cache, so ``yum clean all`` also cleans
    after ``dnf install``. ``clean_commands`` are the manager's own subcommands
    that empty it, as the words after the program. ``removal`` matches ``rm``
    arguments that delete it, and ``mount`` matches the targets of cache or tmpfs
    mounts that hold it. Both see paths with ``~`` and ``$HOME`` spelled ``/root``.
    """

    group: str
    path: str
    actions: frozenset[str]
    removal: Pattern[str]
    mount: Pattern[str]
    clean_commands: tuple[tuple[str, ...], ...] = ()
    no_cache_options: frozenset[str] = frozenset()
    no_cache_variables: frozenset[str] = frozenset()


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


_APT = CacheUse(
    "apt",
    "/var/lib/apt/lists",
    # Official Debian and Ubuntu images delete downloaded .deb files after each install, so only the
    # package lists that update writes stay behind.
    frozenset({"update"}),
    _pattern(r"^/var/lib/apt(/lists)?(/.*)?$"),
    _pattern(r"^/var/lib/apt(/lists)?/?$"),
)
_RPM_REMOVAL = _pattern(r"^/var/cache/(yum|dnf|libdnf5)(/.*)?$")
_RPM_MOUNT = _pattern(r"^/var/cache/(yum|dnf|libdnf5)/?$")
_RPM_ACTIONS = frozenset({"install", "update", "upgrade", "reinstall", "downgrade", "groupinstall", "localinstall", "makecache"})

CACHES: dict[str, CacheUse] = {
    "apt-get": _APT,
    "apt": _APT,
    "aptitude": _APT,
    "apk": CacheUse(
        "apk",
        "/var/cache/apk",
        frozenset({"add", "update", "upgrade"}),
        _pattern(r"^(/var/cache/apk|/etc/apk/cache)(/.*)?$"),
        _pattern(r"^(/var/cache/apk|/etc/apk/cache)/?$"),
        clean_commands=(("cache", "clean"), ("cache", "purge")),
        no_cache_options=frozenset({"--no-cache"}),
    ),
    "yum": CacheUse("rpm", "/var/cache/yum", _RPM_ACTIONS, _RPM_REMOVAL, _RPM_MOUNT, clean_commands=(("clean",),)),
    "dnf": CacheUse("rpm", "/var/cache/dnf", _RPM_ACTIONS, _RPM_REMOVAL, _RPM_MOUNT, clean_commands=(("clean",),)),
    "microdnf": CacheUse("rpm", "/var/cache/yum", _RPM_ACTIONS, _RPM_REMOVAL, _RPM_MOUNT, clean_commands=(("clean",),)),
    "zypper": CacheUse(
        "zypper",
        "/var/cache/zypp",
        frozenset({"install", "update", "dist-upgrade", "patch", "refresh", "source-install"}),
        _pattern(r"^/var/cache/zypp(/.*)?$"),
        _pattern(r"^/var/cache/zypp/?$"),
        clean_commands=(("clean",),),
    ),
    "pip": CacheUse(
        "pip",
        "/root/.cache/pip",
        frozenset({"install", "download", "wheel"}),
        _pattern(r"/\.cache(/pip)?(/.*)?$"),
        _pattern(r"/\.cache(/pip)?/?$"),
        clean_commands=(("cache", "purge"), ("cache", "remove")),
        no_cache_options=frozenset({"--no-cache-dir"}),
        no_cache_variables=frozenset({"PIP_NO_CACHE_DIR"}),
    ),
    "uv pip": CacheUse(
        "uv",
        "/root/.cache/uv",
        frozenset({"install", "sync"}),
        _pattern(r"/\.cache(/uv)?(/.*)?$"),
        _pattern(r"/\.cache(/uv)?/?$"),
        clean_commands=(("cache", "clean"), ("cache", "prune")),
        no_cache_options=frozenset({"--no-cache", "-n"}),
        no_cache_variables=frozenset({"UV_NO_CACHE"}),
    ),
    "uv": CacheUse(
        "uv",
        "/root/.cache/uv",
        frozenset({"sync", "add", "tool install"}),
        _pattern(r"/\.cache(/uv)?(/.*)?$"),
        _pattern(r"/\.cache(/uv)?/?$"),
        clean_commands=(("cache", "clean"), ("cache", "prune")),
        no_cache_options=frozenset({"--no-cache", "-n"}),
        no_cache_variables=frozenset({"UV_NO_CACHE"}),
    ),
    "poetry": CacheUse(
        "poetry",
        "/root/.cache/pypoetry",
        frozenset({"install", "add"}),
        _pattern(r"/\.cache(/pypoetry)?(/.*)?$"),
        _pattern(r"/\.cache(/pypoetry)?/?$"),
        clean_commands=(("cache", "clear"),),
        no_cache_options=frozenset({"--no-cache"}),
    ),
    "npm": CacheUse(
        "npm",
        "/root/.npm",
        frozenset({"install", "ci"}),
        _pattern(r"/\.npm(/.*)?$"),
        _pattern(r"/\.npm/?$"),
        clean_commands=(("cache", "clean"),),
    ),
    "yarn": CacheUse(
        "yarn",
        "/usr/local/share/.cache/yarn",
        frozenset({"install", "add"}),
        _pattern(r"(/\.cache/yarn|/\.yarn/cache|/\.yarn-cache|/share/\.cache)(/.*)?$"),
        _pattern(r"(/\.cache/yarn|/\.yarn/cache|/\.yarn-cache|/share/\.cache)/?$"),
        clean_commands=(("cache", "clean"),),
    ),
    "bundle": CacheUse(
        "bundle",
        "the gem cache of the bundle path (/usr/local/bundle/cache)",
        frozenset({"install"}),
        _pattern(r"(bundle|gems?)(/ruby/[^/]+)?/cache(/.*)?$|/\.bundle/cache(/.*)?$"),
        _pattern(r"(bundle|gems?)(/ruby/[^/]+)?/cache/?$|/\.bundle/cache/?$"),
    ),
    "composer": CacheUse(
        "composer",
        "/root/.composer/cache",
        frozenset({"install", "require", "update"}),
        _pattern(r"/(\.composer|\.cache/composer)(/cache)?(/.*)?$"),
        _pattern(r"/(\.composer|\.cache/composer)(/cache)?/?$"),
        clean_commands=(("clear-cache",), ("clearcache",), ("cc",)),
        no_cache_options=frozenset({"--no-cache"}),
    ),
}

_HOME = re.compile(r"^(~|\$HOME|\$\{HOME\})(?=/|$)")


def home_path(path: str) -> str:
    """Spell ``~/x`` and ``$HOME/x`` as ``/root/x``, the home of the root user a build runs as by default."""
    return _HOME.sub("/root", path)


def cleans(command: dict[str, Any], cache: CacheUse) -> bool:
    """Return True when ``command`` empties ``cache``: the manager's clean command or an ``rm`` of the folder."""
    package = command.get("package")
    if package is not None:
        other = CACHES.get(package["manager"])
        if other is None or other.group != cache.group:
            return False
        # The action has aliases spelled out (zypper cc is clean); the words after it are as written.
        words = [word for word in _words_after_program(command["argv"], package["manager"]) if not word.startswith("-")]
        words = [package.get("action") or "", *words[1:]]
        return any(tuple(words[: len(clean)]) == clean for clean in other.clean_commands)
    if command.get("program") != "rm":
        return False
    return any(cache.removal.search(home_path(word)) for word in command["argv"][1:] if not word.startswith("-"))


def _words_after_program(argv: list[str], manager: str) -> list[str]:
    for index, word in enumerate(argv):
        if word.rsplit("/", 1)[-1] == manager.split()[0]:
            return argv[index + 1 + (1 if manager == "uv pip" else 0) :]
    return argv[1:]


# Options that make Node package managers leave out development dependencies.
_NODE_MANAGERS = frozenset({"npm", "yarn", "pnpm", "bun"})
_NODE_PRODUCTION_OPTIONS = frozenset(
    {"--production", "--prod", "-P", "--omit=dev", "--only=prod", "--only=production", "--production=true", "--prod=true"}
)
_NODE_OPTION_VALUES = {"--omit": "dev", "--only": "prod"}
# Requirement files and extras that hold development and test tools.
_DEV_REQUIREMENTS = re.compile(r"(^|[/_.-])(dev|devel|development|test|tests|testing|lint|ci)([/_.-]|$)", re.IGNORECASE)
_DEV_EXTRAS = re.compile(r"\[[^\]]*\b(dev|test|tests|testing|lint|all)\b[^\]]*\]$", re.IGNORECASE)
_DEBUGGERS = re.compile(r"(^|[-_])xdebug($|[-_])", re.IGNORECASE)


def installs_from_manifest(package: Mapping[str, Any], argv: list[str]) -> bool:
    """Return True for a call that installs what a manifest or lockfile lists (npm ci, pip install -r, bundle install)."""
    manager, action, options = package["manager"], package.get("action"), package.get("options", [])
    if manager in _NODE_MANAGERS:
        return action in ("install", "ci") and not package.get("packages") and "-g" not in options and "--global" not in options
    if manager in ("pip", "uv pip"):
        return action in ("install", "sync") and any(option in ("-r", "--requirement") or option.startswith("--requirement=") for option in options)
    if manager in ("poetry", "composer", "bundle"):
        return action == "install"
    if manager == "uv":
        return action == "sync"
    if manager == "go":
        return action == "mod" and "download" in argv
    if manager == "cargo":
        return action == "fetch"
    return False


def development_install(package: Mapping[str, Any], environment: Mapping[str, str | None]) -> bool | None:
    """Decide whether a call installs development dependencies.

    Returns None for calls that install no project dependencies, True when
    development dependencies (or a debugger such as Xdebug) are installed, and
    False when the call installs production dependencies only. ``environment``
    contains the variables in effect, such as ``NODE_ENV`` and ``BUNDLE_WITHOUT``.
    """
    manager, action, options = package["manager"], package.get("action"), package.get("options", [])
    if any(_DEBUGGERS.search(item["name"]) for item in package.get("packages", [])) and action in ("install", "add"):
        return True
    if manager in _NODE_MANAGERS:
        if action not in ("install", "ci") or package.get("packages") or "-g" in options or "--global" in options:
            return None
        return not (_node_production_options(options) or _node_production_environment(environment))
    if manager == "composer":
        if action != "install":
            return None
        return "--no-dev" not in options and not _truthy(environment.get("COMPOSER_NO_DEV"))
    if manager == "bundle":
        if action != "install":
            return None
        without = " ".join(_values_of(options, "--without")) + " " + (environment.get("BUNDLE_WITHOUT") or "")
        return not re.search(r"\bdevelopment\b", without)
    if manager == "poetry":
        if action != "install":
            return None
        return not ("--no-dev" in options or "--only-root" in options or _option_is(options, "--only", "main")
                    or re.search(r"\bdev\b", " ".join(_values_of(options, "--without"))))
    if manager == "uv":
        if action != "sync":
            return None
        return not ("--no-dev" in options or "--only-group" in options or _truthy(environment.get("UV_NO_DEV")))
    if manager in ("pip", "uv pip") and action == "install":
        requirements = _values_of(options, "-r") + _values_of(options, "--requirement")
        editable = [item["name"] for item in package.get("packages", [])]
        if any(_DEV_REQUIREMENTS.search(path.rsplit("/", 1)[-1]) for path in requirements):
            return True
        if any(_DEV_EXTRAS.search(name) for name in editable):
            return True
        return False if requirements else None
    return None


def prunes_development(package: Mapping[str, Any], environment: Mapping[str, str | None]) -> str | None:
    """Return the ecosystem whose development dependencies a call removes (``npm prune --omit=dev``), if any."""
    manager, action, options = package["manager"], package.get("action"), package.get("options", [])
    if manager in _NODE_MANAGERS and action == "prune":
        if manager == "npm" and not (_node_production_options(options) or _node_production_environment(environment)):
            return None
        if manager == "pnpm" and not _node_production_options(options):
            return None
        return "node"
    if manager == "yarn" and action == "workspaces" and "--production" in options:
        return "node"
    return None


def ecosystem(manager: str) -> str:
    """Group managers that install into the same dependency folder: a later production install replaces an earlier one."""
    if manager in _NODE_MANAGERS:
        return "node"
    if manager in ("pip", "uv pip", "uv", "poetry"):
        return "python"
    return manager


def _node_production_options(options: list[str]) -> bool:
    if any(option in _NODE_PRODUCTION_OPTIONS for option in options):
        return True
    return any(_option_is(options, name, value) for name, value in _NODE_OPTION_VALUES.items())


def _node_production_environment(environment: Mapping[str, str | None]) -> bool:
    # npm 7 and later, yarn 1, pnpm and bun leave out devDependencies when NODE_ENV is production.
    if (environment.get("NODE_ENV") or "").strip().lower() == "production":
        return True
    omit = environment.get("NPM_CONFIG_OMIT") or environment.get("npm_config_omit") or ""
    production = environment.get("NPM_CONFIG_PRODUCTION") or environment.get("npm_config_production") or ""
    return "dev" in omit.split() or _truthy(production)


def _option_is(options: list[str], name: str, value: str) -> bool:
    return any(item == value or item.startswith(value + ",") for item in _values_of(options, name))


def _values_of(options: list[str], name: str) -> list[str]:
    """Return the values given to an option, written ``--name value`` or ``--name=value``."""
    values: list[str] = []
    for index, option in enumerate(options):
        if option == name and index + 1 < len(options):
            values.append(options[index + 1])
        elif option.startswith(name + "="):
            values.append(option[len(name) + 1 :])
    return values


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")

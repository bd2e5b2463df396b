"""Build facts of package manager calls in RUN: caches, development dependencies and install order.

A helper of ``build.py``, which walks the stages and calls :func:`run_facts`
for each RUN, then :func:`mark_development_installs` once for the shipped chain.
The facts go into the ``package`` of each command (``prodpolicy/model/packages.py``).
"""

from __future__ import annotations

from typing import Any

from ... import package_effects


def run_facts(
    instruction: dict[str, Any],
    environment: dict[str, str | None],
    settings: dict[str, str | None],
    source_copy_line: int | None,
    shipped: bool,
) -> None:
    """Record the variables in effect for a RUN and the build context of each of its package manager calls.

    ``environment`` contains the ENV and ARG values in effect, and ``settings``
    the settings that earlier RUN lines of the chain made, which this RUN may add
    to. ``source_copy_line`` is the line of an earlier COPY of the whole build context.
    """
    if "facts" in instruction and environment:
        instruction["facts"]["env"] = dict(environment)
    commands = instruction.get("commands") or []
    mounts = [
        package_effects.home_path(mount.get("target") or "")
        for mount in instruction.get("mounts") or []
        if mount.get("type") in ("cache", "tmpfs")
    ]
    # Variables exported by earlier commands of the same script apply to the later ones.
    exported: dict[str, str | None] = {}
    for position, command in enumerate(commands):
        _export(command, exported)
        package = command.get("package")
        if package is None:
            continue
        seen = {**environment, **settings, **exported, **_assignments(command)}
        package["shipped"] = shipped
        _cache_fact(package, commands[position + 1 :], mounts, seen)
        if source_copy_line is not None and package_effects.installs_from_manifest(package, command["argv"]):
            package["after_source_copy"] = source_copy_line
        if shipped:
            _development_fact(package, seen)
        _bundle_settings(package, command["argv"], settings)


def _assignments(command: dict[str, Any]) -> dict[str, str | None]:
    return {item["name"]: item["value"] for item in command.get("assignments") or []}


def _export(command: dict[str, Any], exported: dict[str, str | None]) -> None:
    if command.get("program") != "export" or command.get("depth"):
        return
    for word in command["argv"][1:]:
        name, equals, value = word.partition("=")
        if equals:
            exported[name] = value


def _cache_fact(
    package: dict[str, Any], later: list[dict[str, Any]], mounts: list[str], environment: dict[str, str | None]
) -> None:
    cache = package_effects.CACHES.get(package["manager"])
    if cache is None or package.get("action") not in cache.actions:
        return
    package["cache_path"] = cache.path
    options = package.get("options", [])
    if any(option in cache.no_cache_options for option in options) or any(
        environment.get(name) for name in cache.no_cache_variables
    ):
        package["cache"] = "disabled"
    elif any(cache.mount.search(target) for target in mounts):
        package["cache"] = "mounted"
    elif any(package_effects.cleans(command, cache) for command in later):
        package["cache"] = "cleaned"
    else:
        package["cache"] = "left"


def _development_fact(package: dict[str, Any], environment: dict[str, str | None]) -> None:
    development = package_effects.development_install(package, environment)
    if development is not None:
        package["dev_dependencies"] = development
    pruned = package_effects.prunes_development(package, environment)
    if pruned is not None:
        # Read by mark_development_installs and removed there; it is not part of the model.
        package["_prunes"] = pruned


def _bundle_settings(package: dict[str, Any], argv: list[str], settings: dict[str, str | None]) -> None:
    """Record ``bundle config set without development``, which later bundle installs follow like BUNDLE_WITHOUT."""
    if package["manager"] != "bundle" or package.get("action") != "config" or "without" not in argv:
        return
    settings["BUNDLE_WITHOUT"] = " ".join(argv[argv.index("without") + 1 :])


def mark_development_installs(stages: list[dict[str, Any]], shipped: set[int]) -> None:
    """Clear the development fact of installs that a later call of the shipped chain removes again."""
    # TODO: follow COPY --from into builder stages: node_modules copied from a stage that ran a full
    # npm ci ships development dependencies too, and DF402 does not see it.
    calls: list[dict[str, Any]] = []
    for index in sorted(shipped):
        for instruction in [*(stages[index].get("triggers") or []), *stages[index]["instructions"]]:
            if instruction["keyword"] != "RUN":
                continue
            calls.extend(command["package"] for command in instruction.get("commands") or [] if "package" in command)
    for position, package in enumerate(calls):
        if package.get("dev_dependencies") and _removed_later(package, calls[position + 1 :]):
            package["dev_dependencies"] = False
    for package in calls:
        package.pop("_prunes", None)


def _removed_later(package: dict[str, Any], later: list[dict[str, Any]]) -> bool:
    """Return True when a later prune, or a production-only install into the same folder, removes them."""
    ecosystem = package_effects.ecosystem(package["manager"])
    if ecosystem not in ("node", "composer"):
        return False
    for other in later:
        if other.get("_prunes") == ecosystem:
            return True
        if other.get("dev_dependencies") is False and package_effects.ecosystem(other["manager"]) == ecosystem:
            return True
    return False

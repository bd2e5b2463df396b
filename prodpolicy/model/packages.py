"""Package manager calls found in shell commands (see ``prodpolicy.packages``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import ModelBase


class Package(ModelBase):
    """One package named in a package manager call."""

    name: str = Field(description="The package name, without version; the location for a path or URL")
    version: str | None = Field(None, description="The version or constraint after the operator, as written")
    operator: str | None = Field(
        None,
        description="How the version is attached, as written: = (apt, apk), == >= ~= (pip), @ (npm, go), "
        ": (gem, composer), - (name-version of yum and dnf), -v or --version (an option)",
    )
    release: str | None = Field(None, description="apt: the release after a slash, as in curl/bookworm-backports")
    source: Literal["path", "url", "group"] | None = Field(
        None, description="path or url: a package given by location; group: a yum or dnf @group"
    )
    raw: str = Field(description="The word as written")


class PackageCall(ModelBase):
    """A package manager call: the manager, its subcommand, the packages and the options."""

    manager: str = Field(
        description="apt-get, apt, aptitude, apk, yum, dnf, microdnf, zypper, pip (also pip3 and python -m pip), "
        "uv pip, uv, poetry, npm, yarn, pnpm, bun, gem, bundle, composer, go or cargo"
    )
    action: str | None = Field(
        None,
        description="The subcommand as written, short aliases spelled out (npm i is install, dnf rm is remove); "
        "yarn and bundle without one install",
    )
    packages: list[Package] = Field(default_factory=list, description="Packages named, for actions that take them")
    options: list[str] = Field(
        default_factory=list, description="Option words as written, in order, with the values of options that take one"
    )
    sudo: bool = Field(False, description="The call runs through sudo")
    unpinned: list[str] | None = Field(
        None,
        description="For calls that install named packages: the names given without a version (or with latest), "
        "leaving out packages given by path, URL, group or variable",
    )
    # Build context of a call in a Dockerfile RUN, filled after the stage walk.
    shipped: bool | None = Field(
        None,
        description="Dockerfile RUN: the call runs in the target stage or a stage it is built FROM, so what it "
        "writes is in the image",
    )
    cache: Literal["left", "cleaned", "disabled", "mounted"] | None = Field(
        None,
        description="Dockerfile RUN, for calls that download into a package cache: left in the layer, cleaned "
        "later in the same RUN, disabled by an option or variable, or kept on a cache or tmpfs mount",
    )
    cache_path: str | None = Field(None, description="Where the manager keeps that cache, such as /var/lib/apt/lists")
    dev_dependencies: bool | None = Field(
        None,
        description="Dockerfile RUN, for installs of a project's dependencies: true when development dependencies "
        "(or a debugger such as Xdebug) are installed and no later call in a shipped stage removes them",
    )
    after_source_copy: int | None = Field(
        None,
        description="Dockerfile RUN, for installs from a manifest or lockfile: the line of an earlier COPY or ADD "
        "of the whole build context in the same stage or a stage it is built FROM",
    )

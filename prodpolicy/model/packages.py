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

"""Profiles: which services run.

A service without ``profiles`` always runs; a service with profiles runs only
when one of them is active. Active profiles come from ``--profile`` or, when
none is given, from ``COMPOSE_PROFILES`` (comma-separated) in the project
environment. The profile ``*`` activates every service.
"""

from __future__ import annotations

from typing import Any


def active_profiles(requested: tuple[str, ...], variables: dict[str, str]) -> list[str]:
    """Return the active profiles: the requested ones, else those COMPOSE_PROFILES names."""
    if requested:
        return list(dict.fromkeys(requested))
    listed = variables.get("COMPOSE_PROFILES", "")
    return [name.strip() for name in listed.split(",") if name.strip()]


def is_active(service_profiles: Any, active: list[str]) -> bool:
    """Return True when a service with these profiles runs under the active ones."""
    if not service_profiles or not isinstance(service_profiles, list):
        return True
    if "*" in active:
        return True
    return any(str(profile) in active for profile in service_profiles)

"""The severities of findings, lowest first: a module without dependencies, for every layer to import."""

from __future__ import annotations

SEVERITIES = ("info", "low", "medium", "high", "critical")

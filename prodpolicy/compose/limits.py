"""Resource limits of a service: memory, CPU and process count, from either place compose accepts them.

``deploy.resources.limits`` (memory, cpus, pids) wins over the service keys
``mem_limit``, ``cpus``, ``cpu_quota`` with ``cpu_period``, and ``pids_limit``, as
docker compose applies it. Sizes follow Docker's units: a number of bytes, or
a number with b, k, m, g, t or p (case-insensitive, an optional trailing b),
in powers of 1024.
"""

from __future__ import annotations

import re
from typing import Any

from .interpolate import is_unknown

_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([bkmgtp]?)b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
# Docker's default CFS period, in microseconds, when cpu_quota is set without cpu_period.
_DEFAULT_CPU_PERIOD = 100_000


class LimitError(ValueError):
    """Raised for a limit docker compose would reject, such as ``mem_limit: lots``."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        # The service key that sets the limit (mem_limit, deploy), to point the error at its line.
        self.key = key


def resource_limits(service: dict[str, Any]) -> dict[str, Any]:
    """Return the memory (bytes), CPU and process limits in effect; None where none is set."""
    deploy = service.get("deploy")
    resources = deploy.get("resources") if isinstance(deploy, dict) else None
    limits = resources.get("limits") if isinstance(resources, dict) else None
    limits = limits if isinstance(limits, dict) else {}
    values = {
        "memory": (limits.get("memory"), "deploy.resources.limits.memory", _bytes),
        "cpus": (limits.get("cpus"), "deploy.resources.limits.cpus", _cpus),
        "pids": (limits.get("pids"), "deploy.resources.limits.pids", _pids),
    }
    fallbacks = {
        "memory": (service.get("mem_limit"), "mem_limit", _bytes),
        "cpus": (service.get("cpus"), "cpus", _cpus),
        "pids": (service.get("pids_limit"), "pids_limit", _pids),
    }
    result: dict[str, Any] = {"unknown": False}
    for name in ("memory", "cpus", "pids"):
        value, key, parse = values[name]
        if value is None:
            value, key, parse = fallbacks[name]
        if is_unknown(value):
            result["unknown"] = True
            result[name] = None
            continue
        try:
            result[name] = parse(value, key) if value is not None else None
        except LimitError as error:
            raise LimitError(str(error), key.split(".")[0]) from None
    if result["cpus"] is None and service.get("cpu_quota") is not None and not is_unknown(service.get("cpu_quota")):
        result["cpus"] = _quota(service.get("cpu_quota"), service.get("cpu_period"))
    return result


def _bytes(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise LimitError(f"{key} must be a size such as 512m, not {value!r}")
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    if match is None:
        raise LimitError(f"{key} must be a size such as 512m or 2g, not {value!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _cpus(value: Any, key: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LimitError(f"{key} must be a number of CPUs such as 0.5, not {value!r}") from None
    # 0 means no limit in Docker.
    return number if number > 0 else None


def _pids(value: Any, key: str) -> int | None:
    if isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit() or len(str(value)) > 20:
        raise LimitError(f"{key} must be a whole number, not {value!r}")
    number = int(str(value).strip())
    # 0 and -1 mean no limit in Docker.
    return number if number > 0 else None


def _quota(quota: Any, period: Any) -> float | None:
    try:
        quota_us = int(quota)
        period_us = int(period) if period is not None and not is_unknown(period) else _DEFAULT_CPU_PERIOD
    except (TypeError, ValueError):
        raise LimitError(f"cpu_quota and cpu_period must be whole numbers of microseconds, not {quota!r}") from None
    if quota_us <= 0 or period_us <= 0:
        return None
    return quota_us / period_us

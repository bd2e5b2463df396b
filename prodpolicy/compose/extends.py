"""``extends``: a service starts from another service, in the same file or another one.

The base service is resolved first (it may extend a third), copied, and the
extending service is merged over it with the same rules as a later compose
file. Paths in the base keep the folder of the file that declares them, so a
base from ``../common.yml`` resolves its ``./data`` there. A cycle or a missing
base is reported and the service is kept without the base.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .merge import merge_service
from .tree import Mapping, Origin, copy_tree

# Loads another compose file, interpolated, and returns its services mapping.
FileServices = Callable[[str, Origin | None], Mapping | None]
Report = Callable[[str, Origin | None], None]


class ExtendsResolver:
    """Resolves ``extends`` in the services of one file."""

    def __init__(self, load_services: FileServices, report: Report) -> None:
        self.load_services = load_services
        self.report = report

    def resolve_all(self, services: Mapping, file: str, directory: str) -> None:
        for name in list(services):
            self.resolve(services, name, file, directory, ())

    def resolve(self, services: Mapping, name: str, file: str, directory: str, stack: tuple[tuple[str, str], ...]) -> Any:
        service = services.get(name)
        if not isinstance(service, Mapping) or "extends" not in service:
            return service
        origin = service.origins.get("extends")
        if (file, name) in stack:
            chain = " -> ".join(entry[1] for entry in (*stack, (file, name)))
            self.report(f"services.{name}.extends forms a cycle ({chain}); the base is ignored", origin)
            service.pop("extends", None)
            return service
        spec = service["extends"]
        base_name, base_file = _parse_spec(spec)
        if base_name is None:
            self.report(f"services.{name}.extends needs a service name (extends: NAME or extends: {{service: NAME}})", origin)
            service.pop("extends")
            return service
        base = self._base(base_name, base_file, services, file, directory, (*stack, (file, name)), origin)
        service.pop("extends", None)
        service.origins.pop("extends", None)
        if base is None:
            return service
        merged = merge_service(copy_tree(base), service)
        if origin is not None:
            merged.origins.setdefault("extends", origin)
        services[name] = merged
        return merged

    def _base(
        self,
        base_name: str,
        base_file: str | None,
        services: Mapping,
        file: str,
        directory: str,
        stack: tuple[tuple[str, str], ...],
        origin: Origin | None,
    ) -> Mapping | None:
        if base_file is None:
            if base_name not in services:
                self.report(f"cannot extend service {base_name!r}: no such service in {file}", origin)
                return None
            base = self.resolve(services, base_name, file, directory, stack)
        else:
            path = base_file if os.path.isabs(base_file) else os.path.join(directory, base_file)
            other = self.load_services(path, origin)
            if other is None:
                return None
            if base_name not in other:
                self.report(f"cannot extend service {base_name!r}: no such service in {base_file}", origin)
                return None
            base = self.resolve(other, base_name, path, os.path.dirname(os.path.abspath(path)), stack)
        if not isinstance(base, Mapping):
            self.report(f"cannot extend service {base_name!r}: it is not a mapping", origin)
            return None
        return base


def _parse_spec(spec: Any) -> tuple[str | None, str | None]:
    if isinstance(spec, str):
        return spec, None
    if isinstance(spec, dict) and isinstance(spec.get("service"), str):
        file = spec.get("file")
        return spec["service"], str(file) if file else None
    return None, None

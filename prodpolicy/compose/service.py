"""Normalize one service: every key group into one shape, with the position of each part."""

from __future__ import annotations

import difflib
from typing import Any

from .. import secrets
from ..document import Location, Path
from . import credentials, environment, layout, limits, ports, process, resources, security, volumes
from .context import Context
from .interpolate import is_unknown
from .tree import Mapping, Origin, origin_of, plain

# Keys the compose specification defines for a service; any other key (except x-*) is an error.
SERVICE_KEYS = frozenset(
    """annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs container_name
    cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares cpus cpuset credential_spec
    depends_on deploy develop device_cgroup_rules devices dns dns_opt dns_search domainname driver_opts entrypoint
    env_file environment expose extends external_links extra_hosts gpus group_add healthcheck hostname image init ipc
    isolation label_file labels links logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit
    models network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop
    privileged profiles provider pull_policy read_only restart runtime scale secrets security_opt shm_size stdin_open
    stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits use_api_socket user userns_mode uts volumes
    volumes_from working_dir""".split()
)
# Keys normalized into fields of their own; the others are kept as written under ``settings``.
_NORMALIZED = frozenset(
    """image build user command entrypoint healthcheck environment env_file labels ports expose volumes tmpfs devices
    restart privileged read_only cap_add cap_drop security_opt network_mode pid ipc uts userns_mode cgroup networks
    depends_on secrets configs logging working_dir stop_signal container_name init profiles""".split()
)


class ServiceNormalizer:
    """Builds the normalized data of one service and records its locations."""

    def __init__(self, context: Context, name: str, service: Mapping, origin: Origin | None, active: bool) -> None:
        self.context = context
        self.name = name
        self.service = service
        self.origin = origin
        self.active = active
        # Inactive services are kept apart, so that rules selecting $.services[*] see only what runs.
        self.prefix: Path = ("services" if active else "inactive_services", name)
        # The key that decides the health check state and the restart policy, for the runtime view.
        self.healthcheck_origin: Origin | None = None
        self.restart_origin: Origin | None = None
        self.environment_origins: dict[str, Origin | None] = {}
        self.env_file_origins: dict[str, Origin] = {}

    def key_origin(self, key: str) -> Origin | None:
        return self.service.origins.get(key)

    def locate(self, suffix: Path, origin: Origin | None) -> None:
        self.context.locate((*self.prefix, *suffix), origin)

    def error(self, message: str, key: str | None = None, origin: Origin | None = None) -> None:
        where = origin or (self.key_origin(key) if key else None) or self.origin
        self.context.error(f"services.{self.name}{'.' + key if key else ''}: {message}", where)

    def build(self) -> dict[str, Any]:
        service = self.service
        self.locate((), self.origin)
        for key in service:
            if key not in SERVICE_KEYS and not key.startswith("x-"):
                close = difflib.get_close_matches(str(key), SERVICE_KEYS, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "check the spelling against the compose specification"
                self.error(f"unknown key {key!r}; {hint}", key)
            elif key in service.origins:
                self.locate((key,), service.origins[key])

        profiles = service.get("profiles") or []
        if not isinstance(profiles, list):
            self.error("must be a list of profile names, such as [debug]", "profiles")
            profiles = []
        data: dict[str, Any] = {"name": self.name, "active": self.active, "profiles": [str(item) for item in profiles]}
        data["image"] = self._guard("image", lambda: resources.image(service["image"]) if service.get("image") is not None else None)
        data["build"] = self._guard("build", lambda: resources.build(service.get("build")))

        data["user"] = process.user(service.get("user"))
        data["command"] = self._guard("command", lambda: process.process(service.get("command")))
        data["entrypoint"] = self._guard("entrypoint", lambda: process.process(service.get("entrypoint")))
        data["healthcheck"] = self._healthcheck()
        if data["healthcheck"]["state"] == "absent" and data["build"] is not None:
            # The HEALTHCHECK of the Dockerfile the service is built from decides, and that file is checked on its own.
            data["healthcheck"]["source"] = "build"

        data["environment"] = self._environment()
        data["env_files"] = self._env_files()
        data["labels"] = environment.labels(service.get("labels"))

        data["ports"] = self._items("ports", ports.parse_port, ports.PortError)
        data["expose"] = self._expose()
        data["volumes"] = self._items("volumes", lambda item, origin: volumes.parse_volume(item, self.context.directory(origin)), volumes.VolumeError)
        data["tmpfs"] = self._tmpfs()
        data["devices"] = self._items("devices", volumes.parse_device, ValueError)

        data["restart"] = self._restart()
        data["privileged"] = self._boolean("privileged")
        data["read_only"] = self._boolean("read_only")
        data["init"] = self._boolean("init")
        data["cap_add"] = self._items("cap_add", security.capability, ValueError)
        data["cap_drop"] = self._items("cap_drop", security.capability, ValueError)
        data["security_opt"] = self._items("security_opt", str, ValueError)
        data["no_new_privileges"] = security.no_new_privileges(data["security_opt"])
        data["host_namespaces"] = self._namespaces()
        for key in ("network_mode", "pid", "ipc", "uts", "userns_mode", "cgroup", "working_dir", "stop_signal", "container_name"):
            data[key] = environment.scalar_text(service.get(key))
        if is_unknown(service.get("container_name")):
            # A name a missing variable decides is not known, and not checked against Docker's name rules.
            data["container_name"] = None
        data["container_name_shared_with"] = []
        data["resources"] = self._limits()

        data["networks"] = self._networks()
        data["depends_on"] = resources.depends_on(service.get("depends_on"))
        data["secrets"] = resources.file_references(service.get("secrets"), "/run/secrets/")
        data["configs"] = resources.file_references(service.get("configs"), "/")
        data["logging"] = resources.logging(service.get("logging"))

        data["extensions"] = {key: plain(value) for key, value in service.items() if key.startswith("x-")}
        data["settings"] = {key: plain(value) for key, value in service.items() if key in SERVICE_KEYS and key not in _NORMALIZED}
        for key in data["settings"]:
            self.locate(("settings", key), service.origins.get(key))
        data["inline_credentials"] = self._inline_credentials()
        data["layout"] = self._layout()
        self._redact(data)
        return data

    def _layout(self) -> dict[str, Any]:
        """Record the order facts of the service and point each at the entry that breaks the order."""
        facts = layout.service_layout(self.service, self.origin, self.context.primary)
        containers = {"keys": self.service, "depends_on": self.service.get("depends_on"), "ports": self.service.get("ports")}
        for name, problem in facts.items():
            if problem is not None:
                self.locate(("layout", name), layout.origin_of_item(containers[name], problem["item"]))
        return facts

    def _limits(self) -> dict[str, Any]:
        try:
            return limits.resource_limits(self.service)
        except limits.LimitError as error:
            self.error(str(error), origin=self.key_origin(error.key) if error.key else None)
            return {"memory": None, "cpus": None, "pids": None, "unknown": True}

    def _expose(self) -> list[str]:
        """Return the ``expose`` entries as text; an entry with a port above 65535 is an error and left out."""
        values = self.service.get("expose") or []
        if not isinstance(values, list):
            return [str(values)]
        exposed: list[str] = []
        for index, item in enumerate(values):
            text = str(item)
            if not is_unknown(item):
                try:
                    ports.check_expose(text)
                except ports.PortError as error:
                    self.error(str(error), "expose", origin_of(values, index) or self.key_origin("expose"))
                    continue
            exposed.append(text)
        return exposed

    def _inline_credentials(self) -> list[dict[str, Any]]:
        """Find credentials written as options or assignments in command, entrypoint and the health check test."""
        found: list[dict[str, Any]] = []
        values = self.context.secret_values
        for key in ("command", "entrypoint"):
            credentials.find(key, credentials.written_argv(self.service.get(key)), found, values)
        healthcheck = self.service.get("healthcheck")
        if isinstance(healthcheck, dict):
            credentials.find_in_healthcheck(healthcheck.get("test"), found, values)
        origins = [self.key_origin(item["key"]) for item in found]
        # Build arguments end up in the image's history, and labels in its config, where anyone who pulls it reads them.
        build = self.service.get("build")
        build = build if isinstance(build, Mapping) else {}
        deploy = self.service.get("deploy")
        deploy = deploy if isinstance(deploy, Mapping) else {}
        mappings = (
            ("labels", self.service.get("labels")),
            ("build.args", build.get("args")),
            ("build.labels", build.get("labels")),
            ("deploy.labels", deploy.get("labels")),
        )
        for key, mapping in mappings:
            for name, value, origin in credentials.named_values(mapping):
                if credentials.find_named(key, name, value, found, values):
                    origins.append(origin or self.key_origin(key.split(".")[0]))
        for index, origin in enumerate(origins):
            self.locate(("inline_credentials", index), origin)
        return found

    def _redact(self, data: dict[str, Any]) -> None:
        """Mask credentials in commands, health checks, labels and build arguments, as in the environment."""
        known = self.context.secret_values
        for key in ("command", "entrypoint"):
            if data[key] is not None:
                data[key]["argv"] = secrets.mask_texts(list(data[key]["argv"]), known)
        data["healthcheck"] = secrets.mask_tree(data["healthcheck"], known)
        labels = data["labels"]
        texts = [value for value in labels.values() if value]
        masked = secrets.mask_texts(texts, known)
        if masked is not texts:
            replaced = dict(zip(texts, masked))
            data["labels"] = {name: replaced[value] if value else value for name, value in labels.items()}
        build = data["build"]
        if build is not None:
            for name, value in build["args"].items():
                match = secrets.classify(name, value) if value else None
                if match is not None:
                    known.add(value)  # type: ignore[arg-type]
                    build["args"][name] = match.redacted

    def _guard(self, key: str, build: Any) -> Any:
        try:
            return build()
        except ValueError as error:
            self.error(str(error), key)
            return None

    def _items(self, key: str, parse: Any, error_type: type[Exception]) -> list[dict[str, Any]]:
        value = self.service.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error("must be a list", key)
            return []
        result = []
        for index, item in enumerate(value):
            origin = origin_of(value, index) or self.key_origin(key)
            try:
                parsed = parse(item, origin) if key == "volumes" else parse(item)
            except error_type as error:
                self.error(str(error), key, origin)
                continue
            if key in ("ports", "volumes") and isinstance(parsed, dict):
                # Quoting style rules read how a short-syntax entry is written.
                item_origin = origin_of(value, index)
                parsed["style"] = item_origin.style if item_origin is not None and not isinstance(item, dict) else None
            self.locate((key, len(result)), origin)
            result.append(parsed)
        return result

    def _tmpfs(self) -> list[dict[str, Any]]:
        value = self.service.get("tmpfs")
        if isinstance(value, list):
            items = value
        elif value is None:
            items = []
        else:
            items = [value]
        result = []
        for index, item in enumerate(items):
            self.locate(("tmpfs", index), origin_of(value, index) if isinstance(value, list) else self.key_origin("tmpfs"))
            result.append(volumes.parse_tmpfs(item))
        return result

    def _boolean(self, key: str) -> bool | None:
        try:
            return security.boolean(self.service.get(key), key)
        except security.SettingError as error:
            self.error(str(error), key)
            return None

    def _healthcheck(self) -> dict[str, Any]:
        value = self.service.get("healthcheck")
        problems: list[tuple[str, str]] = []
        try:
            result, deciding_key = process.healthcheck(value, problems)
        except process.HealthcheckError as error:
            self.error(str(error), "healthcheck")
            return {"state": "absent", "source": "compose"}
        for message, key in problems:
            where = origin_of(value, key) if isinstance(value, Mapping) else None
            self.error(message, f"healthcheck.{key}", where)
        origin = origin_of(value, deciding_key) if deciding_key and isinstance(value, Mapping) else None
        self.healthcheck_origin = origin or self.key_origin("healthcheck") or self.origin
        self.locate(("healthcheck",), self.healthcheck_origin)
        return result

    def _environment(self) -> dict[str, dict[str, Any]]:
        value = self.service.get("environment")
        if value is not None and not isinstance(value, (dict, list)):
            self.error("must be a mapping or a list of NAME=value", "environment")
            return {}
        variables, origins = environment.environment(value, self.context, self.key_origin("environment"))
        for name, origin in origins.items():
            self.locate(("environment", name), origin)
        self.environment_origins = origins
        return variables

    def _env_files(self) -> list[dict[str, Any]]:
        value = self.service.get("env_file")
        if value is None:
            return []
        files = environment.env_files(value, self.context, self.key_origin("env_file"))
        for index, env_file in enumerate(files):
            self.locate(("env_files", index), origin_of(value, index) if isinstance(value, list) else self.key_origin("env_file"))
            env_file_name = env_file.get("location")
            if env_file_name is None:
                continue
            # Each variable points at its own line in the env file; a later file's value wins, as in compose.
            for name, item in env_file["variables"].items():
                origin = Origin(env_file_name, Location(item["line"], item["line"], 1))
                self.locate(("env_files", index, "variables", name), origin)
                self.env_file_origins[name] = origin
        return files

    def _restart(self) -> dict[str, Any]:
        try:
            result, key = resources.restart(self.service)
        except resources.ResourceError as error:
            self.error(str(error), "restart")
            return {"policy": None, "source": "restart", "raw": None, "unknown": True}
        if key == "deploy":
            deploy = self.service["deploy"]
            policy = deploy["restart_policy"]
            origin = origin_of(policy, "condition") or origin_of(deploy, "restart_policy")
        elif key == "restart":
            origin = self.key_origin("restart")
        else:
            origin = self.origin
        self.restart_origin = origin
        self.locate(("restart",), origin)
        return result

    def _namespaces(self) -> list[dict[str, str]]:
        result = []
        for key in security.NAMESPACE_KEYS:
            shared = security.host_namespace(key, self.service.get(key))
            if shared is not None:
                self.locate(("host_namespaces", len(result)), self.key_origin(key))
                result.append(shared)
        return result

    def _networks(self) -> dict[str, Any]:
        value = self.service.get("networks")
        if isinstance(value, list):
            return {str(name): None for name in value}
        if isinstance(value, dict):
            return {str(name): plain(item) for name, item in value.items()}
        return {}

"""Fill the runtime view from an image's container config.

``docker run`` follows the config, which is read this way:

* ``User`` empty or missing is root; ``0``, ``0:0``, ``root`` and ``root:group`` are root too;
* ``Healthcheck.Test`` ``["NONE"]`` disables the check, ``["CMD", ...]`` runs an argv and
  ``["CMD-SHELL", script]`` runs a script in the image's shell. An empty or missing test
  means no check. Durations are nanoseconds, and zero means Docker's default;
* ``Cmd`` and ``Entrypoint`` are argv lists; one that is exactly the image's shell
  (``Shell``, or ``/bin/sh -c`` by default) followed by a script was written in shell form.
"""

from __future__ import annotations

from typing import Any

from .. import secrets, shell
from ..document import Location, Path
from ..execution import execution
from .values import port_of, reference_of, user_of
from .view import ConfigView

_DEFAULT_SHELLS = {"windows": ["cmd", "/S", "/C"]}
_POSIX_SHELL = ["/bin/sh", "-c"]
_NANOSECONDS = 1e9
_DURATIONS = (("Interval", "interval"), ("Timeout", "timeout"), ("StartPeriod", "start_period"), ("StartInterval", "start_interval"))
BASE_NAME_ANNOTATION = "org.opencontainers.image.base.name"
BASE_DIGEST_ANNOTATION = "org.opencontainers.image.base.digest"


class RuntimeBuilder:
    """Builds ``runtimes[0]`` of one image and the positions of its fields."""

    def __init__(self, view: ConfigView, subject: str, annotations: dict[str, str]) -> None:
        self.view = view
        self.subject = subject
        self.annotations = annotations
        self.config_key = view.key("config")
        self.locations: dict[Path, Location] = {}
        # Raw secret values found in Env and Labels, for redacting the rest of the document.
        self.secret_values: set[str] = set()
        self.prefix: Path = ("runtimes", 0)

    def field(self, name: str, expected: type | tuple[type, ...]) -> Any:
        return self.view.get((self.config_key, name), expected)

    def locate(self, path: Path, *keys: str | int) -> None:
        """Record the position of a config field (or of the config itself) for a runtime path."""
        location = self.view.location(self.config_key, *keys) or self.view.location(self.config_key)
        if location is None and self.view.image.file_positions:
            location = self.view.image.locations.get(self.view.image.prefix)
        if location is not None:
            self.locations[(*self.prefix, *path)] = location

    def build(self) -> dict[str, Any]:
        shell_argv = self.view.strings((self.config_key, "Shell"))
        entrypoint = self.process("Entrypoint", shell_argv)
        cmd = self.process("Cmd", shell_argv)

        runtime: dict[str, Any] = {
            "subject": {"kind": "image", "name": self.subject},
            "base": self.base(),
            "user": self.user(),
            "healthcheck": self.healthcheck(),
            "entrypoint": entrypoint,
            "cmd": cmd,
            "execution": execution(entrypoint, cmd),
            "env": self.env(),
            "labels": self.labels(),
            "ports": self.ports(),
            "workdir": self.field("WorkingDir", str) or None,
            "stop_signal": self.field("StopSignal", str) or None,
            "volumes": list(self.field("Volumes", dict) or {}),
            "shell": shell_argv,
        }

        self.locate(())
        for path, key in (("workdir", "WorkingDir"), ("stop_signal", "StopSignal"), ("volumes", "Volumes")):
            self.locate((path,), key)
        for number, volume in enumerate(runtime["volumes"]):
            self.locate(("volumes", number), "Volumes", volume)
        self.locate(("entrypoint",), "Entrypoint")
        self.locate(("cmd",), "Cmd")
        shell_entrypoint = entrypoint is not None and entrypoint["form"] == "shell"
        self.locate(("execution",), "Cmd" if cmd is not None and not shell_entrypoint else "Entrypoint")
        return runtime

    def user(self) -> dict[str, Any]:
        raw = self.field("User", str)
        self.locate(("user",), "User")
        if not raw:
            # Docker runs a container as root when the image config sets no user.
            return {"raw": raw, "user": "root", "uid": 0, "is_root": True, "source": "config"}
        user = user_of(raw)
        user["source"] = "config"
        return user

    def healthcheck(self) -> dict[str, Any]:
        self.locate(("healthcheck",), "Healthcheck")
        keys = (self.config_key, "Healthcheck")
        if self.view.get(keys, dict) is None:
            return {"state": "absent", "source": "config"}
        # An empty test means "inherit the base image's check", and the base is already merged in.
        test = self.view.strings((*keys, "Test"))
        if not test:
            return {"state": "absent", "source": "config"}

        kind = test[0]
        if kind == "NONE":
            return {"state": "disabled", "source": "config", "test": test}
        healthcheck: dict[str, Any] = {"state": "configured", "source": "config", "test": test}
        if kind == "CMD" and len(test) > 1:
            healthcheck["form"] = "exec"
        elif kind == "CMD-SHELL" and len(test) == 2:
            healthcheck["form"] = "shell"
            healthcheck["commands"], _ = shell.parse_script(test[1])
        else:
            self.view.problem(
                (*keys, "Test"),
                f"Healthcheck.Test {test!r} is not NONE, CMD with a command or CMD-SHELL with a script; "
                "Docker cannot run it, so the image has no working health check",
            )
            return {"state": "absent", "source": "config", "test": test}

        for config_name, name in _DURATIONS:
            nanoseconds = self.view.get((*keys, config_name), int)
            if nanoseconds:
                healthcheck[name] = nanoseconds / _NANOSECONDS
        retries = self.view.get((*keys, "Retries"), int)
        if retries:
            healthcheck["retries"] = retries
        return healthcheck

    def process(self, name: str, shell_argv: list[str] | None) -> dict[str, Any] | None:
        argv = self.view.strings((self.config_key, name))
        if not argv:
            return None
        os_name = self.view.get((self.view.key("os"),), str) or ""
        expected_shell = shell_argv or _DEFAULT_SHELLS.get(os_name, _POSIX_SHELL)
        if len(argv) == len(expected_shell) + 1 and argv[:-1] == expected_shell:
            return {"form": "shell", "argv": argv, "script": argv[-1]}
        return {"form": "exec", "argv": argv}

    def env(self) -> dict[str, dict[str, Any]]:
        entries = self.field("Env", list) or []
        env: dict[str, dict[str, Any]] = {}
        for number, entry in enumerate(entries):
            if not isinstance(entry, str):
                self.view.mistyped((self.config_key, "Env", number), str, entry)
                continue
            name, equals, value = entry.partition("=")
            variable = self.variable(name, value if equals else None, self.view.line(self.config_key, "Env", number))
            env[name] = variable
            self.locate(("env", name), "Env", number)
        return env

    def labels(self) -> dict[str, dict[str, Any]]:
        labels: dict[str, dict[str, Any]] = {}
        for name, value in (self.field("Labels", dict) or {}).items():
            if not isinstance(value, str):
                self.view.mistyped((self.config_key, "Labels", name), str, value)
                continue
            labels[name] = self.variable(name, value, self.view.line(self.config_key, "Labels", name))
            self.locate(("labels", name), "Labels", name)
        return labels

    def variable(self, name: str, value: str | None, line: int | None) -> dict[str, Any]:
        variable: dict[str, Any] = {"name": name, "value": value}
        if secrets.is_credential_name(name):
            variable["credential_name"] = True
        if line is not None:
            variable["line"] = line
        match = secrets.classify(name, value) if value else None
        if match is not None:
            self.secret_values.add(value)  # type: ignore[arg-type]
            variable["value"] = match.redacted
            variable["secret"] = {"reason": match.reason}
        return variable

    def ports(self) -> list[dict[str, Any]]:
        ports = []
        for name in self.field("ExposedPorts", dict) or {}:
            port = port_of(name)
            if port is None:
                self.view.problem(
                    (self.config_key, "ExposedPorts", name),
                    f"ExposedPorts key {name!r} is not a port such as 8080/tcp; it was ignored",
                )
                continue
            self.locate(("ports", len(ports)), "ExposedPorts", name)
            ports.append(port)
        return ports

    def base(self) -> dict[str, Any] | None:
        """Return the base image that the OCI annotations or labels name, if any."""
        labels = self.field("Labels", dict) or {}
        name = self.annotations.get(BASE_NAME_ANNOTATION) or labels.get(BASE_NAME_ANNOTATION)
        if not isinstance(name, str) or not name:
            return None
        reference = reference_of(name)
        digest = self.annotations.get(BASE_DIGEST_ANNOTATION) or labels.get(BASE_DIGEST_ANNOTATION)
        if isinstance(digest, str) and digest and reference.get("digest") is None:
            reference["digest"] = digest
            reference["pinning"] = "digest"
        self.locate(("base",), "Labels", BASE_NAME_ANNOTATION)
        return reference

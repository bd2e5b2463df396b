"""Turn one :class:`ImageInput` into the data of an image document, with positions.

The runtime view comes from :mod:`.runtime`. This module adds the facts about
the image itself: names and digests, platform, layers and sizes, history read
as Dockerfile instructions, and the filesystem facts of archives. Secret values
found anywhere (Env, labels, history) are collected so the caller can redact
every string of every document of the input, and the source lines.
"""

from __future__ import annotations

from typing import Any

from .. import secrets
from ..document import Location, Path
from ..errors import InputError
from .history import parse_step, setuid_changes
from .inputs import ImageInput
from .runtime import RuntimeBuilder
from .values import reference_of, tag_reference
from .view import ConfigView


class ImageBuilder:
    """Builds the document data of one image."""

    def __init__(self, image: ImageInput, file: str, errors: list[InputError]) -> None:
        self.image = image
        self.file = file
        self.view = ConfigView(image, file, errors)
        self.locations: dict[Path, Location] = {}
        self.secret_values: set[str] = set()
        # Files that chmod commands in the history give the setuid or setgid bit, with the entry's index.
        self.history_setuid: list[dict[str, Any]] = []

    def locate(self, path: Path, *keys: str | int) -> None:
        location = self.view.location(*keys)
        if location is not None:
            self.locations[path] = location

    def build(self) -> dict[str, Any]:
        image = self.image
        subject = image.subject or self.subject(image.repo_tags)
        image.subject = subject

        runtime = RuntimeBuilder(self.view, subject, image.annotations)
        runtime_data = runtime.build()
        self.locations.update(runtime.locations)
        self.secret_values |= runtime.secret_values

        layers = self.layers()
        # The history goes first: its chmod commands are setuid evidence when the layers were not read.
        history = self.history(len(layers))
        data: dict[str, Any] = {
            "kind": "image",
            "file": self.file,
            "format": image.format,
            "subject": subject,
            "id": image.id or self.inspect_id(),
            "manifest_digest": image.manifest_digest,
            "repo_tags": image.repo_tags,
            "repo_digests": image.repo_digests,
            "references": self.references(image.repo_tags),
            "platform": self.platform(),
            "created": self.text("created"),
            "author": self.text("author"),
            "comment": self.text("comment"),
            "docker_version": self.text("docker_version"),
            "size": self.size(layers),
            "layer_count": len(layers) if layers or self.diff_ids() is not None else None,
            "layers": layers,
            "history": history,
            "annotations": image.annotations,
            "onbuild": self.onbuild(),
            "filesystem": image.filesystem,
            "setuid_files": self.setuid_files(),
            "files": image.files,
            "accounts": image.accounts,
            "runtimes": [runtime_data],
        }

        if image.file_positions:
            root = self.view.location() if image.prefix else Location(1)
            if root is not None:
                self.locations[()] = root
        self.locate(("platform",), self.view.key("architecture"))
        self.locate(("layers",), self.view.key("rootfs"))
        return data

    def inspect_id(self) -> str | None:
        return self.view.get(("Id",), str) if self.image.style == "inspect" else None

    def text(self, name: str) -> str | None:
        return self.view.get((self.view.key(name),), str)

    def subject(self, repo_tags: list[str]) -> str:
        names = repo_tags or self.image.ref_names or self.image.repo_digests
        if names:
            return names[0]
        identifier = self.image.id or self.inspect_id()
        if identifier:
            return identifier[:19]
        return "image"

    def references(self, repo_tags: list[str]) -> list[dict[str, Any]]:
        references = []
        for name in dict.fromkeys([*repo_tags, *self.image.ref_names]):
            # An OCI ref.name annotation may hold only the tag.
            only_tag = "/" not in name and ":" not in name and name not in repo_tags
            references.append(tag_reference(name) if only_tag else reference_of(name))
            if name in repo_tags:
                self.locate(("references", len(references) - 1), "RepoTags", repo_tags.index(name))
        return references

    def platform(self) -> dict[str, Any]:
        descriptor = self.image.platform or {}
        platform: dict[str, Any] = {}
        for name, descriptor_key in (("os", "os"), ("architecture", "architecture"), ("variant", "variant"), ("os_version", "os.version")):
            value = self.text(name) or descriptor.get(descriptor_key)
            platform[name] = value if isinstance(value, str) and value else None
        return platform

    def diff_ids(self) -> list[str] | None:
        values = self.view.get((self.view.key("rootfs"), self.view.key("diff_ids")), list)
        return [value for value in values if isinstance(value, str)] if values is not None else None

    def layers(self) -> list[dict[str, Any]]:
        diff_ids = self.diff_ids() or []
        manifest_layers = self.image.layers
        count = max(len(manifest_layers), len(diff_ids))
        layers = []
        for index in range(count):
            described = manifest_layers[index] if index < len(manifest_layers) else {}
            layers.append(
                {
                    "index": index,
                    "digest": described.get("digest"),
                    "diff_id": diff_ids[index] if index < len(diff_ids) else None,
                    "size": described.get("size"),
                    "media_type": described.get("media_type"),
                }
            )
        return layers

    def size(self, layers: list[dict[str, Any]]) -> int | None:
        reported = self.view.get(("Size",), int) if self.image.style == "inspect" else None
        if reported is not None:
            return reported
        sizes = [layer["size"] for layer in layers]
        if sizes and all(isinstance(size, int) for size in sizes):
            return sum(sizes)
        return None

    def onbuild(self) -> list[str]:
        triggers = self.view.get((self.view.key("config"), "OnBuild"), list) or []
        return [trigger for trigger in triggers if isinstance(trigger, str)]

    def setuid_files(self) -> list[dict[str, Any]]:
        """Return the setuid files of the layers when all were read, else those the history's chmod commands set."""
        filesystem = self.image.filesystem
        if filesystem is not None and filesystem.get("scanned"):
            return self.image.setuid_files
        files = list(self.image.setuid_files)
        for change in self.history_setuid:
            index = len(files)
            files.append(change)
            self.locate(("setuid_files", index), self.view.key("history"), change["history"])
        return files

    def history(self, layer_count: int) -> list[dict[str, Any]]:
        key = self.view.key("history")
        entries = self.view.get((key,), list) or []
        history = []
        layer = 0
        for number, entry in enumerate(entries):
            if not isinstance(entry, dict):
                self.view.mistyped((key, number), dict, entry)
                continue
            item = self.history_entry(entry, number, layer if layer < layer_count else None)
            item["rootfs"] = layer == 0 and not item["empty_layer"] and _adds_to_root(item.get("instruction"))
            history.append(item)
            if entry.get("empty_layer") is not True:
                layer += 1
            self.locate(("history", len(history) - 1), key, number)
        return history

    def history_entry(self, entry: dict[str, Any], number: int, layer: int | None) -> dict[str, Any]:
        empty = entry.get("empty_layer") is True
        created_by = entry.get("created_by") if isinstance(entry.get("created_by"), str) else None
        comment = entry.get("comment") if isinstance(entry.get("comment"), str) else None
        item: dict[str, Any] = {
            "index": number,
            "created": entry.get("created") if isinstance(entry.get("created"), str) else None,
            "created_by": created_by,
            "author": entry.get("author") if isinstance(entry.get("author"), str) else None,
            "comment": comment,
            "empty_layer": empty,
            "layer": None if empty else layer,
        }
        if not created_by:
            return item
        # The line of the entry in the config JSON (the input file, or the config blob of an archive).
        location = self.image.locations.get(self.view.path(self.view.key("history"), number))
        step = parse_step(created_by, comment, location.line if location else 1, self.file)
        item["builder"] = step.builder
        item["instruction"] = step.instruction
        item["build_args"] = step.build_args
        for change in setuid_changes(step.instruction):
            self.history_setuid.append({**change, "source": "history", "history": number})
        reason = self.history_secret(step.build_args, step.instruction, created_by)
        if reason is not None:
            item["secret"] = {"reason": reason}
        return item

    def history_secret(self, build_args: list[dict[str, Any]], instruction: dict[str, Any] | None, created_by: str) -> str | None:
        """Classify the values a step recorded; return the reason of the first secret."""
        reasons = []
        variables = [*build_args, *((instruction or {}).get("variables") or [])]
        for variable in variables:
            reason = self.classify(variable)
            if reason:
                reasons.append(reason)
        for command in (instruction or {}).get("commands") or []:
            for assignment in command.get("assignments") or []:
                match = secrets.classify(assignment["name"], assignment["value"]) if assignment["value"] else None
                if match is not None:
                    self.secret_values.add(assignment["value"])
                    reasons.append(match.reason)
        tokens = secrets.find_tokens(created_by)
        if tokens:
            self.secret_values.update(tokens)
            reasons.append(f"token:{secrets.token_shape(tokens[0])}")
        return reasons[0] if reasons else None

    def classify(self, variable: dict[str, Any]) -> str | None:
        """Mark credential names and redact a secret value in one variable, in place."""
        name = variable["name"]
        if secrets.is_credential_name(name):
            variable["credential_name"] = True
        value = variable.get("value")
        match = secrets.classify(name, value) if value else None
        if match is None:
            return None
        self.secret_values.add(value)
        raw = variable.get("raw")
        if raw:
            self.secret_values.add(raw)
            variable["raw"] = secrets.redact_text(raw, {value, raw})
        variable["value"] = match.redacted
        variable["secret"] = {"reason": match.reason}
        return match.reason


def _adds_to_root(instruction: dict[str, Any] | None) -> bool:
    """Return True for an ADD whose destination is /, as base images add their root file system."""
    if not instruction or instruction.get("keyword") != "ADD":
        return False
    copy = instruction.get("copy") or {}
    return copy.get("destination") in ("/", "/.")

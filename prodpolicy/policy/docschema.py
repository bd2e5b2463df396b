"""Check at load time that a rule's paths can exist in the document model.

A typo such as ``$.runtimes[*].usr`` or ``user.is_rot`` would otherwise select
nothing and the rule would pass silently forever. The check walks the JSON
Schema of the pydantic document model, generically: any document class added to
the ``DocumentModel`` union is checked the same way, with no list of paths kept
here. Each JSONPath step maps a set of schema nodes to the set it can reach. A
step that reaches nothing is an error that names the valid fields at that point.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path
from collections.abc import Iterable, Sequence
from typing import Any

from .jsonpath import Step

# A schema node that allows anything, such as the value of an untyped field.
_ANY: dict[str, Any] = {}
_SCALAR_TYPES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "a boolean"}


class SchemaPathError(ValueError):
    """Raised for a path that cannot select anything in the documents a rule applies to."""


class DocumentSchema:
    """The JSON Schema of the document model, indexed by input kind."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._definitions: dict[str, Any] = schema.get("$defs", {})
        self._roots: dict[str, list[dict[str, Any]]] = {}
        mapping = schema.get("discriminator", {}).get("mapping", {})
        for kind, reference in mapping.items():
            self._roots[kind] = self.expand({"$ref": reference})
        if not mapping:
            for branch in schema.get("oneOf", schema.get("anyOf", [schema])):
                for node in self.expand(branch):
                    kind = node.get("properties", {}).get("kind", {}).get("const")
                    if kind is not None:
                        self._roots[kind] = [node]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._roots)

    def roots(self, kinds: Iterable[str]) -> list[dict[str, Any]] | None:
        """Return the root nodes of the given kinds, or None when none of them is in the model yet."""
        nodes = [node for kind in sorted(kinds) for node in self._roots.get(kind, [])]
        return nodes or None

    def expand(self, schema: Any, seen: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
        """Resolve ``$ref`` and unions into concrete nodes; null alternatives are dropped."""
        if not isinstance(schema, dict):
            return [_ANY] if schema is True else []
        reference = schema.get("$ref")
        if isinstance(reference, str):
            name = reference.rsplit("/", 1)[-1]
            if name in seen or name not in self._definitions:
                return []
            return self.expand(self._definitions[name], seen | {name})
        for union in ("anyOf", "oneOf", "allOf"):
            if union in schema:
                return [node for branch in schema[union] for node in self.expand(branch, seen)]
        if schema.get("type") == "null":
            return []
        return [schema]

    def select(self, nodes: Sequence[dict[str, Any]], steps: Sequence[Step], start: str) -> list[dict[str, Any]]:
        """Return the nodes a path reaches from ``nodes``; raise :class:`SchemaPathError` when it reaches none.

        ``start`` names where the path starts (``$`` or ``the matched node``), for messages.
        """
        current = list(nodes)
        written = start
        for step in steps:
            if _allows_anything(current):
                return [_ANY]
            reached = self._step(current, step, written)
            written += _format_step(step)
            current = reached
        return current

    def items(self, nodes: Sequence[dict[str, Any]], written: str) -> list[dict[str, Any]]:
        """Return the nodes of the items of a list, or the values of a mapping, as ``any_item`` tests them."""
        if _allows_anything(nodes):
            return [_ANY]
        return self._step(nodes, ("wildcard",), written)

    def _step(self, nodes: list[dict[str, Any]], step: Step, written: str) -> list[dict[str, Any]]:
        kind = step[0]
        if kind == "name":
            reached: list[dict[str, Any]] = []
            for name in step[1]:
                found = [child for node in nodes for child in self._child(node, name)]
                if not found:
                    raise SchemaPathError(_no_field(nodes, name, written))
                reached.extend(found)
            return reached
        if kind == "wildcard":
            reached = [child for node in nodes for child in self._children(node)]
            if not reached:
                raise SchemaPathError(f"{written} is {_describe(nodes)}, which has no items or fields for [*]")
            return reached
        if kind in ("index", "slice"):
            reached = [child for node in nodes if _is_array(node) for child in self._array_items(node)]
            if not reached:
                raise SchemaPathError(f"{written} is {_describe(nodes)}, not a list, so it has no index {_format_step(step)}")
            return reached
        return self._descendants(nodes)

    def _child(self, node: dict[str, Any], name: str) -> list[dict[str, Any]]:
        if not _is_object(node):
            return []
        properties = node.get("properties", {})
        if name in properties:
            return self.expand(properties[name]) or [_ANY]
        extra = node.get("additionalProperties", "properties" not in node)
        if isinstance(extra, dict):
            return self.expand(extra) or [_ANY]
        return [_ANY] if extra is True else []

    def _children(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        if _is_array(node):
            return self._array_items(node)
        if not _is_object(node):
            return []
        children = [child for value in node.get("properties", {}).values() for child in self.expand(value)]
        extra = node.get("additionalProperties", "properties" not in node)
        if isinstance(extra, dict):
            children.extend(self.expand(extra))
        elif extra is True:
            children.append(_ANY)
        return children

    def _array_items(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        items = [child for item in node.get("prefixItems", []) for child in self.expand(item)]
        if "items" in node:
            items.extend(self.expand(node["items"]))
        elif "prefixItems" not in node:
            items.append(_ANY)
        return items

    def _descendants(self, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The document model is recursive (ONBUILD contains an instruction), so track visited nodes.
        reached: list[dict[str, Any]] = []
        seen: set[int] = set()
        pending = list(nodes)
        while pending:
            node = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            reached.append(node)
            pending.extend(self._children(node))
        return reached


@functools.lru_cache(maxsize=1)
def document_schema() -> DocumentSchema:
    """Return the schema of the document model, generated from the pydantic classes once per process.

    The generated JSON schema is kept in the cache folder (see :mod:`prodpolicy.policy.cache`),
    under a name derived from the model's source files and the pydantic version.
    """
    from . import cache

    def name() -> str:
        model = Path(__file__).resolve().parent.parent / "model"
        return cache.digest("document-schema", [cache.pydantic_version_file(), *sorted(model.glob("*.py"))])

    return DocumentSchema(cache.cached(name, _generate_schema, cache.encode_json, _decode_schema))


def _decode_schema(data: bytes) -> dict[str, Any]:
    from . import cache

    schema = cache.decode_json(data)
    if not isinstance(schema, dict) or not isinstance(schema.get("$defs"), dict):
        raise ValueError("the cached document schema is not a JSON Schema with $defs")
    return schema


def _generate_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    from ..model import DocumentModel

    return TypeAdapter(DocumentModel).json_schema(mode="serialization")


def _allows_anything(nodes: Sequence[dict[str, Any]]) -> bool:
    return any(node is _ANY or not _node_type(node) for node in nodes)


def _node_type(node: dict[str, Any]) -> str | None:
    declared = node.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list):
        for kind in ("object", "array"):
            if kind in declared:
                return kind
        return str(declared[0])
    if "properties" in node or "additionalProperties" in node:
        return "object"
    if "items" in node or "prefixItems" in node:
        return "array"
    if "enum" in node or "const" in node:
        return "string"
    return None


def _is_object(node: dict[str, Any]) -> bool:
    return node is _ANY or _node_type(node) == "object"


def _is_array(node: dict[str, Any]) -> bool:
    return node is _ANY or _node_type(node) == "array"


def _describe(nodes: Sequence[dict[str, Any]]) -> str:
    names: list[str] = []
    for node in nodes:
        kind = _node_type(node)
        if kind == "object":
            name = node.get("title")
            name = f"{'an' if name[0] in 'AEIO' else 'a'} {name} object" if name and "properties" in node else "a mapping"
        elif kind == "array":
            name = "a list"
        else:
            name = _SCALAR_TYPES.get(kind or "", kind or "a value")
        if name not in names:
            names.append(name)
    return " or ".join(names) or "nothing"


def _no_field(nodes: Sequence[dict[str, Any]], name: str, written: str) -> str:
    known = sorted({field for node in nodes if _is_object(node) for field in node.get("properties", {})})
    message = f"{written} is {_describe(nodes)}, which has no field {name!r}"
    if not known:
        return message
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    return f"{message}{hint} Its fields: {', '.join(known)}"


def _format_step(step: Step) -> str:
    kind = step[0]
    if kind == "name":
        return "".join(f".{name}" for name in step[1])
    if kind == "wildcard":
        return "[*]"
    if kind == "index":
        return "[" + ",".join(str(index) for index in step[1]) + "]"
    if kind == "slice":
        start, end, stride = step[1], step[2], step[3]
        text = f"{'' if start is None else start}:{'' if end is None else end}"
        return f"[{text}{'' if stride is None else f':{stride}'}]"
    return ".."

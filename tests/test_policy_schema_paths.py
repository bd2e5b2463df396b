"""Paths in rules are checked against the document model's schema, walked generically."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import pytest
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from prodpolicy.model import DocumentModel
from prodpolicy.policy.docschema import DocumentSchema, SchemaPathError, document_schema
from prodpolicy.policy.jsonpath import compile_path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Layer(_Strict):
    digest: str
    size: int
    children: list[Layer] = Field(default_factory=list)


class Widget(_Strict):
    kind: Literal["widget"] = "widget"
    name: str
    layers: list[Layer]
    labels: dict[str, str] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(default_factory=dict)
    owner: Layer | None = None


class Gadget(_Strict):
    kind: Literal["gadget"] = "gadget"
    name: str
    ports: list[int]


SCHEMA = DocumentSchema(
    TypeAdapter(Annotated[Union[Widget, Gadget], Field(discriminator="kind")]).json_schema(mode="serialization")
)


def select(kinds: list[str], path: str) -> list[dict]:
    roots = SCHEMA.roots(kinds)
    assert roots is not None
    return SCHEMA.select(roots, compile_path(path).steps, "$")


def error(kinds: list[str], path: str) -> str:
    with pytest.raises(SchemaPathError) as raised:
        select(kinds, path)
    return str(raised.value)


def test_kinds_come_from_the_discriminated_union():
    assert SCHEMA.kinds == frozenset({"widget", "gadget"})
    assert SCHEMA.roots(["compose"]) is None


@pytest.mark.parametrize(
    "path",
    [
        "$.name",
        "$.layers[*].digest",
        "$.layers[0].children[-1:].size",
        "$.labels.team",
        "$.labels[*]",
        "$.extra.anything.below.it",
        "$.owner.digest",
        "$..digest",
        "$.layers..children[*].size",
        "$['name', 'layers']",
    ],
)
def test_paths_that_can_exist(path):
    assert select(["widget"], path)


@pytest.mark.parametrize(
    ("kinds", "path", "message"),
    [
        (["widget"], "$.nmae", "$ is a Widget object, which has no field 'nmae'; did you mean 'name'?"),
        (["widget"], "$.layers[*].digets", "$.layers[*] is a Layer object, which has no field 'digets'; did you mean 'digest'?"),
        (["widget"], "$.name.first", "$.name is text, which has no field 'first'"),
        (["widget"], "$.layers.digest", "$.layers is a list, which has no field 'digest'"),
        (["widget"], "$.name[0]", "$.name is text, not a list, so it has no index [0]"),
        (["widget"], "$.labels.team.name", "$.labels.team is text, which has no field 'name'"),
        (["gadget"], "$..nothing_has_this", "which has no field 'nothing_has_this'"),
        (["gadget"], "$.layers", "$ is a Gadget object, which has no field 'layers'."),
    ],
)
def test_paths_that_cannot_exist(kinds, path, message):
    assert message in error(kinds, path)


def test_untyped_mapping_accepts_any_path_below_it():
    # extra is dict[str, Any]: a descendant search can end there, so any name may exist.
    assert select(["widget"], "$..nothing_has_this")


def test_path_valid_for_one_kind_passes():
    assert select(["widget", "gadget"], "$.ports[*]")
    assert select(["widget", "gadget"], "$.layers[*]")
    assert "has no field 'ports'" in error(["widget"], "$.ports[*]")


def test_every_kind_of_the_document_model_is_checked():
    union = TypeAdapter(DocumentModel).json_schema(mode="serialization")
    declared = set(union.get("discriminator", {}).get("mapping", {})) or {"dockerfile"}

    assert document_schema().kinds == frozenset(declared)
    for kind in declared:
        roots = document_schema().roots([kind])
        assert roots is not None
        assert document_schema().select(roots, compile_path("$.runtimes[*].user.is_root").steps, "$")

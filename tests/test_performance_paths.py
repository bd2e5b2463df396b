"""The parser for simple JSONPaths gives the steps jsonpath-ng's parser gives, on every path of the bundled rules."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml

from prodpolicy.policy import jsonpath
from prodpolicy.policy.jsonpath import _compile_parsed, _compile_simple, compile_path

RULES = Path(__file__).resolve().parents[1] / "policies" / "rules"

HAND_WRITTEN = [
    "$",
    "@",
    "keyword",
    "@.keyword",
    "@keyword",
    "$.stages[*].instructions[0]",
    "$.stages[*].instructions[*].commands[*].package.packages[*]",
    "argv[1]",
    "copy.sources[*].path",
    "[0]",
    "[*]",
    "$[2]",
    "  facts.env.NODE_ENV  ",
    "_private.name_2",
]

# Paths the simple parser must leave to jsonpath-ng.
NOT_SIMPLE = ["$..name", "a..b", "$.a[-1]", "$.a[1:3]", "$.a.*", "$.where", "a.wherenot", "$ab", ".a", "a-b", "$['a']", "a[0,1]"]


def _fields(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "field" and isinstance(item, str):
                found.append(item)
            else:
                found.extend(_fields(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_fields(item))
    return found


def _bundled_paths() -> list[str]:
    paths: set[str] = set()
    for file in sorted(RULES.rglob("*.yaml")):
        rule = yaml.safe_load(file.read_text(encoding="utf-8"))
        given = rule.get("given")
        paths.update([given] if isinstance(given, str) else given or [])
        paths.update(rule.get("report_at") or [])
        paths.update(_fields(rule.get("when")))
    return sorted(paths)


def test_bundled_paths_mostly_simple() -> None:
    paths = _bundled_paths()
    simple = [path for path in paths if _compile_simple(path) is not None]
    assert len(paths) > 200
    # Nearly every path a rule writes takes the fast parser; the rest show what it leaves out.
    assert len(simple) >= len(paths) * 0.95


@pytest.mark.parametrize("text", [*HAND_WRITTEN, *_bundled_paths()])
def test_simple_parser_same_steps(text: str) -> None:
    simple = _compile_simple(text)
    parsed = _compile_parsed(text)
    if simple is None:
        # A path outside the simple grammar is compiled by jsonpath-ng alone.
        assert compile_path(text) == parsed
        return
    assert simple.steps == parsed.steps
    assert simple.relative == parsed.relative
    assert simple.names == parsed.names
    assert simple.text == parsed.text


@pytest.mark.parametrize("text", NOT_SIMPLE)
def test_simple_parser_leaves_others(text: str) -> None:
    assert _compile_simple(text) is None


def test_compiled_paths_shared() -> None:
    assert compile_path("copy.sources[*].path") is compile_path("copy.sources[*].path")


SHARED_DATA: Any = {
    "stages": [
        {"instructions": [{"keyword": "RUN", "commands": [{"program": "a"}, {"program": "b"}]}, {"keyword": "COPY"}]},
        {"instructions": [{"keyword": "RUN", "commands": [{"program": "c"}]}]},
    ]
}
SHARED_PATHS = [
    "$.stages[*].instructions[*]",
    "$.stages[*].instructions[*].commands[*]",
    "$.stages[*].instructions[*].commands[*].program",
    "$.stages[*].instructions[0]",
    "$.stages[*].missing[*]",
    "$",
    "$.stages[*].instructions[*].commands[*]",
]


def test_find_sharing_same_as_find() -> None:
    found: dict[Any, Any] = {}

    for text in SHARED_PATHS:
        path = compile_path(text)
        assert path.find_sharing(SHARED_DATA, found) == path.find(SHARED_DATA)
    assert found[compile_path("$.stages[*].instructions[*].commands[*]").prefix_ids[-1]] == [
        (("stages", 0, "instructions", 0, "commands", 0), {"program": "a"}),
        (("stages", 0, "instructions", 0, "commands", 1), {"program": "b"}),
        (("stages", 1, "instructions", 0, "commands", 0), {"program": "c"}),
    ]
    assert len(found) == 10


def test_find_sharing_reuses_prefixes() -> None:
    # A planted prefix result shows that the longest walked prefix is reused, not walked again.
    planted = [(("x",), {"commands": [{"program": "z"}]})]
    found: dict[Any, Any] = {compile_path("$.stages[*].instructions[*]").prefix_ids[-1]: planted}

    assert compile_path("$.stages[*].instructions[*].commands[*].program").find_sharing(SHARED_DATA, found) == [
        (("x", "commands", 0, "program"), "z")
    ]


FORMATTED_PATHS = [
    ((), "$"),
    (("stages", 0, "base"), "$['stages'][0]['base']"),
    (("services", "it's", "environment", "A\\B"), "$['services']['it\\'s']['environment']['A\\\\B']"),
    (("services", "web", "ports", 3), "$['services']['web']['ports'][3]"),
]


def test_formatted_paths_kept_and_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths are kept once formatted; past the size the memory starts again, with the same texts.
    monkeypatch.setattr(jsonpath, "_FORMATTED_SIZE", 2)
    jsonpath._FORMATTED.clear()
    for _ in range(2):
        assert [jsonpath.format_path(path) for path, _ in FORMATTED_PATHS] == [text for _, text in FORMATTED_PATHS]
        assert len(jsonpath._FORMATTED) <= 2


def test_pickled_path_shares_prefixes() -> None:
    path = compile_path("$.stages[*].instructions[*].commands[*]")
    copy = pickle.loads(pickle.dumps(path))
    found: dict[Any, Any] = {}

    assert copy == path
    assert copy.prefix_ids == path.prefix_ids
    assert copy.find_sharing(SHARED_DATA, found) == path.find(SHARED_DATA)
    assert compile_path("$.stages[*].instructions[*]").find_sharing(SHARED_DATA, found) is found[path.prefix_ids[3]]

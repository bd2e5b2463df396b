"""The YAML loader reads scalars as YAML 1.2 and keeps positions."""

from __future__ import annotations

import time

import pytest

from prodpolicy.yamlload import YAMLError, load_yaml

from .helpers import CASES


def test_yaml_11_words_stay_strings():
    data = load_yaml("a: no\nb: on\nc: yes\nd: 22:22\ne: true\nf: ~\ng: 0o17\nh: 1.5\ni: 2024-01-01\n").data
    assert data == {"a": "no", "b": "on", "c": "yes", "d": "22:22", "e": True, "f": None, "g": 15, "h": 1.5, "i": "2024-01-01"}


def test_positions_of_keys_and_items():
    loaded = load_yaml("services:\n  web:\n    ports:\n      - '80:80'\n      - target: 443\n")
    assert loaded.locations[("services", "web", "ports")].line == 3
    assert loaded.locations[("services", "web", "ports", 0)].line == 4
    assert loaded.locations[("services", "web", "ports", 1)].line == 5


def test_duplicate_key_names_both_lines():
    with pytest.raises(YAMLError) as raised:
        load_yaml("a:\n  x: 1\n  y: 2\n  x: 3\n")
    assert raised.value.line == 4
    assert "first defined at line 2" in raised.value.message


def test_merge_keys_take_the_merge_line():
    loaded = load_yaml("base: &base\n  restart: always\n  image: a\nweb:\n  <<: *base\n  image: b\n")
    assert loaded.data["web"] == {"image": "b", "restart": "always"}
    assert loaded.locations[("web", "restart")].line == 5
    assert loaded.locations[("web", "image")].line == 6


def test_alias_bomb_is_rejected_fast():
    text = (CASES / "alias-fanout.yml").read_text(encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(YAMLError) as raised:
        load_yaml(text)
    assert time.perf_counter() - started < 2
    assert raised.value.line == 2
    assert "alias" in raised.value.message


def test_unknown_tags_are_rejected():
    with pytest.raises(YAMLError) as raised:
        load_yaml("a: !!python/object:os.system x\n")
    assert raised.value.message == "unsupported tag tag:yaml.org,2002:python/object:os.system; remove it: only YAML's standard tags are read"
    with pytest.raises(YAMLError) as raised:
        load_yaml("a: !reset []\n")
    assert (raised.value.line, raised.value.column) == (1, 4)


def test_unknown_tag_message_lists_the_allowed_ones():
    with pytest.raises(YAMLError) as raised:
        load_yaml("image: !custom nginx\n", allowed_tags=frozenset({"!reset", "!override"}))

    assert raised.value.message == "unsupported tag !custom; remove it: only YAML's standard tags and !override, !reset are read"


def test_allowed_tags_are_reported_by_path():
    loaded = load_yaml("a: !reset []\nb: !override {x: 1}\n", allowed_tags=frozenset({"!reset", "!override"}))
    assert loaded.data == {"a": [], "b": {"x": 1}}
    assert loaded.tags == {("a",): "!reset", ("b",): "!override"}


def test_syntax_error_has_a_position():
    with pytest.raises(YAMLError) as raised:
        load_yaml("a: [1, 2\nb: 3\n")
    assert raised.value.line is not None


def test_values_limit_without_aliases() -> None:
    # A document without aliases is still counted when it could go over the limit.
    with pytest.raises(YAMLError, match="more values than"):
        load_yaml("a: [1, 2, 3, 4, 5]\n", max_values=5)

    assert load_yaml("a: [1, 2, 3, 4, 5]\n", max_values=8).data == {"a": [1, 2, 3, 4, 5]}


def test_compose_resolver_tags_every_plain_scalar() -> None:
    loaded = load_yaml('<<: {a: 1}\nb: "2"\nc: 3\nd: \'<<\'\n', scalars="compose")

    assert loaded.data == {"a": 1, "b": "2", "c": 3, "d": "<<"}
    assert loaded.merged == {("a",)}
    # A plain << is a merge key wherever it appears, as in PyYAML's own resolver.
    with pytest.raises(YAMLError, match="unsupported tag tag:yaml.org,2002:merge"):
        load_yaml("e: <<\n", scalars="compose")

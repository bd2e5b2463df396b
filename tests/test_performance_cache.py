"""The cache of derived policy data: keyed by content, replaced when stale, skipped when off or unreadable."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prodpolicy.policy import cache
from prodpolicy.policy.model import Condition
from prodpolicy.policy.problems import Problems
from prodpolicy.policy.read import Reader
from prodpolicy.policy.spec import BoundsSpec, ConditionSpec, RuleSpec, condition_spec, rule_from_plain, rule_to_plain


def test_digest_follows_content(tmp_path: Path) -> None:
    source = tmp_path / "rule.yaml"
    source.write_text("id: A\n", encoding="utf-8")
    first = cache.digest("rules", [source])
    assert cache.digest("rules", [source]) == first
    source.write_text("id: B\n", encoding="utf-8")
    assert cache.digest("rules", [source]) != first
    assert first.startswith("rules-")


def test_cached_computes_once(cache_folder: Path) -> None:
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"value": 42}

    first = cache.cached(lambda: "kind-aaaa", compute, cache.encode_json, cache.decode_json)
    second = cache.cached(lambda: "kind-aaaa", compute, cache.encode_json, cache.decode_json)
    assert first == second == {"value": 42}
    assert len(calls) == 1
    assert [path.name for path in cache_folder.iterdir()] == ["kind-aaaa"]


def test_new_entry_removes_older(cache_folder: Path) -> None:
    first, second, other = "kind-" + "a" * 32, "kind-" + "b" * 32, "other-" + "c" * 32
    cache.cached(lambda: first, lambda: 1, cache.encode_json, cache.decode_json)
    cache.cached(lambda: other, lambda: 3, cache.encode_json, cache.decode_json)
    cache.cached(lambda: second, lambda: 2, cache.encode_json, cache.decode_json)
    assert sorted(path.name for path in cache_folder.iterdir()) == [second, other]


def test_unreadable_entry_computed_again(cache_folder: Path) -> None:
    cache_folder.mkdir()
    (cache_folder / "kind-aaaa").write_bytes(b"not json")
    value = cache.cached(lambda: "kind-aaaa", lambda: [1, 2], cache.encode_json, cache.decode_json)
    assert value == [1, 2]
    assert (cache_folder / "kind-aaaa").read_bytes().endswith(b"[1,2]")


def test_entry_changed_after_writing_computed_again(cache_folder: Path) -> None:
    cache.cached(lambda: "kind-aaaa", lambda: {"a": 1}, cache.encode_json, cache.decode_json)
    entry = cache_folder / "kind-aaaa"
    written = entry.read_bytes()
    # Valid JSON of another value, behind the header and digest of the first one.
    entry.write_bytes(written.replace(b'{"a":1}', b'{"a":2}'))

    assert cache.cached(lambda: "kind-aaaa", lambda: {"a": 3}, cache.encode_json, cache.decode_json) == {"a": 3}
    assert entry.read_bytes().startswith(b"prodpolicy-cache-1\n")
    assert entry.read_bytes().endswith(b'{"a":3}')


def test_misshapen_schema_entry_computed_again(cache_folder: Path) -> None:
    from prodpolicy.policy import docschema

    docschema.document_schema.cache_clear()
    expected = docschema.document_schema().kinds
    [written] = cache_folder.glob("document-schema-*")
    for bad in (b"null", b"[]", b"{}"):
        written.write_bytes(cache._sealed(bad))
        docschema.document_schema.cache_clear()

        assert docschema.document_schema().kinds == expected
    assert expected == frozenset({"dockerfile", "compose", "image"})


@pytest.mark.parametrize(("value", "on"), [("", True), ("0", True), ("false", True), ("No", True), ("off", True), ("1", False), ("yes", False)])
def test_no_cache_variable_values(value: str, on: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.NO_CACHE_ENVIRONMENT, value)

    assert cache.enabled() is on


def test_disabled_cache_writes_nothing(cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.NO_CACHE_ENVIRONMENT, "1")
    assert not cache.enabled()
    assert cache.cached(lambda: "kind-aaaa", lambda: 7, cache.encode_json, cache.decode_json) == 7
    assert not cache_folder.exists()


def test_bundled_rules_marshal_round_trip(cache_folder: Path) -> None:
    from prodpolicy.policy.load import load_policy

    written = load_policy()
    read = load_policy()
    assert [rule.id for rule in read.rules] == [rule.id for rule in written.rules]
    assert [rule.line for rule in read.rules] == [rule.line for rule in written.rules]
    # The document schema is cached too, unless an earlier test already built it in this process.
    kinds = sorted(path.name.split("-")[0] for path in cache_folder.iterdir())
    assert kinds in (["bundled"], ["bundled", "document"])



def test_cached_bundled_rules_equal_validated(cache_folder: Path) -> None:
    validated = _bundled_rules()
    cached = _bundled_rules()

    assert [rule.id for rule in validated][:3] == ["CP101", "CP102", "CP103"]
    assert len(list(cache_folder.glob("bundled-rules-*"))) == 1
    assert cached == validated


def test_conditions_keep_their_shape_through_the_cache() -> None:
    condition = Condition.model_validate(
        {"field": "ports", "count": {"gte": {"param": "most"}, "where": {"any": [{"field": "port", "in": [22, 23]}]}}}
    )
    spec = condition_spec(condition)
    [rule, *_] = _bundled_rules()
    plain = rule_to_plain(dataclasses.replace(rule, when=(spec, condition_spec(Condition.model_validate({"not": {"exists": True}})))))

    where = ConditionSpec("any", (ConditionSpec("in", [22, 23], "port"),))
    assert spec == ConditionSpec("count", BoundsSpec((("gte", {"param": "most"}),), where), "ports")
    assert rule_from_plain(marshal.loads(marshal.dumps(plain))).when == (spec, ConditionSpec("not", ConditionSpec("exists", True)))


def test_cached_run_imports_no_pydantic_or_yaml(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text('FROM python:3.12-slim\nUSER 10001\nCMD ["python", "app.py"]\n', encoding="utf-8")
    code = (
        "import contextlib, io, sys\n"
        "from prodpolicy.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['eval', sys.argv[1]])\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'pydantic', 'yaml', 'pathspec', 'multiprocessing'}))\n"
    )
    environment = {**os.environ, "PRODPOLICY_CACHE_DIR": str(tmp_path / "cache")}
    environment.pop("PRODPOLICY_NO_CACHE", None)
    command = [sys.executable, "-c", code, str(dockerfile)]

    # The first run validates the rules and fills the cache; the second reads them from it.
    filled = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    cached = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)

    assert filled.stdout.strip() == "['pydantic', 'yaml']", filled.stderr
    assert cached.stdout.strip() == "[]", cached.stderr


def _bundled_rules() -> list[RuleSpec]:
    reader = Reader(Problems())
    reader.read_bundled()
    [layer] = reader.layers
    return [definition.rule for definition in layer.rules]


@pytest.mark.parametrize("entry", [[], [(1, 2)], [((), {"id": "X"})], {"rules": 1}, "text"])
def test_misshapen_bundled_entry_is_computed_again(cache_folder: Path, entry: object) -> None:
    validated = _bundled_rules()
    [written] = cache_folder.glob("bundled-rules-*")
    # Sealed with a correct digest, so only the check of the entry's shape can reject it.
    written.write_bytes(cache._sealed(marshal.dumps(entry)))

    assert _bundled_rules() == validated
    assert written.read_bytes() != cache._sealed(marshal.dumps(entry))


@pytest.mark.parametrize("command", [["rules", "--no-cache"], ["test", "--no-cache", "--select", "DF101"], ["explain", "DF101", "--no-cache"]])
def test_no_cache_in_policy_commands(command: list[str], tmp_path: Path) -> None:
    environment = {**os.environ, "PRODPOLICY_CACHE_DIR": str(tmp_path / "cache")}
    environment.pop("PRODPOLICY_NO_CACHE", None)

    completed = subprocess.run([sys.executable, "-m", "prodpolicy", *command], env=environment, capture_output=True, text=True, check=False)

    assert completed.returncode == 0, completed.stderr
    assert not (tmp_path / "cache").exists()


def test_new_entry_removes_older_names(cache_folder: Path) -> None:
    cache_folder.mkdir()
    (cache_folder / "document-schema-pydantic-2.14.4-9a24cc704ceb93c954711b3560a0094b").write_bytes(b"{}")
    (cache_folder / "document-schema-notes.txt").write_bytes(b"kept")
    (cache_folder / "bundled-rules-aaaa").write_bytes(b"kept")

    cache.cached(lambda: "document-schema-" + "b" * 32, lambda: {"$defs": {}}, cache.encode_json, cache.decode_json)

    names = sorted(path.name for path in cache_folder.iterdir())
    assert names == ["bundled-rules-aaaa", "document-schema-" + "b" * 32, "document-schema-notes.txt"]

"""The cache of derived policy data: keyed by content, replaced when stale, skipped when off or unreadable."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodpolicy.policy import cache


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.CACHE_DIR_ENVIRONMENT, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENVIRONMENT, raising=False)
    return tmp_path / "cache"


def test_digest_follows_content(tmp_path: Path) -> None:
    source = tmp_path / "rule.yaml"
    source.write_text("id: A\n", encoding="utf-8")
    first = cache.digest("rules", [source])
    assert cache.digest("rules", [source]) == first
    source.write_text("id: B\n", encoding="utf-8")
    assert cache.digest("rules", [source]) != first
    assert first.startswith("rules-")


def test_cached_computes_once(folder: Path) -> None:
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"value": 42}

    first = cache.cached(lambda: "kind-aaaa", compute, cache.encode_json, cache.decode_json)
    second = cache.cached(lambda: "kind-aaaa", compute, cache.encode_json, cache.decode_json)
    assert first == second == {"value": 42}
    assert len(calls) == 1
    assert [path.name for path in folder.iterdir()] == ["kind-aaaa"]


def test_new_entry_removes_older(folder: Path) -> None:
    cache.cached(lambda: "kind-aaaa", lambda: 1, cache.encode_json, cache.decode_json)
    cache.cached(lambda: "other-cccc", lambda: 3, cache.encode_json, cache.decode_json)
    cache.cached(lambda: "kind-bbbb", lambda: 2, cache.encode_json, cache.decode_json)
    assert sorted(path.name for path in folder.iterdir()) == ["kind-bbbb", "other-cccc"]


def test_unreadable_entry_computed_again(folder: Path) -> None:
    folder.mkdir()
    (folder / "kind-aaaa").write_bytes(b"not json")
    value = cache.cached(lambda: "kind-aaaa", lambda: [1, 2], cache.encode_json, cache.decode_json)
    assert value == [1, 2]
    assert (folder / "kind-aaaa").read_bytes() == b"[1,2]"


def test_disabled_cache_writes_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.NO_CACHE_ENVIRONMENT, "1")
    assert not cache.enabled()
    assert cache.cached(lambda: "kind-aaaa", lambda: 7, cache.encode_json, cache.decode_json) == 7
    assert not folder.exists()


def test_bundled_rules_marshal_round_trip(folder: Path) -> None:
    from prodpolicy.policy.load import load_policy

    written = load_policy()
    read = load_policy()
    assert [rule.id for rule in read.rules] == [rule.id for rule in written.rules]
    assert [rule.line for rule in read.rules] == [rule.line for rule in written.rules]
    # The document schema is cached too, unless an earlier test already built it in this process.
    kinds = sorted(path.name.split("-")[0] for path in folder.iterdir())
    assert kinds in (["bundled"], ["bundled", "document"])

"""PatternTest returns what one plain RE2 search per pattern returns, and rule plans pick the right nodes."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from prodpolicy.policy.conditions import ConditionError, _item_match, compile_conditions, compile_regex
from prodpolicy.policy.model import Condition
from prodpolicy.policy.regex import (
    JoinedTexts,
    PatternTest,
    TextSearch,
    _anchored_at_start,
    _required_prefix,
    non_capturing,
    search_any,
)
from prodpolicy.policy.selection import (
    FALSE,
    PLAIN_ENVIRONMENT,
    TRUE,
    Either,
    Present,
    SelectionIndex,
    TextMatch,
    ValueIn,
    rule_plan,
)
from prodpolicy.policy.spec import ConditionSpec, condition_spec

PATTERNS = [
    r"^go (build|install)(\s|$)",
    r"(?i)^--setopt=([^=]*\.)?(gpgcheck|repo_gpgcheck)=(0|false|no)$",
    r"_auth(Token)?=\$",
    r"^((npx|bunx|pnpx)( --yes| -y)? |(pnpm|yarn|bun) (exec |dlx |x )?)?next( |$)",
    r"(?i)http\.sslverify[ =]+(false|0|no)\b",
    r"://[^/\s]*\$[^/\s]*@",
    r"^$",
    r"^",
    r"^a|b$",
    r"(?m)^foo",
    r"^(?P<tool>make|cmake)(\s|$)",
    r"^[(|]x",
    r"^\Q(a|b)\E",
    r"^[]a]+$",
    r"^[[:alpha:]]+:",
    r"^é+t",
    r"(?i)^straße",
]
TEXTS = [
    "",
    "go build ./...",
    "go install example.com/tool@latest",
    "gobuild",
    "cargo build",
    "--setopt=tsflags.gpgcheck=0",
    "--SETOPT=GPGCHECK=False",
    "npm config set //registry/:_authToken=$NPM_TOKEN",
    "npx --yes next build",
    "next",
    "yarn dlx next dev",
    "git config --global http.sslVerify false",
    "curl https://user:$TOKEN@example.com/x",
    "a",
    "xb",
    "line\nfoo",
    "make -j4",
    "cmake .",
    "(x",
    "|x",
    "(a|b)",
    "]]a",
    "abc:",
    "éét",
    "STRASSE",
    "STRAßE",
    "ſtraße",
]


def plain(patterns: list[str], text: str) -> bool:
    return any(compile_regex(pattern).search(text) for pattern in patterns)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_pattern_test_single_same_answers(pattern: str) -> None:
    test = PatternTest([compile_regex(pattern)])
    for text in TEXTS:
        assert test(text) == plain([pattern], text), text
        # The second call reads the memo.
        assert test(text) == plain([pattern], text), text


def test_pattern_test_lists_same_answers() -> None:
    for size in (2, 3):
        for patterns in itertools.combinations(PATTERNS, size):
            test = PatternTest([compile_regex(pattern) for pattern in patterns])
            for text in TEXTS:
                assert test(text) == plain(list(patterns), text), (patterns, text)


def test_non_capturing_groups() -> None:
    assert non_capturing(r"^go (build|install)(\s|$)") == r"^go (?:build|install)(?:\s|$)"
    assert non_capturing(r"(?P<name>a)(?i:b)") == r"(?:a)(?i:b)"
    assert non_capturing(r"[(]\(\Q(\E") == r"[(]\(\Q(\E"
    assert non_capturing(r"[]()]") == r"[]()]"
    assert non_capturing(r"[unclosed") is None


def test_anchored_at_start() -> None:
    assert _anchored_at_start(r"^go (build|install)")
    assert _anchored_at_start(r"(?i)^--setopt")
    assert _anchored_at_start(r"^[|]x")
    assert not _anchored_at_start(r"^a|b")
    assert not _anchored_at_start(r"(?m)^foo")
    assert not _anchored_at_start(r"_auth=")
    assert not _anchored_at_start(r"^\Q|\E")


def test_required_prefix() -> None:
    options = compile_regex("x").options
    assert _required_prefix(r"^go (build|install)(\s|$)", options) == b"go "
    assert _required_prefix(r"(?i)^--setopt=x", options) == b"--"
    assert _required_prefix(r"_auth(Token)?=\$", options) == b""
    assert _required_prefix(r"^a|b", options) == b""


def _condition(**values: object) -> ConditionSpec:
    return condition_spec(Condition.model_validate(values))


def test_plan_from_a_condition_on_texts() -> None:
    assert rule_plan([_condition(field="keyword", equals="RUN")], {}) == ValueIn(("keyword",), frozenset({"RUN"}))
    plan = rule_plan([_condition(field="package.manager", **{"in": {"param": "managers"}})], {"managers": ["apt-get", "apk"]})
    assert plan == ValueIn(("package", "manager"), frozenset({"apt-get", "apk"}))
    assert rule_plan([_condition(field="facts.shipped", equals=True)], {}) == ValueIn(("facts", "shipped"), frozenset({TRUE}))
    assert rule_plan([_condition(field="text", matches=["^a", "b"])], {}) == TextMatch(("text",), ("^a", "b"))
    assert rule_plan([_condition(field="argv", contains_match="^-k$")], {}) == TextMatch(("argv",), ("^-k$",), items=True)


def test_plan_picks_the_cheapest_condition() -> None:
    # Every condition of when must hold, so any one of them gives a plan: an index lookup before a search.
    conditions = [_condition(field="text", matches="x"), _condition(field="form", equals="shell")]
    assert rule_plan(conditions, {}) == ValueIn(("form",), frozenset({"shell"}))


def test_plan_of_any_needs_every_branch() -> None:
    either = _condition(
        any=[
            {"all": [{"field": "program", "equals": "curl"}, {"field": "argv", "contains": "-k"}]},
            {"field": "package.options", "contains_match": "^--trusted-host"},
            {"field": "assignments", "any_item": {"field": "name", "equals": "X"}},
        ]
    )
    assert rule_plan([either], {}) == Either(
        (
            ValueIn(("program",), frozenset({"curl"})),
            TextMatch(("package", "options"), ("^--trusted-host",), items=True),
            Present(("assignments",)),
        )
    )
    with_negation = _condition(any=[{"field": "program", "equals": "curl"}, {"not": {"field": "program", "equals": "wget"}}])
    assert rule_plan([with_negation], {}) is None


def test_no_plan_without_a_value_to_index() -> None:
    assert rule_plan([], {}) is None
    assert rule_plan([_condition(field="count", equals=1)], {}) is None
    assert rule_plan([_condition(field="keyword", **{"in": ["RUN", 1]})], {}) is None
    assert rule_plan([_condition(field="argv[0]", equals="curl")], {}) is None
    assert rule_plan([_condition(field="keyword", not_equals="RUN")], {}) is None
    # A field that only needs a value is as fast to test on each node as to index.
    assert rule_plan([_condition(field="facts.chmod_after", exists=True)], {}) is None


def test_selection_index_document_order() -> None:
    nodes = [
        (("i", 0), {"keyword": "COPY"}),
        (("i", 1), {"keyword": "RUN"}),
        (("i", 2), None),
        (("i", 3), {"keyword": "ADD"}),
        (("i", 4), {"keyword": ["COPY"]}),
        (("i", 5), "COPY"),
        (("i", 6), {"keyword": "COPY"}),
    ]
    index = SelectionIndex(nodes)
    assert index.selected_any
    picked = index.candidates(ValueIn(("keyword",), frozenset({"ADD", "COPY"})))
    assert [path for path, _ in picked] == [("i", 0), ("i", 3), ("i", 6)]
    assert index.candidates(ValueIn(("keyword",), frozenset({"USER"}))) == []


COMMAND_NODES = [
    {"program": "curl", "text": "curl -k https://x", "argv": ["curl", "-k", "https://x"]},
    {"program": "apt-get", "text": "apt-get install -y x", "package": {"options": ["-y", "--allow-unauthenticated"]}},
    {"program": "echo", "text": "echo 'sslverify=0' >> /etc/yum.conf", "flag": True},
    {"program": "ls", "text": "ls", "flag": 1},
    {"program": "make", "text": "make\ninstall", "assignments": [{"name": "CC"}]},
    {"program": "true", "text": "", "flag": False},
]


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (ValueIn(("program",), frozenset({"curl", "make"})), [0, 4]),
        (ValueIn(("flag",), frozenset({TRUE})), [2]),
        (ValueIn(("flag",), frozenset({FALSE})), [5]),
        (Present(("assignments",)), [4]),
        (TextMatch(("text",), ("(?i)sslverify\\s*=\\s*0",)), [2]),
        # ^ matches after the newline inside the text in the joined search: a candidate the predicate then rejects.
        (TextMatch(("text",), ("^install",)), [4]),
        (TextMatch(("text",), ("^$",)), [5]),
        (TextMatch(("package", "options"), ("^--allow-unauthenticated$",), items=True), [1]),
        (Either((ValueIn(("program",), frozenset({"ls"})), TextMatch(("text",), ("-k\\b",)))), [0, 3]),
    ],
)
def test_selection_index_candidates(plan: Any, expected: list[int]) -> None:
    index = SelectionIndex([(("c", number), node) for number, node in enumerate(COMMAND_NODES)])
    assert [path[1] for path, _ in index.candidates(plan)] == expected


NESTED_NODES = [
    {"package": {"manager": "apk", "facts": {"cache": "kept"}}},
    {"package": "apk"},
    {"package": ["apk"]},
    {"package": {"manager": None, "facts": {"cache": None}}},
    ["package"],
    {"package": {"manager": "apt-get", "facts": "kept"}},
    {"package": {"manager": "apk", "facts": {"cache": "kept"}}},
]


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (ValueIn(("package", "manager"), frozenset({"apk"})), [0, 6]),
        (Present(("package", "manager")), [0, 5, 6]),
        (ValueIn(("package", "facts", "cache"), frozenset({"kept"})), [0, 6]),
        (Present(("package", "facts", "cache")), [0, 6]),
        (Present(("package",)), [0, 1, 2, 3, 5, 6]),
    ],
)
def test_selection_index_nested_fields(plan: Any, expected: list[int]) -> None:
    # A field two or three names deep, through values that are not mappings or are null.
    index = SelectionIndex([(("n", number), node) for number, node in enumerate(NESTED_NODES)])
    assert [path[1] for path, _ in index.candidates(plan)] == expected


TEXTS = [
    "curl -k https://example.com",
    "",
    "apt-get install -y curl",
    "line one\nline two",
    "ends with k",
    "k",
    "é naïve k",
    "x" * 50,
]


@pytest.mark.parametrize("pattern", [*PATTERNS, r"k$", r"^k", r"\bk\b", r"[^a]+k", r"(?s).k", r"\s", r"^$", r"n\z", r"\Ak", r"(?-m)^k"])
def test_text_search_misses_no_text(pattern: str) -> None:
    # The joined search may name more texts than match, never fewer.
    compiled = compile_regex(pattern)
    matching = [number for number, text in enumerate(TEXTS) if compiled.search(text)]
    flagged = TextSearch([pattern]).flagged(JoinedTexts(TEXTS))

    assert set(matching) <= set(flagged)
    assert flagged == sorted(set(flagged))


def test_text_search_exact_for_plain_patterns() -> None:
    assert TextSearch(["curl"]).flagged(JoinedTexts(TEXTS)) == [0, 2]
    assert TextSearch(["^k$", "two$"]).flagged(JoinedTexts(TEXTS)) == [3, 5]
    assert TextSearch(["nothing"]).flagged(JoinedTexts(TEXTS)) == []


def test_selection_index_only_nulls() -> None:
    assert not SelectionIndex([(("a",), None)]).selected_any
    assert not SelectionIndex([]).selected_any


TOOLS_ANY = {
    "any": [
        {"all": [{"field": "commands", "any_item": {"field": "text", "matches": "^next( |$)"}},
                 {"field": "env.NEXT_TELEMETRY_DISABLED", "absent": True}]},
        {"all": [{"field": "commands", "any_item": {"field": "text", "matches": ["^nuxt( |$)", "^nuxi( |$)"]}},
                 {"field": "env.NUXT_TELEMETRY_DISABLED", "absent": True}]},
        {"field": "commands", "any_item": {"field": "text", "matches": {"param": "others"}}},
    ]
}
TOOLS_NODES = [
    ({"commands": [{"text": "npm ci"}, {"text": "next build"}]}, True),
    ({"commands": [{"text": "next build"}], "env": {"NEXT_TELEMETRY_DISABLED": "1"}}, False),
    ({"commands": [{"text": "nuxi generate"}]}, True),
    ({"commands": [{"text": "astro build"}]}, True),
    ({"commands": [{"text": "npm ci"}, {"text": "nextjs"}]}, False),
    ({"commands": []}, False),
    ({"commands": {"first": {"text": "next"}}}, True),
    ({"env": {}}, False),
    (None, False),
]


def _tools_predicate() -> Callable[[Any], bool]:
    return compile_conditions([condition_spec(Condition.model_validate(TOOLS_ANY))], {"others": ["^astro( |$)"]})


@pytest.mark.parametrize(("node", "expected"), TOOLS_NODES)
def test_shared_requirement_same_answers(node: Any, expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    guarded = _tools_predicate()
    monkeypatch.setenv(PLAIN_ENVIRONMENT, "1")
    plain = _tools_predicate()

    assert guarded(node) is expected
    assert plain(node) is expected


def test_shared_requirement_needs_one_list_field() -> None:
    branches = [condition_spec(Condition.model_validate(branch)) for branch in TOOLS_ANY["any"]]
    other_list = condition_spec(Condition.model_validate({"field": "mounts", "any_item": {"field": "text", "matches": "x"}}))

    assert _item_match(branches[0]) == ("commands", "text", "^next( |$)")
    assert _item_match(branches[2]) == ("commands", "text", {"param": "others"})
    assert _item_match(other_list) == ("mounts", "text", "x")
    assert _item_match(condition_spec(Condition.model_validate({"field": "text", "matches": "x"}))) is None


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(unclosed", "invalid regular expression '(unclosed': missing ): (unclosed"),
        ("a(?=b)", "invalid regular expression 'a(?=b)': invalid perl operator: (?= (RE2 syntax has no backreferences or lookaround)"),
        ("(a)\\1", "invalid regular expression '(a)\\\\1': invalid escape sequence: \\1 (RE2 syntax has no backreferences or lookaround)"),
    ],
)
def test_regex_error_hint_only_for_missing_features(pattern: str, message: str) -> None:
    with pytest.raises(ConditionError) as raised:
        compile_regex(pattern)

    assert raised.value.message == message


@pytest.mark.parametrize(
    ("patterns", "texts"),
    [
        # \Q quotes to the end of the pattern when no \E follows: it must not swallow a joined group's ).
        ([r"\Qapt-get", "x$"], ["apt-get install", "nox", "nothing", "apt-get)"]),
        # An empty match before a word character: no prefix is required.
        ([r"^v?\b"], ["3.12", "v1", "-x", ""]),
        ([r"^(?:sudo)?\b", r"^a+b"], ["apt", "sudo x", "aab", ".b"]),
    ],
)
def test_pattern_edge_cases_same_as_plain_search(patterns: list[str], texts: list[str]) -> None:
    compiled = [compile_regex(pattern) for pattern in patterns]
    expected = [any(pattern.search(text) for pattern in compiled) for text in texts]

    assert [PatternTest(compiled)(text) for text in texts] == expected
    flagged = TextSearch(patterns).flagged(JoinedTexts(texts * 2))
    assert set(number for number, found in enumerate(expected * 2) if found) <= set(flagged)


def test_required_prefix_only_from_plain_literals() -> None:
    options = compile_regex("x").options
    assert _required_prefix(r"^v?\b", options) == b""
    assert _required_prefix(r"^(?:sudo)?\b", options) == b""
    assert _required_prefix(r"^ab+c", options) == b"ab"


def test_plain_search_accepts_lone_surrogates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLAIN_ENVIRONMENT, "1")
    test = search_any([compile_regex("caf"), compile_regex(r"e\b")])
    assert test("caf\ud800e")
    assert not test("\udfff x")


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (r"^(-[A-Za-z]*k[A-Za-z]*|--insecure)$", b"-"),
        (r"^cgr\.dev/", b"cgr.dev/"),
        (r"^(ab)?c", b""),
        (r"^(a|b)c", b""),
        (r"^a+b", b"a"),
    ],
)
def test_required_prefix_through_escapes_and_groups(pattern: str, prefix: bytes) -> None:
    assert _required_prefix(pattern, compile_regex("x").options) == prefix

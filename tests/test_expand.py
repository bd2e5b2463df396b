"""Variable substitution follows Docker's rules and marks unknown values."""

from __future__ import annotations

import pytest

from prodpolicy.dockerfile.expand import SubstitutionError, expand, split_words

ENVIRONMENT = {"SET": "value", "EMPTY": "", "SPACED": "a b", "NO_DEFAULT": None}


@pytest.mark.parametrize(
    ("text", "value", "unknown"),
    [
        ("$SET", "value", False),
        ("${SET}", "value", False),
        ("${UNDECLARED}", "", False),
        ("${NO_DEFAULT}", "", True),
        ("node:${NO_DEFAULT}", "node:", True),
        ("${NO_DEFAULT:-20.11}", "20.11", False),
        ("${EMPTY:-fallback}", "fallback", False),
        ("${EMPTY-fallback}", "", False),
        ("${UNDECLARED-fallback}", "fallback", False),
        ("${SET:+alt}", "alt", False),
        ("${EMPTY:+alt}", "", False),
        ("${EMPTY+alt}", "alt", False),
        ("\\$SET", "$SET", False),
        ("'$SET'", "$SET", False),
        ('"$SET and more"', "value and more", False),
        ("hello\\ world", "hello world", False),
        ("${SET:-${EMPTY:-nested}}", "value", False),
        ("${UNDECLARED:-${SET}}", "value", False),
    ],
)
def test_expand(text, value, unknown):
    result = expand(text, ENVIRONMENT)
    assert result.value == value
    assert result.unknown is unknown


def test_references_are_recorded_in_order():
    assert expand("${SET}-${EMPTY:-x}-$SET", ENVIRONMENT).references == ("SET", "EMPTY")


def test_backtick_escape():
    assert expand("c:\\app`$SET", ENVIRONMENT, escape="`").value == "c:\\app$SET"


@pytest.mark.parametrize("text", ["${}", "${SET", "${SET:?must be set}x${UNDECLARED:?required}", "'unclosed"])
def test_invalid_substitutions(text):
    with pytest.raises(SubstitutionError):
        expand(text, ENVIRONMENT)


def test_split_words_splits_unquoted_variables():
    words = split_words('$SPACED "c d" ${NO_DEFAULT}', ENVIRONMENT)
    assert [(word.value, word.unknown) for word in words] == [("a", False), ("b", False), ("c d", False), ("", True)]


def test_split_words_drops_empty_known_variables():
    assert [word.value for word in split_words("$EMPTY x", ENVIRONMENT)] == ["x"]

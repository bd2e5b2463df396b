"""Variable substitution follows Docker's rules and marks unknown values."""

from __future__ import annotations

import re

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


PATHS = {"FILE": "/usr/local/lib/app.tar.gz", "NAME": "my-app-v1", "EMPTY": "", "NO_DEFAULT": None, "STARS": "a*b*c"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("${FILE#*/}", "usr/local/lib/app.tar.gz"),
        ("${FILE##*/}", "app.tar.gz"),
        ("${FILE%.*}", "/usr/local/lib/app.tar"),
        ("${FILE%%.*}", "/usr/local/lib/app"),
        ("${FILE#/usr/local}", "/lib/app.tar.gz"),
        ("${FILE%.zip}", "/usr/local/lib/app.tar.gz"),
        ("${NAME#?y}", "-app-v1"),
        ("${NAME/-/_}", "my_app-v1"),
        ("${NAME//-/_}", "my_app_v1"),
        ("${NAME/app/}", "my--v1"),
        ("${NAME//[a]/x}", "my-app-v1"),
        ("${STARS//\\*/+}", "a+b+c"),
        ("${STARS#a\\*}", "b*c"),
        ("${UNSET#x}", ""),
        ("${EMPTY%%*}", ""),
        ("v${NAME##*-}", "vv1"),
    ],
)
def test_pattern_removal_and_replacement(text, value):
    result = expand(text, PATHS)
    assert (result.value, result.unknown) == (value, False)


@pytest.mark.parametrize("text", ["${NO_DEFAULT#x}", "${NO_DEFAULT%x}", "${NO_DEFAULT/a/b}", "x${NO_DEFAULT//a/b}"])
def test_pattern_on_unknown_value_is_unknown(text):
    assert expand(text, PATHS).unknown is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${FILE:#x}", "unsupported modifier"),
        ("${FILE:%x}", "unsupported modifier"),
        ("${FILE/x}", "missing '/'"),
        ("${FILE#\\a}", "invalid escape"),
        ("${EMPTY:?}", "EMPTY: is not allowed to be empty"),
        ("${UNSET?}", "UNSET: is not allowed to be unset"),
        ("${UNSET?custom message}", "UNSET: custom message"),
        ("${FILE:!x}", "unsupported modifier"),
    ],
)
def test_invalid_modifiers(text, message):
    with pytest.raises(SubstitutionError, match=re.escape(message)):
        expand(text, PATHS)


def test_required_value_that_is_set():
    assert expand("${FILE:?}", PATHS).value == PATHS["FILE"]


def test_pattern_with_nested_substitution():
    environment = {"SUFFIX": ".gz", "FILE": "app.tar.gz"}
    assert expand("${FILE%${SUFFIX}}", environment).value == "app.tar"


def test_escaped_dollar_in_double_quotes():
    assert expand('"\\$HOME is ${SET}"', ENVIRONMENT).value == "$HOME is value"


def test_unknown_value_through_default_is_known():
    assert (expand("${NO_DEFAULT:-x}", ENVIRONMENT).unknown, expand("${NO_DEFAULT:+x}", ENVIRONMENT).value) == (False, "")

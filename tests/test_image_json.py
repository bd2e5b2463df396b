"""The JSON loader that keeps positions: values, member and item lines, and errors with line and column."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodpolicy.document import Location
from prodpolicy.image.jsonload import MAX_DEPTH, JSONError, load_json

DOCUMENT = """[
  {
    "Id": "sha256:abc",
    "Config": {
      "User": "",
      "Env": [
        "PATH=/bin",
        "A=1"
      ]
    }
  }
]
"""


def test_values_match_the_standard_library():
    assert load_json(DOCUMENT).data == json.loads(DOCUMENT)


def test_member_is_located_at_its_key():
    locations = load_json(DOCUMENT).locations
    assert locations[(0, "Config", "User")] == Location(5, 5, 7)
    assert locations[(0, "Config")] == Location(4, 10, 5)


def test_array_item_is_located_at_its_first_character():
    locations = load_json(DOCUMENT).locations
    assert locations[(0,)] == Location(2, 11, 3)
    assert locations[(0, "Config", "Env", 1)] == Location(8, 8, 9)


def test_repeated_key_keeps_the_last_value_and_position():
    loaded = load_json('{\n"a": 1,\n"a": 2\n}')
    assert loaded.data == {"a": 2}
    assert loaded.locations[("a",)].line == 3


def test_byte_order_mark_is_accepted():
    loaded = load_json('\ufeff{"User": "app"}')
    assert loaded.data == {"User": "app"}
    assert loaded.locations[("User",)] == Location(1, 1, 2)


def test_numbers_and_constants():
    assert load_json('[0, -12, 1.5, 2e3, -0.25E-2, true, false, null, "\\u00e9"]').data == [
        0,
        -12,
        1.5,
        2000.0,
        -0.0025,
        True,
        False,
        None,
        "é",
    ]


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "the file is empty; expected a JSON value", 1, 1),
        ("[1,]", "unexpected character ']'; expected a JSON value", 1, 4),
        ('{\n  "a": 1\n  "b": 2\n}', "expected ',' or '}' after an object member", 3, 3),
        ('{"a" 1}', "expected ':' after the key 'a'", 1, 6),
        ("{'a': 1}", "expected a key in double quotes", 1, 2),
        ("[NaN]", "unexpected character 'N'; expected a JSON value", 1, 2),
        ('["a\nb"]', "a control character (such as a line break) inside a string; escape it as \\n", 1, 4),
        ('["\\q"]', "an invalid escape in a string; write a backslash as \\\\", 1, 3),
        ('{"a": "x', "a string is not closed; add the missing double quote", 1, 7),
        ("[1] [2]", "unexpected text after the JSON value", 1, 5),
        ("[1, 2", "expected ',' or ']' after an array item", 1, 6),
        ("[01]", "expected ',' or ']' after an array item", 1, 3),
    ],
)
def test_invalid_json_names_line_and_column(text, message, line, column):
    with pytest.raises(JSONError) as caught:
        load_json(text)
    assert (caught.value.message, caught.value.line, caught.value.column) == (message, line, column)


def test_deep_nesting_is_rejected():
    with pytest.raises(JSONError) as caught:
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert caught.value.message == f"the JSON nests deeper than {MAX_DEPTH} levels"


def test_nesting_up_to_the_limit_is_read():
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH).data is not None


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES, st.booleans())
def test_loader_agrees_with_the_standard_library(value, indent):
    text = json.dumps(value, indent=2 if indent else None)
    assert load_json(text).data == json.loads(text)

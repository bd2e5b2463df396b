"""Interpolation, env files and the variables a project is interpolated with."""

from __future__ import annotations

import pytest

from prodpolicy.compose import normalize_compose
from prodpolicy.compose.dotenv import EnvFileError, parse_env_file
from prodpolicy.compose.interpolate import InterpolationError, interpolate_text, literal_text
from prodpolicy.errors import InvalidInput
from prodpolicy.source import Source, read_source

VARIABLES = {"TAG": "1.2.3", "EMPTY": "", "INNER": "inner"}


def _lookup(name: str) -> tuple[str, bool]:
    return (VARIABLES[name], True) if name in VARIABLES else ("", False)


@pytest.mark.parametrize(
    ("text", "value", "unknown"),
    [
        ("$TAG", "1.2.3", False),
        ("${TAG}", "1.2.3", False),
        ("app:${TAG}-slim", "app:1.2.3-slim", False),
        ("${UNSET:-fallback}", "fallback", False),
        ("${EMPTY:-fallback}", "fallback", False),
        ("${EMPTY-fallback}", "", False),
        ("${UNSET-fallback}", "fallback", False),
        ("${TAG:+alternative}", "alternative", False),
        ("${EMPTY:+alternative}", "", False),
        ("${EMPTY+alternative}", "alternative", False),
        ("${UNSET+alternative}", "", False),
        ("${OUTER:-${INNER:-deepest}}", "inner", False),
        ("${OUTER:-${NONE:-deepest}}", "deepest", False),
        ("$$HOME and $${TAG}", "$HOME and ${TAG}", False),
        ("${UNSET}", "", True),
        ("prefix-$UNSET", "prefix-", True),
        ("cost: 5$ or $1", "cost: 5$ or $1", False),
    ],
)
def test_interpolation_forms(text, value, unknown):
    result, details = interpolate_text(text, _lookup)
    assert result == value
    assert details.unknown is unknown


def test_required_variable_missing_is_recorded():
    result, details = interpolate_text("${DB_HOST:?set DB_HOST to the database host}", _lookup)
    assert result == ""
    assert details.unknown is True
    assert details.missing == ["required variable DB_HOST is missing a value: set DB_HOST to the database host"]


def test_required_variable_empty_only_fails_with_colon():
    assert interpolate_text("${EMPTY?must exist}", _lookup)[1].missing == []
    assert interpolate_text("${EMPTY:?must not be empty}", _lookup)[1].missing == [
        "required variable EMPTY is missing a value: must not be empty"
    ]


@pytest.mark.parametrize("text", ["${TAG", "${}", "${1ABC}", "${TAG!x}"])
def test_invalid_interpolation_raises(text):
    with pytest.raises(InterpolationError):
        interpolate_text(text, _lookup)


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("${DB_PASSWORD:-hunter2}", "hunter2"),
        ("${DB_PASSWORD}", ""),
        ("$DB_PASSWORD", ""),
        ("postgres://app:${PASSWORD:-s3cr3t}@db/app", "postgres://app:s3cr3t@db/app"),
        ("${A:-${B:-inner}}", "inner"),
        ("$$literal", "$literal"),
    ],
)
def test_literal_text_keeps_what_the_file_writes(raw, written):
    assert literal_text(raw) == written


def test_env_file_forms():
    text = (
        "# comment\n"
        "export PLAIN=value # trailing comment\n"
        "SINGLE='no $PLAIN expansion'\n"
        'DOUBLE="line\\nbreak and ${PLAIN}"\n'
        "REFERENCE=${PLAIN}-${CALLER}\n"
        "YAML_STYLE: colon\n"
        "MULTI=\"first\nsecond\"\n"
        "PASSED_THROUGH\n"
        "EMPTY=\n"
    )
    entries = parse_env_file(text, lambda name: ("from-caller", True) if name == "CALLER" else ("", False))
    assert [(entry.name, entry.value, entry.line) for entry in entries] == [
        ("PLAIN", "value", 2),
        ("SINGLE", "no $PLAIN expansion", 3),
        ("DOUBLE", "line\nbreak and value", 4),
        ("REFERENCE", "value-from-caller", 5),
        ("YAML_STYLE", "colon", 6),
        ("MULTI", "first\nsecond", 7),
        ("PASSED_THROUGH", None, 9),
        ("EMPTY", "", 10),
    ]


def test_env_file_errors_have_lines():
    with pytest.raises(EnvFileError) as raised:
        parse_env_file("GOOD=1\nBAD NAME=2\n", lambda name: ("", False))
    assert raised.value.line == 2
    with pytest.raises(EnvFileError) as raised:
        parse_env_file('A="unterminated\n', lambda name: ("", False))
    assert raised.value.line == 1


COMPOSE = "services:\n  app:\n    image: registry.example.internal/app:${TAG:-latest}\n    environment:\n      LEVEL: ${LEVEL}\n"


def test_dot_env_beside_the_project_is_read(tmp_path):
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / ".env").write_text("TAG=4.5.6\nLEVEL=debug\n", encoding="utf-8")
    document = normalize_compose(read_source(str(tmp_path / "compose.yaml")))
    service = document.data["services"]["app"]
    assert service["image"]["reference"] == "registry.example.internal/app:4.5.6"
    assert service["environment"]["LEVEL"]["value"] == "debug"
    assert document.data["variables"] == [{"name": "LEVEL", "set": True}, {"name": "TAG", "set": True}]


def test_env_file_option_and_caller_precedence(tmp_path):
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / ".env").write_text("TAG=from-dot-env\n", encoding="utf-8")
    (tmp_path / "prod.env").write_text("TAG=7.0.0\nLEVEL=warning\n", encoding="utf-8")
    document = normalize_compose(
        read_source(str(tmp_path / "compose.yaml")),
        env_files=(str(tmp_path / "prod.env"),),
        environment={"LEVEL": "error"},
    )
    service = document.data["services"]["app"]
    assert service["image"]["tag"] == "7.0.0"
    assert service["environment"]["LEVEL"]["value"] == "error"


def test_unset_variable_marks_values_unknown():
    document = normalize_compose(Source("compose.yaml", COMPOSE.replace(":-latest", "").encode()))
    service = document.data["services"]["app"]
    assert service["image"]["pinning"] == "unknown"
    assert service["environment"]["LEVEL"]["unknown"] is True
    assert service["environment"]["LEVEL"]["references"] == ["LEVEL"]


def test_missing_env_file_option_is_an_input_error(tmp_path):
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        normalize_compose(read_source(str(tmp_path / "compose.yaml")), env_files=(str(tmp_path / "missing.env"),))
    assert raised.value.error.message == "file not found; it was given with --env-file, so check the path"


def test_env_file_folder_is_input_error(tmp_path):
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "envs").mkdir()
    with pytest.raises(InvalidInput) as raised:
        normalize_compose(read_source(str(tmp_path / "compose.yaml")), env_files=(str(tmp_path / "envs"),))
    assert raised.value.error.message == "not a regular file; it was given with --env-file, so check the path"


def test_invalid_interpolation_is_reported_with_its_line():
    text = "services:\n  app:\n    image: nginx:1.27\n    command: echo ${oops\n"
    document = normalize_compose(Source("compose.yaml", text.encode()))
    assert [(error.line, error.fatal) for error in document.errors] == [(4, False)]
    assert "invalid interpolation format" in document.errors[0].message

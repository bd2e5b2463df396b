"""HEALTHCHECK: forms, durations in seconds, retries, and the values Docker rejects."""

from __future__ import annotations

import pytest

from .helpers import dockerfile, syntax_case


def healthcheck(line: str, shell: str = ""):
    document = dockerfile(f"FROM alpine:3.20\n{shell}{line}\n")
    instruction = document.data["stages"][0]["instructions"][-1]
    return instruction, document


def test_exec_form_with_every_flag():
    document = syntax_case("36-flags.Dockerfile")
    check = document.data["runtimes"][0]["healthcheck"]
    assert {key: value for key, value in check.items() if key != "commands"} == {
        "state": "configured",
        "source": "instruction",
        "interval": 30.0,
        "timeout": 3.0,
        "start_period": 10.0,
        "start_interval": 1.0,
        "retries": 5,
        "test": ["CMD", "/app", "health"],
        "form": "exec",
    }
    assert [command["argv"] for command in check["commands"]] == [["/app", "health"]]
    assert document.location_of(("runtimes", 0, "healthcheck")).line == 15


def test_shell_form_commands_and_lines():
    instruction, _ = healthcheck("HEALTHCHECK --interval=1m30s \\\n  CMD curl -fsS http://127.0.0.1:8080/health || exit 1")
    check = instruction["healthcheck"]
    assert (check["test"], check["form"], check["interval"]) == (
        ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health || exit 1"],
        "shell",
        90.0,
    )
    assert [(command["argv"], command["operator"], command["line"]) for command in check["commands"]] == [
        (["curl", "-fsS", "http://127.0.0.1:8080/health"], None, 3),
        (["exit", "1"], "||", 3),
    ]
    assert (instruction["line"], instruction["end_line"], instruction["script_language"]) == (2, 3, "posix")


def test_powershell_test_not_parsed():
    instruction, _ = healthcheck("HEALTHCHECK CMD Invoke-WebRequest http://localhost", 'SHELL ["pwsh", "-Command"]\n')
    assert (instruction["script_language"], instruction["healthcheck"]["commands"]) == ("powershell", [])


@pytest.mark.parametrize(
    ("flag", "field", "seconds"),
    [
        ("--interval=500ms", "interval", 0.5),
        ("--interval=1ms", "interval", 0.001),
        ("--interval=0", "interval", 0.0),
        ("--interval=0s", "interval", 0.0),
        ("--interval=", "interval", 0.0),
        ("--timeout=1.5h", "timeout", 5400.0),
        ("--start-period=2m", "start_period", 120.0),
        ("--start-interval=5s", "start_interval", 5.0),
    ],
)
def test_durations(flag, field, seconds):
    instruction, document = healthcheck(f"HEALTHCHECK {flag} CMD true")
    assert (instruction["healthcheck"][field], document.errors) == (seconds, [])


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ("--interval=5", "invalid duration '5' for --interval; write it like 30s or 1m30s"),
        ("--timeout=fast", "invalid duration 'fast' for --timeout; write it like 30s or 1m30s"),
        ("--interval=500us", "--interval=500us is below the minimum of 1ms"),
        ("--start-period=-10s", "--start-period=-10s is below the minimum of 1ms"),
        ("--retries=-1", "--retries cannot be negative (-1)"),
        ("--retries=three", "invalid --retries value 'three'; use a whole number"),
        ("--retries=99999999999", "--retries=99999999999 is out of range"),
        ("--interval", "the flag --interval needs a value: write --interval=VALUE"),
        ("--interval=1s --interval=2s", "the flag --interval is given more than once; keep one"),
        ("--verbose", "unknown flag --verbose for HEALTHCHECK"),
    ],
)
def test_rejected_flags(flags, message):
    _, document = healthcheck(f"HEALTHCHECK {flags} CMD true")
    assert len(document.errors) == 1
    assert document.errors[0].line == 2
    assert message in document.errors[0].message


def test_retries_with_plus_sign():
    instruction, document = healthcheck("HEALTHCHECK --retries=+3 CMD true")
    assert (instruction["healthcheck"]["retries"], document.errors) == (3, [])


def test_none_disables_and_ignores_flags():
    instruction, document = healthcheck("HEALTHCHECK --interval=5s NONE")
    assert (instruction["healthcheck"], document.errors) == ({"state": "disabled", "source": "instruction"}, [])
    lower, _ = healthcheck("healthcheck none")
    assert lower["healthcheck"]["state"] == "disabled"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("HEALTHCHECK NONE please", "HEALTHCHECK NONE takes no arguments"),
        ("HEALTHCHECK CMD", "HEALTHCHECK CMD is missing its command"),
        ("HEALTHCHECK CMD []", "HEALTHCHECK CMD is missing its command"),
        ("HEALTHCHECK", "HEALTHCHECK requires at least one argument: CMD and a command, or NONE"),
        ("HEALTHCHECK RUN true", "unknown HEALTHCHECK type 'RUN'; use CMD or NONE"),
        ('HEALTHCHECK CMD ["curl", 1]', "in JSON (exec) form every element of the array must be a string"),
    ],
)
def test_rejected_forms(line, message):
    _, document = healthcheck(line)
    assert [(error.line, error.message) for error in document.errors] == [(2, message)]
    assert document.data["runtimes"][0]["healthcheck"]["state"] == "absent"


def test_rejected_healthcheck_keeps_previous():
    document = dockerfile("FROM alpine:3.20\nHEALTHCHECK CMD true\nHEALTHCHECK --retries=-1 CMD false\n")
    view = document.data["runtimes"][0]
    assert (view["healthcheck"]["test"], document.location_of(("runtimes", 0, "healthcheck")).line) == (["CMD-SHELL", "true"], 2)

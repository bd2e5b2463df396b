"""Credentials written into a service's command, entrypoint or health check test.

A password also leaks when it is passed on the command line: ``--password=...``,
``--db-password ...``, ``curl -u user:password``, ``mysql -pPASSWORD``,
``PGPASSWORD=... psql`` in a ``sh -c`` script, or a URL with a password in an argument. The words are read as written in the file: a
``${VAR}`` reference is not a credential, the default of ``${VAR:-default}`` is,
and ``$$VAR`` is a reference for the container's shell.
"""

from __future__ import annotations

import re
from typing import Any

from .. import secrets, shell
from ..execution import commands_of
from .interpolate import Interpolated, literal_text
from .process import CommandError, split_command
from .tree import Mapping, Origin, Sequence, origin_of

# Token shapes that span the words of a command, with the name a finding gives each.
_COMMAND_SHAPES = {
    "curl-password": "curl -u",
    "sshpass-password": "sshpass -p",
    "registry-password": "the registry login password",
    "mysql-password": "mysql -p",
    "htpasswd-password": "htpasswd -b",
    "netrc-password": "the .netrc password",
    "redis-password": "redis-cli -a",
    "vault-token": "vault login",
    "aws-configure-secret": "aws configure set",
    "npm-auth-token": "the npm auth token",
    "stdin-password": "the password given on standard input",
    "chpasswd-password": "chpasswd",
    "option-password": "the password option",
    "creds-password": "--creds",
    "authorization-header": "the Authorization header",
    "api-key-header": "the API key header",
}
_OPTION = re.compile(r"^(-{1,2}[A-Za-z][A-Za-z0-9_.-]*)=(.*)$", re.DOTALL)
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)


def written_argv(value: Any) -> list[str] | None:
    """Return ``command`` or ``entrypoint`` as words written in the file, variable defaults included."""
    if isinstance(value, str):
        try:
            return split_command(literal_text(value.raw) if isinstance(value, Interpolated) else value)
        except CommandError:
            return None
    if isinstance(value, list):
        return [literal_text(item.raw) if isinstance(item, Interpolated) else str(item) for item in value]
    return None


def find(key: str, argv: list[str] | None, found: list[dict[str, Any]], values: set[str]) -> None:
    """Add the credentials in an argv (and the scripts it runs) to ``found``; their values go to ``values``."""
    if not argv:
        return
    for command in commands_of(argv):
        _scan(key, command, found, values)


def find_in_healthcheck(test: Any, found: list[dict[str, Any]], values: set[str]) -> None:
    """Add the credentials of a healthcheck ``test`` (a string, or a list starting with CMD or CMD-SHELL)."""
    words = written_argv(test) if isinstance(test, list) else None
    if isinstance(test, str):
        script = literal_text(test.raw) if isinstance(test, Interpolated) else test
    elif words and words[0] == "CMD-SHELL":
        script = " ".join(words[1:])
    elif words and words[0] == "CMD":
        find("healthcheck", words[1:], found, values)
        return
    else:
        return
    commands, _ = shell.parse_script(script)
    for command in commands:
        _scan("healthcheck", command, found, values)


def _scan(key: str, command: dict[str, Any], found: list[dict[str, Any]], values: set[str]) -> None:
    for assignment in command.get("assignments") or []:
        _add(key, assignment["name"], assignment["value"], found, values)
    argv = command.get("argv") or []
    # The script of sh -c is parsed into commands of its own, which are scanned separately.
    script = shell.shell_script_of(argv)
    for index, word in enumerate(argv):
        if script is not None and word == script:
            continue
        option = _OPTION.match(word)
        assignment = _ASSIGNMENT.match(word)
        if option is not None:
            _add(key, option.group(1), option.group(2), found, values)
        elif assignment is not None and index > 0:
            _add(key, assignment.group(1), assignment.group(2), found, values)
        elif word.startswith("-") and secrets.is_credential_name(word.lstrip("-")) and index + 1 < len(argv):
            following = argv[index + 1]
            if not following.startswith("-"):
                _add(key, word, following, found, values)
        elif secrets.token_shape(word):
            _add(key, "argument", word, found, values)
    # The shapes above see one word at a time: curl -u user:password needs the command's text.
    for token in secrets.scan_tokens(" ".join(argv)):
        name = _COMMAND_SHAPES.get(token.kind)
        # A value one word already gave, such as a whole "Authorization: token ..." argument, is listed once.
        if name is not None and token.value not in values:
            values.add(token.value)
            _record(key, name, f"token:{token.kind}", found)


def named_values(mapping: Any) -> list[tuple[str, str, Origin | None]]:
    """Return the names, literal texts and origins of a mapping or NAME=value list (labels, build args)."""
    entries: list[tuple[str, str, Origin | None]] = []
    if isinstance(mapping, Mapping):
        for name, value in mapping.items():
            text = literal_text(value.raw) if isinstance(value, Interpolated) else value
            if isinstance(name, str) and isinstance(text, str):
                entries.append((name, text, origin_of(mapping, name)))
    elif isinstance(mapping, Sequence):
        for index, item in enumerate(mapping):
            text = literal_text(item.raw) if isinstance(item, Interpolated) else item
            if isinstance(text, str) and "=" in text:
                name, _, value = text.partition("=")
                entries.append((name, value, origin_of(mapping, index)))
    return entries


def named_credential(name: str, value: str) -> secrets.SecretMatch | None:
    """Return why a value kept under a name (a label, an option) is a credential, or None.

    A value that is only random-looking is left alone here: a label such as a
    Git commit or an image digest looks random and is no secret.
    """
    match = secrets.classify(name, value) if value else None
    return None if match is None or match.reason == "entropy" else match


def find_named(key: str, name: str, value: str, found: list[dict[str, Any]], values: set[str]) -> bool:
    """Add a label or build argument whose name or value marks a credential; return True when one was added."""
    match = named_credential(name, value)
    if match is None:
        return False
    values.add(value)
    before = len(found)
    _record(f"{key}.{name}", name, match.reason, found)
    return len(found) > before


def _add(key: str, name: str, value: str, found: list[dict[str, Any]], values: set[str]) -> None:
    if not value:
        return
    match = secrets.classify(name.lstrip("-"), value)
    shape = secrets.token_shape(f"{name}={value}") if match is None else None
    if match is None and shape is None:
        return
    # A name the word list does not split, such as PGPASSWORD, is still found by its shape as an assignment.
    reason = match.reason if match is not None else f"token:{shape}"
    # For a token inside a longer word (a URL with a password), only the token is masked in the output.
    tokens = secrets.find_tokens(value) if reason.startswith("token:") else []
    values.update(tokens or [value])
    _record(key, name, reason, found)


def _record(key: str, name: str, reason: str, found: list[dict[str, Any]]) -> None:
    """List a credential once per key and name, however many times the command gives it."""
    if not any(item["key"] == key and item["name"] == name for item in found):
        found.append({"key": key, "name": name, "reason": reason, "secret_in_file": True})

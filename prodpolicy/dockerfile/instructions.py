"""Give each raw instruction its meaning: the typed fields of the document model.

One function per keyword turns the arguments of a :class:`RawInstruction` into
the fields of an ``Instruction`` (see ``prodpolicy.model.dockerfile``). Argument
splitting follows Docker's per-keyword rules; substitution uses the variables in
scope, which the caller passes in a :class:`Context`. What Docker would reject
is recorded in the instruction's ``error`` field instead of stopping the file,
and what Docker only warns about goes to ``warnings``. COPY and ADD live in
``copy.py``, HEALTHCHECK in ``healthcheck.py``, scripts in ``scripts.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import scripts
from .context import DEFAULT_SHELL, WHITESPACE, Context, image_reference, whitespace_words
from .copy import parse_copy
from .expand import Expanded, SubstitutionError, expand
from .flags import check_flags, flag_value, flag_values, parse_flags
from .healthcheck import parse_healthcheck
from .lexer import RawInstruction
from .mounts import MountError, parse_mount
from .ports import PortError, parse_port

__all__ = ["DEFAULT_SHELL", "KNOWN_KEYWORDS", "Context", "image_reference", "parse_instruction", "parse_user"]

KNOWN_KEYWORDS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
        "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    }
)
# Docker lower-cases stage names and accepts only these.
_STAGE_NAME = re.compile(r"^[a-z][a-z0-9-_.]*$")
_NETWORK_MODES = frozenset({"default", "none", "host"})
_SECURITY_MODES = frozenset({"sandbox", "insecure"})
_ASCII_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
# Keywords whose whole argument text is one argument.
_SINGLE_ARGUMENT = frozenset({"RUN", "CMD", "ENTRYPOINT", "USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER", "HEALTHCHECK"})


class InstructionError(ValueError):
    """Raised inside a keyword parser for input Docker rejects; the message becomes ``error``."""


def parse_user(text: str, unknown: bool = False) -> dict[str, Any]:
    """Split ``user[:group]`` and decide whether it is root."""
    user, _, group = text.partition(":")
    result: dict[str, Any] = {"raw": text, "user": user or None, "group": group or None}
    if user.isdigit():
        result["uid"] = int(user)
    if group.isdigit():
        result["gid"] = int(group)
    if unknown:
        result["is_root"] = None
        result["unknown"] = True
    else:
        # Docker reads a numeric user as a number, so 0000 is uid 0 as well.
        result["is_root"] = user == "root" or result.get("uid") == 0
    return result


def _docker_words(text: str, escape: str) -> list[str]:
    """Split the way Docker's parseWords does: on whitespace outside quotes, quotes kept."""
    if "'" not in text and '"' not in text and escape not in text and text.isascii():
        return _ASCII_WHITESPACE.split(text.strip(" \t\n\v\f\r")) if text.strip() else []
    words: list[str] = []
    current: list[str] = []
    quote = ""
    started = False
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == escape and quote != "'" and index + 1 < len(text):
                current.append(char)
                index += 1
                char = text[index]
            elif char == quote:
                quote = ""
            current.append(char)
        elif char.isspace():
            if started or current:
                words.append("".join(current))
            current = []
            started = False
        else:
            if char in "'\"":
                quote = char
                started = True
            if char == escape and index + 1 < len(text):
                current.append(char)
                index += 1
                char = text[index]
            current.append(char)
        index += 1
    if started or current:
        words.append("".join(current))
    return words


def _variable(name: str, raw: str | None, expanded: Expanded | None) -> dict[str, Any]:
    variable: dict[str, Any] = {"name": name, "raw": raw}
    if expanded is None:
        variable["value"] = None
        return variable
    variable["value"] = expanded.value
    if expanded.unknown:
        variable["unknown"] = True
    if expanded.references:
        variable["references"] = list(expanded.references)
    return variable


def _parse_name_values(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    """Read ENV and LABEL arguments: ``a=b c=d`` or the legacy ``NAME value with spaces``."""
    keyword = raw.keyword
    words = _docker_words(raw.arguments_text, context.escape)
    if not words:
        raise InstructionError(f"{keyword} requires at least one argument")
    if "=" not in words[0]:
        parts = WHITESPACE.split(raw.arguments_text, maxsplit=1)
        if len(parts) < 2:
            raise InstructionError(f"{keyword} needs a value: write {keyword} {parts[0]}=value")
        name, value = parts
        result["variables"] = [_variable(name, value, context.expand(value))]
        result["legacy_form"] = True
        return
    variables: list[dict[str, Any]] = []
    result["variables"] = variables
    for word in words:
        if "=" not in word:
            raise InstructionError(f"{keyword}: missing '=' in {word!r}; write name=value")
        name, value = word.split("=", 1)
        if not name:
            raise InstructionError(f"{keyword} names can not be blank, in {word!r}")
        variables.append(_variable(context.expand(name).value, value, context.expand(value)))


def _parse_from(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    words = whitespace_words(raw.arguments_text)
    # A FROM that cannot be read is still a stage with an unknown image. The image is set first, because
    # expanding the --platform value or the image's own variables may raise.
    written = words[0] if words else ""
    result["image"] = image_reference(written, Expanded(written, True), {})
    platform = flag_value(result["flags"], "platform")
    if platform is not None:
        expanded_platform = context.expand(platform)
        # $BUILDPLATFORM and similar are only known at build time: keep them as written.
        result["platform"] = platform if expanded_platform.unknown else expanded_platform.value
    if not words:
        raise InstructionError("FROM requires an image: write FROM image[:tag] [AS name]")
    expanded = context.expand(words[0])
    result["image"] = image_reference(words[0], expanded, context.stage_names)
    if len(words) == 3 and words[1].lower() == "as":
        name = words[2].lower()
        result["stage_name"] = name
        if not _STAGE_NAME.match(name):
            raise InstructionError(
                f"invalid stage name {words[2]!r}: it must start with a letter and hold only letters, digits, '-', '_' and '.'"
            )
    elif len(words) != 1:
        raise InstructionError("FROM takes an image and, optionally, AS and a stage name")
    if not expanded.value and not expanded.unknown:
        raise InstructionError(f"the base image {words[0]!r} expands to an empty name")


def _parse_arg(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    words = _docker_words(raw.arguments_text, context.escape)
    if not words:
        raise InstructionError("ARG requires at least one argument")
    # Each ARG of one instruction can use the ones before it, unlike the names of one ENV.
    environment = dict(context.environment)
    variables: list[dict[str, Any]] = []
    result["variables"] = variables
    for word in words:
        name, equals, value = word.partition("=")
        if equals and not name:
            raise InstructionError(f"ARG names can not be blank, in {word!r}")
        expanded = expand(value, environment, context.escape) if equals else None
        variables.append(_variable(name, value if equals else None, expanded))
        if expanded is not None:
            environment[name] = None if expanded.unknown else expanded.value


def _parse_run(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    flags = result["flags"]
    mounts = []
    for mount_text in flag_values(flags, "mount"):
        try:
            mounts.append(parse_mount(mount_text, context))
        except MountError as error:
            raise InstructionError(f"invalid --mount: {error}") from None
    if mounts:
        result["mounts"] = mounts
    for name, allowed in (("network", _NETWORK_MODES), ("security", _SECURITY_MODES)):
        value = flag_value(flags, name)
        if value is None:
            continue
        value = context.expand(value).value
        result[name] = value
        if value not in allowed:
            raise InstructionError(f"invalid --{name}={value}; use one of {', '.join(sorted(allowed))}")
    devices = flag_values(flags, "device")
    if devices:
        result["devices"] = devices
    if raw.json_form:
        if not raw.json_arguments:
            raise InstructionError("RUN requires a command; the JSON array is empty")
        process, commands, failed = scripts.exec_form(list(raw.json_arguments), raw.start_line)
        result.update(process=process, commands=commands)
        if failed:
            result["shell_error"] = True
        return
    if not raw.arguments_text:
        raise InstructionError("RUN requires a command")
    result.update(scripts.run_script(raw, context.shell))


def _parse_process(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    # The commands of CMD and ENTRYPOINT are not kept on the instruction: build rules select
    # instructions[*].commands[*] as what the build runs, and CMD ["htop"] runs nothing at build time.
    # What the container starts is runtimes[*].execution, built from the process.
    if raw.json_form:
        # CMD [] and ENTRYPOINT [] are valid: they clear the value inherited from the base.
        process, _, failed = scripts.exec_form(list(raw.json_arguments or []), raw.start_line)
        result["process"] = process
        if failed:
            result["shell_error"] = True
        return
    if not raw.arguments_text:
        raise InstructionError(f"{raw.keyword} requires at least one argument")
    described = scripts.shell_form(raw, raw.arguments_text, context.shell)
    described.pop("commands", None)
    result.update(described)


def _parse_shell(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if not raw.json_form or not raw.json_arguments:
        raise InstructionError('SHELL requires the JSON form, such as SHELL ["/bin/bash", "-c"]')
    result["shell"] = list(raw.json_arguments)


def _parse_copy(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    copy, error = parse_copy(raw, context, result["flags"])
    result["copy"] = copy
    if error:
        raise InstructionError(error)


def _parse_user(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if not raw.arguments_text:
        raise InstructionError("USER requires a user name or uid")
    expanded = context.expand(raw.arguments_text)
    user = parse_user(expanded.value, expanded.unknown)
    user["raw"] = raw.arguments_text
    user["source"] = "instruction"
    result["user"] = user
    if not expanded.value and not expanded.unknown:
        raise InstructionError(f"USER {raw.arguments_text} expands to an empty user")


def _parse_healthcheck(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    healthcheck, fields, error = parse_healthcheck(raw, result["flags"], context.shell)
    if healthcheck is not None:
        result["healthcheck"] = healthcheck
        result["form"] = healthcheck.get("form")
    result.update(fields)
    if error:
        raise InstructionError(error)


def _parse_expose(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    ports: list[dict[str, Any]] = []
    result["ports"] = ports
    words = whitespace_words(raw.arguments_text)
    if not words:
        raise InstructionError("EXPOSE requires at least one port")
    for word in words:
        for expanded in context.words(word):
            if expanded.unknown:
                ports.append({"raw": word, "port": None, "protocol": "tcp"})
                continue
            try:
                port, warning = parse_port(expanded.value)
            except PortError as error:
                raise InstructionError(str(error)) from None
            if expanded.value != word:
                port["raw"] = word
            ports.append(port)
            if warning:
                result.setdefault("warnings", []).append(warning)


def _parse_workdir(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if not raw.arguments_text:
        raise InstructionError("WORKDIR requires a path")
    result["path"] = context.expand(raw.arguments_text).value


def _parse_volume(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    words = raw.json_arguments if raw.json_form else whitespace_words(raw.arguments_text)
    if not words:
        raise InstructionError("VOLUME requires at least one path")
    volumes = [context.expand(word).value.strip() for word in words]
    result["volumes"] = volumes
    if any(not volume for volume in volumes):
        raise InstructionError("VOLUME paths cannot be empty")


def _parse_stopsignal(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if not raw.arguments_text:
        raise InstructionError("STOPSIGNAL requires a signal, such as SIGTERM")
    result["signal"] = context.expand(raw.arguments_text).value


def _parse_maintainer(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if not raw.arguments_text:
        raise InstructionError("MAINTAINER requires a name")
    result["maintainer"] = raw.arguments_text
    result["warnings"] = ["MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors=... instead"]


def _parse_onbuild(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if raw.inner is None:
        raise InstructionError("ONBUILD requires an instruction to defer")
    result["inner"] = parse_instruction(raw.inner, context)
    if raw.inner.keyword == "ONBUILD":
        raise InstructionError("ONBUILD cannot defer another ONBUILD")
    if raw.inner.keyword in ("FROM", "MAINTAINER"):
        raise InstructionError(f"{raw.inner.keyword} is not allowed as an ONBUILD trigger")


_PARSERS: dict[str, Callable[[RawInstruction, Context, dict[str, Any]], None]] = {
    "FROM": _parse_from,
    "ARG": _parse_arg,
    "ENV": _parse_name_values,
    "LABEL": _parse_name_values,
    "RUN": _parse_run,
    "CMD": _parse_process,
    "ENTRYPOINT": _parse_process,
    "SHELL": _parse_shell,
    "COPY": _parse_copy,
    "ADD": _parse_copy,
    "USER": _parse_user,
    "HEALTHCHECK": _parse_healthcheck,
    "EXPOSE": _parse_expose,
    "WORKDIR": _parse_workdir,
    "VOLUME": _parse_volume,
    "STOPSIGNAL": _parse_stopsignal,
    "MAINTAINER": _parse_maintainer,
    "ONBUILD": _parse_onbuild,
}


def _arguments(raw: RawInstruction) -> list[str]:
    if raw.json_form:
        return list(raw.json_arguments or [])
    if raw.keyword in _SINGLE_ARGUMENT:
        return [raw.arguments_text] if raw.arguments_text else []
    return whitespace_words(raw.arguments_text)


def parse_instruction(raw: RawInstruction, context: Context) -> dict[str, Any]:
    """Build the model dict of one instruction."""
    result: dict[str, Any] = {
        "keyword": raw.keyword,
        "keyword_as_written": raw.keyword_as_written,
        "line": raw.start_line,
        "end_line": raw.end_line,
        "original": raw.original,
        "arguments": _arguments(raw),
        "flags": parse_flags(raw.flags),
    }
    if raw.keyword in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
        result["form"] = "exec" if raw.json_form else "shell"
    if raw.heredocs:
        result["heredocs"] = [_heredoc(heredoc) for heredoc in raw.heredocs]

    if raw.json_error:
        result["error"] = raw.json_error
        return result
    parser = _PARSERS.get(raw.keyword)
    if parser is None:
        written = raw.keyword_as_written.strip()
        if written:
            result["error"] = f"unknown instruction {written}"
        else:
            # A line continuation that nothing follows, such as a last line of spaces and a backslash.
            result["error"] = "a line continuation with no instruction after it; remove the escape character or write the instruction"
        return result

    flag_error = None if _flags_ignored(raw) else check_flags(raw.keyword, result["flags"])
    try:
        parser(raw, context, result)
    except InstructionError as error:
        result["error"] = str(error)
    except SubstitutionError as substitution_error:
        result["error"] = f"invalid variable substitution: {substitution_error}"
    # Docker checks flags before arguments, so a flag error is the one it reports.
    if flag_error:
        result["error"] = flag_error
    return result


def _flags_ignored(raw: RawInstruction) -> bool:
    # Docker reads no flags for HEALTHCHECK NONE.
    if raw.keyword != "HEALTHCHECK":
        return False
    return WHITESPACE.split(raw.arguments_text, maxsplit=1)[0].upper() == "NONE"


def _heredoc(heredoc: Any) -> dict[str, Any]:
    return {
        "name": heredoc.name,
        "chomp": heredoc.chomp,
        "quoted": heredoc.quoted,
        "file_descriptor": heredoc.file_descriptor,
        "content": heredoc.content,
        "line": heredoc.start_line,
        "end_line": heredoc.end_line,
    }

"""Give each raw instruction its meaning: the typed fields of the document model.

One function per keyword turns the arguments of a :class:`RawInstruction` into
the fields of an ``Instruction`` (see ``prodpolicy.model.dockerfile``). Argument
splitting follows Docker's per-keyword rules; substitution uses the variables in
scope, which the caller passes in. What Docker would reject is recorded in the
instruction's ``error`` field instead of stopping the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .. import shell
from ..durations import parse_duration
from ..imageref import parse_image_reference
from .expand import Environment, Expanded, SubstitutionError, expand, split_words
from .lexer import RawInstruction, parse_json_array

KNOWN_KEYWORDS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
DEFAULT_SHELL = ("/bin/sh", "-c")
_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_PORT = re.compile(r"^([0-9]+)(?:-([0-9]+))?(?:/([A-Za-z]+))?$")
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz")


class Context:
    """What an instruction's meaning depends on: variables in scope, escape character, stages."""

    def __init__(self, environment: Environment, escape: str, stage_names: Mapping[str, int], file: str) -> None:
        self.environment = environment
        self.escape = escape
        self.stage_names = stage_names
        self.file = file


def parse_flags(flags: list[str]) -> list[dict[str, Any]]:
    """Split ``--name=value`` flag words into name and value."""
    parsed = []
    for flag in flags:
        name, equals, value = flag[2:].partition("=")
        parsed.append({"name": name, "value": value if equals else None})
    return parsed


def _flag_values(flags: list[dict[str, Any]], name: str) -> list[str | None]:
    return [flag["value"] for flag in flags if flag["name"] == name]


def _last_flag(flags: list[dict[str, Any]], name: str) -> str | None:
    values = _flag_values(flags, name)
    return values[-1] if values else None


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
        result["is_root"] = user in ("root", "0")
    return result


def parse_port(text: str) -> dict[str, Any] | None:
    """Read ``80``, ``80/udp`` or ``8000-8010/tcp``; None when it is not a port."""
    match = _PORT.match(text)
    if not match:
        return None
    port: dict[str, Any] = {"port": int(match.group(1)), "protocol": (match.group(3) or "tcp").lower(), "raw": text}
    if match.group(2):
        port["end_port"] = int(match.group(2))
    if port["protocol"] not in ("tcp", "udp", "sctp"):
        return None
    return port


def image_reference(raw: str, expanded: Expanded, stage_names: Mapping[str, int]) -> dict[str, Any]:
    """Describe an image reference, or the earlier stage a FROM or --from names."""
    reference = expanded.value
    result: dict[str, Any] = {"raw": raw, "reference": reference}
    if expanded.unknown:
        result.update(unknown=True, pinning="unknown")
        return result
    stage_index = stage_names.get(reference.lower())
    if stage_index is not None:
        result.update(stage=reference, stage_index=stage_index, pinning="stage")
        return result
    if reference.lower() == "scratch":
        result.update(scratch=True, pinning="scratch")
        return result
    parsed = parse_image_reference(reference)
    result.update(registry=parsed.registry, repository=parsed.repository, name=parsed.name, tag=parsed.tag)
    result["digest"] = parsed.digest
    if parsed.error:
        result["error"] = parsed.error
    if parsed.digest:
        result["pinning"] = "digest"
    elif parsed.tag is None:
        result["pinning"] = "none"
    elif parsed.tag == "latest":
        result["pinning"] = "latest"
    else:
        result["pinning"] = "tag"
    return result


def _expand(text: str, context: Context) -> Expanded:
    return expand(text, context.environment, context.escape)


def _words(text: str, context: Context) -> list[Expanded]:
    return split_words(text, context.environment, context.escape)


def _whitespace_words(text: str) -> list[str]:
    return [word for word in _WHITESPACE.split(text) if word]


def _docker_words(text: str, escape: str) -> list[str]:
    """Split the way Docker's parseWords does: on whitespace outside quotes, quotes kept."""
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


def _name_value_pairs(raw: RawInstruction, context: Context) -> tuple[list[dict[str, Any]], str | None]:
    """Read ENV and LABEL arguments: ``a=b c=d`` or the legacy ``NAME value with spaces``."""
    words = _docker_words(raw.arguments_text, context.escape)
    if not words:
        return [], f"{raw.keyword} requires at least one argument"
    if "=" not in words[0]:
        parts = _WHITESPACE.split(raw.arguments_text, maxsplit=1)
        if len(parts) < 2:
            return [], f"{raw.keyword} needs a value: write {raw.keyword} {parts[0]}=value"
        name, value = parts
        return [_variable(name, value, _expand(value, context))], None
    variables = []
    for word in words:
        if "=" not in word:
            return variables, f"{raw.keyword}: missing '=' in {word!r}; write name=value"
        name, value = word.split("=", 1)
        variables.append(_variable(_expand(name, context).value, value, _expand(value, context)))
    return variables, None


def _parse_from(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    words = _whitespace_words(raw.arguments_text)
    platform = _last_flag(result["flags"], "platform")
    if platform is not None:
        result["platform"] = platform
    if len(words) not in (1, 3) or (len(words) == 3 and words[1].lower() != "as"):
        result["error"] = "FROM takes an image and, optionally, AS and a stage name"
        if not words:
            result["image"] = image_reference("", Expanded("", True), {})
            return
    expanded = _expand(words[0], context)
    result["image"] = image_reference(words[0], expanded, context.stage_names)
    if len(words) == 3:
        result["stage_name"] = words[2]


def _parse_arg(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    words = _docker_words(raw.arguments_text, context.escape)
    if not words:
        result["error"] = "ARG requires at least one argument"
        return
    variables = []
    for word in words:
        name, equals, value = word.partition("=")
        variables.append(_variable(name, value if equals else None, _expand(value, context) if equals else None))
    result["variables"] = variables


def _parse_env(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    variables, error = _name_value_pairs(raw, context)
    result["variables"] = variables
    if error:
        result["error"] = error


def _shell_process(raw: RawInstruction, shell_argv: list[str]) -> dict[str, Any]:
    if raw.json_form:
        return {"form": "exec", "argv": list(raw.json_arguments or [])}
    return {"form": "shell", "argv": [*shell_argv, raw.arguments_text], "script": raw.arguments_text}


def _add_commands(result: dict[str, Any], script: str) -> None:
    commands, failed = shell.parse_script(script)
    result["commands"] = commands
    if failed:
        result["shell_error"] = True


def _parse_run(raw: RawInstruction, context: Context, result: dict[str, Any], shell_argv: list[str]) -> None:
    flags = result["flags"]
    mounts = [_parse_mount(value or "") for value in _flag_values(flags, "mount")]
    if mounts:
        result["mounts"] = mounts
    network = _last_flag(flags, "network")
    if network is not None:
        result["network"] = network
    security = _last_flag(flags, "security")
    if security is not None:
        result["security"] = security
    if raw.json_form:
        argv = list(raw.json_arguments or [])
        script = shell.shell_script_of(argv)
        if script is not None:
            _add_commands(result, script)
        else:
            result["commands"] = [{"argv": argv, "program": shell.program_name(argv[0]) if argv else None,
                                   "operator": None, "text": " ".join(argv)}]
        return
    if not raw.arguments_text:
        result["error"] = "RUN requires a command"
        return
    _add_commands(result, _script_with_heredocs(raw))


def _script_with_heredocs(raw: RawInstruction) -> str:
    """Return the shell script a RUN executes, heredoc bodies included where they are the script."""
    text = raw.arguments_text
    if not raw.heredocs:
        return text
    words = text.split()
    first = raw.heredocs[0]
    # RUN <<EOF (optionally followed by a shell name): the first body is the script itself.
    opener = words[0] if words else ""
    if opener.startswith("<<") or opener[:1].isdigit() and "<<" in opener:
        rest = [word for word in words[1:] if not word.startswith("<<")]
        if not rest or shell.program_name(rest[0]) in shell.SHELLS:
            return first.content
    # Otherwise the bodies are input to commands on the line; keep the line with bodies attached.
    bodies = "".join(f"\n{heredoc.content}{heredoc.name}" for heredoc in raw.heredocs)
    return text + bodies


def _parse_mount(text: str) -> dict[str, Any]:
    options: dict[str, str] = {}
    for field in _split_csv(text):
        key, equals, value = field.partition("=")
        options[key.strip().lower()] = value if equals else "true"
    mount: dict[str, Any] = {"type": options.get("type", "bind"), "options": options}
    for key in ("id", "target", "source", "from", "env"):
        value = options.get(key) or options.get({"target": "dst", "source": "src"}.get(key, "")) or None
        if key == "target" and value is None:
            value = options.get("destination")
        if value is not None:
            mount[key] = value
    for key in ("required", "readonly"):
        value = options.get(key) or (options.get("ro") if key == "readonly" else None)
        if value is not None:
            mount[key] = value.lower() in ("true", "1", "")
    return mount


def _split_csv(text: str) -> list[str]:
    """Split comma-separated options, allowing double-quoted fields as Docker's CSV reader does."""
    fields: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return [field for field in fields if field]


def _parse_process(raw: RawInstruction, context: Context, result: dict[str, Any], shell_argv: list[str]) -> None:
    if not raw.arguments_text and not raw.json_form:
        result["error"] = f"{raw.keyword} requires at least one argument"
        return
    process = _shell_process(raw, shell_argv)
    result["process"] = process
    if process["form"] == "shell":
        _add_commands(result, process["script"])


def _parse_shell(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if not raw.json_form or not raw.json_arguments:
        result["error"] = 'SHELL requires the JSON form, such as SHELL ["/bin/bash", "-c"]'
        return
    result["shell"] = list(raw.json_arguments)


def _parse_copy(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if raw.json_form:
        words = [Expanded(word) for word in raw.json_arguments or []]
        raw_words = list(raw.json_arguments or [])
    else:
        raw_words = _whitespace_words(raw.arguments_text)
        words = [_expand(word, context) for word in raw_words]
    if len(words) < 2:
        result["error"] = f"{raw.keyword} requires at least one source and a destination"
    flags = result["flags"]
    from_value = _last_flag(flags, "from")
    heredoc_names = {heredoc.name for heredoc in raw.heredocs}
    sources = []
    for raw_word, word in zip(raw_words[:-1], words[:-1]):
        sources.append(_copy_source(raw.keyword, raw_word, word.value, heredoc_names, from_value is not None))
    copy: dict[str, Any] = {"sources": sources, "destination": words[-1].value if len(words) >= 2 else None}
    if from_value is not None:
        copy["from"] = from_value
        stage_index = context.stage_names.get(from_value.lower())
        if stage_index is None and from_value.isdigit():
            stage_index = int(from_value)
        if stage_index is not None:
            copy["from_stage"] = stage_index
    for name in ("chown", "chmod"):
        value = _last_flag(flags, name)
        if value is not None:
            copy[name] = _expand(value, context).value
    if any(flag["name"] == "link" and flag["value"] in (None, "true") for flag in flags):
        copy["link"] = True
    result["copy"] = copy


def _copy_source(keyword: str, raw_word: str, value: str, heredocs: set[str], from_other: bool) -> dict[str, Any]:
    if raw_word.startswith("<<") and raw_word.lstrip("<-").strip("'\"\\") in heredocs:
        return {"path": value, "kind": "heredoc"}
    if from_other:
        return {"path": value, "kind": "stage"}
    lowered = value.lower()
    if keyword == "ADD" and (lowered.startswith("git@") or lowered.endswith(".git") or "://" in lowered and ".git#" in lowered):
        return {"path": value, "kind": "git"}
    if lowered.startswith(("http://", "https://")):
        return {"path": value, "kind": "url"}
    source: dict[str, Any] = {"path": value, "kind": "local"}
    if keyword == "ADD" and lowered.endswith(_ARCHIVE_SUFFIXES):
        source["archive"] = True
    return source


def _parse_user(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if not raw.arguments_text:
        result["error"] = "USER requires a user name or uid"
        return
    expanded = _expand(raw.arguments_text, context)
    user = parse_user(expanded.value, expanded.unknown)
    user["raw"] = raw.arguments_text
    user["source"] = "instruction"
    result["user"] = user


def _parse_healthcheck(raw: RawInstruction, context: Context, result: dict[str, Any], shell_argv: list[str]) -> None:
    first = _WHITESPACE.split(raw.arguments_text, maxsplit=1)
    kind = first[0].upper() if first and first[0] else ""
    rest = first[1] if len(first) > 1 else ""
    if kind == "NONE":
        result["healthcheck"] = {"state": "disabled", "source": "instruction"}
        if rest.strip() or result["flags"]:
            result["error"] = "HEALTHCHECK NONE takes no other arguments or flags"
        return
    if kind != "CMD":
        result["error"] = f"unknown HEALTHCHECK type {first[0] if first else ''!r}; use CMD or NONE"
        return
    healthcheck: dict[str, Any] = {"state": "configured", "source": "instruction"}
    argv, json_error = parse_json_array(rest)
    if json_error:
        result["error"] = json_error
    if argv is not None:
        healthcheck.update(test=["CMD", *argv], form="exec")
        if not argv:
            result["error"] = "HEALTHCHECK CMD is missing its command"
    else:
        if not rest.strip():
            result["error"] = "HEALTHCHECK CMD is missing its command"
        healthcheck.update(test=["CMD-SHELL", rest], form="shell")
        commands, _ = shell.parse_script(rest)
        healthcheck["commands"] = commands
    for flag in result["flags"]:
        name, value = flag["name"], flag["value"] or ""
        key = name.replace("-", "_")
        if key in ("interval", "timeout", "start_period", "start_interval"):
            seconds = parse_duration(value)
            if seconds is None:
                result["error"] = f"invalid duration {value!r} for --{name}; write it like 30s or 1m30s"
            else:
                healthcheck[key] = seconds
        elif key == "retries":
            if value.isdigit():
                healthcheck["retries"] = int(value)
            else:
                result["error"] = f"invalid --retries value {value!r}; use a whole number"
        else:
            result["error"] = f"unknown HEALTHCHECK flag --{name}"
    result["healthcheck"] = healthcheck


def _parse_expose(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    ports = []
    for word in _whitespace_words(raw.arguments_text):
        expanded = _expand(word, context)
        port = None if expanded.unknown else parse_port(expanded.value)
        if port is None and not expanded.unknown:
            result["error"] = f"invalid port {expanded.value!r} in EXPOSE; use a number, a range or number/protocol"
            continue
        ports.append(port or {"raw": word, "port": None, "protocol": "tcp"})
    if not ports and "error" not in result:
        result["error"] = "EXPOSE requires at least one port"
    result["ports"] = ports


def _parse_workdir(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    if not raw.arguments_text:
        result["error"] = "WORKDIR requires a path"
        return
    result["path"] = _expand(raw.arguments_text, context).value


def _parse_volume(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    words = raw.json_arguments if raw.json_form else _whitespace_words(raw.arguments_text)
    result["volumes"] = [_expand(word, context).value for word in words or []]


def _parse_stopsignal(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    result["signal"] = _expand(raw.arguments_text, context).value


def _no_meaning(raw: RawInstruction, context: Context, result: dict[str, Any]) -> None:
    return None


_SIMPLE_PARSERS: dict[str, Callable[[RawInstruction, Context, dict[str, Any]], None]] = {
    "FROM": _parse_from,
    "ARG": _parse_arg,
    "ENV": _parse_env,
    "LABEL": _parse_env,
    "SHELL": _parse_shell,
    "COPY": _parse_copy,
    "ADD": _parse_copy,
    "USER": _parse_user,
    "EXPOSE": _parse_expose,
    "WORKDIR": _parse_workdir,
    "VOLUME": _parse_volume,
    "STOPSIGNAL": _parse_stopsignal,
    "MAINTAINER": _no_meaning,
}
_SHELL_PARSERS = {
    "RUN": _parse_run,
    "CMD": _parse_process,
    "ENTRYPOINT": _parse_process,
    "HEALTHCHECK": _parse_healthcheck,
}


def _arguments(raw: RawInstruction) -> list[str]:
    if raw.json_form:
        return list(raw.json_arguments or [])
    if raw.keyword in ("RUN", "CMD", "ENTRYPOINT", "USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER", "HEALTHCHECK"):
        return [raw.arguments_text] if raw.arguments_text else []
    return _whitespace_words(raw.arguments_text)


def parse_instruction(raw: RawInstruction, context: Context, shell_argv: list[str]) -> dict[str, Any]:
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
        result["heredocs"] = [
            {
                "name": heredoc.name,
                "chomp": heredoc.chomp,
                "quoted": heredoc.quoted,
                "file_descriptor": heredoc.file_descriptor,
                "content": heredoc.content,
                "line": heredoc.start_line,
                "end_line": heredoc.end_line,
            }
            for heredoc in raw.heredocs
        ]
    if raw.json_error:
        result["error"] = raw.json_error
        return result
    try:
        if raw.keyword in _SIMPLE_PARSERS:
            _SIMPLE_PARSERS[raw.keyword](raw, context, result)
        elif raw.keyword in _SHELL_PARSERS:
            _SHELL_PARSERS[raw.keyword](raw, context, result, shell_argv)
        elif raw.keyword == "ONBUILD":
            _parse_onbuild(raw, context, result, shell_argv)
        else:
            result["error"] = f"unknown instruction {raw.keyword_as_written}"
    except SubstitutionError as error:
        result["error"] = f"invalid variable substitution: {error}"
    if raw.keyword == "HEALTHCHECK" and "healthcheck" in result:
        result["form"] = result["healthcheck"].get("form")
    return result


def _parse_onbuild(raw: RawInstruction, context: Context, result: dict[str, Any], shell_argv: list[str]) -> None:
    if raw.inner is None:
        result["error"] = "ONBUILD requires an instruction to defer"
        return
    if raw.inner.keyword in ("ONBUILD", "FROM", "MAINTAINER"):
        result["error"] = f"ONBUILD cannot defer {raw.inner.keyword}"
    result["inner"] = parse_instruction(raw.inner, context, shell_argv)

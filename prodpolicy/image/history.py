"""Read the ``created_by`` of history entries as Dockerfile instructions.

Builders record each build step in the image config's history, in one of two
shapes:

* BuildKit: the instruction itself, such as ``RUN /bin/sh -c npm ci # buildkit``
  or ``ENV NODE_ENV=production``, with arguments formatted by Go (see
  :mod:`.gosyntax`);
* the legacy builder: ``/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]``
  for steps that change only the config, ``/bin/sh -c apt-get update`` for RUN.

RUN steps of both may start with the build arguments in effect:
``|2 A=1 B=2 /bin/sh -c make``. Steps that are not instructions (``docker
commit``, a base image's ``# debian.sh ...`` comment) keep no instruction.
Each instruction is rebuilt as Dockerfile text and read by the Dockerfile
instruction parser, so RUN steps carry the same ``commands`` as in a Dockerfile.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..dockerfile.instructions import KNOWN_KEYWORDS, Context, parse_instruction
from ..dockerfile.lexer import build_instruction
from . import gosyntax

DEFAULT_SHELL = ["/bin/sh", "-c"]

_BUILDKIT_SUFFIX = re.compile(r"\s+# buildkit\s*$")
_LEGACY_NOP = re.compile(r"^(?:/bin/)?sh -c #\(nop\)\s*", re.DOTALL)
_ARGUMENT_COUNT = re.compile(r"^\|(\d+)(?:\s+|$)")
# A shell and its options up to the one holding c: /bin/sh -c, /bin/bash -o pipefail -eux -c.
_SHELL = re.compile(
    r"(?:^|\s)(?:/\S*/)?(?:sh|bash|ash|dash|zsh|ksh|mksh)(?:\s+-o\s+\S+|\s+-[A-Za-z]*[abd-zA-Z])*\s+-[A-Za-z]*c[A-Za-z]*(?:\s+|$)"
)
_ASSIGNMENT_START = re.compile(r"(?:^|\s)(?=[A-Za-z_][A-Za-z0-9_]*=)")
_PAIR_START = re.compile(r"(?:^|\s)(?=[^\s=\"]+=)")
_WORD = re.compile(r"\s*\S+")
_LEADING_FLAGS = re.compile(r"^((?:--\S+\s+)*)")
_LEGACY_COPY = re.compile(r"^(?P<sources>.*?) in (?P<destination>\S.*?)\s*$", re.DOTALL)
_DURATION_FLAGS = (("interval", "interval"), ("timeout", "timeout"), ("start_period", "start-period"), ("start_interval", "start-interval"))


@dataclass
class Step:
    """The facts of one history entry: the builder, the instruction and a RUN's build arguments."""

    builder: str | None = None
    instruction: dict[str, Any] | None = None
    build_args: list[dict[str, Any]] = field(default_factory=list)


def parse_step(created_by: str, comment: str | None, line: int, file: str) -> Step:
    """Read one ``created_by`` text; ``line`` is where the history entry sits in the config JSON."""
    text = created_by.strip()
    step = Step()
    suffix = _BUILDKIT_SUFFIX.search(text)
    if suffix is not None:
        text = text[: suffix.start()]
        step.builder = "buildkit"
    elif comment == "buildkit.dockerfile.v0":
        step.builder = "buildkit"

    nop = _LEGACY_NOP.match(text)
    if nop is not None:
        step.builder = "classic"
        keyword, _, rest = text[nop.end() :].partition(" ")
        _instruction(step, keyword, rest.strip(), created_by, line, file)
    elif _ARGUMENT_COUNT.match(text) or _SHELL.match(text):
        # The legacy builder records RUN as the command alone, with the build arguments in front.
        step.builder = step.builder or "classic"
        _run(step, text, created_by, line, file)
    else:
        keyword, _, rest = text.partition(" ")
        if keyword in KNOWN_KEYWORDS:
            _instruction(step, keyword, rest.strip(), created_by, line, file)
    return step


def _instruction(step: Step, keyword: str, rest: str, created_by: str, line: int, file: str) -> None:
    if keyword == "RUN":
        _run(step, rest, created_by, line, file)
        return
    text = dockerfile_text(keyword, rest)
    if text is not None:
        step.instruction = _parse(text, created_by, line, file)


def _run(step: Step, text: str, created_by: str, line: int, file: str) -> None:
    flags = _LEADING_FLAGS.match(text)
    flag_text = flags.group(1) if flags else ""
    text = text[len(flag_text) :]
    count = _ARGUMENT_COUNT.match(text)
    shell = _SHELL.search(text)
    script_start = 0
    if count is not None:
        # Without a shell (exec form RUN), the arguments are the number of words the count gives.
        if shell is not None:
            script_start = shell.start()
        else:
            script_start = _end_of_words(text, count.end(), int(count.group(1)))
        step.build_args = _build_args(text[count.end() : script_start])
    if shell is not None:
        script_start = shell.end()
    step.instruction = _parse(f"RUN {flag_text}{text[script_start:].strip()}", created_by, line, file)


def _end_of_words(text: str, start: int, count: int) -> int:
    """Return the end offset of ``count`` space-separated words after ``start``."""
    position = start
    for _ in range(count):
        match = _WORD.match(text, position)
        if match is None:
            break
        position = match.end()
    return position


def _build_args(text: str) -> list[dict[str, Any]]:
    arguments = []
    for pair in _split_pairs(text, _ASSIGNMENT_START):
        name, _, value = pair.partition("=")
        arguments.append({"name": name, "value": value})
    return arguments


def _split_pairs(text: str, start: re.Pattern[str]) -> list[str]:
    """Split ``A=1 B=two words`` at each space that starts a new ``name=``; values are not quoted in history.

    NOTE: a value that itself contains `` name=`` is split there, because the history text is ambiguous.
    """
    text = text.strip()
    if not text:
        return []
    cuts = [match.start() for match in start.finditer(text) if match.start() > 0] + [len(text)]
    pairs = []
    previous = 0
    for cut in cuts:
        pairs.append(text[previous:cut].strip())
        previous = cut
    return [pair for pair in pairs if pair]


def _literal(text: str) -> str:
    """Escape text so that the Dockerfile parser does not substitute variables in it."""
    return text.replace("\\", "\\\\").replace("$", "\\$")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def dockerfile_text(keyword: str, rest: str) -> str | None:
    """Rebuild the Dockerfile line of a non-RUN history step; None when its arguments have an unknown shape."""
    if keyword in ("CMD", "ENTRYPOINT"):
        parsed = gosyntax.quoted_list(rest)
        return f"{keyword} {json.dumps(parsed[0])}" if parsed is not None else f"{keyword} {rest}"
    if keyword in ("SHELL", "VOLUME"):
        parsed = gosyntax.quoted_list(rest)
        items = parsed[0] if parsed is not None else gosyntax.plain_list(rest)
        return f"{keyword} {json.dumps(items)}" if items is not None else f"{keyword} {_literal(rest)}"
    if keyword == "EXPOSE":
        ports = gosyntax.map_keys(rest)
        return f"EXPOSE {' '.join(ports) if ports is not None else _literal(rest)}"
    if keyword == "HEALTHCHECK":
        return _healthcheck_text(rest)
    if keyword in ("ENV", "LABEL"):
        pairs = _split_pairs(rest, _PAIR_START)
        written = []
        for pair in pairs:
            name, equals, value = pair.partition("=")
            written.append(f"{_quoted(name)}={_quoted(value)}" if equals else _quoted(name))
        return f"{keyword} {' '.join(written)}" if written else None
    if keyword == "ARG":
        pairs = _split_pairs(rest, _PAIR_START)
        written = []
        for pair in pairs:
            name, equals, value = pair.partition("=")
            written.append(f"{name}={_quoted(value)}" if equals else name)
        return f"ARG {' '.join(written)}" if written else None
    if keyword in ("COPY", "ADD"):
        legacy = _LEGACY_COPY.match(rest)
        if legacy is not None and ":" in legacy.group("sources").split()[0]:
            # The legacy builder writes ADD file:<digest> in /destination.
            return f"{keyword} {_literal(legacy.group('sources'))} {_literal(legacy.group('destination'))}"
        return f"{keyword} {_literal(rest)}"
    if keyword == "ONBUILD":
        return f"ONBUILD {rest}"
    return f"{keyword} {_literal(rest)}"


def _healthcheck_text(rest: str) -> str | None:
    parsed = gosyntax.healthcheck(rest)
    if parsed is None:
        return None
    test = parsed["test"]
    assert isinstance(test, list)
    if not test or test[0] == "NONE":
        return "HEALTHCHECK NONE"
    flags = [
        f"--{flag}={parsed[key]}" for key, flag in _DURATION_FLAGS if parsed.get(key) not in (None, "", "0s")
    ]
    if parsed.get("retries"):
        flags.append(f"--retries={parsed['retries']}")
    prefix = " ".join(["HEALTHCHECK", *flags])
    if test[0] == "CMD-SHELL" and len(test) == 2:
        return f"{prefix} CMD {test[1]}"
    if test[0] == "CMD":
        return f"{prefix} CMD {json.dumps(test[1:])}"
    return None


def _parse(text: str, created_by: str, line: int, file: str) -> dict[str, Any] | None:
    raw = build_instruction(text, line, line)
    instruction = parse_instruction(raw, Context({}, "\\", {}, file, shell=list(DEFAULT_SHELL)))
    if instruction.get("error"):
        # The step ran when the image was built; a parse error means the rebuilt text is ours to blame.
        return None
    instruction["original"] = created_by
    return instruction


_WRAPPER_VALUE_OPTIONS = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"})
_OCTAL_MODE = re.compile(r"^[0-7]{4}$")
_SYMBOLIC_CLAUSE = re.compile(r"^([ugoa]*)([-+=])([rwxXst]*)$")


def setuid_changes(instruction: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Return the files a RUN step's chmod commands give the setuid or setgid bit.

    Reads octal modes (``4755``, ``2755``, ``6755``) and symbolic ones (``u+s``,
    ``g+s``, ``+s``, ``a=rwxs``); ``-R`` and other options are skipped.
    """
    changes = []
    for command in (instruction or {}).get("commands") or []:
        argv = _without_privilege_wrapper(command["argv"])
        if not argv or argv[0].rsplit("/", 1)[-1] != "chmod":
            continue
        operands = [word for word in argv[1:] if not word.startswith("-") or _mode_bits(word)]
        if len(operands) < 2:
            continue
        mode, paths = operands[0], operands[1:]
        bits = _mode_bits(mode)
        if bits is None or not any(bits):
            continue
        changes.extend({"path": path, "mode": mode, "setuid": bits[0], "setgid": bits[1]} for path in paths)
    return changes


def _without_privilege_wrapper(argv: list[str]) -> list[str]:
    """Drop a leading sudo or doas and its options: sudo chmod u+s is still a chmod."""
    if argv and argv[0].rsplit("/", 1)[-1] in ("sudo", "doas"):
        rest = argv[1:]
        while rest and rest[0].startswith("-"):
            # sudo -u USER and doas -u USER take the next word as the option's value.
            rest = rest[2:] if rest[0] in _WRAPPER_VALUE_OPTIONS else rest[1:]
        return rest
    return argv


def _mode_bits(mode: str) -> tuple[bool, bool] | None:
    """Return (setuid, setgid) that a chmod mode sets; None when the text is not a mode."""
    if _OCTAL_MODE.match(mode):
        special = int(mode[0])
        return bool(special & 4), bool(special & 2)
    setuid = setgid = False
    for clause in mode.split(","):
        match = _SYMBOLIC_CLAUSE.match(clause)
        if match is None:
            return None
        who, operator, permissions = match.groups()
        if operator == "-" or "s" not in permissions:
            continue
        setuid = setuid or not who or "u" in who or "a" in who
        setgid = setgid or not who or "g" in who or "a" in who
    return setuid, setgid

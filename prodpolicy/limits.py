"""Input limits: how much of an input is read before it counts as hostile or broken.

Every limit has a default that real container build files stay far below, and
a command-line option that raises it. An input over a limit is an input error
for that file. The message names the limit, its value and the option, and the
rest of the batch is still evaluated.

The limits in effect reach the normalizers through
:class:`~prodpolicy.kinds.NormalizeOptions`. While a normalizer runs, they are
also the *current* limits (:func:`current_limits`), so loaders deep in a
normalizer (the YAML loader of an included compose file, the Dockerfile lexer)
read them without every function in between passing them on.
"""

from __future__ import annotations

import contextvars
import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# Docker reads a Dockerfile with Go's bufio.Scanner, whose default buffer rejects a longer line.
# Docker cannot raise it, so neither can an option here.
MAX_LINE_BYTES = 65_535
# Policy regular expressions run on RE2, in time linear in the text, and see at most this many
# characters of a value. No single field of a document within the file size limit is this long.
MAX_REGEX_INPUT_CHARS = 1 * MIB


def _limit(default: int, option: str, unit: str, description: str) -> int:
    return field(default=default, metadata={"option": option, "unit": unit, "description": description})


@dataclass(frozen=True, slots=True)
class Limits:
    """The input limits of one run; each field's metadata names the option that sets it."""

    # Container build files are a few kilobytes; 10 MiB leaves room for large generated ones.
    max_file_bytes: int = _limit(10 * MIB, "--max-file-size", "bytes", "size of a text input (Dockerfile, compose file, JSON)")
    # The largest Dockerfiles in public repositories have a few hundred instructions.
    max_instructions: int = _limit(10_000, "--max-instructions", "instructions", "instructions in one Dockerfile")
    # A heredoc carries a script or a small configuration file.
    max_heredoc_bytes: int = _limit(1 * MIB, "--max-heredoc-size", "bytes", "size of one Dockerfile heredoc body")
    # Compose files nest a handful of levels; deep nesting only serves to exhaust the stack.
    max_yaml_depth: int = _limit(200, "--max-yaml-depth", "levels", "nesting depth of mappings and lists in a YAML file")
    # Values built from one YAML document with aliases expanded: stops billion-laughs files.
    max_yaml_values: int = _limit(
        1_000_000, "--max-yaml-values", "values", "values in a YAML document, counted with aliases expanded"
    )
    # docker save writes a few members per layer; a hundred thousand means the archive is something else.
    max_archive_members: int = _limit(
        100_000, "--max-archive-members", "members", "members of an image archive (docker save or OCI layout tar)"
    )
    # The uncompressed size of every layer of an image, headers included. The largest public images
    # (GPU development images with machine learning frameworks) are an estimated 20 to 30 GiB.
    max_archive_bytes: int = _limit(
        64 * GIB, "--max-archive-size", "bytes", "uncompressed size of the layers of one image, tar headers included"
    )

    def __post_init__(self) -> None:
        for limit in dataclasses.fields(self):
            value = getattr(self, limit.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{limit.name} must be a positive whole number, not {value!r}")

    def exceeded(self, name: str, problem: str) -> str:
        """Return the message for an input over the limit ``name``.

        ``problem`` leads up to the limit: "the file is larger than" gives "the
        file is larger than the limit of 10,485,760 bytes; ...".
        """
        limit = next(item for item in dataclasses.fields(self) if item.name == name)
        value = getattr(self, name)
        option = limit.metadata["option"]
        example = _example(value, limit.metadata["unit"])
        return (
            f"{problem} the limit of {value:,} {limit.metadata['unit']}; "
            f"if the input is genuine, raise the limit with {option}, for example {option} {example}"
        )


def _example(value: int, unit: str) -> str:
    """Return a value ten times ``value``, written as the option accepts it."""
    raised = value * 10
    if unit == "bytes":
        for suffix, factor in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
            if raised % factor == 0:
                return f"{raised // factor}{suffix}"
    return str(raised)


DEFAULT_LIMITS = Limits()

_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("prodpolicy_limits", default=DEFAULT_LIMITS)


def current_limits() -> Limits:
    """Return the limits of the input being normalized, or the defaults outside a normalizer."""
    return _CURRENT.get()


@contextmanager
def applied(limits: Limits) -> Iterator[Limits]:
    """Make ``limits`` the current limits for the duration of the ``with`` block."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


_SIZE = re.compile(r"^\s*([0-9][0-9_]*)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\s*$", re.IGNORECASE)
# Every suffix counts in powers of 1024, as Docker's own sizes (512m, 2g) do.
_SIZE_FACTORS = {"": 1, "b": 1, "k": KIB, "kb": KIB, "kib": KIB, "m": MIB, "mb": MIB, "mib": MIB, "g": GIB, "gb": GIB, "gib": GIB}


def parse_size(text: str) -> int:
    """Parse a size such as ``1048576``, ``512KiB``, ``20MiB`` or ``2g`` into bytes; raise ValueError otherwise."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"invalid size {text!r}: expected a number of bytes, or a number with KiB, MiB or GiB")
    size = int(match.group(1).replace("_", "")) * _SIZE_FACTORS[match.group(2).lower()]
    if size < 1:
        raise ValueError(f"invalid size {text!r}: a limit must be at least 1 byte")
    return size


def parse_count(text: str) -> int:
    """Parse a positive whole number such as ``10000`` or ``10_000``; raise ValueError otherwise."""
    cleaned = text.strip().replace("_", "")
    if not cleaned.isdigit() or int(cleaned) < 1:
        raise ValueError(f"invalid number {text!r}: expected a whole number of at least 1")
    return int(cleaned)


def option_fields() -> list[dataclasses.Field[int]]:
    """Return the limit fields, each with its option, unit and description in ``metadata``."""
    return list(dataclasses.fields(Limits))


# A compressed archive or layer may expand to this many times its size, and to at least MIN_EXPANSION_BYTES.
# Image layers compress a few times over, and gzip cannot exceed about 1,000 times, which long runs of zeros reach.
# Decompressing takes about 2.5 s a GiB, so without this bound a 64 MB file within --max-archive-size could
# keep a run busy for minutes.
MAX_EXPANSION = 100
MIN_EXPANSION_BYTES = 1 << 30


def expands_too_much(uncompressed: int, compressed: int) -> bool:
    """Return True when ``compressed`` bytes of input have expanded to more than the bound allows."""
    return uncompressed > max(MIN_EXPANSION_BYTES, MAX_EXPANSION * compressed)


def expansion_message(subject: str, compressed: int) -> str:
    """Return the input error for compressed data (``subject``: the archive, layer 2) that expands past the bound."""
    return (
        f"{subject} expands to more than {MAX_EXPANSION} times its {compressed:,} compressed bytes, as a decompression "
        "bomb does; if the input is genuine, decompress it first (gunzip) and pass the result, which only "
        "--max-archive-size bounds"
    )

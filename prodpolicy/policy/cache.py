"""Keep what loading the bundled ruleset derives from files on disk, so a short run starts fast.

Three things are cached, each in a file of its own:

* the document model's JSON schema, which every policy load checks fields
  against; pydantic takes about 0.2 s to generate it;
* the bundled rule files as loaded YAML, with the positions of their keys;
* each valid policy or configuration file, as the specs its validation gave,
  so that a run with a ``.prodpolicy.yaml`` does not import pydantic either;
  the :data:`POLICY_FILE_ENTRIES` most recently used stay.

Each entry's name is a SHA-256 digest of everything it is derived from: the
prodpolicy and Python versions and the bytes of the source files (the model's
modules, the rule files, or the data read from a policy file). A changed file gives a new name, so a stale entry
is never read, and writing an entry removes the older ones of its kind (all but
the most recently used, for policy files). Entries are written to a temporary file and renamed into
place, so a reader never sees half an entry. Both formats load without running
code: the schema is JSON and the rules are ``marshal`` data of plain values.
Each entry carries the SHA-256 digest of its data, and an entry whose data
does not match it is computed again, so a damaged file is not used.
The cache is trusted as the installed package is: a user who can write to its
folder can change what prodpolicy checks, as one who can write to the package
can.

The folder is ``$PRODPOLICY_CACHE_DIR``, else ``$XDG_CACHE_HOME/prodpolicy``,
else ``~/.cache/prodpolicy``. ``PRODPOLICY_NO_CACHE`` set to anything but an
empty value, ``0``, ``false``, ``no`` or ``off``, or ``--no-cache``, turns the
cache off. A cache that cannot be read or written is skipped silently
(logged at debug level): results never depend on it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger("prodpolicy.cache")

NO_CACHE_ENVIRONMENT = "PRODPOLICY_NO_CACHE"
CACHE_DIR_ENVIRONMENT = "PRODPOLICY_CACHE_DIR"

# Every entry starts with this header and the SHA-256 digest of its data, so a damaged entry is computed again.
_HEADER = b"prodpolicy-cache-1\n"

# The part of an entry name after its kind: a digest, after a version in older releases.
_ENTRY_SUFFIX = re.compile(r"(?:[A-Za-z0-9.]+-)*[0-9a-f]{32}")

# PRODPOLICY_NO_CACHE values that leave the cache on; any other value turns it off.
_CACHE_ON_VALUES = frozenset({"", "0", "false", "no", "off"})

# Checked policy files kept: enough for the configuration files of a large repository, and a bound for a
# machine whose runs read policy files from ever new folders, such as a CI runner's workspaces.
POLICY_FILE_ENTRIES = 64

# Set by --no-cache for the rest of the process.
_disabled = False


def disable() -> None:
    """Turn the cache off for the rest of this process and the worker processes it starts."""
    global _disabled
    _disabled = True
    os.environ[NO_CACHE_ENVIRONMENT] = "1"


def enabled() -> bool:
    """Return whether cached entries may be read and written."""
    return not _disabled and os.environ.get(NO_CACHE_ENVIRONMENT, "").strip().lower() in _CACHE_ON_VALUES


def cache_directory() -> Path:
    """Return the folder of the cache entries (it may not exist yet)."""
    configured = os.environ.get(CACHE_DIR_ENVIRONMENT)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "prodpolicy"


def digest(kind: str, files: Iterable[Path], data: bytes = b"") -> str:
    """Return the entry name of ``kind`` derived from ``files`` (their paths and bytes), ``data`` and the versions in use."""
    from .. import __version__

    hasher = hashlib.sha256()
    hasher.update(f"{kind}\0{__version__}\0{sys.version}\0".encode())
    for file in files:
        hasher.update(str(file).encode("utf-8", "surrogateescape") + b"\0")
        hasher.update(file.read_bytes())
        hasher.update(b"\0")
    hasher.update(data)
    return f"{kind}-{hasher.hexdigest()[:32]}"


def pydantic_version_file() -> Path:
    """Return pydantic's version.py, found without importing pydantic; raise OSError when it is not installed.

    Entries that pydantic's checks produce name it as a source, so an upgrade of pydantic computes them again.
    """
    import importlib.util

    found = importlib.util.find_spec("pydantic")
    if found is None or found.origin is None:
        raise OSError("pydantic is not installed")
    return Path(found.origin).with_name("version.py")


def cached(
    name: Callable[[], str],
    compute: Callable[[], Any],
    encode: Callable[[Any], bytes],
    decode: Callable[[bytes], Any],
    keep: int = 1,
) -> Any:
    """Return the cached value of the entry ``name()``, or compute, store and return it.

    ``keep`` is how many entries of the same kind stay in the folder: the one
    written and the most recently used others.
    """
    if not enabled():
        return compute()
    try:
        path = cache_directory() / name()
    except OSError as error:
        logger.debug("cache skipped: cannot read a source file: %s", error)
        return compute()
    try:
        value = decode(_verified(path.read_bytes()))
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError) as error:
        logger.debug("cache entry %s is unreadable, computing it again: %s", path, error)
    else:
        if keep > 1:
            _touch(path)
        return value
    value = compute()
    try:
        _write(path, _sealed(encode(value)))
        _remove_older(path, keep)
    except (OSError, ValueError) as error:
        logger.debug("cannot write cache entry %s: %s", path, error)
    return value


def _sealed(data: bytes) -> bytes:
    """Return an entry's bytes behind a header and the SHA-256 digest of the bytes."""
    return _HEADER + hashlib.sha256(data).digest() + data


def _verified(entry: bytes) -> bytes:
    """Return the bytes of an entry written by :func:`_sealed`; raise ValueError for any other content."""
    digest_end = len(_HEADER) + 32
    if not entry.startswith(_HEADER) or len(entry) < digest_end:
        raise ValueError("not a prodpolicy cache entry")
    data = entry[digest_end:]
    if hashlib.sha256(data).digest() != entry[len(_HEADER) : digest_end]:
        raise ValueError("the entry does not match its digest: it was damaged or changed")
    return data


def _remove_older(path: Path, keep: int = 1) -> None:
    """Remove the entries of the same kind beyond the ``keep - 1`` most recently used others, so the folder stays small."""
    kind = path.name.rsplit("-", 1)[0] + "-"
    others: list[tuple[float, Path]] = []
    for other in path.parent.iterdir():
        # Earlier releases put more into the name, such as document-schema-pydantic-2.14.4-<digest>.
        rest = other.name[len(kind) :]
        if other.name.startswith(kind) and other.name != path.name and _ENTRY_SUFFIX.fullmatch(rest):
            try:
                others.append((other.stat().st_mtime, other))
            except FileNotFoundError:
                continue
    others.sort(reverse=True)
    for _, other in others[keep - 1 :]:
        other.unlink(missing_ok=True)


def _touch(path: Path) -> None:
    """Mark an entry as just used, so that :func:`_remove_older` keeps it longer."""
    try:
        os.utime(path)
    except OSError as error:
        logger.debug("cannot mark cache entry %s as used: %s", path, error)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def encode_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def decode_json(data: bytes) -> Any:
    return json.loads(data)


def encode_marshal(value: Any) -> bytes:
    return marshal.dumps(value)


def decode_marshal(data: bytes) -> Any:
    return marshal.loads(data)

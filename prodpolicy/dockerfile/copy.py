"""COPY and ADD: sources, destination, flags, and where the files come from.

Sources are split on whitespace (or read from a JSON array) and expanded one by
one. A source is a heredoc, a path in the build context, a path in an earlier
stage or an image (``--from``), a URL, or a git repository. Git sources follow
BuildKit: ``git://`` and ``ssh://`` URLs, ``user@host:path``, and ``http(s)``
URLs whose path ends in ``.git``; ``github.com/...`` without a scheme is a
local path. A local ADD source with an archive suffix is marked ``archive``,
because ADD extracts local archives (BuildKit decides by the file content,
which a Dockerfile alone cannot show).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .context import Context, image_reference, whitespace_words
from .expand import Expanded, expand
from .flags import flag_is_true, flag_value, flag_values
from .lexer import RawInstruction, find_heredocs

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz")
_SCHEME = re.compile(r"^[a-zA-Z0-9]+://")
_SCP_STYLE = re.compile(r"^[a-zA-Z0-9-_]+@[a-zA-Z0-9-.]+:.*$")
_GIT_SCHEMES = frozenset({"git", "ssh"})
_GIT_REF_KEYS = ("ref", "tag", "branch", "commit", "checksum")


def parse_copy(raw: RawInstruction, context: Context, flags: list[dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
    """Return the ``copy`` dict of a COPY or ADD instruction and the reason Docker rejects it, if any."""
    keyword = raw.keyword
    if raw.json_form:
        raw_words = list(raw.json_arguments or [])
        words = [Expanded(word) for word in raw_words]
    else:
        raw_words = whitespace_words(raw.arguments_text)
        words = [context.expand(word) for word in raw_words]
    error = None
    if len(words) < 2:
        error = f"{keyword} requires at least one source and a destination"

    copy: dict[str, Any] = {"sources": [], "destination": words[-1].value if len(words) >= 2 else None}
    if len(words) >= 2 and find_heredocs(raw_words[-1]):
        error = f"{keyword} cannot take a heredoc as its destination"
    from_value = flag_value(flags, "from")
    if from_value is not None:
        copy["from"] = from_value
        error = _resolve_from(copy, from_value, context) or error

    heredocs = {heredoc.name: heredoc for heredoc in raw.heredocs}
    for raw_word, word in zip(raw_words[:-1], words[:-1]):
        error = error or _url_problem(word.value)
        source = _source(keyword, raw_word, word.value, heredocs, copy)
        copy["sources"].append(source)
        if keyword == "COPY" and source["kind"] in ("url", "git"):
            error = error or f"COPY cannot copy from a {'URL' if source['kind'] == 'url' else 'git repository'}; use ADD"

    _read_flags(keyword, flags, copy, context)
    checksum = copy.get("checksum")
    if checksum is not None:
        if len(copy["sources"]) != 1:
            error = error or "ADD --checksum needs exactly one source"
        elif copy["sources"][0]["kind"] not in ("url", "git"):
            error = error or "ADD --checksum needs an HTTP(S) or git source"
    return copy, error


def _resolve_from(copy: dict[str, Any], value: str, context: Context) -> str | None:
    # Docker rejects variables in --from; it expands the value with no variables and compares.
    if expand(value, {}).value != value:
        return "variable expansion is not supported for --from; define a stage with FROM ${VAR} AS name and copy from it"
    current = context.stage_index
    if value.isdigit():
        index = int(value)
        if index >= context.stage_count:
            return f"invalid stage index {index} in --from: the file has {context.stage_count} stages, counted from 0"
        copy["from_stage"] = index
    else:
        found = context.all_stage_names.get(value.lower())
        if found is None:
            copy["from_image"] = image_reference(value, Expanded(value), {})
            return None
        copy["from_stage"] = found
    if current is not None and copy["from_stage"] >= current:
        return f"cannot copy from stage {value!r}: it must be defined before the current stage"
    return None


def _read_flags(keyword: str, flags: list[dict[str, Any]], copy: dict[str, Any], context: Context) -> None:
    for name in ("chown", "chmod"):
        value = flag_value(flags, name)
        if value is not None:
            copy[name] = context.expand(value).value
    copy["link"] = flag_is_true(flags, "link") or False
    excludes = flag_values(flags, "exclude")
    if excludes:
        copy["exclude"] = excludes
    if keyword == "COPY":
        copy["parents"] = flag_is_true(flags, "parents") or False
        return
    checksum = flag_value(flags, "checksum")
    if checksum is not None:
        copy["checksum"] = context.expand(checksum).value
    for name, key in (("keep-git-dir", "keep_git_dir"), ("unpack", "unpack")):
        enabled = flag_is_true(flags, name)
        if enabled is not None:
            copy[key] = enabled


def _source(keyword: str, raw_word: str, value: str, heredocs: dict[str, Any], copy: dict[str, Any]) -> dict[str, Any]:
    openers = find_heredocs(raw_word)
    if openers and openers[0].opener_start == 0 and openers[0].name in heredocs:
        return {"path": openers[0].name, "kind": "heredoc"}
    if "from_stage" in copy:
        return {"path": value, "kind": "stage"}
    if "from_image" in copy:
        return {"path": value, "kind": "image"}
    git = git_source(value)
    if git is not None:
        return git
    if value.startswith(("http://", "https://")):
        return {"path": value, "kind": "url"}
    source: dict[str, Any] = {"path": value, "kind": "local"}
    if keyword == "ADD" and value.lower().endswith(ARCHIVE_SUFFIXES):
        source["archive"] = True
    return source


def _url_problem(value: str) -> str | None:
    """Return why a source written as a URL cannot be one (``http://[x``: an IPv6 host without its bracket)."""
    if _SCHEME.match(value) is None:
        return None
    try:
        urlsplit(value)
    except ValueError as error:
        return f"invalid URL {value!r}: {error}; correct the address (an IPv6 host goes in brackets, as http://[::1]/)"
    return None


def git_source(value: str) -> dict[str, Any] | None:
    """Describe a git source (with its ref when one is given), or return None for anything else."""
    if value.startswith(("./", "../", "github.com/")):
        return None
    scheme_match = _SCHEME.match(value)
    if scheme_match is None:
        if not _SCP_STYLE.match(value):
            return None
        _, _, fragment = value.partition("#")
        return _with_ref({"path": value, "kind": "git"}, fragment, "")
    scheme = scheme_match.group(0)[:-3].lower()
    try:
        parts = urlsplit(value)
    except ValueError:
        # parse_copy reports the URL as invalid (_url_problem).
        return None
    if scheme in ("http", "https"):
        if not parts.path.endswith(".git"):
            return None
    elif scheme not in _GIT_SCHEMES:
        return None
    return _with_ref({"path": value, "kind": "git"}, parts.fragment, parts.query)


def _with_ref(source: dict[str, Any], fragment: str, query: str) -> dict[str, Any]:
    ref = fragment.partition(":")[0]
    values = parse_qs(query)
    for key in _GIT_REF_KEYS:
        if not ref and values.get(key):
            ref = values[key][0]
    if ref:
        source["ref"] = ref
    return source

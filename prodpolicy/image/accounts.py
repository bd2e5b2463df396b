"""The users and groups of an image, read from ``/etc/passwd``, ``/etc/group`` and ``/etc/shadow``.

Each entry records its line in its file, whether an earlier entry has the same
name or numeric id, and for users the state of the password. The password
itself is never kept. A user's password field in ``/etc/passwd`` is ``x`` when
the password is in ``/etc/shadow``. There, an empty field means that anyone can
log in without a password, and a field starting with ``!`` or ``*`` means that
the password is locked.
"""

from __future__ import annotations

from typing import Any


def accounts(files: dict[str, str]) -> dict[str, Any] | None:
    """Return the users and groups of the account files found, or None when the image has no /etc/passwd."""
    passwd = files.get("/etc/passwd")
    if passwd is None:
        return None
    shadow = _shadow_states(files.get("/etc/shadow"))
    users = _entries(passwd, "user", 2)
    for user in users:
        user["password"] = _password(user.pop("field"), shadow.get(user["name"]), "/etc/shadow" in files)
    groups = _entries(files.get("/etc/group") or "", "group", 2)
    for group in groups:
        group.pop("field")
    return {"users": users, "groups": groups, "shadow": "/etc/shadow" in files}


def _entries(text: str, kind: str, id_column: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    by_id: dict[int, dict[str, Any]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split(":")
        if len(fields) <= id_column or not fields[id_column].strip().isdigit():
            # Not an account line; the C library's account lookup skips it too.
            continue
        name, identifier = fields[0], int(fields[id_column])
        entry: dict[str, Any] = {"kind": kind, "name": name, "id": identifier, "line": number, "field": fields[1]}
        _mark_duplicate(entry, by_name.get(name), by_id.get(identifier))
        if kind == "user" and len(fields) >= 7:
            entry.update(gid=int(fields[3]) if fields[3].isdigit() else None, home=fields[5], shell=fields[6])
        by_name.setdefault(name, entry)
        by_id.setdefault(identifier, entry)
        entries.append(entry)
    return entries


def _mark_duplicate(entry: dict[str, Any], same_name: dict[str, Any] | None, same_id: dict[str, Any] | None) -> None:
    """Record which earlier entry has the same name or id, preferring one that has both."""
    if same_name is not None and same_name is same_id:
        entry["duplicate"], earlier = "name and id", same_name
    elif same_id is not None:
        entry["duplicate"], earlier = "id", same_id
    elif same_name is not None:
        entry["duplicate"], earlier = "name", same_name
    else:
        return
    entry["duplicate_of"] = f"{earlier['name']} (id {earlier['id']}, line {earlier['line']})"


def _shadow_states(text: str | None) -> dict[str, str]:
    """Return each shadow entry's password state: empty, locked or set."""
    states: dict[str, str] = {}
    for line in (text or "").splitlines():
        fields = line.split(":")
        if len(fields) >= 2 and fields[0]:
            states.setdefault(fields[0], _state(fields[1]))
    return states


def _state(field: str) -> str:
    if field == "":
        return "empty"
    if field.startswith(("!", "*")):
        return "locked"
    return "set"


def _password(passwd_field: str, shadow_state: str | None, has_shadow: bool) -> str:
    """Return the state of a user's password: empty, locked, set, or unknown when /etc/shadow is missing."""
    if passwd_field != "x":
        # The password (or its absence) is in /etc/passwd itself, as before shadow passwords.
        return _state(passwd_field)
    if shadow_state is not None:
        return shadow_state
    # x points at /etc/shadow; with no entry there, or no such file, login is refused.
    return "locked" if has_shadow else "unknown"

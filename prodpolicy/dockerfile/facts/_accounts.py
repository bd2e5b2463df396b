"""Read the user account commands of RUN lines: who is created, and who joins which group.

Covers useradd and usermod (shadow-utils), adduser and addgroup in their
Debian and BusyBox (Alpine) spellings, and ``gpasswd -a``. Only the argv is
read, so a user name that a variable decides is kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AccountChange:
    """The change one command makes to one user account."""

    user: str
    uid: str | None = None
    created: bool = False
    # Supplementary groups the command adds the user to.
    groups: list[str] = field(default_factory=list)


# Short options that take a value, per program; long options take one unless listed as flags.
_SHORT_VALUES = {
    "useradd": frozenset("bcdefgGkKpsuRPZ"),
    "usermod": frozenset("cdefgGlpsuRPZvVwW"),
    "adduser": frozenset("hgsGuk"),
    "addgroup": frozenset("g"),
    "gpasswd": frozenset("adrMAR"),
}
_LONG_FLAGS = frozenset(
    {
        "--system", "--no-create-home", "--create-home", "--disabled-password", "--disabled-login", "--group",
        "--quiet", "--debug", "--force-badname", "--allow-badname", "--no-log-init", "--non-unique", "--no-user-group",
        "--user-group", "--append", "--add_extra_groups", "--add-extra-groups", "--help", "--lock", "--unlock",
    }
)


def account_change(argv: list[str]) -> AccountChange | None:
    """Describe what a useradd, adduser, usermod, addgroup or gpasswd command does, or return None."""
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    if program not in _SHORT_VALUES:
        return None
    options, positionals = _split(program, argv[1:])
    if program == "useradd" and positionals:
        return AccountChange(positionals[-1], _uid(options), True, _group_list(options.get("G") or options.get("--groups")))
    if program == "adduser" and positionals:
        if len(positionals) >= 2:
            # adduser USER GROUP adds an existing user to a group, in Debian and BusyBox alike.
            return AccountChange(positionals[0], groups=[positionals[1]])
        extra = _group_list(options.get("--add-extra-groups"))
        return AccountChange(positionals[0], _uid(options), True, extra)
    if program == "usermod" and positionals:
        return AccountChange(positionals[-1], groups=_group_list(options.get("G") or options.get("--groups")))
    if program == "addgroup" and len(positionals) >= 2:
        return AccountChange(positionals[0], groups=[positionals[1]])
    if program == "gpasswd" and "a" in options and positionals:
        return AccountChange(options["a"], groups=[positionals[-1]])
    return None


def _split(program: str, words: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split options (short letters and long names, with their values) from positional words."""
    short_values = _SHORT_VALUES[program]
    options: dict[str, str] = {}
    positionals: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            positionals.extend(words[index:])
            break
        if word.startswith("--"):
            name, equals, value = word.partition("=")
            if not equals and name not in _LONG_FLAGS and index < len(words):
                value = words[index]
                index += 1
            options[name] = value
        elif word.startswith("-") and len(word) > 1:
            for offset, letter in enumerate(word[1:], start=1):
                if letter not in short_values:
                    options[letter] = ""
                    continue
                rest = word[offset + 1 :]
                if not rest and index < len(words):
                    rest = words[index]
                    index += 1
                options[letter] = rest
                break
        else:
            positionals.append(word)
    return options, positionals


def _uid(options: dict[str, str]) -> str | None:
    return options.get("u") or options.get("--uid") or None


def _group_list(value: str | None) -> list[str]:
    if not value:
        return []
    return [group for group in value.split(",") if group]

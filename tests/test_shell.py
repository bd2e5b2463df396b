"""Shell scripts become simple commands with operators, lines, nesting and raw text for what cannot be read."""

from __future__ import annotations

import subprocess
import sys

import pytest

from prodpolicy import shell


def commands(script: str, **options):
    parsed, failed = shell.parse_script(script, lambda offset: 1 + script.count("\n", 0, offset), **options)
    return parsed, failed


def summary(script: str, **options):
    parsed, _ = commands(script, **options)
    return [(command["argv"], command["operator"], command.get("line"), command.get("depth")) for command in parsed]


def test_operators_join_commands():
    assert summary("a && b || c; d | e") == [
        (["a"], None, 1, None),
        (["b"], "&&", 1, None),
        (["c"], "||", 1, None),
        (["d"], ";", 1, None),
        (["e"], "|", 1, None),
    ]


def test_newline_joins_with_semicolon_and_sets_lines():
    assert summary("set -eux\napt-get update\n\napt-get install -y curl\n") == [
        (["set", "-eux"], None, 1, None),
        (["apt-get", "update"], ";", 2, None),
        (["apt-get", "install", "-y", "curl"], ";", 4, None),
    ]


def test_quotes_escapes_and_expansions():
    parsed, failed = commands("""echo 'single $X' "double $Y" a\\ b ${Z:-d} "$(id -u)" """)
    assert failed is False
    assert parsed[0]["argv"] == ["echo", "single $X", "double $Y", "a b", "${Z:-d}", "$(id -u)"]
    assert (parsed[1]["argv"], parsed[1]["depth"]) == (["id", "-u"], 1)


def test_assignments_and_redirects():
    parsed, _ = commands("DEBIAN_FRONTEND=noninteractive apt-get install -y x > /tmp/log 2>&1")
    assert parsed[0]["assignments"] == [{"name": "DEBIAN_FRONTEND", "value": "noninteractive"}]
    assert parsed[0]["argv"] == ["apt-get", "install", "-y", "x"]
    assert parsed[0]["redirects"] == [{"operator": ">", "target": "/tmp/log"}, {"operator": "2>&", "target": "1"}]


def test_assignment_alone_is_no_command():
    assert summary("A=1 && b") == [(["b"], None, 1, None)]


def test_control_flow_bodies_are_listed():
    script = 'if [ -f /etc/alpine-release ]; then apk add curl; else apt-get install -y curl; fi\ncase "$X" in a) echo a;; esac'
    assert [command["argv"] for command in commands(script)[0]] == [
        ["apk", "add", "curl"],
        ["apt-get", "install", "-y", "curl"],
        ["echo", "a"],
    ]


def test_sh_c_script_is_read_one_level_deep():
    assert summary("sh -c 'apt-get update && sh -c \"inner\"' && echo done") == [
        (["sh", "-c", 'apt-get update && sh -c "inner"'], None, 1, None),
        (["apt-get", "update"], None, 1, 1),
        (["sh", "-c", "inner"], "&&", 1, 1),
        (["echo", "done"], "&&", 1, None),
    ]


@pytest.mark.parametrize("prefix", ["sudo", "sudo -E -u app", "exec", "env A=1", "/bin/bash -o pipefail"])
def test_sh_c_behind_prefixes(prefix):
    parsed, _ = commands(f"{prefix} sh -c 'pip install flask'" if not prefix.startswith("/bin/bash") else f"{prefix} -c 'pip install flask'")
    assert [(command["argv"][:2], command.get("depth")) for command in parsed][-1] == (["pip", "install"], 1)


def test_unwrap_can_be_turned_off():
    assert summary("sh -c 'a && b'", unwrap=False) == [(["sh", "-c", "a && b"], None, 1, None)]


def test_heredoc_read_by_shell():
    script = "bash -e <<'EOF' && echo done\napt-get install -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\n"
    assert summary(script) == [
        (["bash", "-e"], None, 1, None),
        (["apt-get", "install", "-y", "curl"], None, 2, 1),
        (["rm", "-rf", "/var/lib/apt/lists/*"], ";", 3, 1),
        (["echo", "done"], "&&", 1, None),
    ]


def test_heredoc_for_other_program():
    assert summary("cat <<EOF > /etc/motd\napt-get install nothing\nEOF\n") == [(["cat"], None, 1, None)]


def test_caller_heredoc_goes_to_its_command():
    body = "apk add curl\n"
    heredoc = shell.ScriptHeredoc(0, body, lambda offset: 10 + body.count("\n", 0, offset))
    parsed, failed = shell.parse_script("      sh && echo x", lambda offset: 9, heredocs=[heredoc])
    assert failed is False
    assert [(command["argv"], command.get("line"), command.get("depth")) for command in parsed] == [
        (["sh"], 9, None),
        (["apk", "add", "curl"], 10, 1),
        (["echo", "x"], 9, None),
    ]


def test_heredoc_after_operator_goes_forward():
    heredoc = shell.ScriptHeredoc(11, "echo in\n", None)
    parsed, _ = shell.parse_script("echo one &&       sh", heredocs=[heredoc])
    assert [command["argv"] for command in parsed] == [["echo", "one"], ["sh"], ["echo", "in"]]


def test_substitution_in_sh_c_listed_once():
    parsed, _ = commands('sh -c "$(curl -fsSL https://example.invalid/install.sh)"')
    curls = [command for command in parsed if command["program"] == "curl"]
    assert [(command["argv"], command["depth"]) for command in curls] == [
        (["curl", "-fsSL", "https://example.invalid/install.sh"], 1)
    ]


def test_unreadable_line_is_kept_as_raw_text():
    parsed, failed = commands("echo a\nif then fi\necho b\n")
    assert failed is True
    assert [(command["argv"], command["text"], command.get("unparsed"), command["line"]) for command in parsed] == [
        (["echo", "a"], "echo a", None, 1),
        ([], "if then fi", True, 2),
        (["echo", "b"], "echo b", None, 3),
    ]


def test_unterminated_quote_keeps_every_line():
    parsed, failed = commands("echo 'open\necho b")
    assert failed is True
    assert [(command["text"], command.get("unparsed"), command["line"]) for command in parsed] == [
        ("echo 'open", True, 1),
        ("echo b", True, 2),
    ]


def test_single_broken_line_is_one_raw_command():
    parsed, failed = commands("apt-get update && apt-get install -y curl )")
    assert failed is True
    assert parsed == [
        {
            "argv": [],
            "program": None,
            "operator": None,
            "text": "apt-get update && apt-get install -y curl )",
            "unparsed": True,
            "line": 1,
        }
    ]


def test_very_long_chain():
    script = " && ".join(f"echo {number}" for number in range(5000))
    parsed, failed = shell.parse_script(script)
    assert (len(parsed), failed, parsed[-1]["argv"]) == (5000, False, ["echo", "4999"])


def test_long_redirected_chain():
    script = " && ".join(f"echo {number} > /dev/null" for number in range(3000))
    parsed, _ = shell.parse_script(script)
    assert len(parsed) == 3000


def test_non_ascii_offsets_map_to_lines():
    script = "echo héllo wörld\necho ünïcode && echo last"
    assert [(command["argv"][-1], command["line"]) for command in commands(script)[0]] == [
        ("wörld", 1),
        ("ünïcode", 2),
        ("last", 2),
    ]


@pytest.mark.parametrize(
    ("shell_argv", "language"),
    [
        (["/bin/sh", "-c"], "posix"),
        (["/bin/bash", "-o", "pipefail", "-c"], "posix"),
        (["/usr/bin/env", "bash", "-c"], "posix"),
        (["ash", "-eo", "pipefail", "-c"], "posix"),
        (["powershell", "-Command"], "powershell"),
        (["pwsh", "-c"], "powershell"),
        (["C:\\Windows\\System32\\cmd.exe", "/S", "/C"], "cmd"),
        (["cmd", "/S", "/C"], "cmd"),
        (["python3", "-c"], "python3"),
        ([], "posix"),
    ],
)
def test_script_language(shell_argv, language):
    assert shell.script_language(shell_argv) == language


def test_argv_commands_unwrap_exec_form_shell():
    parsed, failed = shell.argv_commands(["/bin/sh", "-c", "npm ci && npm run build"], 7)
    assert failed is False
    assert [(command["argv"], command.get("line"), command.get("depth")) for command in parsed] == [
        (["/bin/sh", "-c", "npm ci && npm run build"], 7, None),
        (["npm", "ci"], 7, 1),
        (["npm", "run", "build"], 7, 1),
    ]


def test_program_of_a_substitution_is_the_word():
    parsed, _ = shell.parse_script("$(which python3) -m pip install x")
    assert parsed[0]["program"] == "$(which python3)"


def test_code_points_that_crash_the_parser_are_replaced() -> None:
    # tree-sitter-bash crashes the process now and then on such code points: parse in a child process, many times.
    code = (
        "from prodpolicy.shell import parse_script\n"
        "for _ in range(3000):\n"
        "    commands, failed = parse_script('[{\\U000c14cc\\U00090c5a && echo \\U000e0001 >&2')\n"
        "print(ascii([command['text'] for command in commands]))\n"
    )

    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)

    assert completed.returncode == 0, completed.stderr[-500:]
    # The unclosed [ makes the line unparsed: one raw command, with U+FFFD in place of each code point.
    assert completed.stdout.strip() == "['[{\\ufffd\\ufffd && echo \\ufffd >&2']"


def test_astral_letters_reach_commands_unchanged() -> None:
    commands, failed = shell.parse_script("echo \U0001f600 \U00020000 > /dev/null")

    assert [command["argv"] for command in commands] == [["echo", "\U0001f600", "\U00020000"]]
    assert failed is False


REPEATED_SCRIPTS = [
    "apt-get update && apt-get install -y curl=8.5.0-2 && rm -rf /var/lib/apt/lists/*",
    "set -eux; for f in a b; do sh -c \"echo $f > /tmp/$f\"; done; cat <<EOF | bash\necho hi\nEOF",
    "if [ -f x ]; then echo ok; fi; ) broken (",
    "FOO=1 BAR=$(id -u) make install 2>&1 | tee /tmp/log",
]


@pytest.mark.parametrize("script", REPEATED_SCRIPTS)
def test_repeated_script_parse_same(script: str) -> None:
    # The second and later parses of a script reuse a cached copy: with other lines, they must equal a fresh parse.
    shell._PARSE_CACHE.clear()
    shell._SEEN_SCRIPTS.clear()
    first = shell.parse_script(script, lambda offset: 10 + offset // 20)
    second = shell.parse_script(script, lambda offset: 100 + offset // 20)
    third = shell.parse_script(script, lambda offset: 10 + offset // 20)

    assert (script, True) in shell._PARSE_CACHE
    assert third == first
    assert [command.get("line") for command in second[0]] == [
        None if line is None else line + 90 for line in (command.get("line") for command in first[0])
    ]
    assert [dict(command, line=None) for command in second[0]] == [dict(command, line=None) for command in first[0]]


def test_cached_parse_unchanged_by_callers() -> None:
    shell._PARSE_CACHE.clear()
    shell._SEEN_SCRIPTS.clear()
    script = "apt-get install -y curl && sh -c 'make all'"
    shell.parse_script(script)
    changed, _ = shell.parse_script(script)
    changed[0]["argv"].append("extra")
    changed[0]["package"]["packages"].clear()
    changed[0]["program"] = "other"

    again, _ = shell.parse_script(script)

    assert again[0]["argv"] == ["apt-get", "install", "-y", "curl"]
    assert again[0]["program"] == "apt-get"
    assert again[0]["package"]["packages"] == [{"name": "curl", "raw": "curl"}]
    assert [command["depth"] for command in again if "depth" in command] == [1]


# Scripts that share commands, each read in another place: operator, depth, outer redirections and errors differ.
SHARED_COMMANDS = [
    "apt-get install -y curl=8.5.0-2 && echo done\nif true; then apt-get install -y curl=8.5.0-2; fi",
    "echo done > /tmp/a\nfor f in a; do echo done; done 2>/dev/null\nx=$(echo done)",
    "make all && echo done > /tmp/log\necho done | tee /tmp/b",
    "export PATH=$(echo done):$PATH\nexport PATH=$(echo done):$PATH && FOO=1 env",
    "cat <<EOF | sh\necho done\nEOF\necho done\n",
    "echo \u00e9t\u00e9 $(echo done) && echo \u00e9t\u00e9 $(echo done)\necho caf\u00e9 > /tmp/x",
    "if [ -f x ]; then echo done; fi\nfi fi ( echo done",
    # Declarations take no redirections from the statement around them.
    "export A=1 > /dev/null\nexport A=1 && unset B 2>/dev/null || true\nunset B\ndeclare -x A=1 2>&1",
    "local x=1 >/dev/null; readonly R=1 2>&1\nlocal x=1; readonly R=1\ncase x in x) export A=$(b) > /x;; esac",
]


@pytest.mark.parametrize("script", SHARED_COMMANDS)
def test_reused_commands_equal_fresh_ones(script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A command read before is copied, then given its own operator, depth and outer redirections.
    shell._COMMANDS.clear()
    reused = commands(script)
    with monkeypatch.context() as plain:
        plain.setenv("PRODPOLICY_PLAIN_EVALUATION", "1")
        shell._PARSE_CACHE.clear()
        shell._SEEN_SCRIPTS.clear()
        fresh = commands(script)

    assert reused == fresh
    # The order of the keys is part of the JSON report.
    assert [list(command) for command in reused[0]] == [list(command) for command in fresh[0]]


def test_reused_command_operator_depth_and_redirects():
    shell._COMMANDS.clear()
    parsed, failed = commands("echo done\nmake && echo done > /tmp/log\nx=$(echo done)")

    assert failed is False
    done = [command for command in parsed if command["argv"] == ["echo", "done"]]
    assert [(command["operator"], command.get("depth"), command.get("redirects"), command["line"]) for command in done] == [
        (None, None, None, 1),
        ("&&", None, [{"operator": ">", "target": "/tmp/log"}], 2),
        (None, 1, None, 3),
    ]


def test_reused_command_unchanged_by_callers():
    shell._COMMANDS.clear()
    first, _ = shell.parse_script("apt-get install -y curl > /tmp/log\ntrue")
    first[0]["argv"].append("extra")
    first[0]["package"]["packages"].clear()
    first[0]["redirects"].append({"operator": ">>", "target": "/tmp/other"})

    again, _ = shell.parse_script("apt-get install -y curl > /tmp/log\nfalse")

    assert again[0]["argv"] == ["apt-get", "install", "-y", "curl"]
    assert again[0]["package"]["packages"] == [{"name": "curl", "raw": "curl"}]
    assert again[0]["redirects"] == [{"operator": ">", "target": "/tmp/log"}]


def test_reused_commands_start_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shell, "_COMMANDS_SIZE", 2)
    shell._COMMANDS.clear()
    parsed, _ = shell.parse_script("echo a\necho b\necho c\necho a")

    assert [command["argv"] for command in parsed] == [["echo", "a"], ["echo", "b"], ["echo", "c"], ["echo", "a"]]
    assert len(shell._COMMANDS) <= 2


def test_words_after_multibyte_characters():
    # Byte offsets and character offsets differ after a character of two or more bytes.
    parsed, failed = commands("echo \u00e9\U0001f600 'x y' \"$(id -u)\" > /tmp/\u00e9\nprintf '%s' `pwd`")

    assert failed is False
    assert [(command["argv"], command.get("redirects"), command.get("depth")) for command in parsed] == [
        (["echo", "\u00e9\U0001f600", "x y", "$(id -u)"], [{"operator": ">", "target": "/tmp/\u00e9"}], None),
        (["id", "-u"], None, 1),
        (["printf", "%s", "`pwd`"], None, None),
        (["pwd"], None, 1),
    ]


@pytest.mark.parametrize(
    ("script", "argv"),
    [
        # tree-sitter-bash gives the string and the escape after it as two nodes; the shell reads one word.
        ('apt-get " "\\0', ["apt-get", " 0"]),
        ('apt-get " "\\$ x', ["apt-get", " $", "x"]),
        ("echo 'a'\\b c", ["echo", "ab", "c"]),
        ('export A=" "\\0 B', ["export", "A= 0", "B"]),
        ('echo "x" y', ["echo", "x", "y"]),
    ],
)
def test_words_joined_when_nothing_separates_them(script: str, argv: list[str]) -> None:
    shell._COMMANDS.clear()
    parsed, failed = commands(f"{script}\ntrue")

    assert failed is False
    assert parsed[0]["argv"] == argv


def test_long_commands_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shell, "_REUSED_LENGTH", 20)
    shell._COMMANDS.clear()
    parsed, _ = commands("echo short\necho " + "x" * 30 + "\necho short")

    assert [len(command["argv"][1]) for command in parsed] == [5, 30, 5]
    assert [key[1] for key in shell._COMMANDS] == ["echo short"]


def test_long_scripts_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shell, "_CACHED_SCRIPT_LENGTH", 40)
    shell._SEEN_SCRIPTS.clear()
    shell._PARSE_CACHE.clear()
    long_script = "if true; then echo " + "y" * 40 + "; fi"
    for _ in range(2):
        shell.parse_script(long_script)
        shell.parse_script("if true; then echo short; fi")

    assert list(shell._SEEN_SCRIPTS) == [("if true; then echo short; fi", True)]
    assert list(shell._PARSE_CACHE) == [("if true; then echo short; fi", True)]

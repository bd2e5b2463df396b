"""The fast reader for simple scripts gives exactly what the tree-sitter walk gives, or steps aside."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodpolicy import shell
from prodpolicy.shell_tokens import split_simple_script


def line_of(offset: int) -> int:
    return 100 + offset


def fast(script: str):
    simple = split_simple_script(script)
    assert simple is not None, script
    entries = [shell._simple_entry(item, line_of) for item in simple]
    return [entry.command for entry in entries], [(entry.start, entry.end) for entry in entries]


def full(script: str):
    entries, failed = shell._tree_sitter_entries(script, line_of, True)
    assert failed is False, script
    return [entry.command for entry in entries], [(entry.start, entry.end) for entry in entries]


REALISTIC = [
    "apt-get update     && apt-get install -y --no-install-recommends         build-essential libpq-dev git"
    "     && rm -rf /var/lib/apt/lists/*",
    "python -m venv /opt/venv     && /opt/venv/bin/pip install --upgrade pip wheel"
    "     && /opt/venv/bin/pip install -r requirements-prod.txt",
    'curl -fsS "http://127.0.0.1:${PORT}/healthz" || exit 1',
    "npm ci --omit=dev && npm cache clean --force",
    "DEBIAN_FRONTEND=noninteractive apt-get install -y 'curl=7.88.1-10+deb12u5' ca-certificates",
    "groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app app",
    "set -eux; apk add --no-cache tini; echo done | tee /dev/stderr",
    'pip install "fastapi[standard]==0.115.0" uvicorn\\=\\=0.30.6',
    'go build -ldflags="-s -w" -o /out/app ./cmd/app',
]


@pytest.mark.parametrize("script", REALISTIC)
def test_realistic_lines_take_fast_path(script):
    assert fast(script) == full(script)


@pytest.mark.parametrize(
    "script",
    [
        "echo a > /tmp/x",
        "cat <<EOF",
        "echo $(id -u)",
        "echo `id -u`",
        "if true; then echo; fi",
        "export A=1 && echo $A",
        "( cd /tmp && make )",
        "{ echo a; }",
        "echo a & echo b",
        "echo a |& cat",
        "a ;; b",
        "echo a # comment",
        "echo 'unterminated",
        "echo a &&",
        "echo a\necho b",
        "[ -f x ] && echo",
        "! false",
        "1=2",
        "--opt=value",
        "_=x cmd",
        "echo $'ansi'",
        "echo ${A:-$B}",
        "echo \\ a",
        "$CC -o x x.c",
    ],
)
def test_other_scripts_use_tree_sitter(script):
    # Each of these contains something the fast reader does not handle, or that tree-sitter reads in its own way.
    assert split_simple_script(script) is None


PLAIN = st.text(alphabet="abcxyz019-_./:=,+@%*?~é", min_size=1, max_size=6)
NAME = st.sampled_from(["A", "FOO", "x_1", "PATH"])
WORD = st.one_of(
    PLAIN,
    PLAIN.map(lambda word: f"'{word} {word}'"),
    PLAIN.map(lambda word: f'"{word} $HOME"'),
    NAME.map(lambda name: f"${name}"),
    NAME.map(lambda name: "${" + name + "}"),
    st.tuples(PLAIN, PLAIN).map(lambda pair: f'{pair[0]}"{pair[1]}"'),
    PLAIN.map(lambda word: "\\" + word),
    st.sampled_from(["-y", "--no-cache", "--opt=val", "1", "exit", "\\$x", '"a\\"b"', '"\\\\"', "apt-get", "/usr/bin/pip"]),
)
ASSIGNMENT = st.tuples(NAME, PLAIN).map(lambda pair: f"{pair[0]}={pair[1]}")
COMMAND = st.tuples(st.lists(ASSIGNMENT, max_size=2), st.lists(WORD, max_size=4)).map(
    lambda parts: " ".join(parts[0] + parts[1])
)
OPERATOR = st.sampled_from([" && ", " || ", "; ", " | ", "&&", "|", ";"])
SCRIPT = st.tuples(
    COMMAND.filter(str.strip), st.lists(st.tuples(OPERATOR, COMMAND.filter(str.strip)), max_size=4)
).map(lambda parts: parts[0] + "".join(operator + command for operator, command in parts[1]))
# Characters both readers must agree on, including the ones that send a script to tree-sitter.
NOISY = st.lists(
    st.one_of(
        st.text(alphabet="abcxyz019-_./:=,+@%*?~é\u00a0\t[]{}()<>!#$'\"\\&|;`", min_size=1, max_size=8),
        st.sampled_from(["apt-get", "./run.sh", "python3.12", "A=1", 'B="x y"', "-y", "&&", "||", "|", ";", "${A:-x}"]),
    ),
    min_size=1,
    max_size=10,
).map(" ".join)


@settings(max_examples=400, suppress_health_check=list(HealthCheck), deadline=None)
@given(SCRIPT)
def test_generated_simple_scripts_agree(script):
    if split_simple_script(script) is not None:
        assert fast(script) == full(script)


@settings(max_examples=400, suppress_health_check=list(HealthCheck), deadline=None)
@given(NOISY)
def test_generated_noisy_scripts_agree(script):
    if split_simple_script(script) is not None:
        assert fast(script) == full(script)


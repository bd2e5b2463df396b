"""Scripts parsed statement by statement give exactly what one tree-sitter parse of the whole script gives."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodpolicy import shell
from prodpolicy.shell_statements import Statement, split_statements


def line_of(offset: int) -> int:
    return 10 + offset


def listed(entries):
    # json.dumps keeps the key order, which the reports keep too.
    return [(json.dumps(entry.command), entry.start, entry.end, entry.substituted) for entry in entries]


def by_statement(script: str):
    entries = shell._statement_entries(script, line_of, True)
    assert entries is not None, script
    return listed(entries)


def whole(script: str):
    entries, failed = shell._tree_sitter_entries(script, line_of, True)
    assert failed is False, script
    return listed(entries)


def texts(script: str) -> list[tuple[str, str | None]]:
    statements = split_statements(script)
    assert statements is not None, script
    return [(script[statement.start : statement.end], statement.separator) for statement in statements]


OFFICIAL_STYLE = (
    'set -eux;     savedAptMark="$(apt-mark showmanual)";     apt-get update;'
    "     apt-get install -y --no-install-recommends gnupg wget;"
    '     dpkgArch="$(dpkg --print-architecture | awk -F- \'{ print $NF }\')";'
    '     case "$dpkgArch" in         amd64) arch=x86_64 ;;         arm64) arch=aarch64 ;;'
    '         *) echo >&2 "unsupported architecture: $dpkgArch"; exit 1 ;;     esac;'
    '     wget -O app.tgz "https://downloads.example.invalid/app-${APP_VERSION}-${arch}.tgz";'
    '     echo "${APP_SHA256} *app.tgz" | sha256sum -c -;'
    "     for key in 0123ABCD 4567EF01; do gpg --batch --recv-keys \"$key\" || exit 1; done;"
    '     if [ -n "$savedAptMark" ]; then apt-mark manual $savedAptMark > /dev/null; fi;'
    "     apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false;"
    "     rm -rf /var/lib/apt/lists/*"
)

ALPINE_STYLE = (
    "set -ex \t&& apk add --no-cache --virtual .build-deps \t\tgcc \t\tmusl-dev \t\tmake"
    ' \t&& wget -O src.tar.gz "https://downloads.example.invalid/src-${SRC_VERSION}.tar.gz"'
    ' \t&& { echo "${SRC_SHA256}  src.tar.gz" | sha256sum -c -; }'
    " \t&& ( cd /usr/src && tar -xzf /src.tar.gz && make -j\"$(nproc)\" install )"
    " \t&& [[ -x /usr/local/bin/app && ! -e /tmp/skip ]] || exit 1"
    " \t&& apk del --no-network .build-deps \t&& rm -rf /usr/src /src.tar.gz # done"
)


def test_official_image_script_statements():
    found = texts(OFFICIAL_STYLE)
    assert [separator for _, separator in found] == [None] + [";"] * 11
    assert found[0] == ("set -eux", None)
    assert found[1] == ('savedAptMark="$(apt-mark showmanual)"', ";")
    assert found[5][0].startswith('case "$dpkgArch" in')
    assert found[5][0].endswith("esac")
    assert found[8][0] == 'for key in 0123ABCD 4567EF01; do gpg --batch --recv-keys "$key" || exit 1; done'
    assert found[11] == ("rm -rf /var/lib/apt/lists/*", ";")


def test_alpine_script_statements():
    assert texts(ALPINE_STYLE) == [
        ("set -ex", None),
        ("apk add --no-cache --virtual .build-deps \t\tgcc \t\tmusl-dev \t\tmake", "&&"),
        ('wget -O src.tar.gz "https://downloads.example.invalid/src-${SRC_VERSION}.tar.gz"', "&&"),
        ('{ echo "${SRC_SHA256}  src.tar.gz" | sha256sum -c -; }', "&&"),
        ('( cd /usr/src && tar -xzf /src.tar.gz && make -j"$(nproc)" install )', "&&"),
        ("[[ -x /usr/local/bin/app && ! -e /tmp/skip ]]", "&&"),
        ("exit 1", "||"),
        ("apk del --no-network .build-deps", "&&"),
        ("rm -rf /usr/src /src.tar.gz # done", "&&"),
    ]


def test_statement_spans_leave_out_blanks():
    assert split_statements("  a ;\tb  ") == [Statement(2, 3, None), Statement(6, 7, ";")]


def test_keywords_count_only_where_a_command_starts():
    assert texts("echo done; echo if then fi; printf '%s' case") == [
        ("echo done", None),
        ("echo if then fi", ";"),
        ("printf '%s' case", ";"),
    ]


def test_quotes_substitutions_and_expansions_hide_operators():
    script = 'echo "a; b && c" \'d || e\' "$(f; g)" ${h:-"i;j"} `k; l` \\; ; m'
    assert texts(script) == [('echo "a; b && c" \'d || e\' "$(f; g)" ${h:-"i;j"} `k; l` \\;', None), ("m", ";")]


def test_comment_only_statement_is_dropped():
    assert texts("a; # first; second && third") == [("a", None)]


@pytest.mark.parametrize(
    "script",
    [
        "cat <<EOF\nbody\nEOF",
        "sleep 1 & wait",
        "echo $'a\\'b'; c",
        "a ;; b",
        "if true; then echo; ",
        "a\nb",
        "for i in 1; do a; done&& b",
        "a; 2>&1 b",
        "then a; b",
        "a && \\\n b; c",
        "a \\\n || b",
        "a &&",
        "a && # nothing after",
        "echo 'unterminated; b",
        "echo ) ; b",
    ],
)
def test_unsure_scripts_are_left_to_the_whole_parse(script):
    assert split_statements(script) is None


@pytest.mark.parametrize("script", [OFFICIAL_STYLE, ALPINE_STYLE])
def test_realistic_scripts_agree_with_the_whole_parse(script):
    assert by_statement(script) == whole(script)


def test_reused_statements_get_their_own_lines_and_operators():
    first = "apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*"
    second = "set -eux || rm -rf /var/lib/apt/lists/* && apt-get update"
    by_statement(first)
    assert by_statement(second) == whole(second)
    commands = [json.loads(item[0]) for item in by_statement(second)]
    assert [(command["program"], command["operator"], command["line"]) for command in commands] == [
        ("set", None, 10),
        ("rm", "||", 22),
        ("apt-get", "&&", 53),
    ]


def test_operator_inside_statement_reaches_first_command():
    # The walk of the whole script gives the for loop's ";" to the first command of its body.
    script = "a && for i in 1 2; do b; done; x=1 | c"
    assert by_statement(script) == whole(script)
    commands = [json.loads(item[0]) for item in by_statement(script)]
    assert [(command["program"], command["operator"]) for command in commands] == [("a", None), ("b", ";"), ("c", "|")]


STATEMENT = st.sampled_from(
    [
        "apt-get update",
        "apt-get install -y --no-install-recommends curl ca-certificates",
        'savedAptMark="$(apt-mark showmanual)"',
        'case "$arch" in amd64) a=x64 ;; arm64) a=arm64 ;; *) echo "no: $arch" >&2; exit 1 ;; esac',
        "if [ -f /etc/os-release ]; then . /etc/os-release; else echo none; fi",
        'for key in A B; do gpg --recv-keys "$key" || exit 1; done',
        "while read -r line; do echo \"$line\"; done < /etc/hosts",
        "{ echo a; echo b; } > /tmp/out",
        '( cd /src && make -j"$(nproc)" )',
        "echo done",
        'echo "a; b && c" \'d || e\'',
        'echo "${A:-$(echo "q")}"',
        '[[ -n "$A" && "$B" == x* ]]',
        "curl -fsSL https://downloads.example.invalid/x.tgz | tar -xz -C /opt",
        "make 2>&1 | tee log",
        'A=1 B="two words" ./configure --prefix=/usr',
        "x=$((3*4))",
        "echo a # a comment; with && more",
        "until false; do break; done",
        "export PATH=/opt/bin:$PATH",
        "x=1 | c",
        "f() { echo \"$@\"; }",
        "echo `date +%s`",
    ]
)
OPERATOR = st.sampled_from(["; ", " && ", " || ", ";", "\t&& ", " &&\n  ", ";\n"])
SCRIPT = st.tuples(STATEMENT, st.lists(st.tuples(OPERATOR, STATEMENT), min_size=1, max_size=6)).map(
    lambda parts: parts[0] + "".join(operator + statement for operator, statement in parts[1])
)


@settings(max_examples=300, suppress_health_check=list(HealthCheck), deadline=None)
@given(SCRIPT)
def test_generated_scripts_agree_with_the_whole_parse(script):
    entries = shell._statement_entries(script, line_of, True)
    if entries is not None:
        assert listed(entries) == whole(script)


NOISY = st.lists(
    st.sampled_from(
        ["a", "echo", "x=1", "'q ; q'", '"d $v && w"', '"$(e "f;g")"', "$(g; h)", "${v:-w}", "2>&1", ">&2", "é",
         "$((1+2))", "#c", "x)", "in", "done", "fi", "{", "}", "(", ")", "if", "then", "case", "esac", "for", "do",
         "[[", "]]", "\\", "\\\n", "&", ";;", ";", "&&", "||", "|", "\n", '"', "'", "`h`"]
    ),
    min_size=2,
    max_size=20,
).map(" ".join)


@settings(max_examples=400, suppress_health_check=list(HealthCheck), deadline=None)
@given(NOISY)
def test_noisy_scripts_agree_or_fall_back(script):
    entries = shell._statement_entries(script, line_of, True)
    if entries is not None:
        expected, failed = shell._tree_sitter_entries(script, line_of, True)
        assert not failed, script
        assert listed(entries) == listed(expected)

"""History entries: created_by of BuildKit and the legacy builder read as Dockerfile instructions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodpolicy.image import gosyntax
from prodpolicy.image.history import parse_step, setuid_changes


def step(created_by: str, comment: str | None = None):
    return parse_step(created_by, comment, 7, "config.json")


def test_buildkit_run_with_build_arguments():
    parsed = step("RUN |2 NODE_VERSION=20.11.1 HTTP_PROXY=http://proxy.example.internal:3128 /bin/sh -c npm ci && npm run build # buildkit")
    assert parsed.builder == "buildkit"
    assert parsed.build_args == [
        {"name": "NODE_VERSION", "value": "20.11.1"},
        {"name": "HTTP_PROXY", "value": "http://proxy.example.internal:3128"},
    ]
    assert parsed.instruction["keyword"] == "RUN"
    assert [command["text"] for command in parsed.instruction["commands"]] == ["npm ci", "npm run build"]
    assert parsed.instruction["line"] == 7
    assert parsed.instruction["original"].startswith("RUN |2 NODE_VERSION=20.11.1")


def test_build_argument_value_with_spaces():
    parsed = step("|2 GREETING=hello world TARGET=prod /bin/sh -c echo $GREETING")
    assert parsed.build_args == [{"name": "GREETING", "value": "hello world"}, {"name": "TARGET", "value": "prod"}]


def test_exec_form_run_with_build_arguments():
    parsed = step("RUN |1 NODE_ENV=production npm ci --omit=dev # buildkit")
    assert parsed.build_args == [{"name": "NODE_ENV", "value": "production"}]
    assert [command["argv"] for command in parsed.instruction["commands"]] == [["npm", "ci", "--omit=dev"]]


def test_legacy_run_with_a_custom_shell():
    parsed = step("/bin/bash -o pipefail -c curl -fsSL https://example.internal/install.sh | bash")
    assert parsed.builder == "classic"
    assert [command["program"] for command in parsed.instruction["commands"]] == ["curl", "bash"]


def test_legacy_nop_cmd_in_go_quoting():
    parsed = step('/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]')
    assert parsed.builder == "classic"
    assert parsed.instruction["keyword"] == "CMD"
    assert parsed.instruction["process"] == {"form": "exec", "argv": ["nginx", "-g", "daemon off;"]}


def test_legacy_add_of_the_base_root_filesystem():
    parsed = step("/bin/sh -c #(nop) ADD file:5b1e63a3cb041177b802b501dedcd71a86f1773ea0f69f048f2eb3901097711d in / ")
    copy = parsed.instruction["copy"]
    assert copy["sources"][0]["kind"] == "local"
    assert copy["destination"] == "/"


def test_buildkit_add_from_a_url():
    parsed = step("ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini # buildkit")
    assert parsed.instruction["copy"]["sources"] == [
        {"path": "https://github.com/krallin/tini/releases/download/v0.19.0/tini", "kind": "url"}
    ]


def test_expose_map():
    parsed = step("EXPOSE map[3000/tcp:{} 53/udp:{}]", "buildkit.dockerfile.v0")
    assert parsed.builder == "buildkit"
    assert [(port["port"], port["protocol"]) for port in parsed.instruction["ports"]] == [(3000, "tcp"), (53, "udp")]


def test_healthcheck_struct():
    parsed = step("HEALTHCHECK &{[\"CMD-SHELL\" \"curl -f http://127.0.0.1/ || exit 1\"] \"30s\" \"3s\" \"5s\" \"0s\" '\\x03'}")
    healthcheck = parsed.instruction["healthcheck"]
    assert healthcheck["test"] == ["CMD-SHELL", "curl -f http://127.0.0.1/ || exit 1"]
    assert (healthcheck["interval"], healthcheck["timeout"], healthcheck["start_period"], healthcheck["retries"]) == (30.0, 3.0, 5.0, 3)


def test_healthcheck_none():
    parsed = step("HEALTHCHECK &{[\"NONE\"] \"0s\" \"0s\" \"0s\" '\\x00'}")
    assert parsed.instruction["healthcheck"]["state"] == "disabled"


def test_label_values_with_spaces():
    parsed = step("/bin/sh -c #(nop)  LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com> version=1.27")
    assert [(variable["name"], variable["value"]) for variable in parsed.instruction["variables"]] == [
        ("maintainer", "NGINX Docker Maintainers <docker-maint@nginx.com>"),
        ("version", "1.27"),
    ]


def test_env_value_keeps_dollar_signs_and_backslashes():
    parsed = step("ENV PS1=$ PATH_WIN=C:\\tools\\bin")
    assert [(variable["name"], variable["value"]) for variable in parsed.instruction["variables"]] == [
        ("PS1", "$"),
        ("PATH_WIN", "C:\\tools\\bin"),
    ]


@pytest.mark.parametrize(
    ("created_by", "keyword", "field", "value"),
    [
        ("SHELL [/bin/bash -o pipefail -c]", "SHELL", "shell", ["/bin/bash", "-o", "pipefail", "-c"]),
        ("VOLUME [/data /cache]", "VOLUME", "volumes", ["/data", "/cache"]),
        ("WORKDIR /srv/app", "WORKDIR", "path", "/srv/app"),
        ("STOPSIGNAL SIGQUIT", "STOPSIGNAL", "signal", "SIGQUIT"),
    ],
)
def test_config_instructions(created_by, keyword, field, value):
    instruction = step(created_by).instruction
    assert instruction["keyword"] == keyword
    assert instruction[field] == value


def test_user_instruction():
    assert step("USER 10001:10001").instruction["user"]["uid"] == 10001


@pytest.mark.parametrize(
    "created_by",
    ["# debian.sh --arch 'amd64' out/ 'bookworm' '@1700000000'", "bash", "", "HEALTHCHECK something else"],
)
def test_steps_that_are_not_instructions(created_by):
    assert step(created_by).instruction is None


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("chmod u+s /usr/local/bin/helper", [("/usr/local/bin/helper", True, False)]),
        ("chmod 2755 /srv/shared /srv/other", [("/srv/shared", False, True), ("/srv/other", False, True)]),
        ("chmod -R 6755 /opt/tool", [("/opt/tool", True, True)]),
        ("sudo -u root chmod +s /bin/x", [("/bin/x", True, True)]),
        ("chmod 0755 /bin/x && chmod a-s /bin/y", []),
        ("chmod g+w,u+s /bin/z", [("/bin/z", True, False)]),
    ],
)
def test_setuid_changes(script, expected):
    instruction = step(f"RUN /bin/sh -c {script} # buildkit").instruction
    changes = setuid_changes(instruction)
    assert [(change["path"], change["setuid"], change["setgid"]) for change in changes] == expected


def test_go_quoted_list_escapes():
    assert gosyntax.quoted_list('["a\\"b" "tab\\there" "\\u00e9"]') == (['a"b', "tab\there", "é"], 29)


def test_go_healthcheck_with_three_durations():
    assert gosyntax.healthcheck("&{[\"CMD\" \"probe\"] \"1m30s\" \"10s\" \"0s\" '\\x05'}") == {
        "test": ["CMD", "probe"],
        "interval": "1m30s",
        "timeout": "10s",
        "start_period": "0s",
        "retries": 5,
    }


_PREFIXES = st.sampled_from(
    ["", "RUN ", "RUN |2 ", "|1 ", "/bin/sh -c ", "/bin/sh -c #(nop)  ", "CMD [", "HEALTHCHECK &{[", "EXPOSE map[", "ENV ", "ADD ", "ONBUILD "]
)


@settings(max_examples=300, deadline=None)
@given(_PREFIXES, st.text(max_size=40), st.sampled_from(["", " # buildkit"]))
def test_any_created_by_is_read_without_error(prefix, body, suffix):
    parsed = step(prefix + body + suffix)
    assert parsed.instruction is None or parsed.instruction["original"] == prefix + body + suffix

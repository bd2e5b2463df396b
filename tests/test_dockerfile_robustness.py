"""Any text gives a document that matches the model, or an input error: never a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodpolicy.dockerfile import normalize_dockerfile
from prodpolicy.errors import InvalidInput

KEYWORDS = ["FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "LABEL", "USER", "WORKDIR", "EXPOSE",
            "VOLUME", "HEALTHCHECK", "SHELL", "STOPSIGNAL", "ONBUILD", "MAINTAINER", "from", "FOO"]
PIECES = [
    "alpine:3.20", "AS", "build", "--from=build", "--from=0", "--mount=type=cache,target=/c", "--mount=type=secret",
    "--chown=1:1", "--link", "--platform=$P", "--interval=5s", "--retries=-1", "CMD", "NONE", "<<EOF", "<<-'EOT'",
    "3<<X", '["a", "b"]', '["a", 1]', "[", "]", "a=b", "A=${B:-c}", "${A#*/}", "${A//x/y}", "$", "${", "80-90/udp",
    "&&", "||", "|", ";", "$(id)", "`id`", "sh", "-c", "'quoted'", '"dq"', "\\", "`", "#", "é", "\t", "0:0", "root",
]
LINE = st.one_of(
    st.tuples(st.sampled_from(KEYWORDS), st.lists(st.sampled_from(PIECES), max_size=6)).map(lambda parts: " ".join([parts[0], *parts[1]])),
    st.sampled_from(["EOF", "\tEOT", "X", "# escape=`", "# syntax=x", "", "   ", "\\"]),
    st.text(max_size=20),
)
TEXT = st.lists(LINE, max_size=12).map("\n".join)


@settings(max_examples=300, suppress_health_check=list(HealthCheck), deadline=None)
@given(TEXT, st.sampled_from(["\n", "\r\n"]))
def test_random_text_never_crashes(text, newline):
    try:
        document = normalize_dockerfile(text.replace("\n", newline), "Dockerfile")
    except InvalidInput as error:
        assert error.error.file == "Dockerfile"
        return
    document.to_model()
    for error in document.errors:
        assert error.line is not None

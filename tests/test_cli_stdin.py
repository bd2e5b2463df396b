"""Standard input as an input: eval - --kind KIND, --stdin-filename, archives and limits."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile

import pytest

from prodpolicy import stdin
from prodpolicy.api import evaluate_paths
from prodpolicy.cli import main
from prodpolicy.source import DEFAULT_MAX_FILE_BYTES

from .helpers import ROOT

NAIVE = (ROOT / "examples" / "node-express" / "naive.Dockerfile").read_bytes()
# Rules that fire on the naive example and not on the production one; rules added to the bundled set later do not change the results.
RULES = ("--select", "RT101,RT201,RT301,SC101")
COMPOSE = b"services:\n  web:\n    image: nginx:1.27\n    privileged: true\n"


def run_with_stdin(monkeypatch, capsys, data: bytes, *arguments: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def findings(out: str) -> list[tuple[str, str, int | None]]:
    return [(item["file"], item["rule_id"], item["line"]) for item in json.loads(out)["findings"]]


def test_dockerfile_from_a_pipe():
    completed = subprocess.run(
        [sys.executable, "-m", "prodpolicy", "eval", "-", "--kind", "dockerfile", "--format", "json", *RULES],
        input=NAIVE,
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 1
    assert findings(completed.stdout.decode()) == [
        ("-", "RT101", 1),
        ("-", "RT201", 1),
        ("-", "SC101", 4),
        ("-", "RT301", 7),
    ]


def test_text_report_shows_the_code_frame(monkeypatch, capsys):
    code, out, _ = run_with_stdin(monkeypatch, capsys, NAIVE, "eval", "-", "--kind", "dockerfile", "--select", "SC101")
    assert code == 1
    assert out == (
        "-:4:1: high SC101 secret-file-copied: COPY copies a secret file into the image (.env): inject it at run time instead\n"
        "   3 | COPY . .\n"
        " > 4 | COPY .env .env\n"
        "   5 | RUN npm install\n"
        "\n"
        "1 finding (1 high) in 1 file.\n"
    )


def test_stdin_filename_names_the_input(monkeypatch, capsys):
    code, out, _ = run_with_stdin(
        monkeypatch, capsys, COMPOSE, "eval", "-", "--kind", "compose", "--stdin-filename", "deploy/compose.yaml", "--format", "json"
    )
    assert code == 1
    assert ("deploy/compose.yaml", "CP301", 4) in findings(out)


def test_configuration_is_found_from_the_stdin_filename(monkeypatch, capsys, tmp_path):
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / ".prodpolicy.yaml").write_text("ignore: [RT101]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    arguments = ("eval", "-", "--kind", "dockerfile", "--format", "json")
    _, in_root, _ = run_with_stdin(monkeypatch, capsys, NAIVE, *arguments)
    _, in_api, _ = run_with_stdin(monkeypatch, capsys, NAIVE, *arguments, "--stdin-filename", "api/Dockerfile")
    assert "RT101" in [rule for _, rule, _ in findings(in_root)]
    assert "RT101" not in [rule for _, rule, _ in findings(in_api)]


def test_stdin_beside_files(monkeypatch, capsys):
    production = str(ROOT / "examples" / "node-express" / "production.Dockerfile")
    code, out, _ = run_with_stdin(
        monkeypatch, capsys, NAIVE, "eval", production, "-", "--kind", "dockerfile", "--format", "json", *RULES
    )
    assert code == 1
    assert json.loads(out)["summary"]["files"] == 2
    assert {file for file, _, _ in findings(out)} == {"-"}


def test_stdin_needs_kind(monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_:
        run_with_stdin(monkeypatch, capsys, NAIVE, "eval", "-")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage: prodpolicy eval" in err
    assert "reading standard input (-) needs --kind dockerfile, --kind compose or --kind image" in err


def test_stdin_only_once(monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_:
        run_with_stdin(monkeypatch, capsys, NAIVE, "eval", "-", "-", "--kind", "dockerfile")
    assert exit_.value.code == 2
    assert "standard input (-) can be given only once" in capsys.readouterr().err


def test_stdin_filename_without_stdin(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["eval", "Dockerfile", "--stdin-filename", "Dockerfile"])
    assert exit_.value.code == 2
    assert "--stdin-filename names standard input: add - to the paths" in capsys.readouterr().err


def test_empty_stdin_is_an_input_error(monkeypatch, capsys):
    code, out, _ = run_with_stdin(monkeypatch, capsys, b"", "eval", "-", "--kind", "dockerfile")
    assert code == 2
    assert out.startswith("-: error: the file has no instructions; a Dockerfile needs at least one FROM line\n")


def test_oversized_stdin_is_input_error(bundled):
    data = b"FROM alpine:3.20\n" + b"#" * DEFAULT_MAX_FILE_BYTES
    report = evaluate_paths(["-"], bundled, kind="dockerfile", stdin=data)
    assert [(error.file, error.message) for error in report.errors] == [
        ("-", "standard input is larger than the 10,485,760-byte limit for text inputs"),
    ]
    assert report.files == []


def docker_save_archive() -> bytes:
    """Return a docker save archive of one image with one empty layer, running as root."""
    layer = _tar({})
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"User": "", "Cmd": ["node", "server.js"]},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
            "history": [{"created_by": "/bin/sh -c #(nop) ADD file:0 in / "}],
        }
    ).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["registry.example.internal/app:1.0"], "Layers": ["0/layer.tar"]}])
    return _tar({config_name: config, "0/layer.tar": layer, "manifest.json": manifest.encode()})


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_archive_from_stdin_is_streamed(bundled, tmp_path, monkeypatch):
    data = docker_save_archive()
    saved = tmp_path / "app.tar"
    saved.write_bytes(data)
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    spooled = []
    original = stdin._spool
    monkeypatch.setattr(stdin, "_spool", lambda head, stream: spooled.append(original(head, stream)) or spooled[-1])
    from_stdin = evaluate_paths(["-"], bundled, kind="image", stdin=data, stdin_filename="app.tar")
    from_file = evaluate_paths([str(saved)], bundled)
    assert from_stdin.errors == []
    assert [(item.rule_id, item.subject) for item in from_stdin.findings] == [
        (item.rule_id, item.subject) for item in from_file.findings
    ]
    assert ("RT101", "registry.example.internal/app:1.0") in [(item.rule_id, item.subject) for item in from_stdin.findings]
    assert {item.file for item in from_stdin.findings} == {"app.tar"}
    assert len(spooled) == 1
    assert spooled[0].startswith(str(spool))
    assert list(spool.iterdir()) == []


# prodpolicy normalize -


def test_normalize_reads_a_dockerfile_from_stdin(monkeypatch, capsys):
    code, out, err = run_with_stdin(monkeypatch, capsys, NAIVE, "normalize", "-", "--kind", "dockerfile")

    document = json.loads(out)
    assert code == 0
    assert err == ""
    assert document["file"] == "-"
    assert document["runtimes"][0]["base"]["reference"] == "node:20"
    assert [instruction["keyword"] for instruction in document["stages"][0]["instructions"]][:2] == ["FROM", "WORKDIR"]


def test_normalize_names_stdin_with_stdin_filename(monkeypatch, capsys):
    code, out, _ = run_with_stdin(
        monkeypatch, capsys, COMPOSE, "normalize", "-", "--kind", "compose", "--stdin-filename", "deploy/compose.yaml"
    )

    document = json.loads(out)
    assert code == 0
    assert document["file"] == "deploy/compose.yaml"
    assert [runtime["subject"]["name"] for runtime in document["runtimes"]] == ["web"]


def test_normalize_reads_an_archive_from_stdin(monkeypatch, capsys, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))

    code, out, _ = run_with_stdin(monkeypatch, capsys, docker_save_archive(), "normalize", "-", "--kind", "image")

    document = json.loads(out)
    assert code == 0
    assert document["runtimes"][0]["user"]["is_root"] is True
    assert list(spool.iterdir()) == []


def test_normalize_stdin_needs_kind(monkeypatch, capsys):
    with pytest.raises(SystemExit) as raised:
        run_with_stdin(monkeypatch, capsys, NAIVE, "normalize", "-")

    assert raised.value.code == 2
    assert "reading standard input (-) needs --kind dockerfile" in capsys.readouterr().err


def test_normalize_empty_stdin_is_an_input_error(monkeypatch, capsys):
    code, out, err = run_with_stdin(monkeypatch, capsys, b"", "normalize", "-", "--kind", "dockerfile")

    assert code == 2
    assert out == ""
    assert err == "-: error: the file has no instructions; a Dockerfile needs at least one FROM line\n"


def test_normalize_stdin_filename_without_stdin(capsys):
    with pytest.raises(SystemExit):
        main(["normalize", "Dockerfile", "--stdin-filename", "Dockerfile"])

    assert "--stdin-filename names standard input: give - as the FILE" in capsys.readouterr().err

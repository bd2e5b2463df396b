"""Each input limit: an input just over it is an input error naming the limit and its option, the batch goes on.

The two time bounds (a 50 MB file and a YAML alias bomb rejected in under two
seconds) are asserted with a wide margin: both take a few milliseconds.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time

import pytest

from prodpolicy.api import normalize
from prodpolicy.cli import main
from prodpolicy.errors import InvalidInput
from prodpolicy.kinds import NormalizeOptions
from prodpolicy.limits import MAX_LINE_BYTES, MAX_REGEX_INPUT_CHARS, Limits, parse_count, parse_size
from prodpolicy.policy import conditions
from prodpolicy.source import read_source

from .test_image_archive import archive, docker25_save, layer, tar_bytes, _info

VALID = "FROM alpine:3.19\nUSER 10001\n"


def errors_of(capsys, *arguments: str) -> tuple[dict[str, str], dict]:
    """Run eval with a JSON report; return the error message of each file and the report."""
    main(["eval", *arguments, "--format", "json", "--no-progress", "--fail-on", "none"])
    report = json.loads(capsys.readouterr().out)
    return {error["file"]: error["message"] for error in report["errors"]}, report


def normalize_text(text: str, name: str, **limits: int):
    return normalize(name, text=text, options=NormalizeOptions(limits=Limits(**limits)))


def test_file_size_limit_in_batch(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.Dockerfile").write_text(VALID + "#" * (1024 - len(VALID)) + "\n", encoding="utf-8")
    (tmp_path / "small.Dockerfile").write_text(VALID, encoding="utf-8")
    errors, report = errors_of(capsys, "big.Dockerfile", "small.Dockerfile", "--max-file-size", "1KiB")
    assert errors == {
        "big.Dockerfile": "the file is larger than the limit of 1,024 bytes; if the input is genuine, raise the limit "
        "with --max-file-size, for example --max-file-size 10KiB"
    }
    assert report["summary"]["files"] == 1


def test_file_size_limit_raised(tmp_path, monkeypatch, capsys):
    # Over the 10 MiB default, in lines Docker accepts: the option lets the file be read and evaluated.
    monkeypatch.chdir(tmp_path)
    comment = "# " + "x" * 1000 + "\n"
    (tmp_path / "big.Dockerfile").write_text(comment * 11_000 + "FROM alpine:3.22\nUSER 10001\n", encoding="utf-8")
    errors, _ = errors_of(capsys, "big.Dockerfile")
    assert list(errors) == ["big.Dockerfile"]

    errors, report = errors_of(capsys, "big.Dockerfile", "--max-file-size", "20MiB", "--select", "RT101")
    assert errors == {}
    assert report["summary"]["files"] == 1

    stdin = (tmp_path / "big.Dockerfile").open("rb")
    monkeypatch.setattr("sys.stdin", type("Stdin", (), {"buffer": stdin})())
    errors, report = errors_of(capsys, "-", "--kind", "dockerfile", "--max-file-size", "20MiB", "--select", "RT101")
    stdin.close()
    assert errors == {}
    assert report["summary"]["files"] == 1


def test_file_size_limit_exact_size_is_read(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"#" * 1023 + b"\n")
    assert len(read_source(path, 1024).data) == 1024
    path.write_bytes(b"#" * 1024 + b"\n")
    with pytest.raises(InvalidInput, match="larger than the limit of 1,024 bytes"):
        read_source(path, 1024)


def test_file_size_limit_in_memory():
    with pytest.raises(InvalidInput, match="--max-file-size"):
        normalize_text(VALID + "#" * 100 + "\n", "Dockerfile", max_file_bytes=100)
    assert normalize_text(VALID, "Dockerfile", max_file_bytes=100)[0].errors == []


def test_fifty_megabyte_file_rejected_quickly(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with open(tmp_path / "huge.Dockerfile", "wb") as handle:
        handle.write(b"FROM alpine:3.19\n")
        handle.write(b"# padding\n" * 5_000_000)
    started = time.perf_counter()
    errors, _ = errors_of(capsys, "huge.Dockerfile")
    elapsed = time.perf_counter() - started
    assert errors["huge.Dockerfile"].startswith("the file is larger than the limit of 10,485,760 bytes")
    assert elapsed < 2.0


def test_instruction_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\n" + "RUN true\n" * 5, encoding="utf-8")
    errors, _ = errors_of(capsys, "Dockerfile", "--max-instructions", "5")
    assert errors == {
        "Dockerfile": "the Dockerfile has more instructions than the limit of 5 instructions; if the input is "
        "genuine, raise the limit with --max-instructions, for example --max-instructions 50"
    }
    errors, _ = errors_of(capsys, "Dockerfile", "--max-instructions", "6")
    assert errors == {}


def test_instruction_limit_names_the_line():
    with pytest.raises(InvalidInput) as raised:
        normalize_text("FROM alpine:3.19\nRUN true\n\nRUN false\n", "Dockerfile", max_instructions=2)
    assert raised.value.error.line == 4


def test_heredoc_limit():
    body = "x" * 1024
    text = f"FROM alpine:3.19\nRUN <<EOF\n{body}\nEOF\n"
    with pytest.raises(InvalidInput) as raised:
        normalize_text(text, "Dockerfile", max_heredoc_bytes=1024)
    assert raised.value.error.line == 3
    assert "the body of heredoc 'EOF' is larger than the limit of 1,024 bytes" in raised.value.error.message
    assert "--max-heredoc-size" in raised.value.error.message
    assert normalize_text(text, "Dockerfile", max_heredoc_bytes=1025)[0].errors == []


def test_heredoc_limit_counts_utf8_bytes():
    # 300 three-byte characters and a newline: 901 bytes in 301 characters.
    text = "FROM alpine:3.19\nRUN <<EOF\n" + "\u20ac" * 300 + "\nEOF\n"
    with pytest.raises(InvalidInput, match="--max-heredoc-size"):
        normalize_text(text, "Dockerfile", max_heredoc_bytes=900)
    assert normalize_text(text, "Dockerfile", max_heredoc_bytes=901)[0].errors == []


def test_line_length_limit():
    over = "FROM alpine:3.19\nRUN echo " + "a" * (MAX_LINE_BYTES - 9 + 1) + "\n"
    with pytest.raises(InvalidInput) as raised:
        normalize_text(over, "Dockerfile")
    assert raised.value.error.line == 2
    assert raised.value.error.message == "line is longer than 65535 bytes, which Docker rejects; split it with line continuations"
    exact = "FROM alpine:3.19\nRUN echo " + "a" * (MAX_LINE_BYTES - 9) + "\n"
    assert normalize_text(exact, "Dockerfile")[0].errors == []


def _nested_compose(depth: int) -> str:
    # services (1), web (2), labels (3), then nested mappings down to the given depth.
    lines = ["services:", "  web:", "    image: nginx:1.25", "    x-nested:"]
    indent = "      "
    for level in range(depth - 3):
        lines.append(f"{indent}k{level}:")
        indent += "  "
    lines.append(f"{indent}leaf: 1")
    return "\n".join(lines) + "\n"


def test_yaml_depth_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compose.yaml").write_text(_nested_compose(12), encoding="utf-8")
    errors, _ = errors_of(capsys, "compose.yaml", "--max-yaml-depth", "10")
    assert "the document nests deeper than the limit of 10 levels" in errors["compose.yaml"]
    assert "--max-yaml-depth" in errors["compose.yaml"]
    errors, _ = errors_of(capsys, "compose.yaml", "--max-yaml-depth", "20")
    assert "compose.yaml" not in errors


def _alias_bomb(levels: int = 9) -> str:
    lines = ["services:", "  web:", "    image: nginx:1.25", "x-bomb:", '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        lines.append(f"  a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_rejected_quickly(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compose.yaml").write_text(_alias_bomb(), encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(VALID, encoding="utf-8")
    started = time.perf_counter()
    errors, report = errors_of(capsys, "compose.yaml", "Dockerfile")
    elapsed = time.perf_counter() - started
    assert errors["compose.yaml"].startswith("its aliases expand the document, as an alias bomb does, to more values than the limit of 1,000,000 values")
    assert report["errors"][0]["line"] == 6
    assert report["summary"]["files"] == 1
    assert elapsed < 2.0


def test_yaml_values_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # 9 ** 3 = 729 strings through aliases, plus the lists and the mappings around them.
    (tmp_path / "compose.yaml").write_text(_alias_bomb(levels=2), encoding="utf-8")
    errors, _ = errors_of(capsys, "compose.yaml", "--max-yaml-values", "500")
    assert "--max-yaml-values" in errors["compose.yaml"]
    errors, _ = errors_of(capsys, "compose.yaml", "--max-yaml-values", "5000")
    assert "compose.yaml" not in errors


def test_archive_member_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": []}})
    members = docker25_save(config.encode(), ["app:1"], [layer(("app/", 0o755))])
    (tmp_path / "image.tar").write_bytes(archive(members))
    errors, _ = errors_of(capsys, "image.tar", "--max-archive-members", str(len(members) - 1))
    assert errors["image.tar"] == (
        f"the archive has more members than the limit of {len(members) - 1} members; if the input is genuine, "
        f"raise the limit with --max-archive-members, for example --max-archive-members {(len(members) - 1) * 10}"
    )
    errors, _ = errors_of(capsys, "image.tar", "--max-archive-members", str(len(members)))
    assert errors == {}


def test_archive_size_limit_on_members(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "image.tar").write_bytes(tar_bytes([(_info("blob", 8192), b"\0" * 8192)]))
    errors, _ = errors_of(capsys, "image.tar", "--max-archive-size", "4KiB")
    assert errors["image.tar"].startswith("the members of the archive are larger, in total, than the limit of 4,096 bytes")
    assert "--max-archive-size" in errors["image.tar"]


def test_archive_size_limit_on_compressed_layers(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # 1 MiB of zeros compresses to about a kilobyte: only the uncompressed size counts.
    big_layer = gzip.compress(layer(("app/", 0o755), ("app/zeros", 0o644, b"\0" * (1 << 20))))
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": []}})
    (tmp_path / "image.tar").write_bytes(archive(docker25_save(config.encode(), ["app:1"], [big_layer])))
    errors, report = errors_of(capsys, "image.tar", "--max-archive-size", "64KiB")
    assert errors["image.tar"].startswith(
        "app:1: layer 1 was not scanned to the end, nor the layers after it: the uncompressed layers are larger "
        "than the limit of 65,536 bytes"
    )
    # The limit stops the layer scan only: the image's configuration is still evaluated.
    assert report["summary"]["files"] == 1
    errors, _ = errors_of(capsys, "image.tar", "--max-archive-size", "2MiB")
    assert errors == {}


def test_regex_input_is_cut_at_the_limit():
    assert conditions.regex_input("a" * 10) == "a" * 10
    assert len(conditions.regex_input("a" * (MAX_REGEX_INPUT_CHARS + 5))) == MAX_REGEX_INPUT_CHARS
    assert conditions.regex_input(42) == "42"


def test_pathological_regex_runs_in_linear_time():
    pattern = conditions.compile_regex("(a*)*b")
    started = time.perf_counter()
    assert pattern.search(conditions.regex_input("a" * (MAX_REGEX_INPUT_CHARS * 2))) is None
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("text", "size"), [("1048576", 1 << 20), ("512KiB", 512 << 10), ("20MiB", 20 << 20), ("2g", 2 << 30), ("10_000", 10_000)]
)
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "-1", "0", "1.5MiB", "10TB"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError, match="invalid size"):
        parse_size(text)


def test_parse_count():
    assert parse_count("20_000") == 20_000
    with pytest.raises(ValueError, match="invalid number"):
        parse_count("0")


def test_limit_option_rejects_invalid_value(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["eval", "Dockerfile", "--max-file-size", "lots"])
    assert raised.value.code == 2
    assert "invalid size 'lots'" in capsys.readouterr().err


def test_limits_reject_non_positive_values():
    with pytest.raises(ValueError, match="max_instructions must be a positive whole number"):
        Limits(max_instructions=0)


def test_binary_non_utf8_and_empty_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "binary.Dockerfile").write_bytes(b"FROM alpine:3.19\n\x00\x01\x02")
    (tmp_path / "latin1.Dockerfile").write_bytes(b'FROM alpine:3.19\nLABEL a="\xe9"\n')
    (tmp_path / "empty.Dockerfile").write_bytes(b"")
    (tmp_path / "good.Dockerfile").write_text(VALID, encoding="utf-8")
    _, report = errors_of(capsys, "binary.Dockerfile", "latin1.Dockerfile", "empty.Dockerfile", "good.Dockerfile")
    assert [(error["file"], error["line"], error["column"], error["message"]) for error in report["errors"]] == [
        ("binary.Dockerfile", 2, None, "binary data (a NUL byte): expected a text file such as a Dockerfile"),
        ("empty.Dockerfile", None, None, "the file has no instructions; a Dockerfile needs at least one FROM line"),
        ("latin1.Dockerfile", 2, 10, "not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
    ]
    assert report["summary"]["files"] == 1


def test_compose_include_cycle_stops(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compose.yaml").write_text("include:\n  - compose.yaml\nservices:\n  web:\n    image: nginx:1.25\n", encoding="utf-8")

    _, report = errors_of(capsys, "compose.yaml")

    assert [(error["file"], error["line"], error["message"]) for error in report["errors"]] == [
        ("compose.yaml", 2, "include cycle: compose.yaml includes compose.yaml; remove one of these includes")
    ]


def test_compose_two_file_cycle_reported_once(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compose.yaml").write_text("include:\n  - b.yaml\nservices:\n  web:\n    image: nginx:1.25\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("include:\n  - compose.yaml\nservices:\n  db:\n    image: postgres:16\n", encoding="utf-8")

    _, report = errors_of(capsys, "compose.yaml")

    assert [(error["file"], error["line"], error["message"]) for error in report["errors"]] == [
        ("b.yaml", 2, "include cycle: compose.yaml includes b.yaml includes compose.yaml; remove one of these includes")
    ]


def test_compose_include_depth_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for number in range(25):
        (tmp_path / f"level{number}.yaml").write_text(f"include:\n  - level{number + 1}.yaml\nservices:\n  s{number}:\n    image: nginx:1.25\n", encoding="utf-8")
    (tmp_path / "level25.yaml").write_text("services:\n  last:\n    image: nginx:1.25\n", encoding="utf-8")

    _, report = errors_of(capsys, "level0.yaml")

    assert [(error["file"], error["line"], error["message"]) for error in report["errors"]] == [
        ("level20.yaml", 2, "include nests deeper than 20 files; flatten the includes")
    ]


def test_archive_json_member_size_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    manifest = b"[" + b" " * (10 * 1024 * 1024) + b"]"
    (tmp_path / "image.tar").write_bytes(tar_bytes([(_info("manifest.json", len(manifest)), manifest)]))
    errors, _ = errors_of(capsys, "image.tar")
    assert "manifest.json is 10,485,762 bytes, more than the 10,485,760-byte limit for a manifest or config" in errors["image.tar"]


def test_deeply_nested_exec_form_is_shell():
    # json raises RecursionError long before Docker's 10,000 levels: such a CMD is read as shell form.
    text = "FROM alpine:3.20\nCMD " + "[" * 5000 + "]" * 5000 + "\n"

    (document,) = normalize("Dockerfile", kind="dockerfile", text=text)

    cmd = document.data["stages"][0]["instructions"][1]
    assert cmd["keyword"] == "CMD"
    assert cmd["form"] == "shell"
    assert cmd["line"] == 2
    assert "invalid_json_array" not in cmd.get("facts", {})
    assert document.errors == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_named_pipes_in_folder_do_not_hang(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(VALID, encoding="utf-8")
    for name in ("Dockerfile.pipe", ".dockerignore", ".prodpolicyignore", ".prodpolicy.yaml"):
        os.mkfifo(tmp_path / "app" / name)
    os.mkfifo(tmp_path / ".gitignore")
    command = [sys.executable, "-m", "prodpolicy", "eval", ".", "--format", "json", "--no-progress", "--fail-on", "none"]

    # Opening a pipe would wait for a writer forever: the timeout turns such a hang into a failure.
    completed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)

    report = json.loads(completed.stdout)
    assert completed.returncode == 2
    assert [(error["file"], error["message"]) for error in report["errors"]] == [
        (os.path.join(".", "app", "Dockerfile.pipe"), "not a regular file (a named pipe, socket or device): pass it by name to read it anyway")
    ]
    assert report["summary"]["files"] == 1
    warnings = completed.stderr.splitlines()
    assert f"cannot read {tmp_path / '.gitignore'}: not a regular file (a named pipe, socket or device); its patterns are not applied" in warnings
    assert f"cannot read {tmp_path / 'app' / '.prodpolicyignore'}: not a regular file (a named pipe, socket or device); its patterns are not applied" in warnings
    assert f"{tmp_path / 'app' / '.prodpolicy.yaml'} is not a regular file, so it is not read as a configuration file" in warnings
    assert (
        f"{os.path.join('.', 'app', '.dockerignore')} is not a regular file (a named pipe, socket or device); "
        "it is not read, so the build context is taken as not filtered"
    ) in warnings


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_named_pipe_env_file_is_a_warning(tmp_path):
    os.mkfifo(tmp_path / ".env")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n", encoding="utf-8")
    command = [sys.executable, "-m", "prodpolicy", "eval", "compose.yaml", "--format", "json", "--no-progress", "--fail-on", "none"]

    completed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["summary"]["files"] == 1
    assert f"{tmp_path / '.env'} is not a regular file, so its variables are not read" in completed.stderr.splitlines()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_open_regular_rejects_pipe_and_folder(tmp_path):
    from prodpolicy.regular_files import NotRegularFile, open_regular

    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "file").write_bytes(b"text")

    with pytest.raises(NotRegularFile, match="not a regular file"):
        open_regular(tmp_path / "pipe")
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path)
    with open_regular(tmp_path / "file") as handle:
        assert handle.read() == b"text"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links are not available")
def test_link_out_of_folder_is_input_error(tmp_path, monkeypatch, capsys):
    outside = tmp_path / "outside-token"
    outside.write_text("X-ACCESS-TOKEN:ZQ8KX3JD9LM2WJALRXUTNFEMIK7MDENGBP45\n", encoding="utf-8")
    (tmp_path / "repo" / "app").mkdir(parents=True)
    (tmp_path / "repo" / "app" / "Dockerfile").write_text(VALID, encoding="utf-8")
    os.symlink(outside, tmp_path / "repo" / "Dockerfile.token")
    os.symlink(os.path.join("app", "Dockerfile"), tmp_path / "repo" / "Dockerfile.inside")
    monkeypatch.chdir(tmp_path)

    errors, report = errors_of(capsys, "repo")

    assert errors == {
        os.path.join("repo", "Dockerfile.token"): "a symbolic link to a file outside the folder searched, which is not read: "
        "pass it by name to read it anyway"
    }
    assert report["summary"]["files"] == 2
    assert "ZQ8KX3JD9LM2WJALRXUTNFEMIK7MDENGBP45" not in json.dumps(report)


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        (
            "deep.Dockerfile",
            'FROM alpine:3.22\nENV G="' + "${X:-" * 400 + "a" + "}" * 400 + '"\n',
            2,
            "invalid variable substitution: substitutions are nested more than 64 levels deep, as in ${A:-${B:-...}}",
        ),
        (
            "compose.yaml",
            'services:\n  web:\n    image: "nginx:' + "${X:-" * 800 + "1" + "}" * 800 + '"\n',
            3,
            "variables are nested more than 64 levels deep, as in ${A:-${B:-...}}",
        ),
        ("ports.Dockerfile", "FROM alpine:3.22\nEXPOSE " + "9" * 5000 + "\n", 2, "invalid port '" + "9" * 5000 + "': the number is outside 0-65535"),
        ("profiles/compose.yaml", "services:\n  web:\n    image: nginx:1.27\n    profiles: 5\n", 4, "services.web.profiles: must be a list of profile names, such as [debug]"),
    ],
)
def test_hostile_values_are_input_errors(tmp_path, monkeypatch, capsys, name, text, line, message):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    main(["eval", name, "--format", "json", "--no-progress", "--fail-on", "none"])

    report = json.loads(capsys.readouterr().out)
    assert [(error["file"], error["line"], error["message"]) for error in report["errors"]] == [(name, line, message)]


def test_normalize_internal_error_no_traceback(tmp_path, monkeypatch, capsys):
    from prodpolicy import api

    def fail(*_arguments, **_options):
        raise KeyError("quoted input")

    (tmp_path / "Dockerfile").write_text(VALID, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(api, "normalize_input", fail)

    code = main(["normalize", "Dockerfile"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert re.fullmatch(
        r"Dockerfile: error: internal error while normalizing this input \(KeyError in test_robustness_limits\.py:\d+\); please report it\n",
        captured.err,
    )
    assert "quoted input" not in captured.err


def test_layer_bomb_stops_scan(tmp_path, monkeypatch, capsys):
    from prodpolicy import limits

    # Lowered from 1 GiB, so that 2 MiB of zeros, about 2 KiB compressed, is over the bound of 100 times.
    monkeypatch.setattr(limits, "MIN_EXPANSION_BYTES", 1 << 20)
    monkeypatch.chdir(tmp_path)
    bomb = gzip.compress(layer(("app/", 0o755), ("app/zeros", 0o644, b"\0" * (2 << 20))))
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": []}})
    (tmp_path / "image.tar").write_bytes(archive(docker25_save(config.encode(), ["app:1"], [bomb])))

    errors, report = errors_of(capsys, "image.tar")

    assert errors["image.tar"] == (
        f"app:1: layer 1 was not scanned to the end, nor the layers after it: layer 1 expands to more than 100 times "
        f"its {len(bomb):,} compressed bytes, as a decompression bomb does; if the input is genuine, decompress it "
        "first (gunzip) and pass the result, which only --max-archive-size bounds"
    )
    assert report["summary"]["files"] == 1


def test_archive_bomb_is_input_error(tmp_path, monkeypatch, capsys):
    from prodpolicy import limits

    monkeypatch.setattr(limits, "MIN_EXPANSION_BYTES", 1 << 20)
    monkeypatch.chdir(tmp_path)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": []}})
    members = docker25_save(config.encode(), ["app:1"], [layer(("app/", 0o755))])
    members["padding"] = b"\0" * (4 << 20)
    compressed = gzip.compress(archive(members))
    (tmp_path / "image.tar.gz").write_bytes(compressed)

    errors, _ = errors_of(capsys, "image.tar.gz")

    assert errors["image.tar.gz"] == (
        f"the archive expands to more than 100 times its {len(compressed):,} compressed bytes, as a decompression "
        "bomb does; if the input is genuine, decompress it first (gunzip) and pass the result, which only "
        "--max-archive-size bounds"
    )

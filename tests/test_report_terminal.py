"""The text report and the progress bar on a real pseudo-terminal and on pipes.

Each test starts ``python -m prodpolicy`` with its standard output or standard
error on the slave side of a pty (the pty module), reads the master side, and
compares with the same run on pipes.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from prodpolicy.progress import MIN_FILES, ProgressBar, progress_bar

from .helpers import ROOT

NAIVE = "examples/node-express/naive.Dockerfile"
ESCAPE = "\x1b["


def environment(**changes: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def read_all(master: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the slave side is closed on Linux
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def run_on_pty(arguments: list[str], *, pty_stream: str, env: dict[str, str], cwd: Path = ROOT) -> tuple[int, str, str]:
    """Run prodpolicy with one stream (stdout or stderr) on a pty; return the exit code, stdout and stderr."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    streams[pty_stream] = slave
    process = subprocess.Popen(
        [sys.executable, "-m", "prodpolicy", *arguments], cwd=cwd, env=env, stdin=subprocess.DEVNULL, **streams
    )
    os.close(slave)
    on_pty = read_all(master).decode("utf-8").replace("\r\n", "\n")
    os.close(master)
    piped = process.stdout if pty_stream == "stderr" else process.stderr
    other = piped.read().decode("utf-8") if piped else ""
    code = process.wait(timeout=60)
    if pty_stream == "stdout":
        return code, on_pty, other
    return code, other, on_pty


def run_on_pipes(arguments: list[str], *, env: dict[str, str], cwd: Path = ROOT) -> tuple[int, str, str]:
    completed = subprocess.run(
        [sys.executable, "-m", "prodpolicy", *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return completed.returncode, completed.stdout, completed.stderr


def test_colour_on_terminal_and_not_on_pipe():
    code, on_terminal, _ = run_on_pty(["eval", NAIVE], pty_stream="stdout", env=environment())
    piped_code, on_pipe, _ = run_on_pipes(["eval", NAIVE], env=environment())
    assert code == piped_code == 1
    assert "\x1b[1;31mhigh\x1b[0m \x1b[1mRT101\x1b[0m runs-as-root" in on_terminal
    assert ESCAPE not in on_pipe
    assert f"{NAIVE}:1:1: high RT101 runs-as-root: runs as root" in on_pipe


def test_no_color_variable_turns_colour_off_on_terminal():
    _, on_terminal, _ = run_on_pty(["eval", NAIVE], pty_stream="stdout", env=environment(NO_COLOR="1"))
    assert ESCAPE not in on_terminal
    assert f"{NAIVE}:1:1: high RT101 runs-as-root" in on_terminal


def test_empty_no_color_variable_keeps_colour():
    _, on_terminal, _ = run_on_pty(["eval", NAIVE], pty_stream="stdout", env=environment(NO_COLOR=""))
    assert ESCAPE in on_terminal


def test_color_option_overrides_detection():
    _, never, _ = run_on_pty(["eval", "--color", "never", NAIVE], pty_stream="stdout", env=environment())
    _, always, _ = run_on_pipes(["eval", "--color", "always", NAIVE], env=environment(NO_COLOR="1"))
    assert ESCAPE not in never
    assert "\x1b[1;31mhigh\x1b[0m" in always


def test_dumb_terminal_gets_no_colour():
    _, on_terminal, _ = run_on_pty(["eval", NAIVE], pty_stream="stdout", env=environment(TERM="dumb"))
    assert ESCAPE not in on_terminal


def test_report_to_file_has_no_colour(tmp_path):
    output = tmp_path / "report.txt"
    run_on_pty(["eval", "--output", str(output), NAIVE], pty_stream="stdout", env=environment())
    assert ESCAPE not in output.read_text(encoding="utf-8")


@pytest.fixture
def many_dockerfiles(tmp_path):
    count = MIN_FILES + 5
    for number in range(count):
        folder = tmp_path / f"service-{number:02d}"
        folder.mkdir()
        (folder / "Dockerfile").write_text("FROM alpine:3.20\nUSER 10001\nCMD [\"/app\"]\n", encoding="utf-8")
    return tmp_path, count


def test_progress_bar_on_terminal(many_dockerfiles):
    folder, count = many_dockerfiles
    code, out, err = run_on_pty(["eval", "--format", "json", str(folder)], pty_stream="stderr", env=environment())
    assert code == 1
    assert f"] {count}/{count} " in err
    assert "[########################]" in err
    assert err.endswith("\r\x1b[K")
    assert ESCAPE not in out
    assert '"files": 25' in out


def test_no_progress_bar_on_pipe(many_dockerfiles):
    folder, _ = many_dockerfiles
    _, _, err = run_on_pipes(["eval", str(folder)], env=environment())
    assert err == ""


def test_no_progress_option(many_dockerfiles):
    folder, _ = many_dockerfiles
    _, _, err = run_on_pty(["eval", "--no-progress", str(folder)], pty_stream="stderr", env=environment())
    assert err == ""


def test_no_progress_bar_for_few_files():
    _, _, err = run_on_pty(["eval", "examples/"], pty_stream="stderr", env=environment())
    assert err == ""


class FakeTerminal:
    def __init__(self) -> None:
        self.written: list[str] = []

    def write(self, text: str) -> None:
        self.written.append(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_bar_redraws_at_most_ten_times_a_second():
    now = [0.0]
    terminal = FakeTerminal()
    bar = ProgressBar(terminal, 4, clock=lambda: now[0], columns=lambda: 60)
    bar.advance("a/Dockerfile")
    now[0] = 0.05
    bar.advance("b/Dockerfile")
    now[0] = 0.2
    bar.advance("c/Dockerfile")
    now[0] = 0.21
    bar.advance("d/Dockerfile")
    bar.close()
    assert terminal.written == [
        "\r\x1b[K[######------------------] 1/4 a/Dockerfile",
        "\r\x1b[K[##################------] 3/4 c/Dockerfile",
        "\r\x1b[K[########################] 4/4 d/Dockerfile",
        "\r\x1b[K",
    ]


def test_progress_bar_keeps_end_of_long_path():
    terminal = FakeTerminal()
    bar = ProgressBar(terminal, 30, columns=lambda: 50)
    bar.advance("services/payments/api/deploy/Dockerfile")
    assert terminal.written == ["\r\x1b[K[------------------------]  1/30 ...oy/Dockerfile"]
    assert len(terminal.written[0]) - len("\r\x1b[K") == 49


def test_progress_bar_grows_when_more_inputs_appear():
    terminal = FakeTerminal()
    bar = ProgressBar(terminal, 1, columns=lambda: 80)
    bar.advance("a")
    bar.advance("b")
    assert terminal.written[-1].startswith("\r\x1b[K[########################] 2/2 ")


def test_progress_bar_only_for_terminals_and_many_files(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    assert progress_bar(FakeTerminal(), MIN_FILES) is not None
    assert progress_bar(FakeTerminal(), MIN_FILES - 1) is None
    assert progress_bar(FakeTerminal(), MIN_FILES, enabled=False) is None
    pipe = FakeTerminal()
    pipe.isatty = lambda: False  # type: ignore[method-assign]
    assert progress_bar(pipe, 100) is None
    monkeypatch.setenv("TERM", "dumb")
    assert progress_bar(FakeTerminal(), 100) is None

"""Text no UTF-8 stream can encode (a lone surrogate from a JSON or YAML escape) reaches every report intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SURROGATE = 'FROM alpine:3.22\nUSER 1000\nHEALTHCHECK CMD ["/p"]\nCMD ["npm", "run", "dev", "\\ud800"]\n'
GOOD = 'FROM alpine:3.22\nUSER 1000\nCMD ["x"]\n'


def _eval(tmp_path, *arguments: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "surrogate.Dockerfile").write_text(SURROGATE, encoding="utf-8")
    (tmp_path / "good.Dockerfile").write_text(GOOD, encoding="utf-8")
    command = [sys.executable, "-m", "prodpolicy", *arguments]
    # A pipe, as in CI, and the POSIX locale, where Python's streams would raise on a lone surrogate.
    environment = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:strict"}
    return subprocess.run(command, cwd=tmp_path, capture_output=True, env=environment, check=False, timeout=120)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_lone_surrogate_json_report(tmp_path, jobs):
    completed = _eval(tmp_path, "eval", "good.Dockerfile", "surrogate.Dockerfile", "--format", "json", "--jobs", jobs)

    report = json.loads(completed.stdout.decode("utf-8"))
    assert completed.returncode == 1, completed.stderr
    assert b"Traceback" not in completed.stderr
    assert ("surrogate.Dockerfile", 4, "RT301") in [(item["file"], item["line"], item["rule_id"]) for item in report["findings"]]
    assert report["summary"]["files"] == 2
    dev_server = next(item for item in report["findings"] if item["rule_id"] == "RT301")
    assert dev_server["message"].endswith("npm run dev \ud800; start the built application with a production server instead, such as node dist/server.js or gunicorn app:app")


def test_lone_surrogate_text_report(tmp_path):
    completed = _eval(tmp_path, "eval", "good.Dockerfile", "surrogate.Dockerfile")

    text = completed.stdout.decode("utf-8")
    assert completed.returncode == 1, completed.stderr
    assert ' > 4 | CMD ["npm", "run", "dev", "\\ud800"]' in text.splitlines()
    assert text.rstrip().endswith("in 2 files.")


def test_lone_surrogate_baseline_and_normalize(tmp_path):
    written = _eval(tmp_path, "eval", "good.Dockerfile", "surrogate.Dockerfile", "--write-baseline", "baseline.json")
    normalized = _eval(tmp_path, "normalize", "surrogate.Dockerfile")

    baseline = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert written.returncode == 0, written.stderr
    assert "RT301" in {item["rule_id"] for item in baseline["findings"]}
    assert normalized.returncode == 0, normalized.stderr
    assert json.loads(normalized.stdout.decode("utf-8"))["stages"][0]["instructions"][3]["arguments"][-1] == "\ud800"


@pytest.mark.skipif(sys.platform != "linux", reason="file names of arbitrary bytes are a Linux file system feature")
@pytest.mark.parametrize("report_format", ["sarif", "json", "gitlab", "text"])
def test_file_name_not_utf8(tmp_path, report_format):
    folder = os.path.join(os.fsencode(tmp_path), b"d")
    os.mkdir(folder)
    with open(os.path.join(folder, b"Dockerfile.\xff\xfe"), "w", encoding="utf-8") as handle:
        handle.write(GOOD)
    command = [sys.executable, "-m", "prodpolicy", "eval", "d", "--format", report_format]

    completed = subprocess.run(command, cwd=tmp_path, capture_output=True, check=False, timeout=120)

    output = completed.stdout.decode("utf-8")
    assert completed.returncode == 1, completed.stderr
    if report_format == "sarif":
        assert json.loads(output)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            "d/Dockerfile.%FF%FE"
        )
    elif report_format == "text":
        assert output.startswith("d/Dockerfile.\\udcff\\udcfe:1:1: ")
    elif report_format == "json":
        # The JSON text contains the escapes \udcff\udcfe, which a JSON reader turns back into the surrogates.
        assert json.loads(output)["findings"][0]["file"] == "d/Dockerfile.\udcff\udcfe"
    else:
        assert json.loads(output)[0]["location"]["path"] == "d/Dockerfile.\udcff\udcfe"

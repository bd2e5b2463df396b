"""Secrets in texts that reach reports besides the source lines: error messages and ignore-comment reasons."""

from __future__ import annotations

import json

from prodpolicy.cli import main

TOKEN = "ghp_Zq8Kx3Jd9Lm2wJalrXUtnFEMIK7MDENGbP41"
HEX_KEY = "deadbeefcafebabe0123456789abcdef01234567"


def _report(capsys, *paths: str) -> dict:
    main(["eval", *paths, "--format", "json", "--no-progress", "--fail-on", "none"])
    return json.loads(capsys.readouterr().out)


def test_first_line_is_not_quoted_without_from(tmp_path, monkeypatch, capsys):
    (tmp_path / "token.Dockerfile").write_text(TOKEN + "\n", encoding="utf-8")
    (tmp_path / "hex.Dockerfile").write_text(HEX_KEY + "\n", encoding="utf-8")
    (tmp_path / "copy.Dockerfile").write_text("COPY . /app\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    report = _report(capsys, "token.Dockerfile", "hex.Dockerfile", "copy.Dockerfile")

    messages = {error["file"]: (error["line"], error["message"]) for error in report["errors"]}
    outside = "on line 1 is outside any build stage; start the file with FROM"
    assert messages == {
        "token.Dockerfile": (1, f"no FROM instruction: the text {outside}"),
        "hex.Dockerfile": (1, f"no FROM instruction: the text {outside}"),
        "copy.Dockerfile": (1, f"no FROM instruction: COPY {outside}"),
    }
    assert TOKEN.upper() not in json.dumps(report)
    assert HEX_KEY.upper() not in json.dumps(report)


def test_error_quoting_a_secret_argument_is_masked(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.22\nARG DB_PASSWORD=ExposePw_s3cr3t_3002\nEXPOSE $DB_PASSWORD\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)

    report = _report(capsys, "Dockerfile")

    assert [(error["line"], error["message"]) for error in report["errors"]] == [
        (3, "invalid port 'Expo****': 'Expo****' is not a number")
    ]
    assert "ExposePw_s3cr3t_3002" not in json.dumps(report)


def test_ignore_comment_reason_is_masked(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text(
        f"# prodpolicy ignore=runs-as-root -- token {TOKEN}\nFROM alpine:3.22\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)

    report = _report(capsys, "Dockerfile")

    [suppressed] = [finding for finding in report["findings"] if finding["rule_id"] == "RT101"]
    assert suppressed["suppressed"]["justification"] == "token ghp_****"
    assert TOKEN not in json.dumps(report)


def test_legacy_env_words_and_program_masked(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.22\nENV PASSWORD LegacyPw_s3cr3t_3001 second-word\nRUN ftp://u:ProgPw_s3cr3t_3003@h\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)

    main(["normalize", "Dockerfile"])

    document = json.loads(capsys.readouterr().out)
    env, run = document["stages"][0]["instructions"][1:3]
    assert env["arguments"] == ["PASSWORD", "Lega****", "se****"]
    assert run["commands"][0]["program"] == "u:Prog****@h"
    assert run["original"] == "RUN ftp://u:Prog****@h"


def test_onbuild_env_values_masked(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.22\nONBUILD ENV PASSWORD OnbLegacy_s3cr3t_01 extra\nONBUILD ENV API_TOKEN=OnbNew_s3cr3t_02\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)

    main(["normalize", "Dockerfile"])
    normalized = capsys.readouterr().out
    report = _report(capsys, "Dockerfile")

    onbuild = json.loads(normalized)["stages"][0]["instructions"][1]
    assert onbuild["inner"]["variables"][0]["value"] == "OnbL****"
    assert "s3cr3t" not in normalized
    assert "s3cr3t" not in json.dumps(report)

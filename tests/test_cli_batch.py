"""The batch runner keeps only the source lines that reports show, whatever the number of inputs."""

from __future__ import annotations

from prodpolicy.api import evaluate_paths
from prodpolicy.batch import kept_source_lines, merge_source_lines
from prodpolicy.errors import InputError
from prodpolicy.findings import Finding, Report, ReportWarning

LINES = [f"RUN echo {number}" for number in range(1, 1001)]


def finding(file: str, line: int, end_line: int) -> Finding:
    return Finding("RT101", "runs-as-root", "high", "message", file, line, end_line, None, "$")


def test_lines_near_findings_errors_and_warnings_are_kept():
    report = Report(
        findings=[finding("Dockerfile", 500, 502)],
        errors=[InputError("Dockerfile", "bad", line=10)],
        warnings=[ReportWarning("suppression-without-reason", "why", "Dockerfile", 700)],
        sources={"Dockerfile": LINES},
    )
    kept = kept_source_lines(report)["Dockerfile"]
    assert len(kept) == 701
    assert [number for number, line in enumerate(kept, 1) if line] == [9, 10, 11, 499, 500, 501, 502, 503, 699, 700, 701]
    assert kept[499] == LINES[499]


def test_files_without_findings_keep_no_lines():
    report = Report(findings=[finding("a/Dockerfile", 1, 1)], sources={"a/Dockerfile": LINES, "b/Dockerfile": LINES})
    assert kept_source_lines(report) == {"a/Dockerfile": LINES[:2]}


def test_unknown_kind_keeps_every_line():
    # The report formats recognise such a file's kind by its content (see prodpolicy/report/rule_index.py).
    report = Report(findings=[finding("stack.yml", 3, 3)], sources={"stack.yml": LINES, "notes.txt": LINES})
    assert kept_source_lines(report) == {"stack.yml": LINES, "notes.txt": LINES}


def test_finding_at_the_last_line():
    report = Report(findings=[finding("Dockerfile", 1000, 1000)], sources={"Dockerfile": LINES})
    kept = kept_source_lines(report)["Dockerfile"]
    assert len(kept) == 1000
    assert kept[-2:] == LINES[-2:]


def test_sparse_copies_of_one_file_merge():
    first = ["", "b", "c", ""]
    second = ["", "", "", "", "e", "f"]
    assert merge_source_lines(first, second) == ["", "b", "c", "", "e", "f"]
    assert merge_source_lines(None, second) == second


def test_batch_keeps_few_lines_per_file(tmp_path, bundled):
    body = "".join(f"RUN echo step {number} > /tmp/{number}.txt\n" for number in range(300))
    for number in range(30):
        folder = tmp_path / f"service-{number:02d}"
        folder.mkdir()
        (folder / "Dockerfile").write_text("FROM alpine:3.20\n" + body + 'CMD ["/app"]\n', encoding="utf-8")
    report = evaluate_paths([str(tmp_path)], bundled)
    assert len(report.files) == 30
    assert len(report.sources) == 30
    for file, lines in report.sources.items():
        lines_with_findings = {item.line for item in report.findings if item.file == file}
        assert len(lines) <= max(lines_with_findings) + 1
        assert sum(1 for line in lines if line) <= 3 * len(lines_with_findings) + 1

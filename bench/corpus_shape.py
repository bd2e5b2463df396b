"""Compare the shape of Dockerfiles: the generated corpus against real ones, to check that it is realistic.

    python bench/corpus_shape.py GENERATED_FOLDER REAL_FOLDER [MORE_FOLDERS...]

The script searches each folder recursively for files whose name contains
``Dockerfile``. For each folder it prints the mean per file of lines, RUN
instructions and lines that belong to a RUN instruction. It also counts the
shell constructs in those lines: ``if``, ``for``, ``case``, pipes, command
substitutions, ``&&`` and ``;``. The counts come from the text, not from a parser, so they are
estimates. They are good enough to see whether generated RUN scripts are
as long and as involved as real ones. That decides how fast a linter that
parses the shell, such as hadolint with ShellCheck, runs on them.
"""

from __future__ import annotations

import argparse
import re
import statistics
from pathlib import Path

# An instruction keyword at the start of a line, which ends the RUN instruction before it.
_KEYWORD = re.compile(
    r"(?i)^\s*(from|run|copy|add|env|arg|label|user|workdir|cmd|entrypoint|expose|healthcheck|volume|shell|stopsignal|onbuild|maintainer)\b"
)
_RUN = re.compile(r"(?i)^\s*run\b")
COUNTED = {
    "if": re.compile(r"\bif\b"),
    "for": re.compile(r"\bfor\b"),
    "case": re.compile(r"\bcase\b"),
    "pipes": re.compile(r"(?<![|])\|(?![|])"),
    "substitutions": re.compile(r"\$\(|`"),
    "&&": re.compile(r"&&"),
    ";": re.compile(r";"),
}


def dockerfiles(folder: Path) -> list[Path]:
    """Return the files under ``folder`` whose name contains Dockerfile, other than Markdown."""
    return sorted(path for path in folder.rglob("*Dockerfile*") if path.is_file() and path.suffix != ".md")


def shape(paths: list[Path]) -> dict[str, float]:
    """Return the mean counts per file of lines, RUN instructions, RUN lines and shell constructs."""
    totals = dict.fromkeys(["lines", "RUN instructions", "RUN lines", *COUNTED], 0)
    lengths: list[int] = []
    for path in paths:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        lengths.append(len(lines))
        totals["lines"] += len(lines)
        in_run = False
        for line in lines:
            if _RUN.match(line):
                in_run = True
                totals["RUN instructions"] += 1
            elif _KEYWORD.match(line):
                in_run = False
            if not in_run:
                continue
            totals["RUN lines"] += 1
            for name, pattern in COUNTED.items():
                totals[name] += len(pattern.findall(line))
    count = max(1, len(paths))
    means = {name: value / count for name, value in totals.items()}
    means["median lines"] = statistics.median(lengths) if lengths else 0.0
    means["share of lines in RUN"] = totals["RUN lines"] / max(1, totals["lines"])
    return means


def table(columns: dict[str, dict[str, float]]) -> str:
    """Return a Markdown table with one column per set of files."""
    names = list(columns)
    rows = ["| per file | " + " | ".join(names) + " |",
            "| --- | " + " | ".join("---:" for _ in names) + " |"]
    for measure in next(iter(columns.values())):
        rows.append(f"| {measure} | " + " | ".join(f"{columns[name][measure]:.2f}" for name in names) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders of Dockerfiles, searched recursively")
    arguments = parser.parse_args()

    columns: dict[str, dict[str, float]] = {}
    for folder in arguments.folders:
        paths = dockerfiles(folder)
        columns[f"{folder.name or folder} ({len(paths)} files)"] = shape(paths)
    print(table(columns))


if __name__ == "__main__":
    main()

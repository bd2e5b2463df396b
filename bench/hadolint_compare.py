"""Compare prodpolicy with hadolint on generated Dockerfiles, per hadolint code.

    python bench/hadolint_compare.py                      # print the table
    python bench/hadolint_compare.py --write-docs         # also update the table in docs/coverage.md
    python bench/hadolint_compare.py --keep /tmp/corpus --details /tmp/details.json

Writes ``--count`` Dockerfiles (default 200) with the comparison writer of
``bench/corpus.py``: multi-stage builds, heredocs, apt-get, apk, dnf, yum, zypper,
pip, npm, yarn, gem, go install, curl and wget. Then it runs hadolint (``--hadolint``,
default /work/peers/bin/hadolint, ``--format json``) and ``prodpolicy eval --format
json`` with every rule enabled on them. Each hadolint code is matched with the
bundled rules whose ``references`` name it. For each code the script counts the
files where both report, where only hadolint reports and where only prodpolicy
reports. The agreement is the share of files where both report among the files
where either does. Codes that no rule references are listed with their file
counts. ``--details`` writes, for every code, the files and lines of each kind of
disagreement, to read them one by one.

hadolint runs in a folder of its own with a configuration that turns on its rules
that are off by default and trusts the registries DF103 allows by default, so no
``.hadolint.yaml`` of the machine changes its rules.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import generate_comparison_dockerfile  # noqa: E402

from prodpolicy.peers import read_catalog  # noqa: E402
from prodpolicy.policy.load import load_policy  # noqa: E402
from prodpolicy.ruledocs import replace_generated_block  # noqa: E402

DEFAULT_HADOLINT = "/work/peers/bin/hadolint"
# DL3026 reports only with a list of trusted registries; this is the default allowlist of DF103.
TRUSTED_REGISTRIES = ["docker.io"]
DOCS_BLOCK = "hadolint-comparison"
GENERATOR = "python bench/hadolint_compare.py --write-docs"


@dataclass
class CodeResult:
    """The files where one hadolint code and the rules that reference it report."""

    code: str
    rules: tuple[str, ...]
    hadolint: dict[str, list[int]] = field(default_factory=dict)
    ours: dict[str, list[int]] = field(default_factory=dict)

    @property
    def both(self) -> list[str]:
        return sorted(set(self.hadolint) & set(self.ours))

    @property
    def only_hadolint(self) -> list[str]:
        return sorted(set(self.hadolint) - set(self.ours))

    @property
    def only_ours(self) -> list[str]:
        return sorted(set(self.ours) - set(self.hadolint))

    @property
    def same_lines(self) -> int:
        """Count the files where both report on exactly the same lines."""
        return sum(1 for name in self.both if sorted(set(self.hadolint[name])) == sorted(set(self.ours[name])))

    @property
    def agreement(self) -> float | None:
        either = len(set(self.hadolint) | set(self.ours))
        return len(self.both) / either if either else None


def write_corpus(folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for number in range(count):
        path = folder / f"service-{number:04d}.Dockerfile"
        path.write_text(generate_comparison_dockerfile(rng), encoding="utf-8")
        paths.append(path)
    return paths


def off_by_default() -> list[str]:
    """Return the hadolint codes the catalog lists as off by default, to turn them on as prodpolicy's are."""
    return [peer.rule_id for peer in read_catalog().peer_rules if peer.tool == "hadolint" and "off by default" in peer.severity]


def run_hadolint(hadolint: str, paths: list[Path], workdir: Path) -> dict[str, dict[str, list[int]]]:
    """Return the lines each hadolint code reports, by code and file name."""
    config = workdir / "hadolint.yaml"
    config.write_text(
        f"override:\n  warning: [{', '.join(off_by_default())}]\ntrustedRegistries: [{', '.join(TRUSTED_REGISTRIES)}]\n",
        encoding="utf-8",
    )
    environment = {**os.environ, "HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir)}
    command = [hadolint, "--config", str(config), "--format", "json", "--no-fail", *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=workdir, env=environment, check=False)
    try:
        items = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"hadolint failed with exit code {result.returncode}: {result.stderr.strip()}") from None
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        found[item["code"]][Path(item["file"]).name].append(item["line"])
    return found


def run_prodpolicy(folder: Path) -> tuple[dict[str, dict[str, list[int]]], list[str]]:
    """Return the lines each rule reports, by rule id and file name, and the input errors."""
    command = [sys.executable, "-m", "prodpolicy", "eval", "--format", "json", "--isolated", "--select", "ALL",
               "--fail-on", "none", "--no-progress", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"prodpolicy eval failed with exit code {result.returncode}: {result.stderr.strip()}") from None
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for finding in report["findings"]:
        found[finding["rule_id"]][Path(finding["file"]).name].append(finding["line"])
    errors = [f"{Path(error['file']).name}:{error.get('line')}: {error['message']}" for error in report.get("errors", [])]
    return found, errors


def hadolint_references() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Map each hadolint code to the bundled Dockerfile rules that reference it, and to the other rules."""
    dockerfile: dict[str, list[str]] = defaultdict(list)
    other: dict[str, list[str]] = defaultdict(list)
    for rule in load_policy().rules:
        for reference in rule.references:
            tool, _, code = reference.partition(":")
            if tool == "hadolint":
                (dockerfile if "dockerfile" in rule.applies_to else other)[code].append(rule.id)
    codes = set(dockerfile) | set(other)
    return (
        {code: tuple(sorted(dockerfile.get(code, ()))) for code in codes},
        {code: tuple(sorted(other.get(code, ()))) for code in codes},
    )


def compare(
    hadolint: dict[str, dict[str, list[int]]], ours: dict[str, dict[str, list[int]]], excluded: set[str]
) -> list[CodeResult]:
    """Match each referenced hadolint code with the findings of its rules, leaving out the files in ``excluded``.

    A finding of a rule that covers several codes (DF101 covers DL3006 and DL3007)
    does not record which code it stands for. A file where such a rule reports counts
    as prodpolicy's only for a code when hadolint reports none of the codes the
    rule covers there. Otherwise the finding belongs to the code hadolint reports.
    """
    rules_by_code, _ = hadolint_references()
    results = []
    for code, rules in sorted(rules_by_code.items()):
        siblings = {other for other, other_rules in rules_by_code.items() if set(other_rules) & set(rules)}
        reported = {name: lines for name, lines in hadolint.get(code, {}).items() if name not in excluded}
        result = CodeResult(code, rules, reported)
        for rule in rules:
            for name, lines in ours.get(rule, {}).items():
                if name in excluded:
                    continue
                sibling_reported = any(name in hadolint.get(other, {}) for other in siblings - {code})
                if name in reported or not sibling_reported:
                    result.ours.setdefault(name, []).extend(lines)
        results.append(result)
    return results


def markdown(
    results: list[CodeResult], unmapped: dict[str, int], count: int, seed: int, errors: list[str], unparsed: list[str]
) -> str:
    compared = [result for result in results if result.rules]
    both = sum(len(result.both) for result in compared)
    either = sum(len(set(result.hadolint) | set(result.ours)) for result in compared)
    lines = [
        f"Generated by `{GENERATOR}` on {count} Dockerfiles (seed {seed}) with hadolint 2.15.1, its rules that "
        f"are off by default turned on ({', '.join(off_by_default())}), {', '.join(TRUSTED_REGISTRIES)} as its "
        f"trusted registry, and every bundled rule enabled with its default parameters. A file "
        f"counts once per code however many lines report. hadolint could not parse {len(unparsed)} of the files "
        f"(DL1000), which are left out. Over the codes that a Dockerfile rule references, both tools report in "
        f"{both} of the {either} pairs of file and code where either does ({_percent(both, either)}).",
        "",
        "| hadolint | Rules | Both | Same lines | Only hadolint | Only prodpolicy | Agreement |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    _, other_rules = hadolint_references()
    for result in results:
        agreement = "no file" if result.agreement is None else f"{result.agreement:.0%}"
        rules = ", ".join(f"[{rule}](rules/{rule}.md)" for rule in result.rules)
        if not rules:
            image_rules = ", ".join(f"[{rule}](rules/{rule}.md)" for rule in other_rules[result.code])
            rules = f"none for Dockerfiles ({image_rules} on images)"
        lines.append(
            f"| `{result.code}` | {rules} | {len(result.both)} | {result.same_lines} | {len(result.only_hadolint)} "
            f"| {len(result.only_ours)} | {agreement} |"
        )
    if unmapped:
        codes = ", ".join(f"`{code}` ({files})" for code, files in sorted(unmapped.items()))
        lines += ["", f"Codes no rule references, with the number of files they report in: {codes}."]
    if errors:
        lines += ["", f"prodpolicy reported {len(errors)} input errors; the first: {errors[0]}."]
    return "\n".join(lines) + "\n"


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "no file"


def details(results: list[CodeResult], corpus: Path) -> dict[str, object]:
    return {
        "corpus": str(corpus),
        "codes": {
            result.code: {
                "rules": result.rules,
                "only_hadolint": {name: result.hadolint[name] for name in result.only_hadolint},
                "only_prodpolicy": {name: result.ours[name] for name in result.only_ours},
                "different_lines": {
                    name: {"hadolint": result.hadolint[name], "prodpolicy": result.ours[name]}
                    for name in result.both
                    if sorted(set(result.hadolint[name])) != sorted(set(result.ours[name]))
                },
            }
            for result in results
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="number of Dockerfiles to generate (default: 200)")
    parser.add_argument("--seed", type=int, default=20261205, help="random seed of the corpus (default: 20261205)")
    parser.add_argument("--hadolint", default=DEFAULT_HADOLINT, help=f"hadolint executable (default: {DEFAULT_HADOLINT})")
    parser.add_argument("--keep", type=Path, help="write the Dockerfiles to this folder and keep them")
    parser.add_argument("--details", type=Path, help="write the disagreements, file by file, to this JSON file")
    parser.add_argument("--write-docs", action="store_true", help="replace the comparison table in docs/coverage.md")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hadolint-compare-") as scratch:
        workdir = Path(scratch)
        corpus = arguments.keep or workdir / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        paths = write_corpus(corpus, arguments.count, arguments.seed)
        hadolint = run_hadolint(arguments.hadolint, paths, workdir)
        ours, errors = run_prodpolicy(corpus)

    # A file hadolint cannot parse gets only DL1000 from it, so comparing its other codes there means nothing.
    unparsed = set(hadolint.get("DL1000", {}))
    results = compare(hadolint, ours, unparsed)
    mapped = {result.code for result in results}
    unmapped = {code: len(files) for code, files in hadolint.items() if code not in mapped and code != "DL1000"}
    table = markdown(results, unmapped, arguments.count, arguments.seed, errors, sorted(unparsed))
    print(table, end="")

    if arguments.details:
        arguments.details.write_text(json.dumps(details(results, corpus), indent=2) + "\n", encoding="utf-8")
    if arguments.write_docs:
        page = ROOT / "docs" / "coverage.md"
        page.write_text(replace_generated_block(page.read_text(encoding="utf-8"), DOCS_BLOCK, table, GENERATOR),
                        encoding="utf-8")
        print(f"updated {page.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

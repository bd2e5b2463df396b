"""Generate the rule reference from the bundled ruleset: one page per rule, the index, and the coverage tables.

    python -m prodpolicy.ruledocs            # write docs/rules/*.md and the generated part of docs/coverage.md
    python -m prodpolicy.ruledocs --check    # list stale files and exit with 1, as tests/test_ruledocs.py does

The pages are the text of ``prodpolicy explain`` in Markdown (see
:mod:`prodpolicy.report.rule_docs`). docs/coverage.md mixes generated tables with
prose: only the part between the ``BEGIN GENERATED`` and ``END GENERATED`` comments
of a block is rewritten, so the prose around it stays as written.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from .coverage import compute_coverage
from .errors import PolicyError
from .coverage_markdown import coverage_markdown
from .peers import CatalogError, read_catalog, read_declined, read_own_practices
from .policy.compiled import CompiledRule, Policy
from .report.rule_docs import markdown_text, rule_markdown

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = "python -m prodpolicy.ruledocs"
COVERAGE_BLOCK = "coverage"

# Rule id series: the letters name the area, the hundreds digit the topic within it.
AREAS = {
    "DF": "Dockerfile",
    "SC": "Secrets",
    "RT": "Runtime: the user, health check, command and environment of what runs",
    "CP": "Compose",
    "IM": "Image",
}
SERIES = {
    "DF1": "Base images and stages",
    "DF2": "Package managers",
    "DF3": "RUN commands and the shell",
    "DF4": "Dependencies, build cache, multi-stage builds and what ships",
    "DF5": "COPY and ADD",
    "DF6": "Other instructions: USER, WORKDIR, EXPOSE, ENV, ARG, LABEL, STOPSIGNAL, ONBUILD, SHELL",
    "DF7": "Syntax and style",
    "SC1": "Secrets in the build and the image",
    "RT1": "User and privileges",
    "RT2": "Health checks",
    "RT3": "Command and logging",
    "RT4": "Environment",
    "CP1": "Service lifecycle",
    "CP2": "Secrets",
    "CP3": "Privileges",
    "CP4": "Mounts",
    "CP5": "Ports and networks",
    "CP6": "Images and build",
    "CP7": "Style and structure",
    "IM1": "Image configuration, history and layers",
}
# The categories a user can select with tag:NAME, and what each groups.
CATEGORIES = {
    "security": "privileges, secrets, exposed ports and the supply chain of the image",
    "reliability": "how the container behaves in production: health, restarts, signals, reproducible builds",
    "image-size": "what ends up in the image and how large it is",
    "build-cache": "layer cache use and build time",
    "maintainability": "files that stay easy to read, review and change",
    "style": "formatting and naming conventions; most of these rules are disabled by default",
}
INPUT_KINDS = {"dockerfile": "Dockerfiles", "compose": "compose files", "image": "image configs and archives"}
_PAGE_NAME = re.compile(r"^[A-Z][A-Z0-9]{1,7}[0-9]{3}\.md$")


def bundled_rules() -> list[CompiledRule]:
    from .policy.load import load_policy

    policy: Policy = load_policy()
    return sorted(policy.rules, key=lambda rule: rule.id)


def rule_pages(rules: Sequence[CompiledRule]) -> dict[str, str]:
    """Return the Markdown page of every rule by file name."""
    catalog = read_catalog()
    return {f"{rule.id}.md": rule_markdown(rule, catalog) for rule in rules}


def index_markdown(rules: Sequence[CompiledRule]) -> str:
    """Render docs/rules/README.md: the rules by input kind, by area and by category."""
    lines = [
        "# Rule reference",
        "",
        f"The bundled ruleset has {len(rules)} rules. These pages are generated from `policies/rules/` by "
        f"`{GENERATOR}`: edit the rule files, not the pages. Each page says what the rule reports, why it "
        "matters in production, a reported and an accepted example, the fix, the known limitations, the "
        "parameters and the peer rules it covers. `prodpolicy explain RULE` prints the same text in the terminal, "
        "and [coverage.md](../coverage.md) maps the rules of other tools to these.",
        "",
        "## By input kind",
        "",
        "| Input | Rules | Series |",
        "| --- | --- | --- |",
    ]
    for kind, label in INPUT_KINDS.items():
        applying = [rule for rule in rules if kind in rule.applies_to]
        prefixes = ", ".join(f"`{prefix}`" for prefix in dict.fromkeys(_prefix(rule.id) for rule in applying))
        lines.append(f"| {label} | {len(applying)} | {prefixes} |")
    lines += _category_table(rules)
    for prefix, area in _areas(rules):
        lines += ["", f"## {area} (`{prefix}`)"]
        for series, members in _series(rules, prefix):
            lines += ["", f"### {SERIES.get(series, f'{series}xx')} (`{series}xx`)", ""]
            lines += _rule_table(members)
    return "\n".join(lines) + "\n"


def _category_table(rules: Sequence[CompiledRule]) -> list[str]:
    lines = [
        "",
        "## By category",
        "",
        "Select a category with `tag:NAME`: `prodpolicy eval --select tag:security .`, or `select`, `ignore` and "
        "`overrides` in a policy file. A selector enables every rule it matches, the rules that are off by default "
        "too (`no` in the Enabled column below). To narrow a run to the enabled rules of a category, ignore the others "
        "instead, as in `--ignore tag:style`.",
        "",
        "| Category | Rules | What it groups |",
        "| --- | --- | --- |",
    ]
    tags = list(CATEGORIES) + sorted({tag for rule in rules for tag in rule.tags} - set(CATEGORIES))
    for tag in tags:
        count = sum(1 for rule in rules if tag in rule.tags)
        lines.append(f"| `{tag}` | {count} | {CATEGORIES.get(tag, 'not a documented category')} |")
    return lines


def _rule_table(rules: Sequence[CompiledRule]) -> list[str]:
    lines = ["| Rule | Name | Title | Severity | Applies to | Tags | Enabled |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for rule in rules:
        cells = [
            f"[{rule.id}]({rule.id}.md)",
            f"`{rule.name}`",
            markdown_text(rule.title).replace("|", "\\|"),
            rule.severity,
            ", ".join(sorted(rule.applies_to)),
            ", ".join(rule.tags),
            "yes" if rule.enabled else "no",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _prefix(rule_id: str) -> str:
    return rule_id.rstrip("0123456789")


def _areas(rules: Sequence[CompiledRule]) -> list[tuple[str, str]]:
    prefixes = {_prefix(rule.id) for rule in rules}
    known = [prefix for prefix in AREAS if prefix in prefixes]
    return [(prefix, AREAS.get(prefix, prefix)) for prefix in known + sorted(prefixes - set(AREAS))]


def _series(rules: Sequence[CompiledRule], prefix: str) -> list[tuple[str, list[CompiledRule]]]:
    grouped: dict[str, list[CompiledRule]] = {}
    for rule in rules:
        if _prefix(rule.id) == prefix:
            grouped.setdefault(rule.id[: len(prefix) + 1], []).append(rule)
    return sorted(grouped.items())


def replace_generated_block(text: str, name: str, content: str, generator: str = GENERATOR) -> str:
    """Replace the body of the generated block ``name`` in ``text``; raise ValueError when it has none."""
    begin = f"<!-- BEGIN GENERATED: {name}"
    end = f"<!-- END GENERATED: {name} -->"
    start = text.find(begin)
    stop = text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"no generated block {name!r}: add the lines '{begin} ({generator}) -->' and '{end}'")
    head = text[: text.index("\n", start) + 1]
    return f"{head}\n{content.strip()}\n\n{text[stop:]}"


def coverage_page(rules: Sequence[CompiledRule], current: str) -> str:
    """Return docs/coverage.md with its generated coverage block brought up to date."""
    catalog = read_catalog()
    coverage = compute_coverage(rules, catalog, read_declined(), read_own_practices())
    return replace_generated_block(current, COVERAGE_BLOCK, coverage_markdown(coverage, catalog))


def expected_files(root: Path = ROOT) -> dict[Path, str]:
    """Return every generated file under ``root`` with the text it must have."""
    rules = bundled_rules()
    pages = root / "docs" / "rules"
    files = {pages / name: text for name, text in rule_pages(rules).items()}
    files[pages / "README.md"] = index_markdown(rules)
    coverage = root / "docs" / "coverage.md"
    files[coverage] = coverage_page(rules, coverage.read_text(encoding="utf-8"))
    return files


def stale_files(root: Path = ROOT) -> list[str]:
    """List the generated files that differ from what the rules give, and pages of rules that no longer exist."""
    expected = expected_files(root)
    stale = [str(path.relative_to(root)) for path, text in expected.items() if _read(path) != text]
    pages = root / "docs" / "rules"
    orphans = sorted(path for path in pages.glob("*.md") if _PAGE_NAME.match(path.name) and path not in expected)
    return stale + [f"{path.relative_to(root)} (no such rule)" for path in orphans]


def write_files(root: Path = ROOT) -> list[str]:
    """Write the generated files that changed and delete pages of rules that no longer exist."""
    expected = expected_files(root)
    (root / "docs" / "rules").mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in expected.items():
        if _read(path) != text:
            path.write_text(text, encoding="utf-8")
            written.append(str(path.relative_to(root)))
    for path in sorted((root / "docs" / "rules").glob("*.md")):
        if _PAGE_NAME.match(path.name) and path not in expected:
            path.unlink()
            written.append(f"{path.relative_to(root)} (deleted)")
    return written


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=GENERATOR, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; list stale files and exit with 1 if any")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository checkout to write into (default: this one)")
    arguments = parser.parse_args(argv)

    if not (arguments.root / "docs").is_dir():
        print(f"{GENERATOR}: {arguments.root / 'docs'} is not a folder; run it in a checkout of prodpolicy", file=sys.stderr)
        return 2
    try:
        changed = stale_files(arguments.root) if arguments.check else write_files(arguments.root)
    except (CatalogError, PolicyError, ValueError, OSError) as error:
        print(f"{GENERATOR}: {error}", file=sys.stderr)
        return 2
    if arguments.check:
        for name in changed:
            print(f"stale: {name}")
        if changed:
            print(f"run {GENERATOR} to regenerate", file=sys.stderr)
        return 1 if changed else 0
    for name in changed:
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A rule's documentation: built once as blocks, written as the Markdown page or as terminal text.

The reference page ``docs/rules/<ID>.md``, the text ``prodpolicy explain`` prints and
the help of SARIF rules all come from :func:`rule_blocks`, so their text is the
same. The terminal text is the page without its Markdown markup, wrapped to the
terminal, with the page's address at the end.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .links import rule_help_uri

if TYPE_CHECKING:
    from ..peers import Catalog
    from ..policy.load import CompiledRule

# A run of backticks opens a code span that the same run closes (CommonMark).
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# Characters that would start emphasis, HTML or a link in Markdown text.
_MARKDOWN_SPECIAL = re.compile(r"([\\*<>\[\]]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Facts:
    """Short lines under the title: severity, input kinds, tags, and whether the rule is on by default."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    """Prose; text between backticks is code."""

    text: str


@dataclass(frozen=True)
class Code:
    text: str
    language: str = ""


@dataclass(frozen=True)
class Item:
    text: str
    children: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Items:
    items: tuple[Item, ...]


Block = Title | Facts | Heading | Paragraph | Code | Items


def rule_blocks(rule: CompiledRule, catalog: Catalog | None = None) -> list[Block]:
    """Build the documentation of a rule; ``catalog`` adds what each referenced peer rule checks."""
    docs = rule.docs
    blocks: list[Block] = [Title(f"{rule.id} {rule.name}: {rule.title}"), Facts(_facts(rule))]
    blocks += _paragraphs(docs.summary)
    blocks += [Heading("Why it matters"), *_paragraphs(docs.why)]
    blocks += [Heading("Reported"), Code(docs.bad.rstrip("\n"), _example_language(docs.bad))]
    blocks += [Heading("Accepted"), Code(docs.good.rstrip("\n"), _example_language(docs.good))]
    blocks += [Heading("How to fix it"), *_paragraphs(docs.fix)]
    if docs.limitations:
        blocks += [Heading("Limitations"), *_paragraphs(docs.limitations)]
    if rule.parameters:
        blocks += [Heading("Parameters"), Items(tuple(_parameter_items(rule)))]
    if rule.references:
        blocks += [Heading("Covers the same ground as"), Items(tuple(_reference_items(rule.references, catalog)))]
    return blocks


def rule_markdown(rule: CompiledRule, catalog: Catalog | None = None) -> str:
    """Render the documentation of a rule as its Markdown reference page."""
    return render_markdown(rule_blocks(rule, _catalog(catalog)))


def rule_text(rule: CompiledRule, width: int | None = None, catalog: Catalog | None = None) -> str:
    """Render the documentation of a rule as plain text, wrapped to ``width`` columns when given."""
    text = render_text(rule_blocks(rule, _catalog(catalog)), width)
    help_uri = rule_help_uri(rule.id, rule)
    return f"{text}\nReference: {help_uri}\n" if help_uri else f"{text}\n"


def _catalog(catalog: Catalog | None) -> Catalog | None:
    if catalog is not None:
        return catalog
    from ..peers import bundled_catalog

    return bundled_catalog()


def _facts(rule: CompiledRule) -> tuple[str, ...]:
    fields = [f"severity: {rule.severity}", f"applies to: {', '.join(sorted(rule.applies_to))}"]
    if rule.tags:
        fields.append(f"tags: {', '.join(rule.tags)}")
    origin = rule.origins.get("enabled")
    # The rule's own file sets the default ("rule default" when it leaves enabled out, "rule" when it sets it).
    if origin is not None and origin.how not in ("rule default", "rule"):
        # A policy or the command line decided, so the default is not what applies here.
        state = "enabled" if rule.enabled else "disabled"
        enabled = f"{state} by {origin} ({origin.how})" if origin.how else f"{state} by {origin}"
    elif rule.enabled:
        enabled = "enabled by default"
    else:
        enabled = f"disabled by default: a policy turns it on with select: [{rule.id}] or an override with enabled: true"
    return ("; ".join(fields), enabled)


def _paragraphs(text: str) -> list[Paragraph]:
    # Folded YAML gives one line per paragraph, literal YAML keeps line breaks: blank lines separate paragraphs.
    return [Paragraph(" ".join(part.split())) for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


def _parameter_items(rule: CompiledRule) -> Iterator[Item]:
    specifications = parameter_specifications(rule)
    declared = rule.as_declared.parameters
    for name in sorted(rule.parameters):
        specification = specifications.get(name, {})
        kind = _parameter_type(specification)
        description = " ".join(str(specification.get("description", "")).split())
        default = declared.get(name, rule.parameters[name])
        head = _code(name) + (f" ({kind})" if kind else "")
        default_label = " Default" if description else ", default"
        if description:
            head += f": {description.rstrip('.')}."
        if rule.parameters[name] != default:
            head += f" The policy sets it to {_code(_value(rule.parameters[name]))}."
        children: list[str] = []
        if isinstance(default, list | tuple) and default:
            head += f"{default_label}:"
            children = [_code(_value(item)) for item in default]
        else:
            head += f"{default_label}: {_code(_value(default))}."
        yield Item(head, tuple(children))


def _parameter_type(specification: dict[str, Any]) -> str:
    kind = specification.get("type")
    if not isinstance(kind, str):
        return ""
    items = specification.get("items")
    return f"list of {items}" if kind == "list" and isinstance(items, str) else kind


def parameter_specifications(rule: CompiledRule) -> dict[str, dict[str, Any]]:
    """Read the type and description of a rule's parameters from the file that declares the rule.

    The compiled rule keeps only the values. A source that cannot be read again,
    such as a policy given as text, gives no descriptions.
    """
    from ..yamlload import YAMLError, load_yaml

    try:
        data = load_yaml(Path(rule.source).read_text(encoding="utf-8")).data
    except (OSError, UnicodeDecodeError, YAMLError):
        return {}
    candidates = [data] if isinstance(data, dict) else []
    if isinstance(data, dict) and isinstance(data.get("rules"), list):
        candidates += [item for item in data["rules"] if isinstance(item, dict)]
    for candidate in candidates:
        if candidate.get("id") == rule.id and isinstance(candidate.get("parameters"), dict):
            return {name: value for name, value in candidate["parameters"].items() if isinstance(value, dict)}
    return {}


def _reference_items(references: tuple[str, ...], catalog: Catalog | None) -> Iterator[Item]:
    known = catalog.by_reference() if catalog is not None else {}
    for reference in references:
        peer = known.get(reference)
        yield Item(f"{_code(reference)}: {peer.summary}" if peer is not None else _code(reference))


def _value(value: Any) -> str:
    # Text is shown as written, so a regular expression reads as in the rule file.
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    # Parameter values are frozen: tuples for lists and read-only mappings for objects.
    return dict(value) if hasattr(value, "items") else list(value)


def _code(text: str) -> str:
    """Wrap text in a code span whose backtick run is longer than any run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _example_language(code: str) -> str:
    """Name the syntax of an example for highlighting: Dockerfile, JSON (image config) or YAML (compose)."""
    for line in code.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("{", "[")):
            return "json"
        keyword = stripped.split(None, 1)[0].upper()
        return "dockerfile" if keyword in ("FROM", "ARG") else "yaml"
    return ""


# Markdown


def render_markdown(blocks: list[Block]) -> str:
    """Write blocks as Markdown: one paragraph per line, so a changed sentence is a one-line diff."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Title):
            parts.append(f"# {markdown_text(block.text)}")
        elif isinstance(block, Facts):
            # A backslash at the end of a line is a hard line break in CommonMark.
            parts.append("\\\n".join(markdown_text(line) for line in block.lines))
        elif isinstance(block, Heading):
            parts.append(f"## {markdown_text(block.text)}")
        elif isinstance(block, Paragraph):
            parts.append(markdown_text(block.text))
        elif isinstance(block, Code):
            parts.append(_fence(block.text, block.language))
        else:
            parts.append("\n".join(_markdown_item(item) for item in block.items))
    return "\n\n".join(parts) + "\n"


def _markdown_item(item: Item) -> str:
    lines = [f"- {markdown_text(item.text)}"]
    lines += [f"  - {markdown_text(child)}" for child in item.children]
    return "\n".join(lines)


def markdown_text(text: str) -> str:
    """Escape Markdown syntax in prose and keep code spans as they are."""
    parts = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_MARKDOWN_SPECIAL.sub(r"\\\1", text[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_MARKDOWN_SPECIAL.sub(r"\\\1", text[position:]))
    return "".join(parts)


def _fence(code: str, language: str) -> str:
    # A fence longer than any backtick run inside the example keeps the block closed.
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"


# Terminal text


def render_text(blocks: list[Block], width: int | None = None) -> str:
    """Write blocks as plain text: headings end with a colon, their paragraphs are indented, code by four spaces."""
    parts: list[str] = []
    heading: str | None = None
    indent = ""
    for block in blocks:
        if isinstance(block, Title):
            parts.append(_plain_text(block.text))
            continue
        if isinstance(block, Facts):
            # The facts belong to the title: no blank line between them.
            parts[-1] += "\n" + "\n".join(_plain_text(line) for line in block.lines)
            continue
        if isinstance(block, Heading):
            heading = f"{_plain_text(block.text)}:"
            indent = "  "
            continue
        if isinstance(block, Paragraph):
            body = _wrap(_plain_text(block.text), width, indent, indent)
        elif isinstance(block, Code):
            body = textwrap.indent(block.text, "    ")
        else:
            body = "\n".join(_text_item(item, width) for item in block.items)
        if heading is not None:
            body = f"{heading}\n{body}"
            heading = None
        parts.append(body)
    return "\n\n".join(parts) + "\n"


def _text_item(item: Item, width: int | None) -> str:
    lines = [_wrap(_plain_text(item.text), width, "  - ", "    ")]
    lines += [_wrap(_plain_text(child), width, "    - ", "      ") for child in item.children]
    return "\n".join(lines)


def _plain_text(text: str) -> str:
    """Drop the backticks of code spans."""
    return _CODE_SPAN.sub(lambda match: match.group(2).strip(" ") if match.group(2).strip(" ") else match.group(2), text)


def _wrap(text: str, width: int | None, first: str, rest: str) -> str:
    if width is None:
        return first + text
    # Long words are regular expressions and paths: a line too long is better than a pattern cut in two.
    return textwrap.fill(
        text, width=width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    )

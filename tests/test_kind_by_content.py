"""Files named on the command line whose names do not give their kind: the kind is read from their content."""

from __future__ import annotations

import pytest

from prodpolicy.api import normalize


@pytest.mark.parametrize(
    ("text", "services"),
    [
        ("services:\n  web:\n    image: nginx:1.27\n", ["web"]),
        ("services:  # the stack\n  web:\n    image: nginx:1.27\n", ["web"]),
        ("services: {}\n", []),
        ('services: {web: {image: "nginx:1.27"}}\n', ["web"]),
    ],
)
def test_top_level_services_is_compose(tmp_path, text, services):
    path = tmp_path / "stack.yaml"
    path.write_text(text, encoding="utf-8")

    [document] = normalize(path)

    assert document.kind == "compose"
    assert list(document.data["services"]) == services

"""The compiled build (docs/design.md, "Compiled build"): its module list, and what must cross process boundaries.

The CI runs the whole suite on both builds; these tests catch what would
otherwise only show there, or not at all.
"""

from __future__ import annotations

import datetime
import pickle
import tomllib
from pathlib import Path

from prodpolicy.batch import EvaluatorSettings, InputTask
from prodpolicy.errors import InputError
from prodpolicy.kinds import NormalizeOptions

ROOT = Path(__file__).resolve().parent.parent


def _compiled_modules() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return project["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]


def test_every_compiled_module_exists():
    # hatch-mypyc compiles what matches: a module renamed away would silently run as Python again.
    missing = [path for path in _compiled_modules() if not (ROOT / path).is_file()]

    assert missing == []


def test_compiled_modules_are_the_hot_ones():
    modules = _compiled_modules()

    assert "prodpolicy/evaluation.py" in modules
    assert "prodpolicy/policy/conditions.py" in modules
    assert "prodpolicy/dockerfile/normalize.py" in modules
    assert not [path for path in modules if path.endswith("__init__.py")]


def test_input_task_travels_to_a_worker():
    task = InputTask("stdin", path="/tmp/copy", text=b"FROM alpine\n", error=InputError("stdin", "unreadable", line=2))

    copied = pickle.loads(pickle.dumps(task))

    assert copied == task
    assert copied.error.line == 2


def test_evaluator_settings_travel_to_a_spawned_worker():
    settings = EvaluatorSettings(kind="dockerfile", options=NormalizeOptions(), today=datetime.date(2026, 12, 5), profile_rules=True)

    copied = pickle.loads(pickle.dumps(settings))

    assert copied == settings
    assert copied.today == datetime.date(2026, 12, 5)

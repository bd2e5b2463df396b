"""The compiled build (docs/design.md, "Compiled build"): its module list, the objects sent to workers, and
the check that stops the tests when the extensions in the tree are older than their sources.

The CI runs the whole suite on both builds. These tests catch what would
otherwise show only there, or not at all.
"""

from __future__ import annotations

import datetime
import os
import pickle
import tomllib
from pathlib import Path

from prodpolicy.batch import EvaluatorSettings, InputTask
from prodpolicy.errors import InputError
from prodpolicy.kinds import NormalizeOptions

from .conftest import stale_extensions

ROOT = Path(__file__).resolve().parent.parent


def _compiled_modules() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return project["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]


def test_every_compiled_module_exists():
    # hatch-mypyc compiles what matches: a module renamed away would silently run as Python again.
    missing = [path for path in _compiled_modules() if not (ROOT / path).is_file()]

    assert missing == []


def test_compiled_modules_include_hot_paths():
    modules = _compiled_modules()

    assert "prodpolicy/evaluation.py" in modules
    assert "prodpolicy/policy/conditions.py" in modules
    assert "prodpolicy/dockerfile/normalize.py" in modules
    assert not [path for path in modules if path.endswith("__init__.py")]


def test_input_task_pickles():
    task = InputTask("stdin", path="/tmp/copy", text=b"FROM alpine\n", error=InputError("stdin", "unreadable", line=2))

    copied = pickle.loads(pickle.dumps(task))

    assert copied == task
    assert copied.error.line == 2


def test_evaluator_settings_pickle():
    settings = EvaluatorSettings(kind="dockerfile", options=NormalizeOptions(), today=datetime.date(2026, 12, 5), profile_rules=True)

    copied = pickle.loads(pickle.dumps(settings))

    assert copied == settings
    assert copied.today == datetime.date(2026, 12, 5)


def test_stale_extension_found(tmp_path):
    package = tmp_path / "prodpolicy"
    (package / "policy").mkdir(parents=True)
    for name in ("shell", "policy/conditions"):
        (package / f"{name}.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    (package / "shell.py").write_text("# edited after the build\n", encoding="utf-8")
    (package / "policy" / "conditions.py").write_text("# built from this\n", encoding="utf-8")
    built = 1_700_000_000
    os.utime(package / "shell.cpython-311-x86_64-linux-gnu.so", (built, built))
    os.utime(package / "shell.py", (built + 60, built + 60))
    os.utime(package / "policy" / "conditions.cpython-311-x86_64-linux-gnu.so", (built + 60, built + 60))
    os.utime(package / "policy" / "conditions.py", (built, built))

    assert stale_extensions(package) == ["prodpolicy/shell.py"]

"""Whether Git ignores a file: the ``.gitignore`` files from the file's folder up to the repository root.

Git reads a ``.gitignore`` in every folder. Its patterns apply to the paths
below that folder, the last matching line of a file wins, and a deeper file's
decision wins over a shallower one's. The walk up stops at the folder that
contains ``.git`` (the work tree's root), or at the file system root outside a
repository. Patterns are read and matched by :mod:`prodpolicy.ignore`, the
same code that skips ignored paths in a folder search.

Not read: ``.git/info/exclude`` and the user's global excludes file, which
are local to one clone and do not protect anyone else's, and
``.prodpolicyignore``, which Git does not read.
"""

from __future__ import annotations

import os

from ..ignore import PatternList, read_ignore_file


def is_ignored(path: str) -> bool:
    """Return True when the ``.gitignore`` files above ``path`` exclude it."""
    # TODO: read the Git index too: a file committed before its ignore rule was added stays tracked.
    absolute = os.path.abspath(path)
    folders = _folders_up_to_root(os.path.dirname(absolute))
    pattern_lists = {folder: read_ignore_file(os.path.join(folder, ".gitignore"), folder) for folder in folders}

    # Git does not look inside an excluded folder, so no deeper pattern can re-include a file below it.
    for depth in range(len(folders) - 2, -1, -1):
        if _excluded(folders[depth], [pattern_lists[folder] for folder in folders[depth + 1 :]], is_dir=True):
            return True

    return _excluded(absolute, [pattern_lists[folder] for folder in folders], is_dir=False)


def _excluded(absolute: str, pattern_lists: list[PatternList | None], *, is_dir: bool) -> bool:
    """Decide with the ignore files of the folders above a path, deepest first: the first that matches decides."""
    for patterns in pattern_lists:
        if not patterns:
            continue
        relative = os.path.relpath(absolute, patterns.base).replace(os.sep, "/")
        found = patterns.match(relative + "/" if is_dir else relative)
        if found is not None:
            excluded, _ = found
            return excluded
    return False


def _folders_up_to_root(folder: str) -> list[str]:
    """Return ``folder`` and its parents, deepest first, up to the work tree root when there is one."""
    folders = [folder]
    while not os.path.exists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
        folders.append(folder)
    return folders

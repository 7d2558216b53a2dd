"""Command-line paths -> the submission files to grade, each with the folder it is read from.

The rule (docs/class-grading.md): a file named on the command line is graded whatever its
extension; a folder is searched recursively for ``*.py`` and ``*.ipynb`` files, skipping
every file or folder whose name starts with a dot (``.git``, ``.ipynb_checkpoints``) and
``__pycache__``; a path that does not exist but holds ``*``, ``?`` or ``[`` is a glob
(``**`` included) and each match counts as if named. Files named on the command line
count as found in the deepest folder that holds them all (so ``class/*/mlp.py`` keeps
each student's folder name); a folder is the root of what is found in it.
"""
import glob
import os
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".py", ".ipynb")
SKIPPED_DIRS = ("__pycache__",)
NO_SUCH_PATH = "{path}: no such file or folder"
NO_MATCH = "{pattern}: no file matches"
NOTHING_FOUND = "no .py or .ipynb file found in {paths}"
GLOB_CHARS = "*?["


class DiscoveryError(Exception):
    """A path on the command line names nothing to grade; the message is one line."""


@dataclass(frozen=True)
class Found:
    path: Path          # as it will be graded (and shown in the report)
    root: Path          # the folder it was found in: identity reads the path below it

    @property
    def relative(self):
        return self.path.relative_to(self.root)


def skipped(name):
    return name.startswith(".") or name in SKIPPED_DIRS


def walk(folder, exclude=()):
    """The ``*.py`` and ``*.ipynb`` files under ``folder``, sorted, by the rule above;
    folders in ``exclude`` (resolved paths, e.g. the output folder) are not entered."""
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not skipped(d)
                         and Path(here, d).resolve() not in exclude)
        found += [Path(here, f) for f in sorted(files)
                  if not skipped(f) and f.endswith(SUFFIXES) and Path(here, f).is_file()]
    return found


def expand(paths):
    """Each command-line path as existing paths: itself, or a glob's matches (sorted)."""
    out = []
    for text in paths:
        path = Path(text)
        if path.exists():
            out.append(path)
        elif any(c in text for c in GLOB_CHARS):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise DiscoveryError(NO_MATCH.format(pattern=text))
            out += [Path(m) for m in matches]
        else:
            raise DiscoveryError(NO_SUCH_PATH.format(path=text))
    return out


def discover(paths, exclude=()):
    """Command-line paths -> [Found], each file once (the first way it was found)."""
    exclude = {Path(p).resolve() for p in exclude}
    expanded = expand(paths)
    files = [p for p in expanded if not p.is_dir()]
    found = []
    if files:
        root = Path(os.path.commonpath([str(p.absolute().parent) for p in files]))
        found += [Found(p, root if p.is_absolute() else Path(os.path.relpath(root))) for p in files]
    for folder in (p for p in expanded if p.is_dir()):
        found += [Found(p, folder) for p in walk(folder, exclude)]
    seen, unique = set(), []
    for item in found:
        key = item.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(item)
    if not unique:
        raise DiscoveryError(NOTHING_FOUND.format(paths=", ".join(map(str, paths))))
    return unique

"""Two or more files for one student -> the one graded, by one rule, and a note saying so.

The rule: the file whose own name (the LMS's prefix and resubmission suffix removed) is the
task template's name, or its stem with ``.py``/``.ipynb``; among several (or none), the one
modified last; at equal times, the first by path.
"""
from pathlib import Path

from .identity import base_filename

CHOSEN = ("{n} files were submitted ({files}); graded {chosen}: {why}; the others were not graded")
WHY_TEMPLATE = "its name is the template's ({template})"
WHY_LATEST = "it was modified last"
WHY_NAME = "the files were modified at the same time; it comes first by name"


def choose(subs, template=""):
    """[Submission] of one student -> that Submission chosen, its notes saying why."""
    subs = sorted(subs, key=lambda s: str(s.path))
    if len(subs) == 1:
        return subs[0]
    stem = Path(template).stem if template else None
    named = [s for s in subs if stem and (base_filename(s) == Path(template).name
                                          or Path(base_filename(s)).stem == stem
                                          and Path(base_filename(s)).suffix in (".py", ".ipynb"))]
    pool = named or subs
    times = {s.path: _mtime(s.path) for s in pool}
    latest = max(times.values())
    newest = [s for s in pool if times[s.path] == latest]
    chosen = newest[0]
    whys = [WHY_TEMPLATE.format(template=Path(template).name)] if named else []
    if len(pool) > 1:
        whys.append(WHY_LATEST if len(newest) == 1 else WHY_NAME)
    why = "; ".join(whys)
    chosen.notes.append(CHOSEN.format(n=len(subs), files=", ".join(s.path.name for s in subs),
                                      chosen=chosen.path.name, why=why))
    return chosen


def _mtime(path):
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0

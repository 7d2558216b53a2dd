"""Detectors declare the bug ids they can name: ``@detector(bugs=(...), always=...)``.

A detector is a function ``detector(probe) -> [Finding]`` of a pack (grader/packs/): it
asks the student's code questions on probe inputs (probe.py) and names a catalog bug only
when the behaviour matches it. The task file attaches detectors to functions
(``detector:`` of a function) or to the whole task (``detectors:``). What a declaration
is for:

- the task file is refused when its catalog (bugs.yaml) and its detectors disagree: a
  bug no named detector can name, or a detector naming an id the catalog lacks;
- a finding whose id its detector did not declare is dropped with a grader-error note
  (diagnose() in __init__.py), so a pack's typo never reaches a student as a diagnosis;
- docs/bugs.md lists which detector names which id.

    @detector(bugs=("softmax-wrong-axis", "softmax-unstable"))
    def softmax(probe): ...
"""
from dataclasses import dataclass

ATTRIBUTE = "__grader_detector__"


@dataclass(frozen=True)
class Detector:
    name: str
    bugs: tuple                 # the catalog ids it can name
    always: bool = False        # run whether or not its function failed a check of its own
                                # (its bugs need not fail one, e.g. an unshuffled train loop)


def detector(bugs, always=False):
    """Declare a detector function (see the module's docstring)."""
    def declare(func):
        setattr(func, ATTRIBUTE, Detector(func.__name__, tuple(bugs), always))
        return func
    return declare


def declaration(func):
    """The Detector a function was declared with, or None."""
    return getattr(func, ATTRIBUTE, None)

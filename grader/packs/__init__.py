"""Packs: the domain knowledge a task names, kept out of the core.

The core (loading, the worker, the engine, results, reports) knows no assignment. What a
kind of assignment needs beyond generic value checks lives in a pack, a package under
grader/packs/ whose ``PACK`` says what it gives, by the names a task file uses:

    pack: mlp          # in task.yaml: grader/packs/mlp/

- ``kinds``: check kinds (each declared with ``@kind``, grader/checks/registry.py);
- ``detectors``: the diagnosis's detectors (each declared with ``@detector``, the bug ids
  it can name: grader/diagnosis/registry.py);
- ``loaders``: dataset loaders (``Loader``: what parts they give, what files they read);
- ``harness``: worker-side modules (paths) whose ``HARNESS`` routines drive several of the
  student's functions in one request; they are sent to the sandboxed worker as text.

A task without ``pack:`` uses the core alone (generic kinds, no detector, no dataset).
"""
import importlib
from dataclasses import dataclass, field
from functools import lru_cache

UNKNOWN_PACK = "unknown pack {name!r} (known: {known})"
KNOWN_PACKS = ("mlp",)          # grader/packs/<name>/


class PackError(Exception):
    """A task names a pack that does not exist."""


@dataclass(frozen=True)
class Loader:
    """A dataset loader: ``load(path) -> {part: array}``; ``path`` is the folder of its
    files (None when it reads none)."""
    load: object
    parts: tuple                # the part names load returns
    files: tuple = ()           # the files its folder must hold (empty: it reads no files)


@dataclass(frozen=True)
class Pack:
    name: str
    kinds: dict = field(default_factory=dict)       # kind name -> kind function
    detectors: dict = field(default_factory=dict)   # detector name -> detector function
    loaders: dict = field(default_factory=dict)     # loader name -> Loader
    harness: tuple = ()                             # paths of worker-side modules
    data: object = None         # a folder whose subfolders a dataset's path: may name (or None)
    # modules of the pack whose functions compute expected answers from the reference
    # (bug variants): a student kit holds their recorded answers, not their code (kit.py)
    evidence_modules: tuple = ()


CORE = Pack(name="")            # what a task without pack: gets beyond the core's own kinds


@lru_cache(maxsize=None)
def load_pack(name):
    """A pack by name -> Pack (CORE for None or ""); PackError for an unknown name."""
    if not name:
        return CORE
    if name not in KNOWN_PACKS:
        raise PackError(UNKNOWN_PACK.format(name=name, known=", ".join(KNOWN_PACKS)))
    return importlib.import_module(f"{__name__}.{name}").PACK


def all_packs():
    """Every known pack (the shipped schema and the docs list what any of them gives)."""
    return [load_pack(name) for name in KNOWN_PACKS]

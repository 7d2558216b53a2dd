"""``grader kit --task T -o DIR``: what an instructor hands out for students to self-check.

A kit is the grader without the solution: the package (core and pack), the task with its
public checks only, the template, and the reference's *answers* recorded as data
(evidence.py) instead of the reference's code. The pack's bug-variant modules
(``Pack.evidence_modules``) are replaced by stubs that answer from the same record.

    DIR/template.py          the file students start from
    DIR/README.md            the two commands a student runs
    DIR/<task>-kit/          a package pip installs: ``grader check FILE``, ``check()``

The record is made by grading, with the real reference answering and every answer kept:

1. the reference's own source, as a submission: the expected values of every public
   check, and the inputs the checks compute from the reference (a preprocessed dataset);
2. again once per helper, that helper a stand-in in every check (``force_stand_ins``):
   what a correct helper answers correct callers, which is what a stand-in is asked when
   a student's helper is broken and the rest is right;
3. each of ``record_from`` (correct solutions and known-bug files) with every detector
   run: the reference's and the variants' answers on the detectors' probes, for the bugs
   as students write them; the first of them, when it gets full marks, is also graded as
   in 2 (a second way of calling the helpers).

Hidden checks are never run while recording, so no answer of theirs is in the kit.
"""
import contextlib
import hashlib
import importlib.util
import json
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml

from . import __version__, evidence, yamlfile
from .grade import grade_submission, select
from .packs import load_pack
from .result import GRADER_ERROR
from .submission import SubmissionError, load

EVIDENCE = "answers"
STAND_IN_FILES = 2              # the reference and the first file of record_from: each helper
                                # stood in alone, what their other functions pass it recorded
PACKAGE_DATA = ["schemas/*.json", "report/templates/*", "packs/*/data/README.md", "packs/*/data/*/*",
                "integrations/*.sh", "integrations/run_autograder"]
RUNTIME = ["numpy>=1.23", "pytest>=7.4", "pytest-timeout>=2.1", "nbformat>=5.7", "pyyaml>=6.0",
           "jsonschema>=4", "jinja2>=3.0", "matplotlib>=3.5", "tqdm>=4.60"]
STUB = '''"""This kit holds the recorded answers of {module}, not its code (grader/evidence.py)."""
from grader.evidence import recorded

{names}
'''
KIT_HEADER = ("# A student kit's task ({task}): public checks only. Written by grader kit {version};\n"
              "# edit the instructor's tasks/{task}/task.yaml and build the kit again instead.\n")
NOT_GRADED = "{path}: not recorded ({reason})"
FROM_A_KIT = ("the task {task} is a student kit's (it holds recorded answers, not its reference): build "
              "kits from the instructor's installation")
NO_REFERENCE = "the reference module {module} has no source file: a kit is recorded by grading it"
REFERENCE_NOT_FULL = ("the reference {path} scores {score}/{max_score} on the public checks: fix the "
                      "task first (grader task check {task})")
STUDENT_README = """# {title}: self-check kit

Install the kit, then check your file as often as you like (public checks only; {hidden}):

    pip install ./{package}
    grader check template.py

In a notebook: `from grader import check; check()` as the last line of a cell.

The kit holds no solution: it carries the correct answers to its public checks as data.
A check that needs a correct helper on values only your code makes, while that helper of
yours still fails its own checks, is marked "graded after submission" instead of guessed.
"""


class KitError(Exception):
    """The kit cannot be built (the reference fails its public checks, a bad path...)."""


@dataclass
class Kit:
    folder: Path            # DIR
    package: Path           # DIR/<task>-kit
    questions: int          # recorded answers
    recorded_from: list     # the files whose answers were recorded
    skipped: list           # "path: reason" for files that could not be recorded
    hidden_checks: int
    public_points: int


def public_document(task):
    """The task.yaml of the kit: hidden checks left out (counted), totals adjusted."""
    doc = yamlfile.safe_load(task.path.read_text(encoding="utf-8"))
    hidden = 0
    for fdoc in doc["functions"]:
        kept = [c for c in fdoc["checks"] if not c.get("hidden")]
        hidden += len(fdoc["checks"]) - len(kept)
        fdoc["checks"] = kept
        fdoc["points"] = sum(c["points"] for c in kept)
        if fdoc.get("evidence"):
            fdoc["evidence"] = [c for c in fdoc["evidence"] if c in {k["id"] for k in kept}]
            if not fdoc["evidence"]:
                del fdoc["evidence"]
    doc["total"] = sum(f["points"] for f in doc["functions"])
    doc["hidden_checks"] = hidden
    doc["evidence"] = EVIDENCE
    return doc


def _copy_package(destination, pack):
    """The grader package, without caches, with the pack's evidence modules as stubs."""
    source = Path(importlib.util.find_spec("grader").origin).parent
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for module in pack.evidence_modules:
        spec = importlib.util.find_spec(module)
        relative = Path(spec.origin).relative_to(source)
        code = importlib.import_module(module)
        names = sorted(name for name, value in vars(code).items()
                       if callable(value) and getattr(value, "__module__", "") == module and not name.startswith("_"))
        (destination / relative).write_text(STUB.format(module=module, names="\n".join(
            f'{name} = recorded("{module}:{name}")' for name in names)), encoding="utf-8")


def _packages(root):
    return sorted(".".join(p.parent.relative_to(root).parts) for p in root.rglob("__init__.py"))


def _requirements():
    try:
        found = [r for r in metadata.requires("grader") or [] if "extra ==" not in r]
    except metadata.PackageNotFoundError:
        found = []
    return found or RUNTIME


def _pyproject(name, packages):
    lines = ["[build-system]", 'requires = ["setuptools>=64"]', 'build-backend = "setuptools.build_meta"', "",
             "[project]", f'name = "{name}"', f'version = "{__version__}"',
             'description = "Self-check kit: the public checks of one assignment, without its solution"',
             'requires-python = ">=3.10"', "dependencies = [" + ", ".join(json.dumps(r) for r in _requirements()) + "]",
             "", "[project.scripts]", 'grader = "grader.start:main"', "",
             "[tool.setuptools]", "packages = [" + ", ".join(json.dumps(p) for p in packages) + "]", "",
             "[tool.setuptools.package-data]",
             "grader = [" + ", ".join(json.dumps(p) for p in PACKAGE_DATA) + "]",
             'grader_tasks = ["*/*", "*/*/*"]', ""]
    return "\n".join(lines)


def record(task, reference, record_from=(), say=lambda line: None):
    """Grade ``reference`` (the reference module's file) and ``record_from``, the
    reference answering (a Recording wraps it) -> (recorded paths, skipped "path: reason")."""
    public = select(task, public_only=True)
    done, skipped = [], []
    for number, path in enumerate([reference, *record_from]):
        try:
            sub = load(path)
        except SubmissionError as exc:
            skipped.append(NOT_GRADED.format(path=path, reason=exc))
            continue
        report = grade_submission(sub, public, probe_all=number > 0)
        if report.status == GRADER_ERROR:
            skipped.append(NOT_GRADED.format(path=path, reason="a grader error"))
            continue
        full = report.score == report.max_score
        if number == 0 and not full:
            raise KitError(REFERENCE_NOT_FULL.format(path=path, score=report.score,
                                                     max_score=report.max_score, task=task.name))
        if full and number < STAND_IN_FILES:
            for helper in sorted({h for f in public.functions for h in f.helpers}):
                users = {f.name for f in public.functions if helper in f.helpers}
                grade_submission(sub, select(public, only=users), force_stand_ins={helper}, diagnosis=False)
        done.append(str(path))
        say(f"recorded {path} ({report.score}/{report.max_score})")
    return done, skipped


def build_kit(task, out, record_from=(), say=lambda line: None):
    """Write the kit of ``task`` into the folder ``out`` -> Kit."""
    if task.evidence:
        raise KitError(FROM_A_KIT.format(task=task.name))
    spec = importlib.util.find_spec(task.reference)
    if spec is None or not spec.origin:
        raise KitError(NO_REFERENCE.format(module=task.reference))
    reference = Path(spec.origin)
    out = Path(out)
    pack = load_pack(task.pack)
    name = f"{task.name.replace('_', '-')}-kit"
    package = out / name
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    _copy_package(package / "grader", pack)
    tasks = package / "grader_tasks"
    tasks.mkdir()
    (tasks / "__init__.py").write_text('"""The task of this kit (public checks only)."""\n', encoding="utf-8")
    folder = tasks / task.name
    folder.mkdir()
    doc = public_document(task)
    (folder / "task.yaml").write_text(KIT_HEADER.format(task=task.name, version=__version__) +
                                      yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for extra in filter(None, [doc.get("bugs"), task.template]):
        shutil.copy(task.directory / extra, folder / extra)

    recording = evidence.Recording()
    with contextlib.ExitStack() as wrapped:
        wrapped.enter_context(recording.wrap_reference(task.reference))
        for module in pack.evidence_modules:
            wrapped.enter_context(recording.wrap_module(importlib.import_module(module)))
        done, skipped = record(task, reference, record_from, say)
    reference_source = reference.read_bytes()
    made_for = {"grader_version": __version__, "evidence": EVIDENCE,
                "task": evidence.fingerprint(folder, skip=EVIDENCE),
                "reference": hashlib.sha256(reference_source).hexdigest(),
                "instructor_task": task.digest}
    questions, _ = recording.save(folder / EVIDENCE, made_for=made_for)

    (package / "pyproject.toml").write_text(_pyproject(name, _packages(package)), encoding="utf-8")
    if task.template:
        shutil.copy(task.directory / task.template, out / "template.py")
    hidden = doc["hidden_checks"]
    (out / "README.md").write_text(STUDENT_README.format(
        title=task.title, package=name,
        hidden=f"{hidden} hidden check{'s are' if hidden != 1 else ' is'} graded after submission"),
        encoding="utf-8")
    return Kit(folder=out, package=package, questions=questions, recorded_from=done, skipped=skipped,
               hidden_checks=hidden, public_points=doc["total"])


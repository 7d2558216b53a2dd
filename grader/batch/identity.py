"""A file's place -> the student it belongs to (Submission), from the layouts LMSs download.

Tried in this order, on the file's path below the folder it was found in (discover.py);
each is documented with an example in docs/class-grading.md:

- Gradescope's "Export Submissions": ``submission_<id>/…`` folders beside a
  ``submission_metadata.yml`` that maps each folder to its ``:submitters:`` (``:name:``,
  ``:sid:``, ``:email:``); the student is the first submitter's sid (else email, name,
  folder), the others of a group submission are its members.
- Moodle: ``<Full Name>_<id>_assignsubmission_file_/<file>`` (a folder per student) or
  ``<Full Name>_<id>_assignsubmission_file_<file>`` (flat): the id, and the full name.
- Canvas: ``<name>_<id>_<submission>_<file>`` and ``<name>_LATE_<id>_<submission>_<file>``,
  e.g. ``smithjohn_12345_67890_mlp.py``: the id 12345, the name ``smithjohn``.
- a folder per student, ``DIR/<student>/<file>`` (any depth below it): the folder's name;
- a file per student, ``DIR/<student>.py``: the file's stem.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

GRADESCOPE_FOLDER = re.compile(r"^submission_(\d+)$")
GRADESCOPE_METADATA = "submission_metadata.yml"
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_file_(?P<file>.*)$")
CANVAS = re.compile(r"^(?P<name>[^_]+?)(?:_LATE)?_(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
CANVAS_COPY = re.compile(r"^(?P<stem>.+?)-\d+(?P<suffix>\.[^.]+)$")   # Canvas renames resubmissions


@dataclass(frozen=True)
class Person:
    id: str
    name: str = ""
    email: str = ""


@dataclass
class Submission:
    student: str                # the key: a row of grades.csv, a folder of the output
    path: Path                  # the file graded
    layout: str                 # gradescope | moodle | canvas | folder | file
    name: str = ""
    email: str = ""
    filename: str = ""          # the file's own name, without the layout's prefix
    members: tuple = ()         # the other Persons of a group submission
    notes: list = field(default_factory=list)   # for this student's report and row
    out_folder: str = ""        # set when two keys would share one folder name

    @property
    def folder(self):
        """The student's folder name in the output: the key made a safe path component."""
        return self.out_folder or safe_component(self.student)


def safe_component(text):
    """``text`` as one file name: no separators, no leading dot, never empty."""
    text = re.sub(r"[/\\\x00]", "_", text).lstrip(".").strip()
    return text or "_"


class _Lenient(yaml.SafeLoader):
    """A safe loader that reads Ruby-tagged values (``!ruby/object:…``) as plain data."""


def _untagged(loader, suffix, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_Lenient.add_multi_constructor("!", _untagged)
_Lenient.add_multi_constructor("tag:yaml.org,2002:", _untagged)


def _key(mapping, name):
    """``mapping[':name']`` or ``mapping['name']`` (Gradescope writes Ruby symbols)."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(f":{name}", mapping.get(name))


def gradescope_submitters(metadata_path, folder):
    """[Person] that ``submission_metadata.yml`` gives for ``folder`` ([] when it cannot)."""
    try:
        doc = _load_metadata(str(metadata_path), metadata_path.stat().st_mtime_ns)
    except (OSError, yaml.YAMLError, ValueError):
        return []
    entries = _key(doc.get(folder), "submitters") if isinstance(doc, dict) else None
    people = []
    for entry in entries if isinstance(entries, list) else []:
        sid, name, email = (str(_key(entry, k) or "").strip() for k in ("sid", "name", "email"))
        if sid or name or email:
            people.append(Person(sid or email or name, name, email))
    return people


_METADATA = {}


def _load_metadata(path, mtime):
    if (path, mtime) not in _METADATA:
        with open(path, encoding="utf-8") as f:
            _METADATA[(path, mtime)] = yaml.load(f, Loader=_Lenient)
    return _METADATA[(path, mtime)]


def _gradescope(found):
    for folder in found.path.absolute().parents:
        if GRADESCOPE_FOLDER.match(folder.name) and (folder.parent / GRADESCOPE_METADATA).is_file():
            people = gradescope_submitters(folder.parent / GRADESCOPE_METADATA, folder.name)
            first = people[0] if people else Person(folder.name)
            return Submission(first.id, found.path, "gradescope", first.name, first.email,
                              found.path.name, members=tuple(people[1:]))
    return None


def identify(found):
    """Found -> Submission, by the first layout that fits (see the docstring)."""
    sub = _gradescope(found)
    if sub:
        return sub
    parts = found.relative.parts
    for i, part in enumerate(parts):
        moodle = MOODLE.match(part)
        if moodle and (i < len(parts) - 1 and not moodle["file"] or i == len(parts) - 1 and moodle["file"]):
            return Submission(moodle["id"], found.path, "moodle", moodle["name"].strip(),
                              filename=moodle["file"] or found.path.name)
    canvas = CANVAS.match(found.path.name)
    if canvas:
        return Submission(canvas["id"], found.path, "canvas", canvas["name"], filename=canvas["file"])
    if len(parts) > 1:
        return Submission(parts[0], found.path, "folder", filename=found.path.name)
    return Submission(found.path.stem, found.path, "file", filename=found.path.name)


def base_filename(sub):
    """The name the student gave the file, without the renaming an LMS adds to a second
    upload (Canvas: ``mlp-1.py``)."""
    name = sub.filename
    copy = CANVAS_COPY.match(name) if sub.layout == "canvas" else None
    return copy["stem"] + copy["suffix"] if copy else name

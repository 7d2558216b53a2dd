"""What is kept of each finished submission, to resume a batch and to build its summary.

``DIR/.grader/<student>.json`` (not for release: it holds the instructor's full report):
the file's sha256, the task digest, the grader version and the grading options it was
graded with, its status, how long it took, and the full report as plain data. A record is
written with an atomic rename, after the student's own files, so a record that exists is
complete; a later run skips the submission while all of these still match (``--regrade``
grades it again). A grader error is never current: it is graded again on the next run.
"""
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import __version__
from ..result import GRADER_ERROR

STATE_DIR = ".grader"
_UMASK = os.umask(0o022)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK     # what open() would give a new file


@dataclass
class Record:
    student: str
    file: str                   # the path graded, as given
    sha256: str
    task_digest: str
    grader_version: str
    options: dict               # grading options that change a report (run_toplevel)
    status: str                 # graded | ungraded | grader_error
    seconds: float              # wall time of the grading (not in any report)
    report: dict                # Report.to_dict() in the full (instructor's) view
    attempts: int = 1
    peak_rss_mb: dict = field(default_factory=dict)     # {"grader": MB}: grading.peak_rss

    def current(self, sha256, task_digest, options):
        """Whether this record still stands for the file, task and options given."""
        return (self.sha256 == sha256 and self.task_digest == task_digest
                and self.grader_version == __version__ and self.options == options
                and self.status != GRADER_ERROR)


def file_sha256(path):
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def record_path(out, folder):
    return Path(out) / STATE_DIR / f"{folder}.json"


def write_atomic(path, text):
    """Write ``text`` to ``path`` through a temporary file in its folder and a rename, so
    ``path`` is either the old file or the whole new one, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
            f.write(text)
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def save(out, folder, record):
    write_atomic(record_path(out, folder), json.dumps(asdict(record), indent=1, sort_keys=True,
                                                      allow_nan=False, default=str) + "\n")


def load(out, folder):
    """The Record kept for ``folder``, or None (none, unreadable, or of another format)."""
    try:
        doc = json.loads(record_path(out, folder).read_text(encoding="utf-8"))
        return Record(**doc)
    except (OSError, ValueError, TypeError):
        return None

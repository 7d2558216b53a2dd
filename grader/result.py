"""The outcome of grading: checks, functions, the report as plain data."""
from dataclasses import asdict, dataclass, field

from . import __version__
from .safetext import clip

PASSED, FAILED, ERROR = "passed", "failed", "error"

# a report's status: graded; nothing could be graded (the file could not be read, was
# empty or could not be loaded: the student's to fix); the grader failed (not the
# student's fault: the submission must be graded again, never recorded as a 0)
GRADED, UNGRADED, GRADER_ERROR = "graded", "ungraded", "grader_error"

# the most of any one text field a report quotes (student text, or grader text that may
# quote it), so that one hostile message cannot make a report of megabytes
LIMITS = {"message": 1000, "help": 2000, "description": 500, "note": 1000, "evidence": 1000, "output": 2000,
          "diagnosis": 2000, "name": 200, "submission": 1000}
MAX_NOTES = 200
MORE_NOTES = "... and {n} more notes"


@dataclass
class CheckResult:
    id: str
    function: str
    description: str
    status: str                 # passed | failed | error
    message: str = ""           # the rationale, or the error
    help: str = ""              # the likely mistake (shown on failure)
    points: int = 0             # earned
    max_points: int = 0
    hidden: bool = False
    end_to_end: bool = False
    grader_error: bool = False  # an error of the grader's, not the student's
    output: str = ""            # what the student's code printed during the check (failed checks only)
    pending: bool = False       # a student kit could not grade it here: graded after submission
    facts: dict = field(default_factory=dict)   # observations for the diagnosis (not reported)


@dataclass
class FunctionResult:
    name: str
    max_score: int
    checks: list = field(default_factory=list)
    missing: bool = False

    @property
    def pending_points(self):
        """Points of checks a student kit could not grade here (graded after submission)."""
        return sum(c.max_points for f in self.functions for c in f.checks if c.pending)

    @property
    def score(self):
        return sum(c.points for c in self.checks)


VIEWS = ("full", "student", "check")   # instructor; released to students; self-check


@dataclass
class Report:
    task: str
    submission: str
    functions: list
    notes: list = field(default_factory=list)
    diagnoses: list = field(default_factory=list)
    view: str = "full"          # "student": hidden checks counted, not shown
    grader_error: bool = False  # the grader failed as a whole (e.g. the worker could not start)
    ungraded: bool = False      # nothing could be graded (unreadable, empty, not loadable)
    task_digest: str = ""       # sha256 of the task folder's files (task.task_digest)
    seconds: float = 0.0        # how long grading took (not in to_dict: reports stay deterministic)
    helpers: dict = field(default_factory=dict)  # {function: the task functions it may call}: what
                                                 # to fix first ranks by it (not in to_dict)

    @property
    def status(self):
        """GRADER_ERROR when the grader failed, as a whole or in any check; UNGRADED when
        nothing could be graded (flagged, or no function of the task was found);
        GRADED otherwise."""
        if self.grader_error or any(c.grader_error for f in self.functions for c in f.checks):
            return GRADER_ERROR
        if self.ungraded or (self.functions and all(f.missing for f in self.functions)):
            return UNGRADED
        return GRADED

    def shown_notes(self):
        """The notes, each clipped, at most MAX_NOTES of them and a line saying how many
        more there were."""
        notes = [clip(n, LIMITS["note"]) for n in self.notes[:MAX_NOTES]]
        if len(self.notes) > MAX_NOTES:
            notes.append(MORE_NOTES.format(n=len(self.notes) - MAX_NOTES))
        return notes

    def shown_diagnoses(self):
        """The diagnoses this view may show: in the student view, not those that only
        hidden checks led to (they would tell what the hidden checks test)."""
        return [d for d in self.diagnoses if not (d.get("hidden") and self.view == "student")]

    def shown_checks(self, function):
        """The checks of ``function`` this view may show."""
        return [c for c in function.checks if not (c.hidden and self.view == "student")]

    @property
    def hidden_count(self):
        return sum(c.hidden for f in self.functions for c in f.checks)

    @property
    def pending_points(self):
        """Points of checks a student kit could not grade here (graded after submission)."""
        return sum(c.max_points for f in self.functions for c in f.checks if c.pending)

    @property
    def score(self):
        return sum(f.score for f in self.functions)

    @property
    def max_score(self):
        return sum(f.max_score for f in self.functions)

    def to_dict(self):
        """The report as plain data, every text field clipped (see LIMITS)."""
        return {
            "task": clip(self.task, LIMITS["name"]),
            "submission": clip(self.submission, LIMITS["submission"]),
            "status": self.status, "grader_version": __version__, "task_digest": self.task_digest,
            "score": self.score, "max_score": self.max_score,
            "view": self.view,
            "hidden_checks": self.hidden_count,
            **({"pending_points": self.pending_points} if self.pending_points else {}),
            "functions": [{
                "name": clip(f.name, LIMITS["name"]), "score": f.score, "max_score": f.max_score,
                "missing": f.missing,
                "hidden_checks": sum(c.hidden for c in f.checks),
                "checks": [_check_dict(c) for c in self.shown_checks(f)],
            } for f in self.functions],
            "diagnoses": [_diagnosis_dict(d) for d in self.shown_diagnoses()],
            "notes": self.shown_notes(),
        }


_CHECK_LIMITS = {"id": "name", "description": "description", "status": "name", "message": "message",
                 "help": "help", "output": "output"}


def _check_dict(c):
    return {k: clip(v, LIMITS[_CHECK_LIMITS[k]]) if k in _CHECK_LIMITS else v
            for k, v in asdict(c).items() if k not in ("function", "facts") and (k != "pending" or v)}


def _diagnosis_dict(d):
    """A diagnosis with its text clipped: the evidence quotes what the code did."""
    return {k: _clipped(v, LIMITS["evidence" if k == "evidence" else "diagnosis"])
            for k, v in d.items() if k != "hidden"}


def _clipped(value, limit):
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, (list, tuple)):
        return [_clipped(v, limit) for v in value]
    if isinstance(value, dict):
        return {clip(k, LIMITS["name"]): _clipped(v, limit) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clip(value, limit)

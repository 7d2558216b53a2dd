"""The outcome of grading: checks, functions, the report as plain data."""
from dataclasses import asdict, dataclass, field

PASSED, FAILED, ERROR = "passed", "failed", "error"


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
    facts: dict = field(default_factory=dict)   # observations for the diagnosis (not reported)


@dataclass
class FunctionResult:
    name: str
    max_score: int
    checks: list = field(default_factory=list)
    missing: bool = False

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
    def score(self):
        return sum(f.score for f in self.functions)

    @property
    def max_score(self):
        return sum(f.max_score for f in self.functions)

    def to_dict(self):
        return {
            "task": self.task, "submission": self.submission,
            "score": self.score, "max_score": self.max_score,
            "view": self.view,
            "hidden_checks": self.hidden_count,
            "functions": [{
                "name": f.name, "score": f.score, "max_score": f.max_score, "missing": f.missing,
                "hidden_checks": sum(c.hidden for c in f.checks),
                "checks": [{k: v for k, v in asdict(c).items() if k not in ("function", "facts")}
                           for c in self.shown_checks(f)],
            } for f in self.functions],
            "diagnoses": [{k: v for k, v in d.items() if k != "hidden"} for d in self.shown_diagnoses()],
            "notes": list(self.notes),
        }

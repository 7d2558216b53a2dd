"""What a batch shows while it runs, on standard error.

On a terminal: a tqdm progress bar with the count, the rate and the ETA (tqdm: the
well-kept standard for this, one small pure-Python dependency, and it knows how to redraw
one line on any terminal). Otherwise (a log, CI): one line per finished submission.
"""
import sys

from ..result import GRADER_ERROR
from ..safetext import clip

STARTING = "grader: grading {todo} submission{s} with {jobs} at a time{skipped}"
SKIPPED = " ({n} already graded and unchanged, kept; --regrade grades them again)"
LINE = "[{i:>{w}}/{n}] {student} ({file}): {outcome}, {seconds:.1f} s"
RETRY = "grader: {student}: {why}; grading it again"


def outcome(record):
    if record.status == GRADER_ERROR:
        return "grader error (not graded)"
    report = record.report
    return f"{record.status} {report['score']}/{report['max_score']}"


class Progress:
    def __init__(self, stream=None, bar=None):
        self.stream = stream or sys.stderr
        self.bar_wanted = self.stream.isatty() if bar is None else bar
        self.bar, self.done, self.total = None, 0, 0

    def say(self, line):
        line = clip(line, 1000).replace("\n", "\\n")
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            self.stream.write(line + "\n")
            self.stream.flush()

    def start(self, todo, jobs, skipped=0):
        self.total = todo
        self.say(STARTING.format(todo=todo, s="" if todo == 1 else "s", jobs=jobs,
                                 skipped=SKIPPED.format(n=skipped) if skipped else ""))
        if self.bar_wanted and todo:
            import tqdm
            tqdm.tqdm.monitor_interval = 0      # no monitor thread: run.py forks
            self.bar = tqdm.tqdm(total=todo, unit="sub", file=self.stream, dynamic_ncols=True,
                                 desc="grading", smoothing=0.1)

    def retry(self, student, why):
        self.say(RETRY.format(student=student, why=why))

    def finished(self, record):
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(clip(f"{record.student}: {outcome(record)}", 60), refresh=False)
            self.bar.update(1)
            return
        self.say(LINE.format(i=self.done, w=len(str(self.total)), n=self.total,
                             student=record.student, file=record.file, outcome=outcome(record),
                             seconds=record.seconds))

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

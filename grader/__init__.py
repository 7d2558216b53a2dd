"""grader: grade 'neural network from scratch in numpy' assignments.

Layout: submission.py (and notebook.py) read a student's file and decide what may run;
worker/ runs it in a separate, sandboxed process; task.py and inputs.py read a task
file; checks/ holds the generic check kinds; engine.py runs them with pytest; diagnosis/
names known bugs; grade.py ties it together; report/ renders. packs/ holds what a kind of
assignment adds (packs/mlp/: kinds, detectors, datasets); see docs/architecture.md.
``check()`` is the students' self-check (selfcheck.py).
"""
__version__ = "0.2.0"


def check(function=None, task=None):
    """Self-check the task's functions defined where this is called (see selfcheck.py);
    ``task``: a task name, folder or task.yaml (default: grader.task.DEFAULT_TASK)."""
    import sys

    from .selfcheck import check as _check
    return _check(function, task, namespace=sys._getframe(1).f_globals)


__all__ = ["check"]

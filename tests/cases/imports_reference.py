# Tries to hand in the reference solution instead of its own.
from reference.mlp import *        # noqa: F401,F403
import grader.checks as checks     # noqa: F401


def relu(z):
    import reference.mlp
    return reference.mlp.relu(z)

"""Diagnosis: name the known bug behind failed checks, from the code's behaviour.

After the checks, each function with a failed check is probed by its detector: the
student's function runs (in the worker) on probe inputs, and its answers are compared
with the reference and with the reference's known-bug variants (variants.py). A bug of
the task's catalog (tasks/<task>/bugs.yaml) is named only when its variant matches;
evidence that fits no entry names nothing. Two detectors always run, because their bugs
need not fail a check: arguments changed in place, and what train's loop does.
"""
from . import elementwise, network, numgrad, outputs, train_loop, training
from .catalog import Bug, CatalogError, load_catalog
from .finding import Finding
from .probe import Probe

DETECTORS = {
    "sigmoid_grad": elementwise.sigmoid_grad, "tanh": elementwise.tanh,
    "softmax": outputs.softmax, "one_hot": outputs.one_hot,
    "cross_entropy": outputs.cross_entropy, "preprocess": outputs.preprocess,
    "init_params": network.init_params, "forward": network.forward, "backward": network.backward,
    "sgd_step": training.sgd_step, "minibatches": training.minibatches,
    "predict": training.predict, "accuracy": training.accuracy,
    "numerical_gradient": numgrad.numerical_gradient,
}
UNKNOWN_ID = "grader error, not your fault: the diagnosis named {id!r}, which the catalog lacks"
DIVERGED = Finding("training-diverged", "train",
                   "after training on the task's data the parameters contain nan or inf")


def _failed(function_result):
    """Whether a function failed a check of its own (not only an end-to-end one)."""
    return any(c.status != "passed" and not c.end_to_end for c in function_result.checks)


def diagnose(catalog, worker, functions, defined, probe_all=False, dead=(), stand_ins=None,
             remaining=None):
    """Probe the functions that failed -> (diagnoses as dicts, notes).

    ``functions`` are the FunctionResults of the checks, ``defined`` the names the
    submission defines. Each diagnosis: id, function, title, explanation, hint, evidence,
    and ``hidden`` (true when only hidden checks led to it). ``probe_all`` runs every
    detector, failed or not (the tests use it to show right code is never diagnosed).
    """
    dead = set(dead) | {f.name for f in functions
                        if any(c.facts.get("call_error") in ("timeout", "crash") for c in f.checks)}
    probe = Probe(worker, defined, dead=dead, stand_ins=stand_ins, remaining=remaining)
    found = [(finding, False) for finding in elementwise.mutates_input(probe)]
    notes = []
    for f in functions:
        detector = DETECTORS.get(f.name)
        if detector and f.name in defined and (probe_all or _failed(f)):
            hidden = not probe_all and all(c.hidden for c in f.checks
                                           if c.status != "passed" and not c.end_to_end)
            found.extend((finding, hidden) for finding in detector(probe))
    train = next((f for f in functions if f.name == "train"), None)
    if train is not None:
        train_found, train_notes = train_loop.train(probe)
        if any(c.facts.get("diverged") for c in train.checks):
            train_found.insert(0, DIVERGED)       # the trace's own finding is a duplicate, dropped below
        found.extend((finding, False) for finding in train_found)
        notes.extend(train_notes)
    diagnoses, seen = [], set()
    for finding, hidden in found:
        if (finding.id, finding.function) in seen:
            continue
        seen.add((finding.id, finding.function))
        bug = catalog.get(finding.id)
        if bug is None:
            notes.append(UNKNOWN_ID.format(id=finding.id))
            continue
        diagnoses.append({"id": bug.id, "function": finding.function, "title": bug.title,
                          "explanation": bug.explanation, "hint": bug.hint,
                          "evidence": finding.evidence, "hidden": hidden})
    return diagnoses, notes


__all__ = ["Bug", "CatalogError", "DETECTORS", "Finding", "diagnose", "load_catalog"]

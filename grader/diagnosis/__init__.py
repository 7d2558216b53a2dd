"""Diagnosis: name the known bug behind failed checks, from the code's behaviour.

After the checks, each function with a failed check of its own is probed by the detector
the task gives it (``detector:`` in task.yaml, a function of the task's pack declared with
``@detector``, registry.py): the student's function runs (in the worker) on probe inputs,
and its answers are compared with the reference's and with the reference's known-bug
variants. A bug of the task's catalog (bugs.yaml) is named only when its variant
matches; evidence that fits no entry names nothing. Detectors declared ``always`` run
whether or not their function failed (their bugs need not fail a check), and so do the
task's own ``detectors:`` (not tied to one function).
"""
from ..evidence import NotRecorded
from ..inputs import reference_of
from ..packs import load_pack
from .catalog import Bug, CatalogError, load_catalog
from .finding import Finding
from .probe import Probe
from .registry import declaration, detector

UNKNOWN_ID = "grader error, not your fault: the diagnosis named {id!r}, which the catalog lacks"
UNDECLARED = ("grader error, not your fault: the detector {detector} named {id!r}, which it does "
              "not declare")


def _failed(function_result):
    """Whether a function failed a check of its own (not only an end-to-end one)."""
    return any(c.status != "passed" and not c.end_to_end for c in function_result.checks)


def _runs(task, functions, defined, probe_all):
    """(detector function, hidden) in the order they run: the task's own detectors first,
    then each function's, in task order."""
    pack = load_pack(task.pack)
    runs = [(pack.detectors[name], False) for name in task.detectors]
    specs = {f.name: f for f in task.every_function or task.functions}
    for result in functions:
        spec = specs.get(result.name)
        if spec is None or not spec.detector or result.name not in defined:
            continue
        func = pack.detectors[spec.detector]
        if probe_all or declaration(func).always or _failed(result):
            # named only from hidden checks' failures: the student view must not show it
            hidden = not probe_all and not declaration(func).always and all(
                c.hidden for c in result.checks if c.status != "passed" and not c.end_to_end)
            runs.append((func, hidden))
    return runs


def diagnose(task, worker, functions, defined, probe_all=False, dead=(), stand_ins=None,
             remaining=None):
    """Probe the functions that failed -> (diagnoses as dicts, notes).

    ``functions`` are the FunctionResults of the checks, ``defined`` the names the
    submission defines. Each diagnosis: id, function, title, explanation, hint, evidence,
    and ``hidden`` (true when only hidden checks led to it). ``probe_all`` runs every
    detector, failed or not (the tests use it to show right code is never diagnosed).
    """
    dead = set(dead) | {f.name for f in functions
                        if any(c.facts.get("call_error") in ("timeout", "crash") for c in f.checks)}
    probe = Probe(worker, defined, dead=dead, stand_ins=stand_ins, remaining=remaining,
                  reference=reference_of(task), results={f.name: f for f in functions})
    found = []
    for func, hidden in _runs(task, functions, defined, probe_all):
        declared = declaration(func)
        try:
            findings = list(func(probe))
        except NotRecorded:         # a kit without the evidence this detector needs: it names nothing
            continue
        for finding in findings:
            if finding.id not in declared.bugs:
                probe.note(UNDECLARED.format(detector=declared.name, id=finding.id))
                continue
            found.append((finding, hidden))
    diagnoses, seen, notes = [], set(), list(probe.notes)
    for finding, hidden in found:
        if (finding.id, finding.function) in seen:
            continue
        seen.add((finding.id, finding.function))
        bug = task.bugs.get(finding.id)
        if bug is None:
            notes.append(UNKNOWN_ID.format(id=finding.id))
            continue
        diagnoses.append({"id": bug.id, "function": finding.function, "title": bug.title,
                          "explanation": bug.explanation, "hint": bug.hint,
                          "evidence": finding.evidence, "hidden": hidden})
    return diagnoses, notes


__all__ = ["Bug", "CatalogError", "Finding", "declaration", "detector", "diagnose", "load_catalog"]

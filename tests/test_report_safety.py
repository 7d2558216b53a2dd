"""Student text in reports: any message, however long or strange, gives a short report
that encodes as UTF-8 and cannot drive the terminal (grader/safetext.py)."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SUBMISSIONS
from grader import cli
from grader.report import render_json, render_text
from grader.result import LIMITS, MAX_NOTES, CheckResult, FunctionResult, Report
from grader.safetext import MORE, clip, safe

HUGE = 5_000_000
BOUND = 200_000                 # characters: a generous bound on any hostile report below
HOSTILE = {
    "surrogate": "\ud800 lone \udfff surrogates \ud83d\ude00",
    "escape": "\x1b[2J\x1b[1;1Hfake: 100/100\r\x07",
    "bidi": "abc\u202edcba\u2066x\u2069",
    "huge": "x" * HUGE,
    "huge-spaced": "word " * (HUGE // 5),
    "many-lines": "\n".join(f"line {i}" for i in range(10_000)),
    "nul": "\x00\x00",
}


def env():
    """The environment for ``python -m grader``, installed or not."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def hostile_report(view="full"):
    checks = [CheckResult(f"f.{name}", "f", f"description {text}", status, text, help=f"help {text}",
                          max_points=1)
              for name, text in HOSTILE.items() for status in ("failed", "error")]
    checks.append(CheckResult("f.passed", "f", "passes", "passed", "ok", points=1, max_points=1,
                              hidden=True))
    diagnoses = [{"id": f"bug-{name}", "function": "f", "title": text, "explanation": text,
                  "hint": text, "evidence": text} for name, text in HOSTILE.items()]
    notes = list(HOSTILE.values()) + [f"note {i}" for i in range(10_000)]
    return Report(task="mlp", submission=HOSTILE["escape"] + HOSTILE["surrogate"],
                  functions=[FunctionResult("f", len(checks), checks)], notes=notes,
                  diagnoses=diagnoses, view=view)


def assert_safe(text):
    assert len(text) < BOUND
    text.encode("utf-8")                                    # no lone surrogates
    assert not {ch for ch in text if (ord(ch) < 32 and ch != "\n") or 127 <= ord(ch) < 160}
    assert not {ch for ch in text if ch in "\u202e\u2066\u2069"}


# ------------------------------------------------------------------ clip
@pytest.mark.parametrize("text, expected", [
    ("\ud800", "\\ud800"),
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("\u202eevil", "\\u202eevil"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("é ✓ 😀", "é ✓ 😀"),
    ("x" * 200, "x" * 200),
    ("x" * 201, "x" * 200 + MORE.format(n=1)),
])
def test_clip_escapes_and_bounds(text, expected):
    assert clip(text) == expected


def test_clip_of_a_huge_line_quotes_the_limit_and_says_how_much_more():
    clipped = clip("y" * HUGE, 50)
    assert clipped == "y" * 50 + f"… ({HUGE - 50} more characters)"


class Unprintable:
    def __str__(self):
        raise RuntimeError("no")


class Weird(str):
    def __str__(self):
        return "not me"


@pytest.mark.parametrize("value, expected", [
    (None, "None"), (12, "12"), (b"\xff", "b'\\xff'"), (Unprintable(), "<unprintable Unprintable>"),
    (Weird("\x1bmine"), "\\x1bmine"), (["\ud800"], "['\\ud800']"),
])
def test_clip_never_raises(value, expected):
    assert clip(value) == expected


def test_safe_moved_from_the_text_report_and_escapes_surrogates():
    from grader.report import text
    assert text.safe is safe
    assert safe("\ud800\x1b") == "\\ud800\\x1b"


# ------------------------------------------------------------------ renderers
@pytest.mark.parametrize("view", ["full", "student", "check"])
def test_the_text_report_of_hostile_messages_is_short_and_safe(view):
    text = render_text(hostile_report(view))
    assert_safe(text)
    assert "\\ud800 lone \\udfff" in text and "\\x1b[2J" in text
    assert "more characters)" in text and "more lines)" in text
    assert f"{len(hostile_report().notes) - MAX_NOTES} more notes" in text
    assert text.rstrip().splitlines()[-1].startswith("Score: ")


@pytest.mark.parametrize("view", ["full", "student", "check"])
def test_the_json_report_of_hostile_messages_is_short_and_safe(view):
    out = render_json(hostile_report(view))
    assert_safe(out)
    doc = json.loads(out)
    json.dumps(doc, ensure_ascii=False).encode("utf-8")     # no surrogates even once parsed
    checks = doc["functions"][0]["checks"]
    huge = next(c for c in checks if c["id"] == "f.huge")
    assert huge["message"] == "x" * LIMITS["message"] + MORE.format(n=HUGE - LIMITS["message"])
    assert next(c for c in checks if c["id"] == "f.escape")["message"].startswith("\\x1b[2J")
    assert len(doc["notes"]) == MAX_NOTES + 1
    assert all(len(d["evidence"]) < 2 * LIMITS["diagnosis"] for d in doc["diagnoses"])


def test_the_command_line_writes_a_hostile_report_to_stdout_and_to_a_file(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(cli, "grade", lambda *args, **kwargs: hostile_report())
    alice = str(SUBMISSIONS / "alice.py")
    assert cli.main(["run", alice]) == cli.EXIT_OK
    assert_safe(capsys.readouterr().out)
    for command, fmt in (("run", "text"), ("run", "json"), ("check", "text")):
        out = tmp_path / f"{command}.{fmt}"
        assert cli.main([command, alice, "--format", fmt, "--out", str(out)]) == cli.EXIT_OK
        assert_safe(out.read_bytes().decode("utf-8"))


def test_a_huge_exception_message_with_a_surrogate_comes_back_bounded(tmp_path):
    """The submission's own exception message crosses the worker and reaches every
    renderer: each finishes, exits 0 and writes a bounded, valid UTF-8 report."""
    path = tmp_path / "raises.py"
    path.write_text("import numpy as np\n\n"
                    "def softmax(z):\n"
                    "    raise ValueError('\\ud800' + 'x' * 5_000_000)\n\n"
                    "def relu(z):\n"
                    "    return np.maximum(z, 0)\n")
    for args in (["run", str(path)], ["run", str(path), "--format", "json"], ["check", str(path)]):
        result = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                                timeout=600, cwd=tmp_path, env=env())
        assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
        assert len(result.stdout) < BOUND
        text = result.stdout.decode("utf-8")
        if "--format" in args:
            doc = json.loads(text)
            softmax = next(f for f in doc["functions"] if f["name"] == "softmax")
            messages = [c["message"] for c in softmax["checks"]]
            assert messages and all(m.startswith("ValueError: \\ud800xxx") for m in messages)
            assert all(len(m) < 2 * LIMITS["message"] for m in messages)
            relu = next(f for f in doc["functions"] if f["name"] == "relu")
            assert relu["score"] == relu["max_score"]
        else:
            assert "ValueError: \\ud800xxx" in text

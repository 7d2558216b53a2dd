"""The HTML pages (grader/report/html.py): the student page and the class summary, their
figures, their views, their safety with hostile text, and that text and JSON reports
never import jinja2 or matplotlib. tests/test_browser.py loads them in a real browser."""
import base64
import json
import re
import struct
import subprocess
import sys

import pytest

from conftest import ROOT, SUBMISSIONS
from grader import cli
from grader.report import RENDERERS, render_html, render_summary_html
from grader.report import plots
from grader.report.html import render_html_fragment
from grader.result import LIMITS, CheckResult, FunctionResult, Report

HIDDEN_DESCRIPTION = "rows of wildly different scale (a hidden check)"
HOSTILE = "<script>alert('x')</script><img src=https://evil.example/x.png>\x1b[2J\ud800"
CURVE = {"label": "training loss", "student": [2.31, 1.92, 1.71, 1.64, 1.62],
         "reference": [0.62, 0.38, 0.31, 0.27, 0.25]}
CONFUSION = [[20 if i == j else (1 if j == (i + 3) % 10 else 0) for j in range(10)] for i in range(10)]
DIAGNOSIS = {"id": "softmax-wrong-axis", "function": "softmax",
             "title": "softmax normalises each column instead of each row",
             "evidence": "on logits of shape (5, 4) the columns of softmax(z) sum to 1",
             "explanation": "Your softmax sums over axis 0.", "hint": "Sum over axis=1 with keepdims=True."}


def sample_report(view="full", curve=CURVE, confusion=CONFUSION):
    """A report as the grader gives it, with a training check that carries figure facts."""
    softmax = [
        CheckResult("softmax.shape", "softmax", "softmax returns an array of the same shape", "passed",
                    points=1, max_points=1),
        CheckResult("softmax.rows", "softmax", "each row of softmax(z) sums to 1", "failed",
                    "rows sum to [1.109, 1.25], not 1", help="Normalise over axis=1.", max_points=2),
        CheckResult("softmax.scales", "softmax", HIDDEN_DESCRIPTION, "failed", "secret rationale",
                    help="secret hint", max_points=1, hidden=True),
    ]
    facts = {}
    if curve is not None:
        facts["curve"] = curve
    if confusion is not None:
        facts["confusion"] = confusion
    train = [
        CheckResult("train.mnist", "train", "train reaches 85% test accuracy on the MNIST subset", "failed",
                    "test accuracy 0.41, below 0.85", help="Look at your learning rate.", max_points=7,
                    end_to_end=True, facts=facts),
        CheckResult("train.slow", "train", "train finishes in time", "error",
                    "train() did not finish within 20 s", help="the hint about wrong values", max_points=5,
                    facts={"call_error": "timeout"}),
    ]
    relu = [CheckResult("relu.values", "relu", f"relu is right {HOSTILE}", "failed", HOSTILE,
                        help=HOSTILE, max_points=3)]
    template = [CheckResult(f"tanh.{i}", "tanh", f"tanh check {i}", "error",
                            "tanh is not implemented yet (it raises NotImplementedError)", max_points=1)
                for i in range(3)]
    functions = [FunctionResult("softmax", 4, softmax), FunctionResult("train", 12, train),
                 FunctionResult("relu", 3, relu), FunctionResult("tanh", 3, template)]
    return Report(task="mlp", submission="submissions/bob.py", functions=functions,
                  notes=["line 5: not run (top-level code): print('loaded')", HOSTILE],
                  diagnoses=[DIAGNOSIS, {**DIAGNOSIS, "id": "softmax-secret", "title": "only hidden checks saw it",
                                         "hidden": True}],
                  view=view, task_digest="ab" * 32)


def sample_summary():
    return {
        "task": "mlp", "grader_version": "0.2.0", "task_digest": "cd" * 32, "students": 26,
        "counts": {"graded": 22, "missing": 2, "ungraded": 1, "grader_error": 1},
        "max_score": 100, "mean_score": 81.4, "median_score": None,
        "histogram": {"edges": list(range(0, 101, 10)), "counts": [1, 0, 0, 1, 0, 2, 3, 4, 5, 6]},
        "functions": [{"name": "softmax", "max_score": 8, "mean_points": 6.0},
                      {"name": "backward", "max_score": 15, "mean_points": 11.25}],
        "checks": [
            {"id": "softmax.rows", "function": "softmax", "description": "rows sum to 1", "hidden": False,
             "graded": 22, "passed": 15, "pass_rate": 15 / 22},
            {"id": "backward.one_hidden", "function": "backward", "description": "right gradients",
             "hidden": False, "graded": 22, "passed": 9, "pass_rate": 9 / 22},
            {"id": "softmax.scales", "function": "softmax", "description": "rows of very different scale",
             "hidden": True, "graded": 22, "passed": 21, "pass_rate": 21 / 22},
        ],
        "diagnoses": [
            {"id": "grad-divided-by-features", "title": "gradients divided by D instead of N",
             "function": "backward", "count": 3, "share": 3 / 26, "students": ["carol", "dave", "erin"]},
            {"id": "softmax-wrong-axis", "title": "softmax normalises each column instead of each row",
             "function": "softmax", "count": 8, "share": 8 / 26,
             "students": [f"student{i:02d}" for i in range(7)] + [HOSTILE]},
        ],
        "grader_errors": [{"student": "frank", "file": "frank/hw.py", "reason": "the worker could not start"}],
        "slowest": [{"student": "grace", "seconds": 41.3}, {"student": "alice", "seconds": 2.5}],
    }


def images(html):
    """The PNGs of a page's <img> tags, decoded from their data: URIs."""
    return [base64.b64decode(src) for src in re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)]


def png_size(png):
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def assert_self_contained(html):
    assert html.startswith("<!doctype html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "Content-Security-Policy" in html and "default-src 'none'; img-src data:" in html
    assert "<script" not in html.lower()
    # nothing to fetch: every src/href is a data: URI, and no stylesheet is linked
    assert re.findall(r'\b(?:src|href)="(?!data:)', html) == []
    assert "<link" not in html and "@import" not in html and "url(" not in html


# ------------------------------------------------------------------ the student page
def test_the_student_page_shows_score_checks_diagnosis_notes_and_two_figures():
    html = render_html(sample_report())
    assert_self_contained(html)
    score = html.index('<span class="big">1</span>')          # softmax.shape's 1 point of 22
    assert score < html.index("softmax returns an array")       # the score first
    assert "/&#8202;22" in html
    for status in ("passed", "failed", "error"):
        assert f'<span class="mark {status}">' in html           # the legend at the top
    assert html.index('class="legend"') < html.index("<section")
    section = html[html.index("<h2>softmax"):html.index("<h2>train")]
    assert "softmax normalises each column instead of each row" in section     # under its function
    assert "on logits of shape (5, 4)" in section and "Sum over axis=1" in section
    assert "Normalise over axis=1." in section
    assert "line 5: not run (top-level code)" in html
    pngs = images(html)
    assert [png_size(p) for p in pngs] == [(640, 360), (520, 460)]   # figsize × 100 dpi: curve, confusion
    train = html[html.index("<h2>train"):html.index("<h2>relu")]
    # the diagonal holds 10 × 20 right answers, each row one wrong one: 200 of 210
    assert train.count("<img") == 2 and "200 of 210 right" in train
    assert "Your training loss per epoch" in train


def test_a_timeout_has_no_hint_and_a_wrong_value_has_one():
    html = render_html(sample_report())
    train = html[html.index("<h2>train"):html.index("<h2>relu")]
    assert "Look at your learning rate." in train               # failed: the hint is about its value
    assert "the hint about wrong values" not in train           # timed out: no hint


def test_the_student_view_leaves_hidden_checks_and_their_diagnoses_out():
    full = render_html(sample_report("full"))
    assert HIDDEN_DESCRIPTION in full and "secret hint" in full and "only hidden checks saw it" in full
    student = render_html(sample_report("student"))
    assert HIDDEN_DESCRIPTION not in student and "secret" not in student
    assert "only hidden checks saw it" not in student
    assert "+ 1 hidden check (counted in the score, not shown)" in student
    assert "(including 1 hidden check)" in student


def test_the_self_check_page_says_what_to_fix_first():
    html = render_html(sample_report("check"))
    assert "Self-check of submissions/bob.py: public checks only" in html
    fix = html[html.index('class="card fix-first"'):html.index("</section>", html.index('class="card fix-first"'))]
    # train loses 12, softmax 3 (of 4), relu 3; tanh is not written yet (its own line)
    assert fix.index("<b>train</b>") < fix.index("<b>softmax</b>") < fix.index("<b>relu</b>")
    assert "(likely bug: softmax normalises each column instead of each row)" in fix
    assert "tanh" not in fix
    assert "1 function not written yet (raising NotImplementedError), 3 points:" in html


def test_student_text_is_escaped_and_clipped():
    html = render_html(sample_report())
    assert "<script>" not in html and "evil.example/x.png>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "\x1b" not in html and "\\x1b[2J" in html            # control characters shown, not sent
    html.encode("utf-8")                                         # the lone surrogate escaped
    huge = sample_report()
    huge.functions[2].checks[0].message = "x" * 5_000_000
    huge.notes = [f"note {i}" for i in range(10_000)]
    page = render_html(huge)
    assert len(page) < 300_000
    assert "x" * LIMITS["message"] + "… (" in page and "... and 9800 more notes" in page


def test_facts_that_cannot_be_drawn_give_no_figure_and_no_error():
    for curve, confusion in [
        ({"label": "training loss", "student": ["a"], "reference": [1.0]}, [[1, 2], [3]]),
        ({"label": 5, "student": [1.0], "reference": [1.0]}, [[-1, 0], [0, 1]]),
        ({"label": "training loss", "student": [], "reference": [1.0]}, "no"),
        (None, None),
    ]:
        html = render_html(sample_report(curve=curve, confusion=confusion))
        assert images(html) == []
        assert "train reaches 85% test accuracy" in html


def test_a_diverging_curve_is_drawn_with_gaps():
    png = plots.curve_png({"label": "training loss", "student": [2.0, float("nan"), float("inf"), 1e308],
                           "reference": [1.0, 0.5, 0.4, 0.3]})
    assert png_size(png) == (640, 360)
    accuracy = plots.curve_png({"label": "test accuracy", "percent": True, "student": [0.1, 0.5], "reference": [0.8, 0.9]})
    assert png_size(accuracy) == (640, 360)


def test_figures_are_deterministic():
    assert plots.curve_png(CURVE) == plots.curve_png(CURVE)
    assert plots.confusion_png(CONFUSION) == plots.confusion_png(CONFUSION)


def test_a_grader_error_page_says_so_and_gives_no_score():
    report = sample_report()
    report.grader_error = True
    html = render_html(report)
    assert "grader error, not your fault: this submission was not graded" in html
    assert "Score: none" in html and 'class="big"' not in html


def test_the_untouched_template_is_short():
    template = Report(task="mlp", submission="template.py", view="check", functions=[
        FunctionResult(name, 3, [CheckResult(f"{name}.{i}", name, f"check {i}", "error",
                                             f"{name} is not implemented yet (it raises NotImplementedError)",
                                             max_points=1) for i in range(3)])
        for name in ("sigmoid", "tanh", "relu")])
    html = render_html(template)
    assert "3 functions not written yet (raising NotImplementedError), 9 points:" in html
    assert "sigmoid, tanh, relu" in html
    assert "check 0" not in html and 'class="legend"' not in html   # no check is listed, no legend
    assert "Nothing you have written fails a public check" in html


def test_the_fragment_is_the_page_body_with_its_own_scoped_styles():
    fragment = render_html_fragment(sample_report("check"))
    assert fragment.lstrip().startswith('<div class="grader-report">')
    assert "<html" not in fragment and "<head>" not in fragment and "<!doctype" not in fragment
    style = fragment[fragment.index("<style>") + len("<style>"):fragment.index("</style>")]
    rules = [r.strip() for r in re.findall(r"(?:^|})\s*([^{}@]+)\{", style) if r.strip()]
    assert rules and all(s.strip().startswith(".grader-report") for r in rules for s in r.split(","))


# ------------------------------------------------------------------ the class summary
def test_the_summary_shows_counts_figures_functions_checks_diagnoses_errors_and_the_slowest():
    html = render_summary_html(sample_summary())
    assert_self_contained(html)
    for n, label in ((22, "graded"), (2, "missing"), (1, "ungraded"), (1, "grader error")):
        assert f"<b>{n}</b><span>{label}</span>" in html
    assert "<b>81.4</b>" in html and "<b>—</b><span>median" in html     # median_score null
    pngs = images(html)
    assert len(pngs) == 2 and png_size(pngs[0]) == (640, 320)           # histogram, then bugs
    # most failed first: backward.one_hidden (41%), softmax.rows (68%), softmax.scales (95%)
    positions = [html.index(f"<code>{c}</code>") for c in ("backward.one_hidden", "softmax.rows", "softmax.scales")]
    assert positions == sorted(positions)
    assert ">41%<" in html and ">68%<" in html and ">95%<" in html
    # the most common bug first, with its share of the class and its students
    assert html.index("softmax-wrong-axis") < html.index("grad-divided-by-features")
    assert ">31%<" in html and ">12%<" in html                           # 8/26, 3/26
    assert "carol, dave, erin" in html
    assert "student00, student01" in html and "students</summary>" not in html   # 8 (≤ 12): listed openly
    assert "frank/hw.py" in html and "the worker could not start" in html
    assert html.index("grace") < html.index("41.3") < html.index("alice")
    assert 'style="width: 75.0%"' in html                                # softmax: 6 of 8 points
    assert "&lt;script&gt;" in html and "<script" not in html


def test_many_students_of_one_bug_fold_into_details():
    summary = sample_summary()
    summary["diagnoses"][0]["students"] = [f"s{i}" for i in range(30)]
    html = render_summary_html(summary)
    assert "<summary>30 students</summary>" in html


def test_an_empty_class_renders():
    summary = {**sample_summary(), "students": 0, "mean_score": None,
               "histogram": {"edges": list(range(0, 101, 10)), "counts": [0] * 10},
               "functions": [], "checks": [], "diagnoses": [], "grader_errors": [], "slowest": []}
    html = render_summary_html(summary)
    assert "No bug was diagnosed." in html and len(images(html)) == 1


# ------------------------------------------------------------------ the command line
def test_html_is_a_format_of_the_command_line(monkeypatch, capsys, tmp_path):
    assert "html" in RENDERERS
    monkeypatch.setattr(cli, "grade", lambda *args, **kwargs: sample_report())
    alice = str(SUBMISSIONS / "alice.py")
    out = tmp_path / "report.html"
    assert cli.main(["run", alice, "--format", "html", "--student-view", "--out", str(out)]) == cli.EXIT_OK
    html = out.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert HIDDEN_DESCRIPTION not in html
    assert cli.main(["check", alice, "--format", "html"]) == cli.EXIT_OK
    assert "What to fix first:" in capsys.readouterr().out


def test_text_and_json_reports_do_not_import_jinja2_or_matplotlib(tmp_path):
    """Grading alice.py with text and JSON reports, in a fresh process, loads neither
    jinja2 nor matplotlib; an HTML report in the same process then does."""
    code = (
        "import sys, json\n"
        "from grader import cli\n"
        f"for fmt in ('text', 'json'):\n"
        f"    assert cli.main(['run', 'submissions/alice.py', '--format', fmt, '--out', {str(tmp_path / 'r')!r} + fmt]) == 0\n"
        "loaded = lambda: sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'matplotlib', 'markupsafe'})\n"
        "print(json.dumps(loaded()))\n"
        f"assert cli.main(['check', 'submissions/alice.py', '--only', 'relu', '--format', 'html', '--out', {str(tmp_path / 'r.html')!r}]) == 0\n"
        "print(json.dumps(loaded()))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    before, after = map(json.loads, result.stdout.splitlines())
    assert before == []
    assert after == ["jinja2", "markupsafe", "matplotlib"]
    assert (tmp_path / "rtext").read_text().rstrip().endswith("Score: 100/100")


def test_templates_ship_as_package_data():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "report/templates/*" in project["tool"]["setuptools"]["package-data"]["grader"]
    names = {p.name for p in (ROOT / "grader" / "report" / "templates").iterdir()}
    assert {"page.html.j2", "report.html.j2", "report_body.html.j2", "summary.html.j2", "style.css"} <= names
    deps = " ".join(project["project"]["dependencies"])
    assert "jinja2" in deps and "matplotlib" in deps


@pytest.mark.parametrize("view", ["full", "student", "check"])
def test_the_page_of_hostile_messages_is_short_and_safe(view):
    from test_report_safety import assert_safe, hostile_report
    html = render_html(hostile_report(view))
    assert_safe(html)                   # bounded, valid UTF-8, no control or bidi characters
    assert "\\x1b[2J" in html and "more characters)" in html


def test_the_mnist_check_records_the_confusion_matrix_and_the_training_curve(task):
    from grader.grade import grade
    report = grade(SUBMISSIONS / "alice.py", task)
    check = next(c for f in report.functions for c in f.checks if c.id == "train.mnist")
    confusion = check.facts["confusion"]
    assert len(confusion) == 10 and all(len(row) == 10 for row in confusion)
    assert [sum(row) for row in confusion] == [200] * 10          # the test set: 200 per digit
    right = sum(confusion[i][i] for i in range(10))
    assert 0.85 * 2000 <= right < 2000                             # the check's threshold is 85%
    page = render_html(report)
    # MNIST's matrix only: XOR's 4 samples are too few to draw (training.MIN_CONFUSION)
    xor = next(c for f in report.functions for c in f.checks if c.id == "train.xor")
    assert "confusion" not in xor.facts
    assert page.count('src="data:image/png;base64,') == 2 and f"{right} of 2000 right" in page
    curve = check.facts["curve"]                                   # accuracy after each of the 3 epochs
    assert len(curve["student"]) == 3 and curve["threshold"] == 0.85 and curve["percent"] is True
    assert abs(curve["student"][-1] - right / 2000) < 1e-12       # the last epoch is the check's own result

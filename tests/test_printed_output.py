"""Print-debugging works: what the student's code printed during a failed check is shown
under that check (its first 20 lines), in the text, JSON and HTML reports; a passing check
shows none; the output is made safe like any other student text."""
import json

import pytest

from conftest import SUBMISSIONS
from grader.grade import grade
from grader.report import RENDERERS, render_html, render_text

PRINTS = ('def softmax(z):', 'def softmax(z):\n    print("softmax got", z.shape)\n'
          '    for i in range(40):\n        print("row", i, "\\x1b[31mred\\x1b[0m")')


@pytest.fixture(scope="module")
def report(task, tmp_path_factory):
    path = tmp_path_factory.mktemp("printed") / "prints.py"
    source = (SUBMISSIONS / "bob.py").read_text(encoding="utf-8")      # softmax over the wrong axis
    assert source.count(PRINTS[0]) == 1
    path.write_text(source.replace(*PRINTS), encoding="utf-8")
    return grade(path, task)


def checks(report):
    return {c.id: c for f in report.functions for c in f.checks}


def test_a_failed_check_keeps_the_first_twenty_printed_lines(report):
    values = checks(report)["softmax.values"]
    assert values.status == "failed"
    lines = values.output.splitlines()
    assert lines[0].startswith("softmax got (") and len(lines) == 21 and lines[-1] == "..."
    assert lines[1].startswith("row 0 ")


def test_a_passing_check_shows_no_output(report):
    assert checks(report)["softmax.shape"].status == "passed"
    assert checks(report)["softmax.shape"].output == ""
    assert checks(report)["sigmoid.values"].output == ""        # prints nothing


def test_the_text_report_shows_it_under_the_check_and_escaped(report):
    text = render_text(report)
    section = text[text.index("softmax matches"):text.index("softmax is finite")]
    assert "your code printed:" in section and "| softmax got (" in section
    assert "\x1b" not in text


def test_json_and_html_carry_it_too(report):
    doc = json.loads(RENDERERS["json"](report))
    values = next(c for f in doc["functions"] for c in f["checks"] if c["id"] == "softmax.values")
    assert values["output"].startswith("softmax got (")
    page = render_html(report)
    assert '<pre class="printed">softmax got (' in page and "\x1b" not in page

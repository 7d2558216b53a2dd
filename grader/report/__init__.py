"""Reports: a readable terminal report, JSON for machines, HTML pages for people, JUnit XML
for CI servers and Gradescope's results.json.

The HTML renderers (html.py, with its jinja2 templates and matplotlib figures) are
imported only when HTML is asked for, so text and JSON reports never load either.
"""
from .json_report import render_json
from .text import render_text


def render_html(report):
    """The student page as one self-contained HTML document (see html.py)."""
    from .html import render_html as render
    return render(report)


def render_summary_html(summary):
    """The class summary as one self-contained HTML document (see html.py)."""
    from .html import render_summary_html as render
    return render(summary)


def render_junit(report):
    """JUnit XML: a testsuite per function, a testcase per check (see junit.py)."""
    from .junit import render_junit as render
    return render(report)


def render_gradescope(report):
    """Gradescope's results.json for one file (see gradescope.py)."""
    from .gradescope import render_gradescope as render
    return render(report)


RENDERERS = {"text": render_text, "json": render_json, "html": render_html,
             "junit": render_junit, "gradescope": render_gradescope}

__all__ = ["RENDERERS", "render_gradescope", "render_html", "render_json", "render_junit", "render_summary_html",
           "render_text"]

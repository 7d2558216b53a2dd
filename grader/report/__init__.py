"""Reports: a readable terminal report, JSON for machines and HTML pages for people.

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


RENDERERS = {"text": render_text, "json": render_json, "html": render_html}

__all__ = ["RENDERERS", "render_html", "render_json", "render_summary_html", "render_text"]
